"""The events that partner systems can subscribe to. The services call one function each, in
the transaction that makes the change: the event is appended to the domain event journal
(`tremplin.core.journal`) and commits or rolls back with the change; `tremplin webhooks
deliver` turns the journal's new events into deliveries for every subscribed endpoint and
sends them, so a crash right after the commit loses nothing.

Payloads name people by their opaque reference only (no name, no birth date)."""

from __future__ import annotations

from typing import Any

from tremplin.core import journal

from .models import Event


def referral_status_changed(referral: Any, from_status: str, by: Any) -> None:
    journal.record(
        Event.REFERRAL_STATUS_CHANGED,
        referral,
        actor=by,
        payload={
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


def certification_awarded(certification: Any, by: Any = None) -> None:
    journal.record(
        Event.CERTIFICATION_AWARDED,
        certification,
        actor=by,
        payload={
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
    journal.record(
        Event.LEARNER_RELEASED,
        learner,
        actor=placement.recorded_by,
        payload={
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
