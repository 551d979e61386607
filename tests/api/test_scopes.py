"""A token sees exactly its owner's scope, as the web interface does: the models' own
`permissions.readable`, out-of-scope records are 404, roles without personal data get 403."""

from __future__ import annotations

import pytest

from tests.personal_world import Record

from .conftest import Api, results_of

PERSONAL = ["learners", "applications", "enrolments", "results", "certifications", "interviews"]


@pytest.mark.parametrize("resource", PERSONAL)
def test_an_rle_token_sees_their_establishment_only(
    api: Api, world: dict[str, Record], resource: str
) -> None:
    client = api("rle-melun")
    rows = results_of(client.get(f"/api/v1/{resource}/"))
    learners = {row.get("learner", row.get("reference")) for row in rows}
    assert "API-MELUN-0001" in learners
    assert "API-STMALO-0002" not in learners
    assert "API-YOUTH-0003" not in learners


@pytest.mark.parametrize(
    ("resource", "attribute"),
    [
        ("learners", "learner"),
        ("applications", "application"),
        ("enrolments", "enrolment"),
        ("results", "enrolment"),
        ("certifications", "certification"),
        ("interviews", "interview"),
    ],
)
def test_a_record_outside_the_scope_is_a_404_inside_a_200(
    api: Api, world: dict[str, Record], resource: str, attribute: str
) -> None:
    client = api("rle-melun")
    inside = getattr(world["melun"], attribute).pk
    outside = getattr(world["stmalo"], attribute).pk
    assert client.get(f"/api/v1/{resource}/{inside}/").status_code == 200
    response = client.get(f"/api/v1/{resource}/{outside}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_national_coordinator_sees_everyone(api: Api, world: dict[str, Record]) -> None:
    rows = results_of(api("coordination").get("/api/v1/learners/?page_size=500"))
    references = {row["reference"] for row in rows}
    assert {"API-MELUN-0001", "API-STMALO-0002", "API-YOUTH-0003"} <= references


def test_a_counselor_sees_the_young_people_of_their_mission_locale(
    api: Api, world: dict[str, Record]
) -> None:
    rows = results_of(api("conseil-ml").get("/api/v1/learners/"))
    assert [row["reference"] for row in rows] == ["API-YOUTH-0003"]
    assert rows[0]["mission_locale"] == "DEMO-ML-STMALO"


def test_a_teacher_sees_the_results_of_their_units_only(api: Api, world: dict[str, Record]) -> None:
    from tremplin.accounts.models import User

    teacher = User.objects.get(username="enseignant")
    rows = results_of(api("enseignant").get("/api/v1/results/?page_size=500"))
    units = set(teacher.teaching_units.values_list("code", flat=True))
    assert all(row["teaching_unit"] in units for row in rows)


@pytest.mark.parametrize("resource", [*PERSONAL, "referrals"])
def test_the_statistician_gets_no_personal_endpoint(
    api: Api, world: dict[str, Record], resource: str
) -> None:
    response = api("statistique").get(f"/api/v1/{resource}/")
    assert response.status_code == 403
    assert response.json()["code"] == "no_personal_data"


@pytest.mark.parametrize(
    "resource",
    [
        "regions",
        "establishments",
        "centres",
        "missions-locales",
        "sectors",
        "teaching-units",
        "formations",
    ],
)
def test_every_role_reads_the_places_and_the_catalogue(api: Api, resource: str) -> None:
    response = api("statistique").get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    assert response.json()["count"] > 0


def test_the_bilan_is_the_document_of_the_command_line(api: Api) -> None:
    from tremplin.reporting.bilan import compute_bilan

    response = api("statistique").get("/api/v1/bilan/2019-2020/")
    assert response.status_code == 200
    assert response.json() == compute_bilan("2019-2020").as_dict()
    assert list(response.json()) == list(compute_bilan("2019-2020").as_dict())


def test_the_bilan_takes_the_filters_of_the_command_line(api: Api) -> None:
    from tremplin.reporting.bilan import compute_bilan

    client = api("coordination")
    response = client.get("/api/v1/bilan/2019-2020/?disp=DISP PARIS")
    assert response.json() == compute_bilan("2019-2020", disp="DISP PARIS").as_dict()
    unknown = client.get("/api/v1/bilan/2019-2020/?disp=DISP NULLE PART")
    assert unknown.status_code == 400
    assert "DISP inconnue" in unknown.json()["detail"]


def test_the_bilan_is_refused_to_the_roles_that_do_not_read_the_figures(api: Api) -> None:
    assert api("rle-melun").get("/api/v1/bilan/2019-2020/").status_code == 403
