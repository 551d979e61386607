from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tremplin.core"
    verbose_name = "Tremplin"

    def ready(self) -> None:
        from . import audit, journal

        # The changes that come without a request (the establishment copy's bundles) are
        # audited from the journal.
        journal.subscribe(journal.ANY, audit.from_journal)
