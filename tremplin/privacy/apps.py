from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tremplin.privacy"
    verbose_name = "Droits des personnes et conservation"
