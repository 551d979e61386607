"""The audit log records what matters (issue 17, items 4 and 5; issue 18's audit page): one entry
per record an import or an API bulk call changed, with the before/after of its fields; the reads
of personal data on the edit forms, the webhook payload page and the audit page itself; people by
id, rendered at display time, never a name in any column, found by name or reference."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.api.conftest import token_for
from tests.personal_world import Record, make_record
from tests.privacy.world import full_person
from tremplin.accounts.models import User
from tremplin.api.models import Event, WebhookDelivery, WebhookEndpoint
from tremplin.api.webhooks import new_secret
from tremplin.core.audit import ANONYMISED, REDACTED
from tremplin.core.models import AuditEvent
from tremplin.enrolment.models import Enrolment
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Learner
from tremplin.privacy.selectors import subject_data
from tremplin.privacy.services import anonymise

pytestmark = pytest.mark.django_db

AUDIT = "/journal/"
BULK = "/api/v1/results/bulk/"


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def melun() -> Record:
    return make_record("T-REC-0001", establishment="CD MELUN")


def bulk(rows: list[dict[str, Any]]) -> None:
    client = Client(
        headers={"Authorization": f"Bearer {token_for(user('coordination'), read_only=False)}"}
    )
    response = client.post(BULK, rows, content_type="application/json")
    assert response.status_code == 200, response.json()


def result_row(result: str, grade: Any) -> dict[str, Any]:
    return {
        "learner": "T-REC-0001",
        "academic_year": "2025-2026",
        "teaching_unit": "CCG102",
        "establishment": "CD MELUN",
        "result": result,
        "grade": grade,
    }


# -- one entry per changed record --------------------------------------------------------------


def test_an_api_bulk_call_writes_one_entry_per_changed_record_with_its_before_and_after(
    melun: Record,
) -> None:
    bulk([result_row("failed", "7,5")])
    enrolment = Enrolment.objects.get(learner=melun.learner, unit__code="CCG102")
    created = AuditEvent.objects.get(model="enrolment.Enrolment", action="create")
    assert (created.origin, created.person_id, created.username) == (
        "bulk",
        melun.learner.pk,
        "coordination",
    )
    assert created.object_id == str(enrolment.pk)
    assert created.changes["result"] == [None, "failed"]
    assert created.changes["grade"] == [None, "7.50"]

    bulk([result_row("failed", "7,5")])  # unchanged: no entry
    assert not AuditEvent.objects.filter(model="enrolment.Enrolment", action="update").exists()

    bulk([result_row("validated", 14)])
    updated = AuditEvent.objects.get(model="enrolment.Enrolment", action="update")
    assert updated.object_id == str(enrolment.pk)
    assert updated.changes == {"result": ["failed", "validated"], "grade": ["7.50", "14.00"]}
    assert updated.summary == "champs modifiés : grade, result"


def test_a_persons_data_export_includes_the_entries_of_their_imported_records(
    melun: Record,
) -> None:
    bulk([result_row("failed", 8)])
    exported = subject_data(melun.learner)["audit_events"]
    mine = [e for e in exported if e["model"] == "enrolment.Enrolment"]
    assert len(mine) == 1 and mine[0]["changes"]["result"] == [None, "failed"]


def test_a_file_import_writes_one_entry_per_learner_without_copying_names(
    tmp_path: Any,
) -> None:
    content = (
        "reference,last_name,first_name,birth_date,kind,establishment,mission_locale\n"
        "T-IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
        "T-IMP-0002,Dupont,Bruno,1988-01-03,detained,CD MELUN,\n"
    )
    LearnerImporter(user=user("coordination")).run(content.encode())
    path = tmp_path / "learners.csv"
    path.write_text(content.replace("Durand", "Durand-Petit"), encoding="utf-8")
    call_command("import", "learners", str(path))
    alice = Learner.objects.get(reference="T-IMP-0001")
    entries = AuditEvent.objects.filter(model="learners.Learner", person_id=alice.pk)
    assert [(e.action, e.origin) for e in entries.order_by("id")] == [
        ("create", "import"),
        ("update", "command"),
    ]
    update = entries.get(action="update")
    assert update.changes == {"last_name": [REDACTED, REDACTED]}
    assert AuditEvent.objects.filter(model="learners.Learner", action="create").count() == 2
    for event in AuditEvent.objects.all():
        assert "Durand" not in json.dumps(event.changes) + event.summary


# -- audited reads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/apprenants/{pk}/modifier/",
        "/apprenants/{pk}/transfert/",
        "/apprenants/{pk}/liberation/",
        "/apprenants/{pk}/candidature/",
        "/apprenants/{pk}/entretien/",
    ],
)
def test_opening_an_edit_form_is_an_audited_read_of_the_person(
    client_as: Callable[[User], Client], melun: Record, path: str
) -> None:
    response = client_as(user("referent")).get(path.format(pk=melun.learner.pk))
    assert response.status_code == 200
    read = AuditEvent.objects.get(action="view", person_id=melun.learner.pk)
    assert read.summary.startswith("formulaire « ") and read.username == "referent"


def test_a_webhook_payload_page_is_an_audited_read(client_as: Callable[[User], Client]) -> None:
    endpoint = WebhookEndpoint.objects.create(
        url="https://partenaire.example/", secret=new_secret(), events=list(Event.values)
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=Event.values[0], payload={"learner": "T-REC-0001"}
    )
    response = client_as(user("coordination")).get(f"/integrations/webhooks/envois/{delivery.pk}/")
    assert response.status_code == 200
    read = AuditEvent.objects.get(action="view", model="api.WebhookDelivery")
    assert read.object_id == str(delivery.pk)


def test_reading_the_audit_log_is_audited_with_the_events_shown(
    client_as: Callable[[User], Client], melun: Record
) -> None:
    client = client_as(user("coordination"))
    client.get(f"/apprenants/{melun.learner.pk}/")
    client.get(AUDIT, {"personne": "T-REC-0001"})
    read = AuditEvent.objects.filter(action="list", model="core.AuditEvent").get()
    shown = AuditEvent.objects.get(action="view", model="learners.Learner")
    assert read.records == [shown.pk]
    assert "T-REC-0001" not in read.summary and "personne=…" in read.summary


# -- people on the audit page --------------------------------------------------------------------


def test_the_audit_page_shows_the_person_and_the_action_in_french_and_finds_them_by_name(
    client_as: Callable[[User], Client], melun: Record
) -> None:
    client = client_as(user("coordination"))
    client.get(f"/apprenants/{melun.learner.pk}/")
    for search in ("NomT-REC-0001", "t-rec-0001", "nomt-rec"):
        page = client.get(AUDIT, {"personne": search}).content.decode()
        assert "NOMT-REC-0001 Prénom (T-REC-0001)" in page, search
        assert "Consultation — apprenant" in page
        assert "1 événement" in page
    page = client.get(AUDIT, {"personne": "Personne-Inconnue"}).content.decode()
    assert "Aucun événement." in page


def test_after_an_erasure_the_audit_page_and_every_audit_column_hold_no_trace_of_the_name(
    client_as: Callable[[User], Client], tmp_path: Any
) -> None:
    person = full_person(reference="TP-AUDIT-01", last_name="Kerbrat-Vasseur", first_name="Maëlys")
    learner = person.learner
    coordinator = user("coordination")
    client = client_as(coordinator)
    for url in (
        f"/apprenants/{learner.pk}/",
        f"/apprenants/{learner.pk}/modifier/",
        "/apprenants/?q=Kerbrat",
        "/api/v1/learners/?reference=TP-AUDIT-01",
        f"/droits/{learner.pk}/",
    ):
        client.get(url)
    client.get(AUDIT, {"personne": "Kerbrat-Vasseur"})
    bulk_rows = [
        {
            "learner": "TP-AUDIT-01",
            "academic_year": "2025-2026",
            "teaching_unit": "CCG102",
            "establishment": "CD MELUN",
            "result": "failed",
            "grade": 6,
        }
    ]
    bulk(bulk_rows)
    assert AuditEvent.objects.filter(person_id=learner.pk).count() >= 4

    anonymise(learner, coordinator, "Demande de Maëlys KERBRAT-VASSEUR (TP-AUDIT-01)")

    columns = [f.attname for f in AuditEvent._meta.concrete_fields]
    for values in AuditEvent.objects.values_list(*columns):
        text = json.dumps(values, default=str, ensure_ascii=False).lower()
        for word in ("kerbrat", "vasseur", "maëlys", "tp-audit-01"):
            assert word not in text, (word, values)
    page = client.get(AUDIT, {"utilisateur": "coordination"}).content.decode()
    assert ANONYMISED in page
    assert "Kerbrat" not in page and "KERBRAT" not in page
    assert "Aucun événement." in client.get(AUDIT, {"personne": "Kerbrat"}).content.decode()


def test_the_migration_strips_the_names_that_old_summaries_embedded() -> None:
    import importlib

    migration = importlib.import_module("tremplin.core.migrations.0005_audit_person_changes_origin")
    scrub = migration.scrub
    assert scrub("delivery.ExamSession", "candidat retiré : Alice DURAND (CCG101)") == (
        "candidat retiré"
    )
    assert scrub("emergence.Participant", "DURAND Alice (T-1) rejoint Émergence 2019-2020") == (
        "rejoint la cohorte"
    )
    assert scrub("learners.Learner", "page 1, 3 dossiers, filtres q=Durand&status=placed") == (
        "page 1, 3 dossiers, filtres q=…&status=placed"
    )
    assert scrub("enrolment.Enrolment", "API, session : 1 sur 1 (reference=T-1)") == (
        "API, session : 1 sur 1 (reference=…)"
    )
    assert scrub("delivery.Delivery", "remis : Livret 1") == "remis : Livret 1"
