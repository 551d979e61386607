"""The right to erasure, by anonymisation: the identity and every free text that names the
person go, every row the figures count stays; refused while the person is in training."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.personal_world import make_record
from tests.privacy.test_subject_rights import personal_models
from tests.privacy.world import YEAR, full_person
from tremplin.accounts.models import User
from tremplin.catalog.academic import academic_year_of
from tremplin.core.models import AuditEvent, DomainEvent
from tremplin.enrolment.models import Enrolment
from tremplin.learners.models import Learner, Placement
from tremplin.learners.selectors import LearnerFilters, search_learners
from tremplin.orientation.models import YouthProfile
from tremplin.orientation.stats import referral_stats
from tremplin.privacy.models import is_anonymised
from tremplin.privacy.selectors import subject_data
from tremplin.privacy.services import anonymise, erasure_obstacles
from tremplin.reporting.bilan import compute_bilan

pytestmark = pytest.mark.django_db


def figures() -> dict[str, Any]:
    return {
        "bilan": compute_bilan(YEAR).as_dict(),
        "bilan_melun": compute_bilan(YEAR, establishment="CD MELUN").as_dict(),
        "bilan_next": compute_bilan("2020-2021").as_dict(),
        "referrals": referral_stats().as_dict(),
        "referrals_2020": referral_stats(year=2020).as_dict(),
    }


def related_rows(learner: Learner) -> Iterator[models.Model]:
    """The learner and every row hanging off them (two levels, like the export)."""
    yield learner
    for model in personal_models():
        paths = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is Learner
        ]
        if not paths:
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is not None:
                    for g in f.related_model._meta.concrete_fields:
                        if g.is_relation and g.related_model is Learner:
                            paths.append(f"{f.name}__{g.name}")
        for path in paths:
            yield from model._default_manager.filter(**{path: learner})


def texts_naming(learner: Learner, words: tuple[str, ...]) -> list[str]:
    found = []
    for obj in related_rows(learner):
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = str(getattr(obj, field.attname) or "")
                for word in words:
                    if word.lower() in value.lower():
                        found.append(f"{type(obj).__name__}.{field.name}: {value!r}")
    return found


def test_erasure_removes_the_identity_from_every_text_column_of_the_related_rows(
    coordinator: User,
) -> None:
    person = full_person()
    assert len(texts_naming(person.learner, person.words)) > 10  # the world names them everywhere

    learner = anonymise(person.learner, coordinator, "demande de la personne du 02/11/2026")

    assert texts_naming(learner, (*person.words, "Eloise", "VASSEUR")) == []
    learner.refresh_from_db()
    assert is_anonymised(learner)
    assert learner.reference.startswith("ANON-") and len(learner.reference) > 8
    assert learner.full_name == "Personne ANONYME"
    assert learner.birth_date == date(1998, 1, 1)
    assert learner.search_key == "ANONYME PERSONNE"
    assert not search_learners(coordinator, LearnerFilters(q="Vasseur")).exists()
    assert not Placement.objects.filter(learner=learner, release_commune__isnull=False).exists()
    profile = YouthProfile.objects.get(learner=learner)
    assert profile.commune == learner.mission_locale.commune  # type: ignore[union-attr]
    assert profile.available_from is None


def test_erasure_keeps_every_row_the_figures_count_and_changes_no_figure(
    coordinator: User,
) -> None:
    person = full_person()
    full_person("TP-0002", "Second", "Témoin")
    before = figures()
    counts = {
        key: len(rows)
        for key, rows in subject_data(person.learner).items()
        if isinstance(rows, list)
    }
    assert before["bilan"]["enrolled_learners"] == 2
    assert before["bilan"]["followup"]["interviews"] == 2
    assert before["bilan"]["emergence"]["participants"] == 2
    assert before["referrals_2020"]["total"]["sent"] == 2  # type: ignore[index]

    anonymise(person.learner, coordinator, "demande de la personne")

    assert figures() == before
    after = {
        key: len(rows)
        for key, rows in subject_data(person.learner).items()
        if isinstance(rows, list)
    }
    counts.pop("audit_events"), after.pop("audit_events")
    # The verifiable credential is signed text that names the person: it cannot be anonymised,
    # it is deleted (its verification address then says the attestation is unknown).
    assert (counts.pop("credentials"), after.pop("credentials")) == (1, 0)
    assert after == counts


def test_erasure_is_recorded_in_the_audit_log_without_the_erased_identity(
    coordinator: User,
) -> None:
    person = full_person()
    anonymise(person.learner, coordinator, "Courrier d'Éloïse VASSEUR-KERBRAT (TP-0001) du 3/11")
    event = AuditEvent.objects.get(object_id=str(person.learner.pk), action="update")
    assert event.model == "learners.Learner"
    assert event.username == "coordination"
    assert event.summary.startswith("effacement des données personnelles (anonymisation)")
    for word in person.words:
        assert word.lower() not in event.summary.lower(), event.summary
    assert "Courrier" in event.summary


def test_erasure_is_one_journal_event_that_carries_nothing_of_the_person(
    coordinator: User,
) -> None:
    person = full_person()
    anonymise(person.learner, coordinator, "demande de la personne")
    [event] = DomainEvent.objects.filter(kind="learner.erased")
    assert (event.model, event.object_id, event.actor) == (
        "learners.learner",
        str(person.learner.pk),
        coordinator,
    )
    assert event.payload == {}


def test_erasure_is_refused_while_the_person_is_in_training(coordinator: User) -> None:
    rec = make_record("T-PARIS-0001", establishment="CD MELUN")  # pending enrolment this year
    current = academic_year_of(timezone.localdate())
    assert rec.enrolment.academic_year == current
    with pytest.raises(ValidationError) as info:
        anonymise(rec.learner, coordinator, "demande")
    message = " ".join(info.value.messages)
    assert "La personne est en formation" in message
    assert f"après la fin de l'année universitaire {current}" in message
    rec.learner.refresh_from_db()
    assert rec.learner.reference == "T-PARIS-0001"
    assert not AuditEvent.objects.filter(object_id=str(rec.learner.pk), action="update").exists()

    # Once the result is in, the law allows it (the application is no longer open either).
    Enrolment.objects.filter(pk=rec.enrolment.pk).update(result="validated")
    rec.application.__class__.objects.filter(pk=rec.application.pk).update(status="enrolled")
    assert erasure_obstacles(rec.learner) == []
    assert is_anonymised(anonymise(rec.learner, coordinator, "demande"))


def test_erasure_is_all_or_nothing(coordinator: User, monkeypatch: pytest.MonkeyPatch) -> None:
    person = full_person()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("panne")

    monkeypatch.setattr("tremplin.privacy.services.record", broken)
    with pytest.raises(RuntimeError):
        anonymise(person.learner, coordinator, "demande")
    person.learner.refresh_from_db()
    assert person.learner.last_name == "Vasseur-Kerbrat"
    assert len(texts_naming(person.learner, person.words)) > 10


def test_an_anonymised_record_is_not_erased_twice(coordinator: User) -> None:
    person = full_person()
    anonymise(person.learner, coordinator, "demande")
    with pytest.raises(ValidationError, match="déjà anonymisé"):
        anonymise(person.learner, coordinator, "demande")


def test_the_erasure_form_erases_then_returns_to_the_anonymous_record(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    person = full_person()
    client = client_as(coordinator)
    url = reverse("privacy:erase", args=[person.learner.pk])
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert "Cochez la case pour confirmer" in missing.content.decode()
    assert Learner.objects.get(pk=person.learner.pk).last_name == "Vasseur-Kerbrat"

    response = client.post(url, {"reason": "demande écrite", "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learners:detail", args=[person.learner.pk])
    page = response.content.decode()
    assert "Données personnelles effacées" in page
    assert "Vasseur" not in page
    assert "Personne ANONYME" in page


def test_the_erasure_form_shows_the_refusal_in_french(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    rec = make_record("T-PARIS-0001", establishment="CD MELUN")
    client = client_as(coordinator)
    page = client.get(reverse("privacy:subject", args=[rec.learner.pk])).content.decode()
    assert "L’effacement n’est pas possible pour le moment" in page
    response = client.post(
        reverse("privacy:erase", args=[rec.learner.pk]), {"reason": "demande", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "La personne est en formation" in response.content.decode()
    assert Learner.objects.get(pk=rec.learner.pk).reference == "T-PARIS-0001"
