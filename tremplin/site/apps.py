from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "tremplin.site"
    label = "site"
    verbose_name = "Tremplin (site)"
