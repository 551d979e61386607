from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tremplin.api"
    verbose_name = "API et intégrations"

    def ready(self) -> None:
        # The OpenAPI extensions of the token authentication; token revocation on the account's
        # security events.
        from . import schema, signals  # noqa: F401
