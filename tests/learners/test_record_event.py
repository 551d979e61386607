"""Editing a record goes through the learners' service: one journal event naming the fields
changed (never their values), with the form's origin."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.core.models import DomainEvent

from ..conftest import login_verified


def test_an_edited_record_is_one_event_naming_the_changed_fields_without_their_values(
    coordinator: User,
) -> None:
    learner = make_record("EDIT-0001", establishment="CD MELUN").learner
    client = login_verified(Client(), coordinator)
    response = client.post(
        reverse("learners:edit", args=[learner.pk]),
        {
            "reference": learner.reference,
            "last_name": learner.last_name,
            "first_name": "Apolline",
            "birth_date": learner.birth_date.isoformat(),
            "education_level": "",
            "mission_locale": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = DomainEvent.objects.get(kind="learner.updated")
    assert (event.object_id, event.origin, event.actor_id) == (
        str(learner.pk),
        "form",
        coordinator.pk,
    )
    assert event.payload == {"fields": ["first_name"]}  # no value, no reference
