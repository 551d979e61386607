from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Cnam · Tremplin — administration"
admin.site.site_title = "Tremplin"

urlpatterns = [
    path("", include("tremplin.core.urls")),
    path("", include("tremplin.accounts.urls")),
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
    path("admin/", admin.site.urls),
]
