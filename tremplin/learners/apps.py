from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "tremplin.learners"
    verbose_name = "Apprenants"
