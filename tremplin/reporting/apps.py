from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "tremplin.reporting"
    verbose_name = "Bilan chiffré"
