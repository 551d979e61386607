from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tremplin.demo"
    label = "demo"
    verbose_name = "Tremplin (démonstration)"
