from django.urls import path

from . import views

app_name = "emergence"
urlpatterns = [
    path("", views.cohort_list, name="cohorts"),
    path("cohortes/<int:pk>/", views.cohort_detail, name="cohort"),
    path("cohortes/<int:pk>/seances/nouvelle/", views.session_create, name="session_create"),
    path("cohortes/<int:pk>/participants/ajouter/", views.participant_add, name="participant_add"),
    path("seances/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("seances/<int:pk>/emargement/", views.attendance, name="attendance"),
    path("participants/<int:pk>/resultats/", views.participant_outcomes, name="outcomes"),
]
