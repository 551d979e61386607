from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

admin.site.site_header = "Cnam · Tremplin — administration"
admin.site.site_title = "Tremplin"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("tremplin.core.urls")),
    path("", include("tremplin.site.urls")),
    path("", include("tremplin.accounts.urls")),
    path("compte/", include("tremplin.accounts.security_urls")),
    path("lieux/", include("tremplin.places.urls")),
    path("catalogue/", include("tremplin.catalog.urls")),
    path("apprenants/", include("tremplin.learners.urls")),
    path("rapports/", include("tremplin.reporting.urls")),
    path("orientation/", include("tremplin.orientation.urls")),
    path("", include("tremplin.enrolment.urls")),
    path("", include("tremplin.followup.urls")),
    path("conventions/", include("tremplin.conventions.urls")),
    path("", include("tremplin.delivery.urls")),
    path("emergence/", include("tremplin.emergence.urls")),
    path("droits/", include("tremplin.privacy.urls")),
    path("", include("tremplin.credentials.urls")),
    path("", include("tremplin.sync.urls")),
    path("api/", include("tremplin.api.urls")),
    path("integrations/", include("tremplin.api.pages")),
    path("admin/", admin.site.urls),
]

if settings.TREMPLIN_BENCH_VIEWS:  # benchmarks/pages.py only; off in production
    from tremplin.core.bench import constant

    urlpatterns.append(path("bench/constant/", constant))
