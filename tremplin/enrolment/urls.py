from django.urls import path

from tremplin.catalog import urls as _catalog_urls  # noqa: F401 - registers the <year:> converter

from . import views

app_name = "enrolment"
urlpatterns = [
    path("candidatures/", views.application_list, name="applications"),
    path(
        "apprenants/<int:learner_pk>/candidature/",
        views.application_create,
        name="application_create",
    ),
    path("candidatures/<int:pk>/", views.application_detail, name="application"),
    path("candidatures/<int:pk>/<str:move>/", views.application_move, name="application_move"),
    path("resultats/", views.grid_index, name="grids"),
    path("resultats/<str:code>/<year:year>/", views.grid, name="grid"),
    path("apprenants/<int:learner_pk>/releve-de-notes.pdf", views.transcript, name="transcript"),
    path("certifications/", views.certification_list, name="certifications"),
    path("certifications/<int:pk>/", views.certification_detail, name="certification"),
    path("certifications/<int:pk>/attestation.pdf", views.attestation, name="attestation"),
]
