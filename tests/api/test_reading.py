"""Pagination, filters, conditional GET, and the audit of every personal read."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.personal_world import Record
from tremplin.core.models import AuditEvent
from tremplin.learners.models import Learner

from .conftest import Api, results_of


def test_lists_are_paginated_by_page_number_with_a_bounded_page_size(api: Api) -> None:
    client = api("coordination")
    first = client.get("/api/v1/establishments/?page_size=10").json()
    assert len(first["results"]) == 10
    assert first["count"] > 100
    assert "page=2" in first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert not {e["id"] for e in first["results"]} & {e["id"] for e in second["results"]}
    largest = client.get("/api/v1/establishments/?page_size=500").json()
    assert len(largest["results"]) == min(500, largest["count"])
    beyond = client.get("/api/v1/establishments/?page_size=100000")
    assert beyond.status_code == 400
    assert beyond.json()["errors"] == [
        {"field": "page_size", "message": "au plus 500 (ici 100000)."}
    ]
    default = client.get("/api/v1/establishments/").json()
    assert len(default["results"]) == 50


def test_a_page_beyond_the_last_is_a_404(api: Api) -> None:
    response = api("coordination").get("/api/v1/regions/?page=99")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("La page 99 n'existe pas")


def test_pages_follow_a_stable_order(api: Api) -> None:
    client = api("coordination")
    ids = [e["id"] for e in client.get("/api/v1/establishments/?page_size=500").json()["results"]]
    assert ids == sorted(ids)


def test_filters_by_establishment_academic_year_and_status(
    api: Api, world: dict[str, Record]
) -> None:
    client = api("coordination")
    rows = results_of(client.get("/api/v1/enrolments/?establishment=cd melun"))
    assert {r["learner"] for r in rows} >= {"API-MELUN-0001"}
    assert all(r["establishment"] == "CD MELUN" for r in rows)
    rows = results_of(client.get("/api/v1/results/?academic_year=2026-2027&status=pending"))
    assert {"API-MELUN-0001", "API-STMALO-0002"} <= {r["learner"] for r in rows}
    assert results_of(client.get("/api/v1/results/?academic_year=2026-2027&status=validated")) == []
    rows = results_of(client.get("/api/v1/learners/?status=followed"))
    assert "API-YOUTH-0003" in {r["reference"] for r in rows}
    assert all(r["status"] == "followed" for r in rows)


def test_an_instant_with_an_unusual_offset_is_read_in_utc(api: Api) -> None:
    # Found by Schemathesis: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
    response = api("coordination").get(
        "/api/v1/interviews/", {"updated_since": "2026-01-01T00:00:00-17:37"}
    )
    assert response.status_code == 200


def test_updated_since_returns_the_records_changed_since_a_date_or_an_instant(
    api: Api, world: dict[str, Record]
) -> None:
    client = api("coordination")
    long_ago = timezone.now() - timedelta(days=30)
    Learner.objects.filter(reference="API-STMALO-0002").update(updated_at=long_ago)
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = results_of(client.get(f"/api/v1/learners/?updated_since={since}&page_size=500"))
    references = {r["reference"] for r in rows}
    assert "API-MELUN-0001" in references
    assert "API-STMALO-0002" not in references
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    rows = results_of(client.get(f"/api/v1/learners/?updated_since={day}&page_size=500"))
    assert "API-MELUN-0001" in {r["reference"] for r in rows}


def test_a_conditional_get_with_the_etag_is_a_304_until_the_record_changes(
    api: Api, world: dict[str, Record]
) -> None:
    client = api("rle-melun")
    url = f"/api/v1/learners/{world['melun'].learner.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    Learner.objects.filter(pk=world["melun"].learner.pk).update(first_name="Autre")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_lists_carry_an_etag_too(api: Api) -> None:
    client = api("coordination")
    first = client.get("/api/v1/sectors/")
    assert (
        client.get("/api/v1/sectors/", headers={"If-None-Match": first["ETag"]}).status_code == 304
    )
    bilan = client.get("/api/v1/bilan/2019-2020/")
    again = client.get("/api/v1/bilan/2019-2020/", headers={"If-None-Match": bilan["ETag"]})
    assert again.status_code == 304


def test_every_personal_read_is_audited_with_the_token_used(
    api: Api, world: dict[str, Record]
) -> None:
    client = api("rle-melun")
    learner = world["melun"].learner
    before = AuditEvent.objects.count()
    client.get(f"/api/v1/learners/{learner.pk}/")
    client.get("/api/v1/interviews/")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.model, e.username) for e in events] == [
        ("view", "learners.Learner", "rle-melun"),
        ("list", "followup.Interview", "rle-melun"),
    ]
    assert events[0].object_id == str(learner.pk)
    assert events[0].summary.startswith("API, jeton trm_")
    assert events[0].ip == "127.0.0.1"


def test_reading_places_and_the_catalogue_writes_no_audit_event(api: Api) -> None:
    client = api("coordination")
    before = AuditEvent.objects.count()
    client.get("/api/v1/establishments/")
    client.get("/api/v1/formations/")
    assert AuditEvent.objects.count() == before
