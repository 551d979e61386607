from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "tremplin.orientation"
    verbose_name = "Orientation des missions locales"

    def ready(self) -> None:
        from tremplin.core import registry

        from .bilan import orientation_rows

        # The bilan chiffré (reporting, below) counts the year's referrals by region.
        registry.provide("bilan.orientation_rows", orientation_rows)
