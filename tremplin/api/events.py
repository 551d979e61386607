"""The events that partner systems can subscribe to. The services call one function each; the
event is queued for every active endpoint subscribed to it once the transaction commits (a
change rolled back sends nothing), and `tremplin webhooks deliver` sends it.

Payloads name people by their opaque reference only (no name, no birth date)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Event, WebhookDelivery, WebhookEndpoint


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _enqueue(event: str, data: dict[str, Any], at: datetime) -> None:
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if event in e.events]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            event_id=event_id,
            payload={
                "id": str(event_id),
                "event": event,
                "created_at": at.isoformat(),
                "data": data,
            },
            next_attempt_at=at,
        )
        for endpoint in endpoints
        for event_id in [uuid.uuid4()]
    )


def emit(event: str, data: dict[str, Any]) -> None:
    """Queue `event` with `data` (JSON values) when the current transaction commits."""
    clean = {k: _plain(v) for k, v in data.items()}
    transaction.on_commit(partial(_enqueue, event, clean, timezone.now()), robust=True)


def referral_status_changed(referral: Any, from_status: str, by: Any) -> None:
    emit(
        Event.REFERRAL_STATUS_CHANGED,
        {
            "referral": referral.pk,
            "learner": referral.learner.reference,
            "mission_locale": referral.mission_locale.code,
            "centre": referral.centre.code,
            "formation": referral.formation.code,
            "from_status": from_status,
            "to_status": referral.status,
            "close_reason": referral.close_reason,
            "version": referral.version,
            "at": referral.updated_at,
            "by": by.get_username() if getattr(by, "is_authenticated", False) else "",
        },
    )


def certification_awarded(certification: Any) -> None:
    emit(
        Event.CERTIFICATION_AWARDED,
        {
            "certification": certification.pk,
            "number": certification.number,
            "learner": certification.learner.reference,
            "formation": certification.formation.code,
            "awarded_on": certification.awarded_on,
            "academic_year": certification.academic_year,
            "establishment": certification.establishment.label
            if certification.establishment_id
            else None,
            "credits": certification.credits,
        },
    )


def learner_released(placement: Any, hand_over: Any | None) -> None:
    learner = placement.learner
    emit(
        Event.LEARNER_RELEASED,
        {
            "learner": learner.reference,
            "released_on": placement.date,
            "establishment": placement.establishment.label if placement.establishment_id else None,
            "release_commune": placement.release_commune_id,
            "hand_over": None
            if hand_over is None
            else {
                "id": hand_over.pk,
                "centre": hand_over.centre.code,
                "centre_name": hand_over.centre.name,
                "distance_km": str(hand_over.distance_km),
                "status": hand_over.status,
            },
        },
    )
