from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "tremplin.orientation"
    verbose_name = "Orientation des missions locales"
