"""The audit log: append-only down to the database, written by every read or change of a personal
record, and read, filtered and exported by the national coordination only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.core.audit import Action, record
from tremplin.core.exports import safe_cell
from tremplin.core.models import AuditEvent, AuditLogIsAppendOnly
from tremplin.enrolment.models import Application
from tremplin.learners.models import Learner

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def paris(db: None) -> Record:
    return make_record("T-AUDIT-0001", establishment="CD MELUN")


def event(summary: str = "consultation de test", username: str = "referent") -> AuditEvent:
    return record(None, Action.VIEW, Learner, summary, user=user(username))


def only_event(**lookup: object) -> AuditEvent:
    found = list(AuditEvent.objects.filter(**lookup))
    assert len(found) == 1, f"{len(found)} audit events match {lookup}"
    return found[0]


# ---------------------------------------------------------------------------------------------
# Append-only


def test_a_raw_sql_update_of_the_audit_log_fails_in_the_database() -> None:
    written = event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET summary = %s WHERE id = %s", ["effacé", written.pk]
        )
    assert AuditEvent.objects.get(pk=written.pk).summary == "consultation de test"


def test_a_raw_sql_delete_from_the_audit_log_fails_in_the_database() -> None:
    written = event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [written.pk])
    assert AuditEvent.objects.filter(pk=written.pk).exists()


def test_queryset_update_and_delete_fail_in_the_database() -> None:
    written = event()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=written.pk).update(username="quelqu'un")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=written.pk).delete()
    assert AuditEvent.objects.get(pk=written.pk).username == "referent"


def test_the_model_refuses_to_save_an_existing_event_or_to_delete_one() -> None:
    written = event()
    written.summary = "réécrit"
    with pytest.raises(AuditLogIsAppendOnly, match="ne se modifie pas"):
        written.save()
    with pytest.raises(AuditLogIsAppendOnly, match="ne s'efface pas"):
        written.delete()
    assert AuditEvent.objects.get(pk=written.pk).summary == "consultation de test"


def test_new_events_can_still_be_appended() -> None:
    before = AuditEvent.objects.count()
    event("un")
    event("deux")
    assert AuditEvent.objects.count() == before + 2


# ---------------------------------------------------------------------------------------------
# What writes an event


def test_viewing_a_learners_record_writes_an_event(
    client_as: Callable[[User], Client], paris: Record
) -> None:
    response = client_as(user("referent")).get(
        reverse("learners:detail", args=[paris.learner.pk]), REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    written = only_event(action="view", model="learners.Learner")
    assert (written.user, written.username, written.object_id, written.ip) == (
        user("referent"),
        "referent",
        str(paris.learner.pk),
        IP,
    )
    assert written.at is not None


def test_a_record_outside_the_scope_answers_404_and_writes_no_view_event(
    client_as: Callable[[User], Client],
) -> None:
    rennes = make_record("T-AUDIT-0002", establishment="MA ST MALO")
    response = client_as(user("referent")).get(reverse("learners:detail", args=[rennes.learner.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="view", model="learners.Learner").exists()


def test_listing_learners_writes_an_event_with_the_records_shown_but_not_the_searched_name(
    client_as: Callable[[User], Client], paris: Record
) -> None:
    response = client_as(user("rle-melun")).get(
        reverse("learners:list"), {"q": "NomT", "status": "placed"}, REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    written = only_event(action="list", model="learners.Learner")
    assert (written.user, written.object_id, written.ip) == (user("rle-melun"), "", IP)
    assert "q=…" in written.summary and "status=placed" in written.summary
    assert "NomT" not in written.summary
    assert written.records == [paris.learner.pk]


def test_exporting_a_transcript_writes_an_event(
    client_as: Callable[[User], Client], paris: Record
) -> None:
    response = client_as(user("coord-paris")).get(
        reverse("enrolment:transcript", args=[paris.learner.pk]), REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    written = only_event(action="export", model="learners.Learner")
    assert (written.user, written.object_id, written.summary, written.ip) == (
        user("coord-paris"),
        str(paris.learner.pk),
        "relevé de notes (PDF)",
        IP,
    )


def test_moving_an_application_writes_an_event(
    client_as: Callable[[User], Client], paris: Record
) -> None:
    response = client_as(user("coord-paris")).post(
        reverse("enrolment:application_move", args=[paris.application.pk, "validate"]),
        {"validate-version": paris.application.version},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=paris.application.pk).status == "validated"
    written = only_event(action="transition", model="enrolment.Application")
    assert (written.user, written.object_id, written.summary, written.ip) == (
        user("coord-paris"),
        str(paris.application.pk),
        "Validée par le Cnam",
        IP,
    )


def test_a_refused_move_writes_no_transition_event(
    client_as: Callable[[User], Client], paris: Record
) -> None:
    client_as(user("rle-melun")).post(
        reverse("enrolment:application_move", args=[paris.application.pk, "validate"]),
        {"validate-version": paris.application.version},
    )
    assert not AuditEvent.objects.filter(action="transition").exists()


# ---------------------------------------------------------------------------------------------
# The audit page


AUDIT = "/journal/"


def test_the_url_of_the_audit_page() -> None:
    assert reverse("core:audit") == AUDIT


@pytest.mark.parametrize(
    "username",
    [
        "coord-paris",
        "referent",
        "rle-melun",
        "conseil-ml",
        "centre-rennes",
        "enseignant",
        "statistique",
    ],
)
def test_only_the_national_coordination_reads_the_audit_log(
    client_as: Callable[[User], Client], username: str
) -> None:
    client = client_as(user(username))
    assert client.get(AUDIT).status_code == 403
    assert client.get(AUDIT, {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="export", model="core.AuditEvent").exists()


def test_the_audit_page_filters_by_user_action_and_kind_of_record(
    client_as: Callable[[User], Client],
) -> None:
    event("lecture-du-referent", "referent")
    event("lecture-du-rle", "rle-melun")
    record(None, Action.EXPORT, Learner, "export-du-referent", user=user("referent"))
    record(None, Action.VIEW, Application, "candidature-du-referent", user=user("referent"))
    client = client_as(user("coordination"))

    page = client.get(AUDIT).content.decode()
    for summary in ("lecture-du-referent", "lecture-du-rle", "export-du-referent"):
        assert summary in page

    page = client.get(AUDIT, {"utilisateur": "REFERENT"}).content.decode()
    assert "lecture-du-referent" in page and "export-du-referent" in page
    assert "lecture-du-rle" not in page

    page = client.get(AUDIT, {"utilisateur": "referent", "action": "export"}).content.decode()
    assert "export-du-referent" in page
    assert "lecture-du-referent" not in page

    page = client.get(AUDIT, {"donnee": "application"}).content.decode()
    assert "candidature-du-referent" in page
    assert "lecture-du-referent" not in page


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then read UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_audit_log_exports_as_csv_with_the_filters_and_the_export_is_audited(
    client_as: Callable[[User], Client],
) -> None:
    event("lecture-du-referent", "referent")
    event("lecture-du-rle", "rle-melun")
    response = client_as(user("coordination")).get(
        AUDIT, {"utilisateur": "referent", "format": "csv"}, REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="journal-audit.csv"'
    header, *rows = read_csv(response.content)
    assert header == [
        "date",
        "utilisateur",
        "action",
        "donnée",
        "enregistrement",
        "personne",
        "origine",
        "description",
        "champs modifiés",
        "enregistrements affichés",
        "adresse IP",
    ]
    assert [(r[1], r[2], r[3], r[7]) for r in rows] == [
        ("referent", "Consultation — apprenant", "apprenant", "lecture-du-referent")
    ]
    assert date.fromisoformat(rows[0][0][:10])
    export = only_event(action="export", model="core.AuditEvent")
    assert (export.user, export.ip) == (user("coordination"), IP)
    assert "utilisateur=referent" in export.summary


def test_the_export_itself_appears_in_a_later_export(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(user("coordination"))
    client.get(AUDIT, {"format": "csv"})
    _, *rows = read_csv(client.get(AUDIT, {"format": "csv", "action": "export"}).content)
    assert [(r[1], r[3]) for r in rows][-1:] == [("coordination", "événement du journal d'audit")]
    assert len(rows) == 2


@pytest.mark.parametrize(
    "summary",
    [
        '=HYPERLINK("http://example.invalid","clic")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_the_csv_export_neutralises_formula_injection(
    client_as: Callable[[User], Client], summary: str
) -> None:
    event(summary)
    response = client_as(user("coordination")).get(
        AUDIT, {"format": "csv", "utilisateur": "referent"}
    )
    _, *rows = read_csv(response.content)
    assert [r[7] for r in rows] == ["'" + summary]


def test_a_username_that_looks_like_a_formula_is_neutralised_too(
    client_as: Callable[[User], Client],
) -> None:
    sneaky = User.objects.create(username="=cmd", role="referent")
    record(None, Action.VIEW, Learner, "rien", user=sneaky)
    response = client_as(user("coordination")).get(AUDIT, {"format": "csv", "utilisateur": "=cmd"})
    _, *rows = read_csv(response.content)
    assert [r[1] for r in rows] == ["'=cmd"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("ordinaire", "ordinaire"),
        ("", ""),
        (None, ""),
        (42, 42),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell_prefixes_only_text_that_a_spreadsheet_would_run(
    value: object, expected: object
) -> None:
    assert safe_cell(value) == expected
