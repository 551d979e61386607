from django.urls import path

from .views import exams, handovers, material, packages

app_name = "delivery"
urlpatterns = [
    path("supports/", material.index, name="index"),
    path("supports/etablissements/<int:pk>/", material.establishment_page, name="establishment"),
    path("supports/etablissements/<int:pk>/envoi/", material.send, name="send"),
    path("supports/etablissements/<int:pk>/bordereau.pdf", material.slip, name="slip"),
    path(
        "supports/etablissements/<int:pk>/examens/nouveau/",
        exams.session_create,
        name="session_create",
    ),
    path(
        "supports/etablissements/<int:pk>/apprenants/<int:learner_pk>/pack.zip",
        material.pack,
        name="pack",
    ),
    path(
        "supports/etablissements/<int:pk>/apprenants/<int:learner_pk>/page-de-garde.pdf",
        material.pack_cover,
        name="pack_cover",
    ),
    path("supports/ue/", packages.package_units, name="packages"),
    path("supports/ue/<str:code>/", packages.unit_packages, name="unit_packages"),
    path("supports/ue/<str:code>/nouveau/", packages.package_create, name="package_create"),
    path("supports/ue/<str:code>/<int:pk>/modifier/", packages.package_edit, name="package_edit"),
    path(
        "supports/ue/<str:code>/<int:pk>/supprimer/", packages.package_delete, name="package_delete"
    ),
    path("supports/remises/<int:pk>/remis/", material.handed, name="handed"),
    path("supports/remises/<int:pk>/rendu/", material.returned, name="returned"),
    path("supports/examens/<int:pk>/", exams.session_detail, name="session"),
    path("supports/examens/<int:pk>/modifier/", exams.session_edit, name="session_edit"),
    path("supports/examens/<int:pk>/candidats/", exams.session_add, name="session_add"),
    path("supports/examens/<int:pk>/presence/", exams.presence, name="presence"),
    path("supports/examens/<int:pk>/emargement.pdf", exams.attendance, name="attendance"),
    path(
        "supports/examens/<int:pk>/convocations/<int:learner_pk>.pdf",
        exams.convocation,
        name="convocation",
    ),
    path("supports/inscriptions/<int:pk>/amenagements/", exams.accommodation, name="accommodation"),
    path("supports/inscriptions/<int:pk>/retirer/", exams.registration_remove, name="remove"),
    path("reprises/", handovers.handover_list, name="handovers"),
    path("reprises/<int:pk>/", handovers.handover_detail, name="handover"),
    path(
        "reprises/apprenants/<int:learner_pk>/passeport-formation.pdf",
        handovers.passport,
        name="passport",
    ),
]
