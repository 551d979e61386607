"""The right of access: the export gathers every record Tremplin holds about the person, as JSON
and as a readable French PDF; only the national coordination exercises the rights; every export
is written to the audit log."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tests.personal_world import Record, make_record
from tests.privacy.world import full_person
from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent
from tremplin.learners.models import Learner
from tremplin.privacy.documents import subject_pdf
from tremplin.privacy.selectors import PARTS, subject_data

pytestmark = pytest.mark.django_db

USERS = (
    "coordination",
    "coord-paris",
    "referent",
    "rle-melun",
    "conseil-ml",
    "centre-rennes",
    "enseignant",
    "statistique",
)
#: Who reads each record of tests/personal_world.py (the access matrix of tests/core).
READERS = {
    "paris": {"coordination", "coord-paris", "referent", "rle-melun"},
    "rennes": {"coordination"},
    "youth": {"coordination", "conseil-ml"},
}
PAGES = ("privacy:subject", "privacy:export_json", "privacy:export_pdf")


def pdftotext(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    executable = shutil.which("pdftotext")
    assert executable, "poppler-utils (pdftotext) is needed"
    done = subprocess.run(
        [executable, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def personal_models() -> set[type[Model]]:
    """Every model whose rows hang off a learner, directly or through one of their records."""
    found: set[type[Model]] = set()
    frontier: list[type[Model]] = [Learner]
    for _ in range(2):
        following = []
        for model in frontier:
            for relation in model._meta.related_objects:
                related = relation.related_model
                assert isinstance(related, type)
                if related is not Learner and related not in found:
                    found.add(related)
                    following.append(related)
        frontier = following
    return found


@pytest.fixture
def world(db: None) -> dict[str, Record]:
    return {
        "paris": make_record("T-PARIS-0001", establishment="CD MELUN"),
        "rennes": make_record("T-RENNES-0002", establishment="MA ST MALO"),
        "youth": make_record("T-YOUTH-0003", mission_locale="DEMO-ML-STMALO"),
    }


# --------------------------------------------------------------------------------------------
# The export


def test_every_kind_of_record_tied_to_a_learner_is_part_of_the_export() -> None:
    exported = {part.model for part in PARTS} | {
        part.child_model for part in PARTS if part.child_model
    }
    assert personal_models() <= exported, personal_models() - exported


def test_the_export_contains_one_record_of_every_kind_held_about_the_person() -> None:
    person = full_person()
    document = subject_data(person.learner)

    assert document["identity"]["last_name"] == "Vasseur-Kerbrat"
    assert document["identity"]["birth_date"] == "1998-05-17"
    assert document["identity"]["kind"] == "Personne détenue"
    assert "search_key" not in document["identity"]
    assert [p["kind"] for p in document["placements"]] == ["Arrivée", "Libération"]
    (application,) = document["applications"]
    assert [u.split()[0] for u in application["units"]] == ["CCG101"]
    assert application["steps"][0]["note"] == "Déposée pour Éloïse Vasseur-Kerbrat"
    assert {(e["unit"].split()[0], e["result"]) for e in document["enrolments"]} == {
        ("CCG101", "Validée"),
        ("CCG102", "Non validée"),
    }
    assert {c["status"] for c in document["certifications"]} == {"Délivrée", "Retirée"}
    assert all(c["events"] for c in document["certifications"])
    (interview,) = document["interviews"]
    assert interview["notes"].startswith("Éloïse va bien")
    (participation,) = document["emergence"]
    assert participation["project_presented"] is True
    assert participation["attendances"][0]["present"] is True
    (delivery,) = document["deliveries"]
    assert delivery["enrolment"] == "CCG101 — 2019-2020"
    assert delivery["grade"] == "13.00"
    (registration,) = document["exam_registrations"]
    assert registration["accommodation"] == "Tiers temps pour Vasseur-Kerbrat"
    (hand_over,) = document["hand_overs"]
    assert hand_over["status"] == "Formation poursuivie"
    assert document["orientation_profile"]["commune"].startswith("Saint-Malo")
    (referral,) = document["referrals"]
    assert referral["message"] == "Bonjour, je vous oriente Éloïse Vasseur-Kerbrat."
    assert referral["events"][0]["to_status"] == "Jeune contacté par le centre"
    for part in PARTS:
        if part.key != "audit_events":
            assert document[part.key], f"{part.key} is empty"


def test_the_export_lists_the_audit_events_about_the_person_and_their_records(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    person = full_person()
    other = full_person("TP-0002", "Autre", "Personne")
    client = client_as(coordinator)
    client.get(reverse("learners:detail", args=[person.learner.pk]))
    client.get(reverse("learners:detail", args=[other.learner.pk]))
    certification = person.learner.certifications.get(status="awarded")
    client.get(reverse("enrolment:attestation", args=[certification.pk]))

    events = subject_data(person.learner)["audit_events"]
    assert [(e["action"], e["model"]) for e in events] == [
        ("Consultation", "learners.Learner"),
        ("Export", "enrolment.Certification"),
    ]
    assert events[0]["username"] == "coordination"
    assert "user" not in events[0]


def test_the_json_download_is_valid_json_and_is_audited(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    person = full_person()
    response = client_as(coordinator).get(reverse("privacy:export_json", args=[person.learner.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert 'filename="donnees-TP-0001.json"' in response["Content-Disposition"]
    document = json.loads(response.content.decode("utf-8"))
    assert document["identity"]["first_name"] == "Éloïse"
    assert len(document["enrolments"]) == 2
    event = AuditEvent.objects.filter(action="export", object_id=str(person.learner.pk)).get()
    assert event.model == "learners.Learner"
    assert event.username == "coordination"
    assert "JSON" in event.summary


def test_the_pdf_is_readable_french_with_every_part_and_is_audited(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    person = full_person()
    response = client_as(coordinator).get(reverse("privacy:export_pdf", args=[person.learner.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdftotext(response.content).split())
    for expected in (
        "Données personnelles détenues par Tremplin",
        "Éloïse VASSEUR-KERBRAT",
        "Date de naissance 17/05/1998",
        "Parcours en détention",
        "Candidatures",
        "Étapes de la candidature",
        "Inscriptions aux UE et résultats",
        "CCG101",
        "Certifications",
        "CNAM-CERT-2020-0001",
        "Entretiens de suivi",
        "Éloïse va bien",
        "Participations à Émergence",
        "Présences aux séances",
        "Supports de cours remis",
        "Bon travail, Éloïse.",
        "Inscriptions aux sessions d'examens",
        "Tiers temps pour Vasseur-Kerbrat",
        "Reprises de formation",
        "Profil d'orientation",
        "Orientations vers les centres Cnam",
        "Bonjour, je vous oriente Éloïse Vasseur-Kerbrat.",
        "Journal d'audit",
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action="export", object_id=str(person.learner.pk))
    assert "PDF" in event.summary


def test_the_pdf_of_a_person_with_no_records_says_so() -> None:
    learner = make_record("T-EMPTY-0001", mission_locale="DEMO-ML-STMALO").learner
    text = pdftotext(subject_pdf(learner, subject_data(learner)))
    assert "Aucune donnée." in text


# --------------------------------------------------------------------------------------------
# Pages and permissions


def test_the_rights_page_offers_the_exports_the_rectification_and_the_erasure(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    person = full_person()
    client = client_as(coordinator)
    record_page = client.get(reverse("learners:detail", args=[person.learner.pk])).content.decode()
    rights = reverse("privacy:subject", args=[person.learner.pk])
    assert f'href="{rights}"' in record_page
    page = client.get(rights).content.decode()
    assert "Droits de la personne" in page
    for name in ("privacy:export_pdf", "privacy:export_json", "learners:edit", "privacy:erase"):
        assert reverse(name, args=[person.learner.pk]) in page, name
    assert "Effacer les données personnelles" in page
    assert AuditEvent.objects.filter(
        action="view", object_id=str(person.learner.pk), summary="droits de la personne"
    ).exists()


def test_the_learner_record_shows_no_rights_link_to_a_referent(
    client_as: Callable[[User], Client], referent: User
) -> None:
    person = full_person()
    page = client_as(referent).get(reverse("learners:detail", args=[person.learner.pk]))
    assert page.status_code == 200
    assert reverse("privacy:subject", args=[person.learner.pk]) not in page.content.decode()


@pytest.mark.parametrize("username", USERS)
def test_only_the_national_coordination_exercises_the_rights_and_others_get_403_or_404(
    client_as: Callable[[User], Client], world: dict[str, Record], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    for key, rec in world.items():
        pk = rec.learner.pk
        if username == "coordination":
            expected = 200
        elif username in READERS[key]:
            expected = 403  # reads the record, may not exercise the rights
        else:
            expected = 404  # outside the scope: the record's existence is not disclosed
        for name in PAGES:
            status = client.get(reverse(name, args=[pk])).status_code
            assert status == expected, (username, key, name, status)
        if username != "coordination":
            response = client.post(
                reverse("privacy:erase", args=[pk]), {"reason": "demande", "confirm": "on"}
            )
            assert response.status_code == expected, (username, key, "erase")
            assert Learner.objects.get(pk=pk).reference == rec.learner.reference
    exports = AuditEvent.objects.filter(action="export", model="learners.Learner")
    assert exports.count() == (2 * len(world) if username == "coordination" else 0)


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    person = full_person()
    for name in PAGES:
        response = client.get(reverse(name, args=[person.learner.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_a_superuser_exercises_the_rights(client_as: Callable[[User], Client]) -> None:
    person = full_person()
    admin = User.objects.create_superuser("admin-test", password="x", role="referent")
    assert (
        client_as(admin).get(reverse("privacy:subject", args=[person.learner.pk])).status_code
        == 200
    )
