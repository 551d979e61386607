"""`tremplin orientation stats YEAR [--academic] [--mission-locale CODE] [--centre CODE]
--format json|text|csv`: the statistics page's figures, from the same selector (the dataset of
test_stats.py, every figure computed on paper there)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from tremplin.orientation.models import Referral
from tremplin.orientation.stats import referral_stats

pytestmark = pytest.mark.django_db


def stats(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("orientation", "stats", *args)
    return capsys.readouterr().out


def test_json_is_the_selectors_figures_and_nothing_else(
    dataset: dict[str, Referral], capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(stats(capsys, "2026", "--format", "json"))

    expected = referral_stats(year=2026).as_dict()
    assert document == {"scope": "toutes les missions locales et tous les centres", **expected}
    assert document["total"]["sent"] == 5
    assert document["total"]["contact_rate"] == 60.0
    assert document["total"]["median_days_to_first_contact"] == 4.0
    assert [f["key"] for f in document["by_month"]][:2] == ["2026-01", "2026-02"]


def test_academic_takes_the_year_that_starts_in_september(
    dataset: dict[str, Referral], capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(stats(capsys, "2025", "--academic", "--format", "json"))

    assert document["period"] == "2025-2026"
    assert (document["start"], document["end"]) == ("2025-09-01", "2026-08-31")
    assert document["total"]["sent"] == 5
    # Nothing sent in the calendar year 2025.
    assert json.loads(stats(capsys, "2025", "--format", "json"))["total"]["sent"] == 0


def test_mission_locale_and_centre_narrow_the_figures(
    dataset: dict[str, Referral], capsys: pytest.CaptureFixture[str]
) -> None:
    by_ml = json.loads(
        stats(capsys, "2026", "--mission-locale", "demo-ml-stmalo", "--format", "json")
    )
    by_centre = json.loads(stats(capsys, "2026", "--centre", "DEMO-BRE", "--format", "json"))

    assert by_ml["filters"]["mission_locale"] == "DEMO-ML-STMALO"
    assert (by_ml["total"]["sent"], by_ml["total"]["enrolled"]) == (4, 1)
    assert by_ml["scope"].startswith("mission locale\u00a0: ")
    assert by_centre["filters"]["centre"] == "DEMO-BRE"
    assert (by_centre["total"]["sent"], by_centre["total"]["contacted"]) == (2, 1)


def test_text_reads_in_french_with_french_typography(
    dataset: dict[str, Referral], capsys: pytest.CaptureFixture[str]
) -> None:
    out = stats(capsys, "2026")

    assert out.startswith("Orientations des missions locales 2026 — toutes les missions locales")
    assert "du 1er janvier 2026 au 31 décembre 2026" in out.splitlines()[0]
    assert "Orientations envoyées\u00a0: 5" in out
    assert "Taux de contact\u00a0: 60,00\u00a0%" in out
    assert "Délai médian du premier contact\u00a0: 4\u00a0j" in out
    assert "Par mission locale\u00a0:" in out and "DEMO-ML-STMALO" in out
    assert "Par mois d'envoi\u00a0:" in out and "avril 2026" in out


def test_csv_is_the_pages_export_for_a_french_spreadsheet(
    dataset: dict[str, Referral], capsys: pytest.CaptureFixture[str]
) -> None:
    out = stats(capsys, "2026", "--format", "csv")

    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1] == ["Indicateur", "Valeur"]
    assert ["Orientations envoyées", "5"] in rows
    assert ["Taux de contact (%)", "60,00"] in rows
    assert any(row[:2] == ["Code", "Mission locale"] for row in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026", "--mission-locale", "NOPE"), "Mission locale inconnue : « NOPE »"),
        (("2026", "--centre", "NOPE"), "Centre Cnam inconnu : « NOPE »"),
        (("20-26",), "Période inconnue : 20-26"),
        (("--academic",), "--academic s'applique à une année"),
    ],
)
def test_bad_arguments_are_refused_in_french(db: None, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("orientation", "stats", *args)


def test_propose_still_wants_a_commune(db: None) -> None:
    with pytest.raises(CommandError, match="Indiquez la commune du jeune"):
        call_command("orientation", "propose")
