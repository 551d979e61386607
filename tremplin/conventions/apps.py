from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "tremplin.conventions"
    verbose_name = "Conventions de partenariat"
