"""`tremplin bilan YEAR --format json|text|csv|xlsx|pdf`, on the demo history."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from tremplin.catalog.models import Sector, TeachingUnit
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Kind, Learner, Status
from tremplin.places.models import Establishment
from tremplin.reporting.bilan import compute_bilan
from tremplin.reporting.formats import text_format
from tremplin.reporting.tables import bilan_tables

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_history")]

KEYS = [
    "academic_year",
    "enrolled_learners",
    "partner_establishments",
    "by_disp",
    "graduates",
    "ue_enrollments",
    "ue_validated",
    "learner_success_rate",
    "ue_validation_rate",
    "followup",
    "emergence",
]
SHEETS = [
    "Chiffres clés",
    "Par DISP",
    "Par établissement",
    "Par secteur",
    "Par UE",
    "Diplômés",
    "Suivi pédagogique",
    "Émergence",
    "Évolution",
    "Abandons par cause",
]
SEED_SENTENCES = [
    "64 personnes inscrites au total",
    "22 centres pénitentiaires partenaires dont :",
    "9 de l'unité pénitentiaire régionale (UPR) de Paris : "
    "Fleury, Fresnes, Meaux, Melun, Nanterre, Osny, Poissy, Réau, Villepinte.",
    "16 détenus inscrits sur 7 autres directions interrégionales : DISP de Dijon, DISP de Lille, "
    "DISP de Lyon, DISP de Rennes, DISP de Strasbourg, DISP de Toulouse, DSPOM (outre-mer).",
    "3 diplômés : Certificat professionnel à Poissy ; Certificat de spécialisation à Melun ; "
    "Diplôme de gestion et de comptabilité à Melun",
    "56,25\u00a0% d'élèves reçus en 2019/2020 et 52,84\u00a0% d'UE validées",
    "48 personnes suivies par un référent pédagogique pénitentiaire, 96 entretiens menés, "
    "48 entretiens d'information et d'orientation, 48 entretiens de suivi de formation",
    "51 inscrits au dispositif Emergence sur les 3 dernières années, dans 4 établissements "
    "pénitentiaires : Meaux, Fresnes, Nanterre et Fleury.",
]
INJECTION = '=HYPERLINK("http://example.invalid","cliquez")'


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    call_command("bilan", *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.fixture
def injected() -> TeachingUnit:
    """A UE whose title a spreadsheet would run as a formula, with one enrolment in 2019-2020."""
    unit = TeachingUnit.objects.create(
        code="ZZZ999",
        title=INJECTION,
        ects=Decimal(3),
        modality="distance",
        sector=Sector.objects.get(code="informatique"),
    )
    melun = Establishment.objects.get(label="CD MELUN")
    learner = Learner.objects.create(
        reference="T-INJ",
        last_name="Essai",
        first_name="Léa",
        birth_date=date(1990, 1, 1),
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=melun,
    )
    Enrolment.objects.create(
        learner=learner,
        academic_year="2019-2020",
        unit=unit,
        establishment=melun,
        result=Result.VALIDATED,
    )
    return unit


# --------------------------------------------------------------------------------------------
# json, text
# --------------------------------------------------------------------------------------------


def test_json_prints_exactly_one_document_with_the_exact_key_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, err = run("2019-2020", "--format", "json", capsys=capsys)
    document = json.loads(out)  # one document, nothing else on stdout
    assert list(document) == KEYS
    assert document == compute_bilan("2019-2020").as_dict()
    assert document["enrolled_learners"] == 64
    assert err == ""


def test_text_speaks_like_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run("2019-2020", capsys=capsys)
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "Bilan chiffré 2019/2020 en quelques chiffres"
    for sentence in SEED_SENTENCES:
        assert sentence in lines, sentence


def test_text_reads_naturally_in_the_singular_and_for_an_empty_scope(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _ = run("2019-2020", "--establishment", "CP DUCOS", capsys=capsys)
    assert "Périmètre : CP DUCOS (DSPOM)" in out
    assert "1 personne inscrite au total" in out
    assert "1 centre pénitentiaire partenaire de l'unité pénitentiaire régionale (UPR) " in out
    assert "Aucun diplômé" in out
    assert "100,00\u00a0% d'élèves reçus en 2019/2020 et 100,00\u00a0% d'UE validées" in out
    assert "Aucun entretien de suivi pédagogique dans l'année" in out
    assert "Aucun inscrit au dispositif Emergence sur les 3 dernières années" in out

    out, _ = run("2019-2020", "--disp", "DISP PARIS", capsys=capsys)
    assert (
        "9 centres pénitentiaires partenaires de l'unité pénitentiaire régionale (UPR) de Paris : "
        "Fleury, Fresnes, Meaux, Melun, Nanterre, Osny, Poissy, Réau, Villepinte." in out
    )
    assert "autres directions" not in out

    out, _ = run("2019-2020", "--disp", "DISP LILLE", capsys=capsys)
    assert "3 personnes inscrites au total" in out
    assert (
        "2 centres pénitentiaires partenaires de l'unité pénitentiaire régionale (UPR) de Lille"
        in out
    )

    out, _ = run("2030-2031", capsys=capsys)
    assert "Aucune personne inscrite" in out
    assert "Aucun centre pénitentiaire partenaire" in out
    assert "Aucune inscription aux UE en 2030/2031" in out


def test_text_without_paris_lists_each_directorate() -> None:
    bilan = compute_bilan("2019-2020", sector="informatique")
    text = text_format(bilan.as_dict(), bilan_tables(bilan))
    assert "Périmètre : secteur Informatique" in text
    document = bilan.as_dict()
    no_paris = {
        **document,
        "by_disp": [row for row in document["by_disp"] if row["disp"] != "DISP PARIS"],
    }
    text = text_format(no_paris, bilan_tables(bilan))
    assert " dont :\n 1 de l'unité pénitentiaire régionale (UPR) de " in text


# --------------------------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------------------------


def test_csv_has_the_headline_block_then_every_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], injected: TeachingUnit
) -> None:
    target = tmp_path / "bilan.csv"
    _, err = run("2019-2020", "--format", "csv", "-o", str(target), capsys=capsys)
    assert "écrit dans" in err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    blocks = text.split("\r\n\r\n")
    headline = list(csv.reader(io.StringIO(blocks[0]), delimiter=";"))
    assert headline[0] == ["Bilan chiffré 2019-2020", "tous les établissements partenaires"]
    assert headline[1] == ["Indicateur", "Valeur"]
    figures = dict(row for row in headline[2:])
    assert figures["Personnes inscrites"] == "65"  # the demo's 64 and the injected learner
    assert figures["Établissements pénitentiaires partenaires"] == "22"
    assert figures["Inscriptions aux UE"] == "177"
    assert figures["Diplômés"] == "3"
    assert figures["Participants Émergence (2017-2018 à 2019-2020)"] == "51"
    titles = [next(csv.reader(io.StringIO(block), delimiter=";"))[0] for block in blocks[1:]]
    assert titles == [
        "Par direction interrégionale",
        "Par établissement pénitentiaire",
        "Par secteur d'activité",
        "Par unité d'enseignement",
        "Certifications délivrées",
        "Suivi pédagogique par nature d'entretien",
        "Cohortes Émergence des trois dernières années",
        "Chiffres par année universitaire",
        "Abandons par cause",
    ]
    units = list(csv.reader(io.StringIO(blocks[4]), delimiter=";"))
    assert units[1] == ["Code", "Intitulé", "Secteur", "Inscriptions", "Validées"]
    injected_row = next(row for row in units if row[0] == "ZZZ999")
    assert injected_row[1] == "'" + INJECTION
    assert not [cell for row in units for cell in row if cell.startswith("=")]
    trends = list(csv.reader(io.StringIO(blocks[8]), delimiter=";"))
    assert trends[-1][0] == "2019-2020" and trends[-1][1] == "65"


def test_csv_on_stdout_is_the_same_text(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run("2019-2020", "--format", "csv", capsys=capsys)
    assert out.lstrip("\ufeff").startswith("Bilan chiffré 2019-2020;")
    assert "Élèves reçus (%);56,25" in out
    assert "UE validées (%);52,84" in out


# --------------------------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------------------------


def test_xlsx_has_a_key_figures_sheet_then_one_sheet_per_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], injected: TeachingUnit
) -> None:
    target = tmp_path / "bilan.xlsx"
    run("2019-2020", "--format", "xlsx", "-o", str(target), capsys=capsys)
    workbook = load_workbook(target)
    assert workbook.sheetnames == SHEETS
    key = workbook["Chiffres clés"]
    figures = {row[0]: row[1] for row in key.iter_rows(values_only=True) if row[0]}
    assert figures["Personnes inscrites"] == 65
    assert figures["Établissements pénitentiaires partenaires"] == 22
    assert figures["Diplômés"] == 3
    assert isinstance(figures["Élèves reçus (%)"], float)
    header = next(row for row in key.iter_rows() if row[0].value == "Indicateur")
    assert header[0].font.bold
    assert key.column_dimensions["A"].width > 20

    disps = workbook["Par DISP"]
    assert [c.value for c in disps[1]] == ["DISP", "Nom", "Établissements", "Personnes inscrites"]
    assert all(c.font.bold for c in disps[1])
    paris = next(
        row for row in disps.iter_rows(min_row=2, values_only=True) if row[0] == "DISP PARIS"
    )
    assert paris[2:] == (9, 49)
    units = workbook["Par UE"]
    cell = next(row[1] for row in units.iter_rows(min_row=2) if row[0].value == "ZZZ999")
    assert cell.value == INJECTION and cell.data_type == "s"  # text, never a formula
    trend = workbook["Évolution"]
    last = list(trend.iter_rows(values_only=True))[-1]
    assert last[0] == "2019-2020" and last[2] == 22 and isinstance(last[3], float)


def test_xlsx_and_pdf_need_an_output_file(tmp_path: Path) -> None:
    for fmt in ("xlsx", "pdf"):
        with pytest.raises(CommandError, match="indiquez-le avec -o"):
            call_command("bilan", "2019-2020", "--format", fmt)


# --------------------------------------------------------------------------------------------
# pdf
# --------------------------------------------------------------------------------------------


def test_the_pdf_carries_the_headline_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bilan.pdf"
    run("2019-2020", "--format", "pdf", "-o", str(target), capsys=capsys)
    assert target.read_bytes().startswith(b"%PDF")
    reader = PdfReader(target)
    assert len(reader.pages) >= 4
    first = reader.pages[0].extract_text()
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Bilan chiffré 2019/2020" in first
    assert "tous les établissements partenaires" in first
    for figure in ("64", "22", "176", "56,25", "52,84", "48", "96", "51"):
        assert figure in first, figure
    assert "personnes inscrites" in first
    assert "Les établissements partenaires" in text
    assert "MC POISSY" in text and "Villepinte" in text
    assert "Méthode et définitions" in text
    assert "page 1 / " in first


# --------------------------------------------------------------------------------------------
# publication mode
# --------------------------------------------------------------------------------------------


def test_publication_masks_small_learner_counts(capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run("2019-2020", "--format", "json", "--publication", capsys=capsys)
    document = json.loads(out)
    assert list(document) == KEYS
    assert document["enrolled_learners"] == 64
    by_disp = {row["disp"]: row for row in document["by_disp"]}
    assert by_disp["DISP PARIS"]["learners"] == 48
    assert by_disp["DISP LILLE"]["learners"] == "< 5"
    assert by_disp["DISP LILLE"]["establishments"] == 2
    assert document["learner_success_rate"] == 56.25

    out, _ = run(
        "2019-2020", "--format", "json", "--publication", "--disp", "DISP RENNES", capsys=capsys
    )
    rennes = json.loads(out)
    assert rennes["enrolled_learners"] == "< 5"
    assert rennes["learner_success_rate"] is None

    out, _ = run("2019-2020", "--publication", "--disp", "DISP RENNES", capsys=capsys)
    assert "< 5 personnes inscrites au total" in out
    # French typography: no line may break inside « < 5 » nor before a colon.
    assert "Publication\u00a0: " in out and "«\u00a0<\u00a05\u00a0»" in out

    out, _ = run("2019-2020", "--format", "csv", "--publication", capsys=capsys)
    assert "DISP LILLE;Direction interrégionale des services pénitentiaires de Lille;2;< 5" in out

    out, _ = run(
        "2019-2020", "--format", "json", "--publication", "--threshold", "50", capsys=capsys
    )
    assert json.loads(out)["followup"]["people_followed"] == "< 50"


def test_publication_in_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "rennes.pdf"
    run(
        "2019-2020",
        "--format",
        "pdf",
        "--disp",
        "DISP RENNES",
        "--publication",
        "-o",
        str(target),
        capsys=capsys,
    )
    first = PdfReader(target).pages[0].extract_text()
    assert "< 5" in first
    assert "DISP RENNES" in first


# --------------------------------------------------------------------------------------------
# errors: a French message, nothing written
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2019"], "n'est pas valide : écrivez-la par exemple 2019-2020"),
        (["2019-2021"], "n'est pas valide"),
        (["2019-2020", "--disp", "DISP NULLE PART"], "DISP inconnue"),
        (["2019-2020", "--establishment", "CP NULLE PART"], "Établissement inconnu"),
        (["2019-2020", "--sector", "astronomie"], "Secteur inconnu"),
        (["2019-2020", "--publication", "--threshold", "0"], "seuil"),
    ],
)
def test_bad_arguments_fail_in_french_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    for fmt in ("json", "pdf"):
        target = tmp_path / f"bilan.{fmt}"
        with pytest.raises(CommandError, match=message):
            call_command("bilan", *args, "--format", fmt, "-o", str(target))
        assert list(tmp_path.iterdir()) == []


def test_a_failure_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "bilan.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(CommandError):
        call_command("bilan", "2019-2020", "--disp", "NOPE", "--format", "xlsx", "-o", str(target))
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["bilan.xlsx"]


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("bilan", "2019-2020", "--format", "csv", "-o", str(tmp_path / "no" / "b.csv"))
    with pytest.raises(CommandError, match="est un dossier"):
        call_command("bilan", "2019-2020", "--format", "csv", "-o", str(tmp_path))


def test_writing_replaces_the_file_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bilan.json"
    target.write_text("old", encoding="utf-8")
    out, _ = run("2019-2020", "--format", "json", "-o", str(target), capsys=capsys)
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["enrolled_learners"] == 64
    assert [p.name for p in tmp_path.iterdir()] == ["bilan.json"]
