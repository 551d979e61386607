from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tremplin.core"
    verbose_name = "Tremplin"
