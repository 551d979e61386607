"""One action matrix for the web, the API and the imports (issue 17, item 2): every role gets
the same answer for the same action on every channel, and that answer is the matrix's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.api.conftest import token_for
from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.core.actions import Action, can, roles_for
from tremplin.core.csvimport import ImportRejected
from tremplin.core.roles import Role
from tremplin.enrolment.importers import EnrolmentImporter
from tremplin.enrolment.models import Enrolment
from tremplin.enrolment.services import ResultEntry, record_results

from ..conftest import login_verified

YEAR = "2026-2027"
HEADER = "learner,academic_year,teaching_unit,establishment,result,grade\n"


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for(user, read_only=False)}"})


def row(record: Record, result: str, grade: str = "") -> dict[str, str]:
    return {
        "learner": record.learner.reference,
        "academic_year": YEAR,
        "teaching_unit": record.enrolment.unit.code,
        "establishment": "",
        "result": result,
        "grade": grade,
    }


def by_api(user: User, rows: list[dict[str, str]]) -> bool:
    response = api_client(user).post("/api/v1/results/bulk/", rows, content_type="application/json")
    assert response.status_code in (200, 400, 403), response.content
    return response.status_code == 200


def by_import(user: User, rows: list[dict[str, str]]) -> bool:
    data = HEADER + "".join(",".join(r.values()) + "\n" for r in rows)
    try:
        EnrolmentImporter(user=user).run(data.encode())
    except ImportRejected:
        return False
    return True


def by_web(user: User, record: Record) -> bool:
    """The results grid of the UE (page and its service)."""
    client = login_verified(Client(), user)
    page = client.get(reverse("enrolment:grid", args=[record.enrolment.unit.code, YEAR]))
    assert page.status_code in (200, 403, 404)
    entry = ResultEntry(record.enrolment.pk, "validated", Decimal(15))
    try:
        record_results([entry], by=user)
    except ValidationError:
        return False
    assert page.status_code == 200  # the service and the page agree
    return True


@pytest.fixture
def melun(db: None) -> Record:
    return make_record("MATRIX-0001", establishment="CD MELUN")


def test_entering_results_gets_the_same_answer_from_the_web_the_api_and_the_import(
    melun: Record, every_user: list[User]
) -> None:
    unit = melun.enrolment.unit
    answers = {}
    for user in every_user:
        channels = {
            "web": by_web(user, melun),
            "api": by_api(user, [row(melun, "validated", "15")]),
            "import": by_import(user, [row(melun, "validated", "16")]),
        }
        Enrolment.objects.filter(pk=melun.enrolment.pk).update(result="pending", grade=None)
        expected = can(user, Action.ENTER_RESULTS, unit)
        assert channels == dict.fromkeys(channels, expected), user.username
        answers[user.username] = expected
    assert {name for name, allowed in answers.items() if allowed} == {"coordination", "enseignant"}


def test_an_rle_can_no_longer_turn_a_pending_enrolment_into_a_validated_twenty(
    melun: Record,
) -> None:
    rle = User.objects.get(username="rle-melun")
    assert not by_api(rle, [row(melun, "validated", "20")])
    melun.enrolment.refresh_from_db()
    assert (melun.enrolment.result, melun.enrolment.grade) == ("pending", None)
    response = api_client(rle).post(
        "/api/v1/results/bulk/", [row(melun, "validated", "20")], content_type="application/json"
    )
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "result",
            "message": "la saisie des résultats est réservée à l'enseignant de l'UE.",
        }
    ]


def test_the_teacher_records_results_of_their_ues_only_and_never_enrols(melun: Record) -> None:
    teacher = User.objects.get(username="enseignant")
    assert by_api(teacher, [row(melun, "validated", "15")])
    melun.enrolment.refresh_from_db()
    assert (melun.enrolment.result, melun.enrolment.grade) == ("validated", Decimal("15.00"))
    other_unit = dict(row(melun, "validated", "15"), teaching_unit="NFA031")
    assert not by_api(teacher, [other_unit])  # not taught by them: not even visible
    assert not by_api(teacher, [dict(row(melun, "pending"), academic_year="2027-2028")])


def test_creating_a_pending_enrolment_gets_the_same_answer_from_the_api_and_the_import(
    melun: Record, every_user: list[User]
) -> None:
    new = dict(row(melun, "pending"), academic_year="2027-2028")
    allowed_to = set()
    for user in every_user:
        allowed = can(user, Action.CREATE_ENROLMENTS, melun.learner)  # the role, in its scope
        assert by_import(user, [new]) is by_api(user, [new]) is allowed, user.username
        if allowed:
            allowed_to.add(user.username)
        Enrolment.objects.filter(learner=melun.learner, academic_year="2027-2028").delete()
    assert {"coordination", "coord-paris", "rle-melun"} <= allowed_to
    assert not allowed_to & {"enseignant", "statistique", "conseil-ml", "centre-rennes"}


def test_the_navigation_shows_the_results_to_exactly_the_roles_of_the_matrix(
    every_user: list[User],
) -> None:
    for user in every_user:
        client = login_verified(Client(), user)
        shown = reverse("enrolment:grids") in client.get(reverse("site:home")).content.decode()
        assert shown is (user.is_superuser or user.role in roles_for(Action.ENTER_RESULTS))
        assert shown is (client.get(reverse("enrolment:grids")).status_code == 200), user.username
        imports = reverse("site:import")
        assert (f'href="{imports}"' in client.get(reverse("site:home")).content.decode()) is (
            client.get(imports).status_code == 200
        ), user.username
    assert roles_for(Action.ENTER_RESULTS) == {Role.TEACHER, Role.NATIONAL_COORDINATOR}
