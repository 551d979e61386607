from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "tremplin.enrolment"
    verbose_name = "Candidatures, inscriptions et certifications"

    def ready(self) -> None:
        from . import permissions

        permissions.register_actions()
