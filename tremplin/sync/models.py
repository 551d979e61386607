"""The establishment copy's bookkeeping (docs/sync.md): who this installation is, its peers,
what each side holds of the other's records, and the conflicts to review.

At the centre there is one `Peer` per establishment copy; on a copy, one `Peer`: the centre."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tremplin.places.models import Establishment

#: The ids of the records created on a copy start here (SQLite's sequences are moved at the
#: installation), so that they never meet the centre's ids that the copy receives.
COPY_IDS_FROM = 10**12
CENTRE = "centre"


class Node(models.Model):
    """This installation (one row): the centre, or the copy of one establishment, and its keys."""

    class Role(models.TextChoices):
        CENTRE = "centre", "Centre"
        COPY = "copy", "Copie d'établissement"

    role = models.CharField("rôle", max_length=6, choices=Role.choices)
    code = models.SlugField("code", max_length=40)
    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sign_key = models.CharField("clé de signature (privée)", max_length=60)
    box_key = models.CharField("clé de déchiffrement (privée)", max_length=60)
    installed_at = models.DateTimeField("installée le", auto_now_add=True)

    class Meta:
        verbose_name = "installation"

    def __str__(self) -> str:
        return self.code


class Peer(models.Model):
    """The other side of a synchronisation: at the centre an establishment copy, on a copy the
    centre. The sequence numbers: the last bundle written to it, the last one applied from it,
    the last of ours it acknowledged."""

    code = models.SlugField("code", max_length=40, unique=True)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="copies",
    )
    sign_public = models.CharField("clé publique de signature", max_length=60)
    box_public = models.CharField("clé publique de chiffrement", max_length=60)
    fingerprint = models.CharField("empreinte de la clé", max_length=60)
    sent_seq = models.PositiveIntegerField("dernier envoi", default=0)
    received_seq = models.PositiveIntegerField("dernière réception", default=0)
    acked_seq = models.PositiveIntegerField("dernier envoi reçu par l'autre côté", default=0)
    last_sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    last_received_at = models.DateTimeField("reçu le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "copie d'établissement"
        verbose_name_plural = "copies d'établissement"
        constraints = [
            # One live copy per establishment: a revoked one may be replaced.
            models.UniqueConstraint(
                fields=["establishment"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_copy_per_establishment",
                violation_error_message="Cet établissement a déjà une copie en service.",
            ),
            models.CheckConstraint(
                condition=models.Q(acked_seq__lte=models.F("sent_seq")),
                name="peer_acks_what_was_sent",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Sent(models.Model):
    """What a bundle carried (its records' values), kept until the other side acknowledges it:
    then both sides hold these values (the base of the next comparison)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="sent")
    seq = models.PositiveIntegerField()
    rows = models.BinaryField()  # gzip(JSON {"model uid": values or null})
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["peer_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "seq"], name="one_sent_bundle_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.peer_id} n° {self.seq}"


class Shared(models.Model):
    """The values of a record that both sides hold (as far as this side knows): a record whose
    values differ from these has changed here since, and travels in the next bundle."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=60)
    uid = models.CharField(max_length=60)
    values = models.JSONField()

    class Meta:
        ordering = ["peer_id", "model", "uid"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "model", "uid"], name="one_shared_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.uid}"


class Identity(models.Model):
    """At the centre: a record created on a copy (its id there) and its id here."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=60)
    remote = models.BigIntegerField()
    local = models.BigIntegerField()

    class Meta:
        ordering = ["peer_id", "model", "remote"]
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "model", "remote"], name="one_local_per_remote"
            ),
            models.UniqueConstraint(fields=["peer", "model", "local"], name="one_remote_per_local"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.remote} → {self.local}"


class Conflict(models.Model):
    """A change that the written rules did not take as it came (docs/sync.md, "Conflicts"):
    listed for a coordinator to review, never lost."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="conflicts")
    seq = models.PositiveIntegerField("bundle n°")
    model = models.CharField("nature", max_length=60)
    uid = models.CharField("enregistrement", max_length=60)
    field = models.CharField("champ", max_length=60, blank=True)
    local = models.JSONField("valeur ici", null=True)
    incoming = models.JSONField("valeur reçue", null=True)
    kept = models.JSONField("valeur retenue", null=True)
    rule = models.CharField("règle appliquée", max_length=200)
    at = models.DateTimeField("le", auto_now_add=True)
    reviewed_at = models.DateTimeField("vu le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "conflit de synchronisation"
        verbose_name_plural = "conflits de synchronisation"

    def __str__(self) -> str:
        return f"{self.model} {self.uid} {self.field}"
