from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("suivi/", views.caseload, name="caseload"),
    path("apprenants/<int:learner_pk>/entretien/", views.interview_create, name="interview_create"),
]
