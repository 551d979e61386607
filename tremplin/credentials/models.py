"""The Cnam's issuer keys (public halves; the private ones stay in files under TREMPLIN_HOME)
and the credentials issued for awarded certifications."""

from __future__ import annotations

import uuid

from django.db import models

from tremplin.enrolment.models import Certification


class IssuerKey(models.Model):
    """An Ed25519 key of the issuer. The newest one not retired signs; every key, retired or
    not, still verifies what it signed (key rotation keeps old credentials verifiable)."""

    kid = models.CharField("identifiant", max_length=40, unique=True)
    public_jwk = models.JSONField("clé publique (JWK)")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    retired_at = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "clé de l'émetteur"
        verbose_name_plural = "clés de l'émetteur"

    def __str__(self) -> str:
        return self.kid


class Credential(models.Model):
    """The Open Badges 3.0 credential (a VC-JWT signed with EdDSA) of an awarded certification.
    Its revocation is the certification's: the status list reads it."""

    certification = models.OneToOneField(
        Certification, on_delete=models.PROTECT, related_name="credential"
    )
    uid = models.UUIDField("identifiant", default=uuid.uuid4, unique=True, editable=False)
    status_index = models.PositiveIntegerField("rang dans la liste de statut", unique=True)
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    issued_at = models.DateTimeField("émise le", auto_now_add=True)
    token = models.TextField("attestation (VC-JWT)")

    class Meta:
        verbose_name = "attestation vérifiable"
        verbose_name_plural = "attestations vérifiables"

    def __str__(self) -> str:
        return f"urn:uuid:{self.uid}"
