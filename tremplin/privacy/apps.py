from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tremplin.privacy"
    verbose_name = "Droits des personnes et conservation"

    def ready(self) -> None:
        from tremplin.core.audit import register_person_directory

        from .people import LearnerDirectory

        register_person_directory(LearnerDirectory())
