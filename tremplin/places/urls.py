from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("etablissements/", views.establishment_list, name="establishments"),
    path("etablissements/<int:pk>/", views.establishment_detail, name="establishment"),
    path("carte/", views.network_map, name="map"),
    path("partenaires/", views.partners, name="partners"),
    path("communes/suggestions/", views.commune_suggestions, name="commune_suggestions"),
]
