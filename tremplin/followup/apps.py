from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "tremplin.followup"
    verbose_name = "Suivi pédagogique"
