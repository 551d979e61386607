"""`/api/v1/…` (the resources), `/api/schema/` (OpenAPI 3) and `/api/docs/` (Swagger UI, served
from drf-spectacular-sidecar: no CDN)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("establishments", views.EstablishmentViewSet, basename="establishment")
router.register("centres", views.CentreViewSet, basename="centre")
router.register("missions-locales", views.MissionLocaleViewSet, basename="mission-locale")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("teaching-units", views.TeachingUnitViewSet, basename="teaching-unit")
router.register("formations", views.FormationViewSet, basename="formation")
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("results", views.ResultViewSet, basename="result")
router.register("certifications", views.CertificationViewSet, basename="certification")
router.register("interviews", views.InterviewViewSet, basename="interview")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = [
    path("v1/", include(router.urls)),
    re_path(r"^v1/bilan/(?P<year>\d{4}-\d{4})/$", views.BilanView.as_view(), name="bilan"),
    re_path(
        r"^v1/editions/(?P<year>\d{4}-\d{4})/lheo/$",
        views.EditionLheoView.as_view(),
        name="edition_lheo",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    # Last: any other address under /api/ answers 404 in JSON, like the API (not an HTML page).
    re_path(r"^", views.NotFoundView.as_view(), name="not-found"),
]
