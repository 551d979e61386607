"""Every import speaks French and reads spreadsheets, and offers its template (CSV and XLSX:
French headers, one example row, the allowed values), declared once from the importer's columns:
`tremplin import template KIND -o modele.xlsx` and a link per kind on the Imports page."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from tremplin.accounts.models import User
from tremplin.core.csvimport import Importer, ImportRejected, read_rows
from tremplin.core.import_templates import template_csv, template_xlsx
from tremplin.core.registry import importers
from tremplin.enrolment.models import Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Kind, Learner

pytestmark = pytest.mark.django_db

KINDS = sorted(importers())


@pytest.fixture(autouse=True)
def _pending_files_in_tmp(tmp_path: Path) -> Iterator[None]:
    with override_settings(TREMPLIN_HOME=tmp_path):
        yield


def workbook(rows: list[list[Any]], title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        book.create_sheet("Notes")
        sheet.title = title
        book.move_sheet(title, offset=1)  # not the first sheet
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", KINDS)
def test_each_csv_template_has_the_french_headers_and_an_example_that_reads_back(
    kind: str,
) -> None:
    importer: type[Importer[Any]] = importers()[kind]
    data = template_csv(importer)

    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(column.label for column in importer.spec)
    [row] = read_rows(data, importer.spec, importer.required)
    assert list(row.values) == list(importer.columns)  # French headers -> technical names
    assert row.values == {c.name: c.example for c in importer.spec}


@pytest.mark.parametrize("kind", KINDS)
def test_each_xlsx_template_lists_the_columns_and_their_allowed_values(kind: str) -> None:
    importer: type[Importer[Any]] = importers()[kind]
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(importer)))

    data, helps = book["Données"], book["Mode d'emploi"]
    assert book.sheetnames[0] == "Données"
    assert [c.value for c in data[1]] == [column.label for column in importer.spec]
    assert [c.value or "" for c in data[2]] == [column.example for column in importer.spec]
    explained = {row[0]: row for row in helps.iter_rows(min_row=2, values_only=True) if row[1]}
    for column in importer.spec:
        _label, name, required, _, allowed, _ = explained[column.label]
        assert name == column.name
        assert required == ("oui" if column.name in importer.required else "non")
        assert (allowed or "") == ", ".join(c.label for c in column.choices)
    lists = [v for v in data.data_validations.dataValidation]
    assert len(lists) == sum(1 for column in importer.spec if column.choices)
    # The template, as it is, is read back as the importer's columns.
    [row] = read_rows(template_xlsx(importer), importer.spec, importer.required)
    assert row.values == {c.name: c.example for c in importer.spec}


def test_the_learners_template_imports_as_it_is(db: None) -> None:
    report = LearnerImporter().run(template_xlsx(LearnerImporter))

    assert report.created == 1
    learner = Learner.objects.get(reference="D26-0100")
    assert (learner.kind, learner.establishment.label) == (Kind.DETAINED, "CD MELUN")


def test_french_headers_and_values_in_any_case_and_accents_are_accepted(db: None) -> None:
    content = (
        "RÉFÉRENCE;nom;Prenom;date de naissance;TYPE;etablissement;Mission locale\n"
        "FR-1;Clément;Jean-Baptiste;16/05/2006;Détenu;CD MELUN;\n"
    )
    LearnerImporter().run(content.encode("utf-8"))
    enrolments = (
        "Apprenant;Année universitaire;UE;Établissement;Résultat;Note\n"
        "FR-1;2025-2026;NFA008;CD MELUN;non validée;7,5\n"
    )
    importers()["enrollments"]().run(enrolments.encode("utf-8"))
    interviews = (
        "Apprenant;Date;Type;Référent;Notes\n"
        "FR-1;15/01/2026;Suivi de formation;referent;Point d'étape\n"
    )
    importers()["interviews"]().run(interviews.encode("utf-8"))

    assert Learner.objects.get(reference="FR-1").kind == Kind.DETAINED
    assert Enrolment.objects.get(learner__reference="FR-1").result == Result.FAILED
    interview = Interview.objects.get(learner__reference="FR-1")
    assert (interview.kind, interview.date) == (Interview.Kind.TRAINING_FOLLOWUP, date(2026, 1, 15))


def test_an_error_names_the_column_as_the_file_writes_it(db: None) -> None:
    content = "Référence;Nom;Prénom;Date de naissance;Type\nFR-2;Nom;Prénom;hier;martien\n"

    with pytest.raises(ImportRejected) as caught:
        LearnerImporter().run(content.encode("utf-8"))

    assert [str(e) for e in caught.value.errors] == [
        "ligne 2, colonne « Date de naissance » : « hier » n'est pas une date (AAAA-MM-JJ ou "
        "JJ/MM/AAAA).",
        "ligne 2, colonne « Type » : « martien » n'est pas une valeur admise (detained, youth, "
        "other).",
    ]


def test_a_spreadsheet_is_imported_from_its_first_sheet_or_the_one_named(
    db: None, tmp_path: Path
) -> None:
    rows = [
        ["Référence", "Nom", "Prénom", "Date de naissance", "Type", "Établissement"],
        ["XL-1", "Durand", "Alice", date(1990, 4, 12), "détenu", "CD MELUN"],
        [None, None, None, None, None, None],
        ["XL-2", "Dupont", "Bruno", "03/01/1988", "detained", "CP FRESNES"],
    ]
    path = tmp_path / "apprenants.xlsx"
    path.write_bytes(workbook(rows, title="Apprenants"))

    call_command("import", "learners", str(path), "--sheet", "Apprenants")

    assert list(
        Learner.objects.filter(reference__startswith="XL-")
        .order_by("reference")
        .values_list("reference", "birth_date")
    ) == [("XL-1", date(1990, 4, 12)), ("XL-2", date(1988, 1, 3))]
    with pytest.raises(CommandError, match="pas de feuille « Feuil9 » dans le classeur"):
        call_command("import", "learners", str(path), "--sheet", "Feuil9")


def test_a_spreadsheets_errors_name_their_row_and_nothing_is_written(db: None) -> None:
    rows = [
        ["Référence", "Nom", "Prénom", "Date de naissance", "Type", "Établissement"],
        ["XL-3", "Durand", "Alice", date(1990, 4, 12), "détenu", "CD MELUN"],
        ["XL-4", "Dupont", "Bruno", date(1988, 1, 3), "détenu", "NULLE PART"],
    ]

    with pytest.raises(ImportRejected) as caught:
        LearnerImporter().run(workbook(rows))

    assert [str(e) for e in caught.value.errors] == [
        "ligne 3, colonne « Établissement » : établissement inconnu : « NULLE PART »."
    ]
    assert not Learner.objects.filter(reference__startswith="XL-").exists()


def test_a_file_that_is_not_a_workbook_is_refused_in_french(db: None) -> None:
    with pytest.raises(ImportRejected) as caught:
        LearnerImporter().run(b"PK\x03\x04 not really a zip")

    assert str(caught.value.errors[0]) == (
        "fichier : classeur illisible : enregistrez-le au format Excel (.xlsx)."
    )


def test_the_template_command_writes_csv_or_xlsx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import", "template", "learners", "-o", str(tmp_path / "modele.xlsx"))
    call_command("import", "template", "enrollments", "-o", str(tmp_path / "modele.csv"))

    assert "Modèle d'import des apprenants écrit dans" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "modele.xlsx")
    assert book.sheetnames == ["Données", "Mode d'emploi", "Listes"]
    assert (
        (tmp_path / "modele.csv")
        .read_bytes()
        .startswith("\ufeffApprenant;Année universitaire;UE;Établissement;Résultat;Note".encode())
    )


def test_the_template_command_without_a_file_describes_the_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("import", "template", "enrollments")
    text = capsys.readouterr().out
    call_command("import", "template", "enrollments", "--format", "json")
    document = json.loads(capsys.readouterr().out)

    assert "  Résultat (result) : obligatoire ; valeurs : « en cours », « validée »," in text
    result = next(c for c in document["columns"] if c["name"] == "result")
    assert result["allowed"] == [
        "en cours",
        "validée",
        "non validée",
        "absent",
        "abandon",
        "annulée",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("template", "martians", "-o", "m.xlsx"), "Import inconnu : « martians »"),
        (("template", "learners", "-o", "modele.ods"), "le modèle s'écrit en .csv ou en .xlsx"),
    ],
)
def test_the_template_command_refuses_in_french(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("import", *args)


def test_the_imports_page_links_each_allowed_kinds_templates(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(User.objects.get(username="conseil-ml"))
    page = client.get("/imports/").content.decode()

    for kind in ("learners", "referrals", "youth-profiles"):
        assert f'href="/imports/modeles/{kind}.xlsx"' in page
        assert f'href="/imports/modeles/{kind}.csv"' in page
    assert "/imports/modeles/centre-offers" not in page
    response = client.get("/imports/modeles/youth-profiles.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="modele-youth-profiles.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["Données"][1]][:3] == ["Référence", "Nom", "Prénom"]
    assert client.get("/imports/modeles/centre-offers.csv").status_code == 404
    assert client.get("/imports/modeles/learners.ods").status_code == 404


def test_a_spreadsheet_is_previewed_and_confirmed_on_the_imports_page(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(User.objects.get(username="coordination"))
    rows = [["Centre", "Formation", "Modalité", "Places"], ["DEMO-BRE", "CPN58", "hybride", 12]]
    upload = SimpleUploadedFile("offres.xlsx", workbook(rows), "application/octet-stream")

    response = client.post("/imports/", {"kind": "centre-offers", "file": upload})

    assert response.status_code == 200
    assert "Aperçu : offres des centres Cnam" in response.content.decode()
