from django.urls import path

from . import views

app_name = "conventions"
urlpatterns = [
    path("", views.convention_list, name="list"),
    path("nouvelle/", views.convention_edit, name="create"),
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("<int:pk>/modifier/", views.convention_edit, name="edit"),
    path("<int:pk>/objectifs/", views.objective_add, name="objective_add"),
    path(
        "<int:pk>/objectifs/<int:objective_pk>/modifier/",
        views.objective_edit,
        name="objective_edit",
    ),
    path(
        "<int:pk>/objectifs/<int:objective_pk>/supprimer/",
        views.objective_delete,
        name="objective_delete",
    ),
]
