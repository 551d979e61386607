from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tremplin.accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from . import services, signals  # noqa: F401 - connects the receivers
