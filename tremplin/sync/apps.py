from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "tremplin.sync"
    verbose_name = "Copies d'établissement et synchronisation"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from tremplin.core import registry

        from .models import Node
        from .selectors import copy_of, forget_node

        post_save.connect(forget_node, sender=Node, dispatch_uid="sync.forget_node")
        post_delete.connect(forget_node, sender=Node, dispatch_uid="sync.forget_node_deleted")

        # The apps below ask whether this installation is an establishment copy (what it may
        # not decide: the certifications' rules engine, the catalogue, the decisions).
        registry.provide("sync.copy_of", copy_of)
