from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("supports/", views.index, name="index"),
    path("supports/etablissements/<int:pk>/", views.establishment_page, name="establishment"),
    path("supports/etablissements/<int:pk>/envoi/", views.send, name="send"),
    path("supports/etablissements/<int:pk>/bordereau.pdf", views.slip, name="slip"),
    path(
        "supports/etablissements/<int:pk>/examens/nouveau/",
        views.session_create,
        name="session_create",
    ),
    path("supports/remises/<int:pk>/remis/", views.handed, name="handed"),
    path("supports/remises/<int:pk>/rendu/", views.returned, name="returned"),
    path("supports/examens/<int:pk>/", views.session_detail, name="session"),
    path("supports/examens/<int:pk>/emargement.pdf", views.attendance, name="attendance"),
    path(
        "supports/examens/<int:pk>/convocations/<int:learner_pk>.pdf",
        views.convocation,
        name="convocation",
    ),
    path("supports/inscriptions/<int:pk>/amenagements/", views.accommodation, name="accommodation"),
    path("reprises/", views.handover_list, name="handovers"),
    path("reprises/<int:pk>/", views.handover_detail, name="handover"),
    path(
        "reprises/apprenants/<int:learner_pk>/passeport-formation.pdf",
        views.passport,
        name="passport",
    ),
]
