"""The audit log (every read or change of a personal record) and the domain event journal, both
append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from uuid6 import uuid7


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Consultation"
        LIST = "list", "Liste consultée"
        CREATE = "create", "Création"
        UPDATE = "update", "Modification"
        TRANSITION = "transition", "Changement d'étape"
        EXPORT = "export", "Export"
        IMPORT = "import", "Import"
        SECURITY = "security", "Sécurité du compte"

    class Origin(models.TextChoices):
        WEB = "web", "Interface web"
        API = "api", "API"
        IMPORT = "import", "Import de fichier"
        BULK = "bulk", "API, envoi groupé"
        COMMAND = "command", "Ligne de commande"
        SYNC = "sync", "Synchronisation"

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField("identifiant", max_length=150, blank=True)
    action = models.CharField("action", max_length=12, choices=Action.choices)
    model = models.CharField("nature de la donnée", max_length=60)
    object_id = models.CharField("identifiant de l'enregistrement", max_length=40, blank=True)
    summary = models.CharField("description", max_length=300, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    origin = models.CharField(
        "origine", max_length=10, choices=Origin.choices, default=Origin.WEB, blank=True
    )
    #: The person the event concerns (a learner's id), rendered at display time: the audit
    #: log never holds a name, so that an erasure reaches it.
    person_id = models.PositiveBigIntegerField("personne concernée", null=True, blank=True)
    #: A change's fields, ``{"field": [before, after]}``; free texts and identities appear as
    #: `REDACTED` (their value is not copied into the log).
    changes = models.JSONField("champs modifiés", default=dict, blank=True)
    #: A list read: the ids of the records shown (bounded).
    records = models.JSONField("enregistrements affichés", default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "événement du journal d'audit"
        verbose_name_plural = "journal d'audit"
        indexes = [
            models.Index(fields=["model", "object_id"]),
            models.Index(fields=["person_id"], name="core_audit_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()} {self.model} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Le journal d'audit ne s'efface pas.")


class JournalIsAppendOnly(Exception):
    pass


class DomainEvent(models.Model):
    """The domain event journal (a transactional outbox): what happened to which record, by
    whom, from where, appended by the services in the transaction that makes the change.
    Webhooks and the lifecycle consequences read it; nothing ever updates or deletes a row
    (database triggers, like the audit log). Records are named by their model label and id
    only, so that `core` depends on no domain app."""

    class Origin(models.TextChoices):
        FORM = "form", "Formulaire"
        IMPORT = "import", "Import"
        API = "api", "API"
        SYNC = "sync", "Synchronisation"
        SYSTEM = "system", "Système"

    sequence = models.BigAutoField("numéro d'ordre", primary_key=True)
    #: Time-ordered (UUID version 7): a new event's uid goes at the end of the unique index,
    #: where a random one (version 4) was written at a random page of millions.
    uid = models.UUIDField("identifiant", default=uuid7, unique=True, editable=False)
    kind = models.CharField("événement", max_length=60, db_index=True)
    model = models.CharField("nature de l'enregistrement", max_length=60)
    object_id = models.CharField("identifiant de l'enregistrement", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField("origine", max_length=8, choices=Origin.choices)
    occurred_at = models.DateTimeField("date", db_index=True)
    payload = models.JSONField("contenu", default=dict)

    class Meta:
        ordering = ["sequence"]
        verbose_name = "événement du domaine"
        verbose_name_plural = "journal des événements"
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.model} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise JournalIsAppendOnly("Le journal des événements ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise JournalIsAppendOnly("Le journal des événements ne s'efface pas.")


class TableStamp(models.Model):
    """The state of a table's rows: `token` changes (to a new random number) whenever a row of
    the table is written, by any path; database triggers do it (`core.stamps`), so no writer
    can forget, and a rolled-back write leaves the old token. A table without a stamp is read
    afresh each time."""

    table = models.CharField("table", max_length=63, primary_key=True)
    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "état d'une table"

    def __str__(self) -> str:
        return f"{self.table} ({self.token})"


class TableWrite(models.Model):
    """A transaction that wrote a stamped table (PostgreSQL): one row per table and
    transaction, with a random `token`, inserted by the table's statement trigger
    (`core.stamps`). The table's state is its stamp's token XOR every visible write's: a write
    counts once its transaction is committed, for every reader at once, and no writer waits for
    another. Readers fold the committed rows into one (`xid` negative), keeping the XOR."""

    table = models.CharField("table", max_length=63)
    xid = models.BigIntegerField("transaction")
    token = models.BigIntegerField()

    class Meta:
        verbose_name = "écriture d'une table"
        constraints = [
            models.UniqueConstraint(fields=["table", "xid"], name="core_tablewrite_once_per_xact")
        ]

    def __str__(self) -> str:
        return f"{self.table} ({self.xid})"
