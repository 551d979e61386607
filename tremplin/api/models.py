"""Personal API tokens, and the webhooks that tell partner systems what happened."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

#: A token lives at most this long.
MAX_TOKEN_LIFETIME = timedelta(days=366)


class ApiToken(models.Model):
    """A personal token: only the SHA-256 of its secret is kept, with a short visible prefix
    to recognise it. It acts as its owner, within their scope; read-only if asked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="propriétaire",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("nom", max_length=80, help_text="À quoi sert ce jeton")
    prefix = models.CharField("début du jeton", max_length=16, db_index=True)
    digest = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    read_only = models.BooleanField("lecture seule", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_reason = models.CharField(
        "motif de la révocation",
        max_length=120,
        blank=True,
        help_text="Vide quand le propriétaire l'a révoqué lui-même.",
    )
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "jeton d'accès à l'API"
        verbose_name_plural = "jetons d'accès à l'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "révoqué"
        return "expiré" if self.is_expired else "actif"


class Event(models.TextChoices):
    REFERRAL_STATUS_CHANGED = "referral.status_changed", "Changement de statut d'une orientation"
    CERTIFICATION_AWARDED = "certification.awarded", "Certification délivrée"
    LEARNER_RELEASED = "learner.released", "Libération d'un apprenant (et reprise de formation)"


class WebhookEndpoint(models.Model):
    """A partner's URL that receives the events it subscribed to, signed with its secret."""

    url = models.URLField("adresse (URL)", max_length=500)
    description = models.CharField("description", max_length=200, blank=True)
    secret = models.CharField("secret de signature", max_length=80, editable=False)
    events = models.JSONField("événements", default=list)
    active = models.BooleanField("actif", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    #: Every journal event up to this sequence number has been turned into deliveries.
    journal_cursor = models.BigIntegerField("dernier événement distribué", default=0)

    class Meta:
        ordering = ["url", "id"]
        verbose_name = "destinataire de webhooks"
        verbose_name_plural = "destinataires de webhooks"

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [str(Event(e).label) for e in self.events if e in Event.values]


class WebhookDelivery(models.Model):
    """One journal event for one endpoint: created from the journal and sent by `tremplin webhooks deliver`, retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        DELIVERED = "delivered", "Remis"
        FAILED = "failed", "Échec définitif"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField("identifiant de l'événement", default=uuid.uuid4, editable=False)
    journal_event = models.ForeignKey(
        "core.DomainEvent",
        verbose_name="événement du journal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.CharField("événement", max_length=40, choices=Event.choices)
    payload = models.JSONField("contenu")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(
        "dernier code de réponse", null=True, blank=True
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    delivered_at = models.DateTimeField("remis le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "envoi de webhook"
        verbose_name_plural = "envois de webhooks"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "journal_event"], name="webhook_once_per_journal_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.get_status_display()})"


class WebhookAttempt(models.Model):
    """The delivery log: one row per attempt."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField("date")
    response_code = models.PositiveSmallIntegerField("code de réponse", null=True, blank=True)
    error = models.CharField("erreur", max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField("durée (ms)", default=0)

    class Meta:
        ordering = ["delivery_id", "at", "id"]
        verbose_name = "tentative d'envoi"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M:%S} {self.response_code or self.error}"
