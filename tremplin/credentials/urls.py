from django.urls import path

from . import views

app_name = "credentials"
urlpatterns = [
    path("verifier/", views.verifier, name="verifier"),
    path("verifier/<uuid:uid>/", views.verifier_by_id, name="verifier_by_id"),
    path("attestations/<int:pk>/telecharger/", views.download, name="download"),
    path("attestations/emetteur/", views.issuer, name="issuer"),
    path("attestations/cles/", views.jwks, name="jwks"),
    path("attestations/statut/", views.status_list, name="status_list"),
]
