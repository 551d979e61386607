from django.urls import path

from . import views

app_name = "learners"
urlpatterns = [
    path("", views.learner_list, name="list"),
    path("nouveau/", views.learner_create, name="create"),
    path("<int:pk>/", views.learner_detail, name="detail"),
    path("<int:pk>/modifier/", views.learner_edit, name="edit"),
    path("<int:pk>/transfert/", views.learner_transfer, name="transfer"),
    path("<int:pk>/liberation/", views.learner_release, name="release"),
]
