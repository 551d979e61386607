from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "tremplin.sync"
    verbose_name = "Copies d'établissement et synchronisation"

    def ready(self) -> None:
        from tremplin.core import registry

        from .selectors import copy_of

        # The apps below ask whether this installation is an establishment copy (what it may
        # not decide: the certifications' rules engine, the catalogue, the decisions).
        registry.provide("sync.copy_of", copy_of)
