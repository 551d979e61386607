"""The coordinators' statistics page, its exports, its scopes, and the bilan's orientation
section, on the hand-built dataset of the orientation conftest (five referrals in March and
April 2026: four from Saint-Malo, one from Rennes, all to centres in Brittany)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from tremplin.accounts.models import User
from tremplin.orientation.models import Referral
from tremplin.reporting.bilan import compute_bilan
from tremplin.reporting.formats import FORMATTERS
from tremplin.reporting.tables import bilan_tables, mask_tables

pytestmark = pytest.mark.django_db

URL = "/orientation/statistiques/"
ClientAs = Callable[[User], Client]


def pdf_text(content: bytes) -> str:
    """The text of a PDF, whitespace (and the line breaks of wrapped cells) made single spaces."""
    found = shutil.which("pdftotext")
    assert found, "pdftotext (poppler-utils) is missing: run `make system-deps`."
    done = subprocess.run([found, "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_a_coordinator_sees_the_figures_by_mission_locale_centre_region_and_month(
    dataset: dict[str, Referral], coordinator: User, client_as: ClientAs
) -> None:
    response = client_as(coordinator).get(URL, {"period": "2026"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Orientations des missions locales 2026" in page
    stats = response.context["stats"]
    assert (stats.total.sent, stats.total.contacted, stats.total.enrolled) == (5, 3, 1)
    assert [f.key for f in stats.by_mission_locale] == ["DEMO-ML-STMALO", "DEMO-ML-RENNES"]
    assert {f.label for f in stats.by_region} == {"Bretagne"}
    assert [f.key for f in stats.by_month if f.sent] == ["2026-03", "2026-04"]
    assert "<svg" in page and "Orientations envoyées par mois" in page
    assert "/orientation/statistiques/export/xlsx/?period=2026" in page


def test_the_default_period_is_the_year_of_the_latest_referral(
    dataset: dict[str, Referral], coordinator: User, client_as: ClientAs
) -> None:
    response = client_as(coordinator).get(URL)

    assert response.status_code == 200
    assert response.context["stats"].period == "2026"
    assert response.context["stats"].total.sent == 5


def test_a_counselor_sees_their_mission_locale_only_whatever_the_query(
    dataset: dict[str, Referral], counselor: User, client_as: ClientAs
) -> None:
    response = client_as(counselor).get(
        URL, {"period": "2025-2026", "mission_locale": "DEMO-ML-RENNES"}
    )

    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.total.sent == 4
    assert [f.key for f in stats.by_mission_locale] == ["DEMO-ML-STMALO"]
    assert "mission_locale" not in response.context["form"].fields


def test_centre_staff_see_the_referrals_addressed_to_their_centre_only(
    dataset: dict[str, Referral], staff: User, client_as: ClientAs
) -> None:
    stats = client_as(staff).get(URL, {"period": "2026"}).context["stats"]

    assert stats.total.sent == 2
    assert [f.key for f in stats.by_centre] == ["DEMO-BRE"]


def test_a_regional_coordinator_cannot_pick_a_region_outside_their_scope(
    dataset: dict[str, Referral], client_as: ClientAs
) -> None:
    regional = User.objects.get(username="coord-paris")
    client = client_as(regional)

    own = client.get(URL, {"period": "2026"})
    other = client.get(URL, {"period": "2026", "region": "53"})

    assert own.status_code == 200 and own.context["stats"].total.sent == 0
    assert "Aucune orientation envoyée" in own.content.decode()
    assert other.status_code == 400
    export = client.get(URL + "export/csv/", {"period": "2026", "region": "53"})
    assert export.status_code == 400
    assert export.content.decode().startswith("Filtres invalides. Région du centre : ")


def test_a_statistician_reads_the_figures_and_a_referent_cannot(
    dataset: dict[str, Referral], statistician: User, referent: User, client_as: ClientAs
) -> None:
    assert client_as(statistician).get(URL).status_code == 200
    assert client_as(referent).get(URL).status_code == 403


def test_an_unknown_period_or_format_is_refused(
    dataset: dict[str, Referral], coordinator: User, client_as: ClientAs
) -> None:
    client = client_as(coordinator)

    assert client.get(URL, {"period": "1999"}).status_code == 400
    assert client.get(URL + "export/docx/", {"period": "2026"}).status_code == 404


def test_the_exports_carry_the_same_figures_in_every_format(
    dataset: dict[str, Referral], coordinator: User, client_as: ClientAs
) -> None:
    client = client_as(coordinator)
    query = {"period": "2026", "region": "53"}

    document = json.loads(client.get(URL + "export/json/", query).content)
    csv_text = client.get(URL + "export/csv/", query).content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(client.get(URL + "export/xlsx/", query).content))
    pdf = client.get(URL + "export/pdf/", query)

    assert document["total"]["sent"] == 5 and document["total"]["enrolment_rate"] == 20.0
    assert document["filters"]["regions"] == ["53"]
    assert document["scope"] == "région : Bretagne"
    assert "Orientations envoyées;5\r\n" in csv_text
    assert "Taux d'entrée en formation (%);20,00\r\n" in csv_text
    assert "DEMO-ML-STMALO;Mission locale du Pays de Saint-Malo (démo);4;" in csv_text
    assert workbook.sheetnames == [
        "Chiffres clés",
        "Par région",
        "Par mois",
        "Par mission locale",
        "Par centre",
    ]
    assert [c.value for c in workbook["Par mission locale"][2]][:3] == [
        "DEMO-ML-STMALO",
        "Mission locale du Pays de Saint-Malo (démo)",
        4,
    ]
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="orientations-2026.pdf"' in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert "Orientations des missions locales 2026" in text
    # Narrow columns wrap at hyphens, which pdftotext then drops: "Saint-Malo" reads "SaintMalo".
    assert "Mission locale du Pays de Saint" in text
    # Every column is on the page, the last two included (pdftotext leaves out what runs off it):
    # the delay (4 days, "4 j" with a no-break space) and the share of small and medium towns.
    assert "DEMO-ML-STMALO" in text and "Malo (démo) 4 3 1 75,00 % 25,00 % 4j 75,00 %" in text


def test_the_bilan_has_a_section_on_the_referrals_of_its_year(
    dataset: dict[str, Referral],
) -> None:
    bilan = compute_bilan("2025-2026")
    tables = bilan_tables(bilan)

    rows = [(r.region, r.sent, r.enrolled, r.enrolment_rate) for r in tables.orientation]
    assert rows == [("Bretagne", 5, 1, 20.0), ("Ensemble", 5, 1, 20.0)]
    csv_text = FORMATTERS["csv"](bilan.as_dict(), tables)
    assert isinstance(csv_text, bytes)
    assert "Orientations des missions locales vers le Cnam;5\r\n" in csv_text.decode("utf-8-sig")
    assert (
        "Orientations ML"
        in load_workbook(io.BytesIO(bytes(FORMATTERS["xlsx"](bilan.as_dict(), tables)))).sheetnames
    )
    pdf = FORMATTERS["pdf"](bilan.as_dict(), tables)
    assert "Les orientations des missions locales" in pdf_text(bytes(pdf))
    assert "orientation" not in bilan.as_dict()  # the JSON document keeps its documented shape


def test_the_bilan_section_is_masked_in_publication_mode_and_absent_from_a_restricted_bilan(
    dataset: dict[str, Referral],
) -> None:
    masked = mask_tables(bilan_tables(compute_bilan("2025-2026")), threshold=6)
    restricted = bilan_tables(compute_bilan("2025-2026", disp="DISP PARIS"))

    assert [(r.sent, r.enrolled, r.enrolment_rate) for r in masked.orientation] == [
        ("< 6", "< 6", None),
        ("< 6", "< 6", None),
    ]
    assert restricted.orientation == []


def test_the_bilan_dashboard_shows_the_section_and_links_to_the_statistics(
    dataset: dict[str, Referral], coordinator: User, client_as: ClientAs
) -> None:
    page = client_as(coordinator).get("/rapports/", {"year": "2025-2026"}).content.decode()

    assert "Orientations des missions locales" in page
    assert "/orientation/statistiques/?period=2025-2026" in page


def test_the_navigation_marks_the_most_precise_entry_only(
    counselor: User, client_as: ClientAs
) -> None:
    response = client_as(counselor).get("/orientation/jeunes/")

    active = [item.label for item in response.context["navigation"] if item.active]
    assert active == ["Jeunes"]
