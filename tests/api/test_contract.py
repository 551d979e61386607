"""The API's parameters as its schema documents them: an unknown, repeated, empty or invalid
query parameter is refused with a 400 in JSON that names it in French, never ignored, never a
500 or an HTML page; the fields that can be null are documented nullable."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tremplin.api.openapi import COMMITTED

from .conftest import Api


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["code"] == "invalid_parameter"
    return body


def fields_of(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body["errors"]]


def test_an_unknown_query_parameter_is_a_400_naming_it_not_every_learner(api: Api) -> None:
    body = refused(api("coordination").get("/api/v1/learners/?search=Dupont"))
    assert fields_of(body) == ["search"]
    assert "«\u00a0search\u00a0»\u00a0: paramètre inconnu" in body["detail"]
    assert "updated_since" in body["errors"][0]["message"]  # the accepted ones are listed


def test_a_record_and_an_action_accept_only_their_own_parameters(api: Api) -> None:
    client = api("coordination", read_only=False)
    assert fields_of(refused(client.get("/api/v1/regions/11/?page=2"))) == ["page"]
    body = refused(client.post("/api/v1/results/bulk/?page_size=5", [], "application/json"))
    assert fields_of(body) == ["page_size"]
    assert fields_of(refused(client.get("/api/v1/bilan/2019-2020/?year=2019"))) == ["year"]


@pytest.mark.parametrize(
    "query",
    ["page_size=null", "page_size=0", "page_size=501", "page=0", "page=last", "page=", "page=1.5"],
)
def test_a_page_or_a_page_size_out_of_its_bounds_is_a_400(api: Api, query: str) -> None:
    body = refused(api("coordination").get(f"/api/v1/sectors/?{query}"))
    assert fields_of(body) == [query.split("=")[0]]


def test_a_repeated_parameter_is_a_400(api: Api) -> None:
    body = refused(api("coordination").get("/api/v1/learners/?status=placed&status=followed"))
    assert "donné 2 fois" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30",
        "2026-01-01T00:00:00+99:00",
        "2026-13-01",
        "yesterday",
        "",
        "2026-01-01T25:00:00Z",
    ],
)
def test_a_malformed_updated_since_is_a_400_with_a_french_reason(api: Api, value: str) -> None:
    body = refused(api("coordination").get("/api/v1/learners/", {"updated_since": value}))
    assert fields_of(body) == ["updated_since"]
    assert body["detail"].startswith("Paramètre «\u00a0updated_since\u00a0»\u00a0:")


@pytest.mark.parametrize(
    "value", ["0001-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"]
)
def test_the_first_and_last_representable_days_are_valid_dates_not_a_server_error(
    api: Api, value: str
) -> None:
    response = api("coordination").get("/api/v1/referrals/", {"updated_since": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/learners/?status=nowhere", "status"),
        ("/api/v1/results/?academic_year=2019-2025", "academic_year"),
        ("/api/v1/results/?academic_year=2019", "academic_year"),
        ("/api/v1/interviews/?date_from=2026-02-30", "date_from"),
        ("/api/v1/interviews/?date_from=", "date_from"),
        ("/api/v1/learners/?kind=", "kind"),
        ("/api/v1/results/bulk/?dry_run=maybe", "dry_run"),
        ("/api/v1/bilan/2019-2020/?publication=1", "publication"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_parameter(
    api: Api, path: str, name: str
) -> None:
    client = api("coordination", read_only=False)
    response = client.post(path, [], "application/json") if "bulk" in path else client.get(path)
    assert fields_of(refused(response)) == [name]


def test_an_empty_text_filter_filters_nothing(api: Api) -> None:
    assert api("coordination").get("/api/v1/learners/?establishment=").status_code == 200


def test_any_other_address_under_the_api_answers_404_in_json(api: Api) -> None:
    client = api("coordination")
    for path in ("/api/v1/learners/1.5/", "/api/v1/nowhere/", "/api/v1/bilan/2019/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_related_records_that_may_be_missing_are_documented_nullable() -> None:
    schemas = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]
    assert schemas["Learner"]["properties"]["mission_locale"]["nullable"] is True
    assert schemas["Learner"]["properties"]["establishment"]["nullable"] is True
    assert schemas["Application"]["properties"]["formation"]["nullable"] is True
    assert "nullable" not in schemas["Application"]["properties"]["learner"]


def test_every_operation_documents_its_400_401_and_403() -> None:
    paths = yaml.safe_load(COMMITTED.read_text())["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "401", "403"} <= set(operation["responses"]), (method, path)
