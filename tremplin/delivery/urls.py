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
    path(
        "supports/etablissements/<int:pk>/apprenants/<int:learner_pk>/pack.zip",
        views.pack,
        name="pack",
    ),
    path(
        "supports/etablissements/<int:pk>/apprenants/<int:learner_pk>/page-de-garde.pdf",
        views.pack_cover,
        name="pack_cover",
    ),
    path("supports/ue/", views.package_units, name="packages"),
    path("supports/ue/<str:code>/", views.unit_packages, name="unit_packages"),
    path("supports/ue/<str:code>/nouveau/", views.package_create, name="package_create"),
    path("supports/ue/<str:code>/<int:pk>/modifier/", views.package_edit, name="package_edit"),
    path("supports/ue/<str:code>/<int:pk>/supprimer/", views.package_delete, name="package_delete"),
    path("supports/remises/<int:pk>/remis/", views.handed, name="handed"),
    path("supports/remises/<int:pk>/rendu/", views.returned, name="returned"),
    path("supports/examens/<int:pk>/", views.session_detail, name="session"),
    path("supports/examens/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("supports/examens/<int:pk>/candidats/", views.session_add, name="session_add"),
    path("supports/examens/<int:pk>/presence/", views.presence, name="presence"),
    path("supports/examens/<int:pk>/emargement.pdf", views.attendance, name="attendance"),
    path(
        "supports/examens/<int:pk>/convocations/<int:learner_pk>.pdf",
        views.convocation,
        name="convocation",
    ),
    path("supports/inscriptions/<int:pk>/amenagements/", views.accommodation, name="accommodation"),
    path("supports/inscriptions/<int:pk>/retirer/", views.registration_remove, name="remove"),
    path("reprises/", views.handover_list, name="handovers"),
    path("reprises/<int:pk>/", views.handover_detail, name="handover"),
    path(
        "reprises/apprenants/<int:learner_pk>/passeport-formation.pdf",
        views.passport,
        name="passport",
    ),
]
