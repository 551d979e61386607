from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "tremplin.delivery"
    verbose_name = "Supports de cours, examens et reprises de formation"

    def ready(self) -> None:
        from . import lifecycle

        lifecycle.register()
