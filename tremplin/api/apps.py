from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tremplin.api"
    verbose_name = "API et intégrations"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (the OpenAPI extensions of the token authentication)
