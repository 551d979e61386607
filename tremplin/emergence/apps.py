from django.apps import AppConfig


class EmergenceConfig(AppConfig):
    name = "tremplin.emergence"
    verbose_name = "Émergence (création d'entreprise)"
