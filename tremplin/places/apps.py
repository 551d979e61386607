from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "tremplin.places"
    verbose_name = "Lieux"
