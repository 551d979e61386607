"""GET /api/v1/editions/{year}/lheo/: the edition in LHEO 2.3, or 409 with what is missing."""

from __future__ import annotations

import pytest
from django.test import override_settings
from lxml import etree  # type: ignore[import-untyped]

from tests.catalog.test_lheo import ORGANISME
from tremplin.catalog.lheo import schema

from .conftest import Api

pytestmark = pytest.mark.django_db
URL = "/api/v1/editions/2020-2021/lheo/"


def test_the_edition_is_answered_as_valid_lheo_xml(api: Api) -> None:
    with override_settings(TREMPLIN_ORGANISME=ORGANISME):
        answer = api("coordination").get(URL)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/xml")
    assert schema().validate(etree.fromstring(answer.content))


def test_without_the_organismes_numbers_the_answer_is_409_with_the_list(api: Api) -> None:
    answer = api("coordination").get(URL)
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "lheo_incomplete"
    assert any("SIRET" in e["message"] for e in body["errors"])


def test_an_unknown_edition_is_a_json_404(api: Api) -> None:
    answer = api("coordination").get("/api/v1/editions/1999-2000/lheo/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
