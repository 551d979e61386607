from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tremplin.accounts"
    verbose_name = "Comptes"
