from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tremplin.catalog"
    verbose_name = "Catalogue"
