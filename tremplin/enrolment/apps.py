from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "tremplin.enrolment"
    verbose_name = "Candidatures, inscriptions et certifications"
