from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "tremplin.conventions"
    verbose_name = "Conventions de partenariat"

    def ready(self) -> None:
        from tremplin.core import registry

        from .selectors import conventions_of_year

        # The bilan's dashboard (reporting, below) shows the year's conventions.
        registry.provide("bilan.conventions_of_year", conventions_of_year)
