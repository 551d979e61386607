"""Bulk endpoints: rows in the fields of the CSV imports, checked by the same importers, all or
nothing, every error with its row index and field, idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.personal_world import Record
from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, Modality
from tremplin.core.models import AuditEvent
from tremplin.enrolment.models import Enrolment
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, Qualification, Referral
from tremplin.orientation.services import create_young_person
from tremplin.places.models import CnamCentre, Commune, MissionLocale

from .conftest import Api


def post(client: Any, url: str, rows: Any) -> Any:
    return client.post(url, rows, content_type="application/json")


def result_row(reference: str, **overrides: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "learner": reference,
        "academic_year": "2025-2026",
        "teaching_unit": "CCG101",
        "establishment": "CD MELUN",
        "result": "validated",
        "grade": 12.5,
    }
    row.update(overrides)
    return row


def test_bulk_results_with_errors_write_nothing_and_list_every_error(
    api: Api, world: dict[str, Record]
) -> None:
    before = Enrolment.objects.count()
    rows = [
        result_row("API-MELUN-0001"),
        result_row("API-MELUN-0001", teaching_unit="CCG102", grade="8"),  # validated below 10
        result_row("INCONNU-9999", teaching_unit="CCG103"),
        {"learner": "API-MELUN-0001", "colour": "blue"},
    ]
    response = post(api("coordination", read_only=False), "/api/v1/results/bulk/", rows)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected"
    assert "aucune donnée modifiée" in body["detail"]
    where = {(e["index"], e["field"]) for e in body["errors"]}
    assert (1, "grade") in where
    assert (2, "learner") in where
    assert (3, "colour") in where
    assert (3, "academic_year") in where  # a required field absent
    assert all(e["message"] for e in body["errors"])
    assert (0, "learner") not in where
    assert Enrolment.objects.count() == before


def test_a_nul_character_in_a_bulk_row_is_an_error_not_a_crash(
    api: Api, world: dict[str, Record]
) -> None:
    # Found by Schemathesis: PostgreSQL refuses NUL in text, the import must refuse it first.
    rows = [result_row("API-MELUN-0001", teaching_unit="CCG\x00102")]

    response = post(api("coordination", read_only=False), "/api/v1/results/bulk/", rows)

    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "teaching_unit")]


def test_bulk_results_are_written_then_idempotent_then_corrected(
    api: Api, world: dict[str, Record]
) -> None:
    client = api("coordination", read_only=False)
    rows = [
        result_row("API-MELUN-0001"),
        result_row(
            "API-STMALO-0002",
            teaching_unit="CCG102",
            establishment="MA ST MALO",
            result="failed",
            grade="7,5",
        ),
    ]
    first = post(client, "/api/v1/results/bulk/", rows)
    assert first.status_code == 200, first.json()
    assert first.json() == {
        "kind": "enrollments",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    again = post(client, "/api/v1/results/bulk/", rows).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    rows[1]["result"], rows[1]["grade"] = "validated", 14
    corrected = post(client, "/api/v1/results/bulk/", rows).json()
    assert (corrected["created"], corrected["updated"], corrected["unchanged"]) == (0, 1, 1)
    saved = Enrolment.objects.get(learner__reference="API-STMALO-0002", unit__code="CCG102")
    assert (saved.result, str(saved.grade)) == ("validated", "14.00")


def test_a_dry_run_counts_without_writing(api: Api, world: dict[str, Record]) -> None:
    before = Enrolment.objects.count()
    response = post(
        api("coordination", read_only=False),
        "/api/v1/results/bulk/?dry_run=true",
        [result_row("API-MELUN-0001")],
    )
    assert response.json()["created"] == 1 and response.json()["dry_run"] is True
    assert Enrolment.objects.count() == before


def test_a_bulk_row_outside_the_scope_is_an_error(api: Api, world: dict[str, Record]) -> None:
    response = post(
        api("rle-melun", read_only=False),
        "/api/v1/results/bulk/",
        [
            result_row("API-MELUN-0001", result="pending", grade=""),  # an RLE enrols
            result_row("API-STMALO-0002", result="pending", grade="", establishment=""),
        ],
    )
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "learner")]


def test_bulk_is_refused_to_a_role_that_may_not_import_it(api: Api) -> None:
    response = post(api("centre-rennes", read_only=False), "/api/v1/results/bulk/", [{}])
    assert response.status_code == 403


def test_bulk_takes_a_json_list(api: Api) -> None:
    response = post(api("coordination", read_only=False), "/api/v1/results/bulk/", {"a": 1})
    assert response.status_code == 400
    assert "liste JSON" in response.json()["detail"]


def test_a_bulk_import_is_audited(api: Api, world: dict[str, Record]) -> None:
    post(
        api("coordination", read_only=False),
        "/api/v1/results/bulk/",
        [result_row("API-MELUN-0001")],
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.username) == ("import", "coordination")
    assert event.summary.startswith("API, jeton trm_") and "enrollments" in event.summary


# -- referrals ------------------------------------------------------------------------------


@pytest.fixture
def young_person(db: None) -> Learner:
    counselor = User.objects.get(username="conseil-ml")
    today = timezone.localdate()
    CentreOffer.objects.create(
        centre=CnamCentre.objects.get(code="DEMO-BRE"),
        formation=Formation.objects.get(code="CPN58"),
        modality=Modality.ON_SITE,
        next_start=date(2099, 9, 1),
    )
    return create_young_person(
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-STMALO"),
        reference="API-TJ-0001",
        last_name="Morvan",
        first_name="Lina",
        birth_date=today.replace(year=today.year - 20) - timedelta(days=40),
        commune=Commune.objects.get(code="35288"),
        qualification=Qualification.BAC,
        sectors=[],
        can_travel=True,
        max_distance_km=80,
        available_from=None,
        by=counselor,
    )


def referral_row(**overrides: str) -> dict[str, str]:
    row = {
        "learner": "API-TJ-0001",
        "centre": "DEMO-BRE",
        "formation": "CPN58",
        "sent_at": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "status": "sent",
        "message": "Intéressée par le numérique.",
    }
    row.update(overrides)
    return row


def test_bulk_referrals_are_checked_by_the_import_rules(api: Api, young_person: Learner) -> None:
    rows = [
        referral_row(status="closed"),  # closed without a reason
        referral_row(formation="CC13000", sent_at="2001-01-01"),  # not offered there
    ]
    response = post(api("conseil-ml", read_only=False), "/api/v1/referrals/bulk/", rows)
    assert response.status_code == 400
    where = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert (0, "close_reason") in where
    assert (1, "formation") in where
    assert not Referral.objects.filter(learner=young_person).exists()


def test_bulk_referrals_are_written_and_moved_forward_idempotently(
    api: Api, young_person: Learner
) -> None:
    client = api("conseil-ml", read_only=False)
    first = post(client, "/api/v1/referrals/bulk/", [referral_row()])
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    assert post(client, "/api/v1/referrals/bulk/", [referral_row()]).json()["unchanged"] == 1
    refused = post(client, "/api/v1/referrals/bulk/", [referral_row(status="contacted")])
    assert refused.json()["errors"] == [  # the centre's move, on the web as through the API
        {
            "index": 0,
            "field": "status",
            "message": "Votre rôle ne permet pas de\u00a0: marquer le jeune comme contacté.",
        }
    ]
    client = api("coordination", read_only=False)
    moved = post(client, "/api/v1/referrals/bulk/", [referral_row(status="contacted")])
    assert moved.json()["updated"] == 1
    assert Referral.objects.get(learner=young_person).status == "contacted"
    back = post(client, "/api/v1/referrals/bulk/", [referral_row(status="sent")])
    assert back.status_code == 400
    assert back.json()["errors"][0]["field"] == "status"
