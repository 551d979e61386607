from django.urls import path

from . import merge_views, views

app_name = "learners"
urlpatterns = [
    path("", views.learner_list, name="list"),
    path("nouveau/", views.learner_create, name="create"),
    path("<int:pk>/", views.learner_detail, name="detail"),
    path("<int:pk>/modifier/", views.learner_edit, name="edit"),
    path("<int:pk>/transfert/", views.learner_transfer, name="transfer"),
    path("<int:pk>/liberation/", views.learner_release, name="release"),
    path("<int:pk>/fusionner/", merge_views.learner_merge, name="merge"),
    path("fusions/<int:merge_id>/confirmer/", merge_views.merge_confirm, name="merge_confirm"),
    path("fusions/<int:merge_id>/annuler/", merge_views.merge_undo, name="merge_undo"),
]
