"""The access matrix: every URL pattern, every role, in-scope and out-of-scope records.
Outside a user's scope a personal record answers 404: its existence is never disclosed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.core.test_pages import named_patterns
from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.enrolment.models import Application

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

# Which users read each record (DOMAIN.md: roles and scopes).
READERS = {
    "paris": {"coordination", "coord-paris", "referent", "rle-melun"},
    "rennes": {"coordination"},
    "youth": {"coordination", "conseil-ml"},
}

# Pattern -> how to build it from a record; GET pages only (POST-only actions are below).
RECORD_PAGES: dict[str, Callable[[Record], list[object]]] = {
    "learners:detail": lambda r: [r.learner.pk],
    "learners:edit": lambda r: [r.learner.pk],
    "learners:transfer": lambda r: [r.learner.pk],
    "learners:release": lambda r: [r.learner.pk],
    "enrolment:application_create": lambda r: [r.learner.pk],
    "enrolment:application": lambda r: [r.application.pk],
    "enrolment:transcript": lambda r: [r.learner.pk],
    "enrolment:certification": lambda r: [r.certification.pk],
    "enrolment:attestation": lambda r: [r.certification.pk],
    "followup:interview_create": lambda r: [r.learner.pk],
}
RECORD_ACTIONS: dict[str, Callable[[Record], list[object]]] = {
    "enrolment:application_move": lambda r: [r.application.pk, "validate"],
}
# Lists of personal records: readable by the roles that have personal data, 403 otherwise.
PERSONAL_LISTS = {
    "learners:list",
    "learners:create",
    "enrolment:applications",
    "enrolment:certifications",
    "followup:caseload",
}
NO_PERSONAL_DATA = {"enseignant", "statistique", "centre-rennes"}
SPECIAL = {
    "enrolment:grids",
    "enrolment:grid",
    "core:audit",
    "site:import",
    # Merging files: the coordinations only (test below).
    "learners:merge",
    "learners:merge_confirm",
    "learners:merge_undo",
}
MERGERS = {"coordination", "coord-paris"}


@pytest.fixture
def world(db: None) -> dict[str, Record]:
    return {
        "paris": make_record("T-PARIS-0001", establishment="CD MELUN"),
        "rennes": make_record("T-RENNES-0002", establishment="MA ST MALO"),
        "youth": make_record("T-YOUTH-0003", mission_locale="DEMO-ML-STMALO"),
    }


def test_every_pattern_of_the_personal_apps_is_classified() -> None:
    known = set(RECORD_PAGES) | set(RECORD_ACTIONS) | PERSONAL_LISTS | SPECIAL
    for name, _ in named_patterns():
        if name.split(":")[0] in {"learners", "enrolment", "followup"} or name in {
            "core:audit",
            "site:import",
        }:
            assert name in known, f"{name} is not in the access matrix"


@pytest.mark.parametrize("username", USERS)
def test_each_user_reads_exactly_the_records_of_their_scope(
    client_as: Callable[[User], Client], world: dict[str, Record], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    for key, rec in world.items():
        for name, args in RECORD_PAGES.items():
            status = client.get(reverse(name, args=args(rec))).status_code
            if username in READERS[key]:
                assert status == 200, (username, key, name, status)
            else:
                assert status == 404, (username, key, name, status)


@pytest.mark.parametrize("username", USERS)
def test_actions_on_records_outside_the_scope_answer_404(
    client_as: Callable[[User], Client], world: dict[str, Record], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    for key, rec in world.items():
        for name, args in RECORD_ACTIONS.items():
            response = client.post(reverse(name, args=args(rec)), {"validate-version": 1})
            if username in READERS[key]:
                assert response.status_code == 302, (username, key, name)
            else:
                assert response.status_code == 404, (username, key, name)
    application = Application.objects.get(pk=world["paris"].application.pk)
    expected = "validated" if username in {"coordination", "coord-paris"} else "submitted"
    assert application.status == expected


@pytest.mark.parametrize("username", USERS)
def test_lists_show_only_the_records_of_the_scope(
    client_as: Callable[[User], Client], world: dict[str, Record], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    for name in PERSONAL_LISTS:
        response = client.get(reverse(name))
        if username in NO_PERSONAL_DATA or (
            # The follow-up of the learners in detention (core.actions: the READ_* rows).
            username == "conseil-ml" and name not in ("learners:list", "learners:create")
        ):
            assert response.status_code == 403, (username, name)
            continue
        if name == "learners:create":
            assert response.status_code == 200, (username, name)
            continue
        assert response.status_code == 200, (username, name)
        page = response.content.decode()
        for key, rec in world.items():
            shown = rec.learner.last_name.upper() in page
            if name == "followup:caseload" and key == "youth":
                continue  # the caseload follows detained learners
            assert shown == (username in READERS[key]), (username, name, key)


def test_a_teacher_grades_only_their_units(
    client_as: Callable[[User], Client], world: dict[str, Record]
) -> None:
    teacher = client_as(User.objects.get(username="enseignant"))
    assert teacher.get(reverse("enrolment:grid", args=["CCG101", "2026-2027"])).status_code == 200
    assert teacher.get(reverse("enrolment:grid", args=["NFA031", "2026-2027"])).status_code == 404
    page = teacher.get(reverse("enrolment:grids")).content.decode()
    assert "CCG101" in page


@pytest.mark.parametrize(
    "username", ["coord-paris", "referent", "rle-melun", "conseil-ml", "statistique"]
)
def test_nobody_but_the_national_coordinator_reads_the_audit_log(
    client_as: Callable[[User], Client], username: str
) -> None:
    assert (
        client_as(User.objects.get(username=username)).get(reverse("core:audit")).status_code == 403
    )


def test_the_statistician_has_no_import_and_no_grid(client_as: Callable[[User], Client]) -> None:
    client = client_as(User.objects.get(username="statistique"))
    assert client.get(reverse("site:import")).status_code == 403
    assert client.get(reverse("enrolment:grids")).status_code == 403


@pytest.mark.parametrize("username", USERS)
def test_only_the_coordinations_open_the_merge_page_and_only_in_their_scope(
    client_as: Callable[[User], Client], world: dict[str, Record], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    for key, rec in world.items():
        status = client.get(reverse("learners:merge", args=[rec.learner.pk])).status_code
        if username not in READERS[key]:
            assert status == 404, (username, key)
        elif username in MERGERS:
            assert status == 200, (username, key)
        else:
            assert status == 403, (username, key)
