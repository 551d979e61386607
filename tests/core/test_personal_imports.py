"""`tremplin import learners|enrollments|interviews FILE [--dry-run]`, with the exact formats of
DOMAIN.md: good files, idempotency, corrections, dry runs, and one test per kind of error (each
names its line, its column and its reason, and the database is left as it was)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tremplin.accounts.models import User
from tremplin.core.csvimport import ImportRejected
from tremplin.enrolment.models import Enrolment, Result
from tremplin.enrolment.services import ResultEntry, record_results
from tremplin.followup.models import Interview
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.learners.services import release
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

LEARNERS = (
    "reference,last_name,first_name,birth_date,kind,establishment,mission_locale\n"
    "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,\n"
    "IMP-0002,Le Goff,Erwan,2005-02-01,youth,,DEMO-ML-STMALO\n"
    "IMP-0003,Petit,Marc,1985-11-30,other,,\n"
)
ENROLLMENTS = (
    "learner,academic_year,teaching_unit,establishment,result,grade\n"
    "IMP-0001,2019-2020,CCG101,CP FRESNES,validated,12.5\n"
    "IMP-0001,2019-2020,CCG102,CP FRESNES,failed,8\n"
    "IMP-0001,2020-2021,CCG103,cd melun,pending,\n"
    "IMP-0002,2020-2021,CCG104,,abandoned,\n"
)
INTERVIEWS = (
    "learner,date,kind,referent,notes\n"
    "IMP-0001,2020-01-15,information_orientation,referent,Premier entretien\n"
    "IMP-0001,2020-03-02,training_followup,referent,\n"
    "IMP-0002,2020-01-20,information_orientation,conseil-ml,Orientation vers le Cnam\n"
)
LEARNERS_HEADER = LEARNERS.splitlines(keepends=True)[0]
ENROLLMENTS_HEADER = ENROLLMENTS.splitlines(keepends=True)[0]
INTERVIEWS_HEADER = INTERVIEWS.splitlines(keepends=True)[0]


def write(tmp_path: Path, content: str | bytes, name: str = "fichier.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    content: str | bytes,
    *extra: str,
) -> dict[str, object]:
    call_command("import", kind, str(write(tmp_path, content)), "--format", "json", *extra)
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


def rejected(tmp_path: Path, kind: str, content: str | bytes) -> str:
    before = database()
    with pytest.raises(CommandError) as info:
        call_command("import", kind, str(write(tmp_path, content, f"{kind}.csv")))
    assert database() == before, "a rejected file changed the database"
    message = str(info.value)
    assert "fichier refusé, aucune donnée modifiée" in message
    return message


def database() -> tuple[list[tuple[object, ...]], ...]:
    """Everything these imports could touch."""
    return (
        sorted(
            Learner.objects.values_list(
                "reference",
                "last_name",
                "first_name",
                "birth_date",
                "kind",
                "status",
                "establishment_id",
                "mission_locale_id",
            )
        ),
        sorted(Placement.objects.values_list("learner_id", "kind", "date", "establishment_id")),
        sorted(
            Enrolment.objects.values_list(
                "learner_id",
                "academic_year",
                "unit__code",
                "establishment_id",
                "result",
                "grade",
                "abandon_reason",
                "version",
            )
        ),
        sorted(Interview.objects.values_list("learner_id", "date", "kind", "referent_id", "notes")),
    )


def learner(reference: str) -> Learner:
    return Learner.objects.get(reference=reference)


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


@pytest.fixture
def learners(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(tmp_path, capsys, "learners", LEARNERS)


def counts(report: dict[str, object]) -> tuple[object, object, object]:
    return report["created"], report["updated"], report["unchanged"]


# ---------------------------------------------------------------------------------------------
# Good files


def test_a_good_learners_file_creates_the_learners_and_places_the_detained_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(tmp_path, capsys, "learners", LEARNERS)
    assert report == {
        "kind": "learners",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    alice, erwan, marc = learner("IMP-0001"), learner("IMP-0002"), learner("IMP-0003")
    assert (alice.kind, alice.status, alice.establishment) == (
        Kind.DETAINED,
        Status.PLACED,
        place("CP FRESNES"),
    )
    assert alice.birth_date == date(1990, 4, 12)
    (arrival,) = alice.placements.all()
    assert (arrival.kind, arrival.establishment, arrival.date) == (
        "arrival",
        place("CP FRESNES"),
        date.today(),
    )
    assert (erwan.status, erwan.establishment, erwan.mission_locale.code) == (  # type: ignore[union-attr]
        Status.FOLLOWED,
        None,
        "DEMO-ML-STMALO",
    )
    assert not erwan.placements.exists()
    assert (marc.kind, marc.status) == (Kind.OTHER, Status.OTHER)


def test_a_good_enrollments_file_creates_the_enrolments_with_their_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    report = run(tmp_path, capsys, "enrollments", ENROLLMENTS)
    assert counts(report) == (4, 0, 0)
    rows = {
        (e.unit.code, e.academic_year): e
        for e in Enrolment.objects.filter(learner__reference__startswith="IMP-")
    }
    assert set(rows) == {
        ("CCG101", "2019-2020"),
        ("CCG102", "2019-2020"),
        ("CCG103", "2020-2021"),
        ("CCG104", "2020-2021"),
    }
    validated = rows["CCG101", "2019-2020"]
    assert (validated.result, validated.grade, validated.establishment) == (
        Result.VALIDATED,
        Decimal("12.5"),
        place("CP FRESNES"),
    )
    assert rows["CCG102", "2019-2020"].grade == Decimal(8)
    assert rows["CCG103", "2020-2021"].establishment == place("CD MELUN")
    abandoned = rows["CCG104", "2020-2021"]
    assert (abandoned.result, abandoned.grade, abandoned.establishment) == ("abandoned", None, None)
    assert abandoned.abandon_reason == "other"


def test_a_good_interviews_file_creates_the_interviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    report = run(tmp_path, capsys, "interviews", INTERVIEWS)
    assert counts(report) == (3, 0, 0)
    first, second = learner("IMP-0001").interviews.order_by("date")
    assert (first.date, first.kind, first.referent, first.notes) == (
        date(2020, 1, 15),
        "information_orientation",
        User.objects.get(username="referent"),
        "Premier entretien",
    )
    assert (second.kind, second.notes) == ("training_followup", "")
    assert learner("IMP-0002").interviews.get().referent == User.objects.get(username="conseil-ml")


def test_the_text_report_says_what_was_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import", "learners", str(write(tmp_path, LEARNERS, "apprenants.csv")))
    assert capsys.readouterr().out.strip() == (
        "Apprenants (apprenants.csv) : 3 ligne(s) lue(s) : 3 création(s), 0 mise(s) à jour, "
        "0 ligne(s) inchangée(s). L'import a été enregistré."
    )


# ---------------------------------------------------------------------------------------------
# Spreadsheet habits: semicolons, Windows-1252, French dates, decimal commas


def test_semicolons_windows_1252_french_dates_and_decimal_commas_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = (
        "reference;last_name;first_name;birth_date;kind;establishment;mission_locale\r\n"
        "IMP-0010;Bézier;Hélène;12/04/1990;detained;cd melun;\r\n"
        "IMP-0011;Œuvray;Gaëlle;3/1/1988;detained;CP FRESNES;\r\n"
    )
    results = (
        "learner;academic_year;teaching_unit;establishment;result;grade\r\n"
        "IMP-0010;2019-2020;CCG101;CD MELUN;validated;12,5\r\n"
        "IMP-0011;2019-2020;CCG101;CP FRESNES;failed;9,75\r\n"
    )
    meetings = (
        "learner;date;kind;referent;notes\r\n"
        "IMP-0010;15/01/2020;training_followup;referent;Très motivée, projet « comptabilité »\r\n"
    )
    assert counts(run(tmp_path, capsys, "learners", people.encode("cp1252"))) == (2, 0, 0)
    assert counts(run(tmp_path, capsys, "enrollments", results.encode("cp1252"))) == (2, 0, 0)
    assert counts(run(tmp_path, capsys, "interviews", meetings.encode("cp1252"))) == (1, 0, 0)

    helene, gaelle = learner("IMP-0010"), learner("IMP-0011")
    assert (helene.last_name, helene.first_name, helene.birth_date) == (
        "Bézier",
        "Hélène",
        date(1990, 4, 12),
    )
    assert (gaelle.last_name, gaelle.first_name, gaelle.birth_date) == (
        "Œuvray",
        "Gaëlle",
        date(1988, 1, 3),
    )
    assert helene.establishment == place("CD MELUN")
    assert helene.enrolments.get().grade == Decimal("12.5")
    assert gaelle.enrolments.get().grade == Decimal("9.75")
    interview = helene.interviews.get()
    assert interview.date == date(2020, 1, 15)
    assert interview.notes == "Très motivée, projet « comptabilité »"


def test_utf8_with_a_byte_order_mark_and_columns_in_any_order_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = (
        "\ufeffmission_locale,establishment,kind,birth_date,first_name,last_name,reference\n"
        ",CP FRESNES,detained,1990-04-12,Zoé,Lefèvre,IMP-0012\n"
    )
    assert counts(run(tmp_path, capsys, "learners", content)) == (1, 0, 0)
    assert learner("IMP-0012").first_name == "Zoé"


# ---------------------------------------------------------------------------------------------
# Idempotency, corrections, dry runs


@pytest.mark.parametrize(
    ("kind", "content", "rows"),
    [("learners", LEARNERS, 3), ("enrollments", ENROLLMENTS, 4), ("interviews", INTERVIEWS, 3)],
)
def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    learners: None,
    kind: str,
    content: str,
    rows: int,
) -> None:
    run(tmp_path, capsys, kind, content)
    before = database()
    report = run(tmp_path, capsys, kind, content)
    assert counts(report) == (0, 0, rows)
    assert database() == before


def test_a_corrected_learners_file_updates_the_rows_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    fixed = LEARNERS_HEADER + "IMP-0001,Durand-Roy,Alice,1990-04-21,detained,CP FRESNES,\n"
    assert counts(run(tmp_path, capsys, "learners", fixed)) == (0, 1, 0)
    alice = learner("IMP-0001")
    assert (alice.last_name, alice.birth_date) == ("Durand-Roy", date(1990, 4, 21))
    assert learner("IMP-0003").last_name == "Petit"
    assert alice.placements.count() == 1  # same establishment: no new step


def test_a_corrected_enrollments_file_updates_the_rows_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    run(tmp_path, capsys, "enrollments", ENROLLMENTS)
    fixed = ENROLLMENTS_HEADER + "IMP-0001,2019-2020,CCG102,CP FRESNES,validated,10.5\n"
    assert counts(run(tmp_path, capsys, "enrollments", fixed)) == (0, 1, 0)
    enrolment = Enrolment.objects.get(learner__reference="IMP-0001", unit__code="CCG102")
    assert (enrolment.result, enrolment.grade) == ("validated", Decimal("10.5"))
    assert Enrolment.objects.filter(learner__reference__startswith="IMP-").count() == 4


def test_a_corrected_interviews_file_updates_the_rows_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    run(tmp_path, capsys, "interviews", INTERVIEWS)
    fixed = INTERVIEWS_HEADER + "IMP-0001,2020-01-15,information_orientation,referent,Corrigé\n"
    assert counts(run(tmp_path, capsys, "interviews", fixed)) == (0, 1, 0)
    assert learner("IMP-0001").interviews.get(date=date(2020, 1, 15)).notes == "Corrigé"
    assert Interview.objects.filter(learner__reference__startswith="IMP-").count() == 3


def test_a_result_corrected_by_import_is_not_overwritten_by_a_grid_opened_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    run(tmp_path, capsys, "enrollments", ENROLLMENTS)
    enrolment = Enrolment.objects.get(learner__reference="IMP-0001", unit__code="CCG103")
    seen = enrolment.version  # the teacher opens the grid
    fixed = ENROLLMENTS_HEADER + "IMP-0001,2020-2021,CCG103,CD MELUN,validated,15\n"
    run(tmp_path, capsys, "enrollments", fixed)
    with pytest.raises(ValidationError, match="modifié entre-temps"):
        record_results(
            [ResultEntry(enrolment.pk, Result.FAILED, Decimal(6), version=seen)],
            by=User.objects.get(username="coordination"),
        )


@pytest.mark.parametrize(
    ("kind", "content", "rows"),
    [("learners", LEARNERS, 3), ("enrollments", ENROLLMENTS, 4), ("interviews", INTERVIEWS, 3)],
)
def test_a_dry_run_counts_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    content: str,
    rows: int,
) -> None:
    if kind != "learners":
        run(tmp_path, capsys, "learners", LEARNERS)
    before = database()
    report = run(tmp_path, capsys, kind, content, "--dry-run")
    assert (report["dry_run"], report["rows"], report["created"]) == (True, rows, rows)
    assert database() == before


def test_a_dry_run_of_a_corrected_file_counts_the_updates_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    moved = LEARNERS_HEADER + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
    before = database()
    assert counts(run(tmp_path, capsys, "learners", moved, "--dry-run")) == (0, 1, 0)
    assert database() == before


# ---------------------------------------------------------------------------------------------
# A change of establishment is a transfer


def test_a_reimport_that_changes_the_establishment_records_a_transfer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    moved = LEARNERS_HEADER + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
    assert counts(run(tmp_path, capsys, "learners", moved)) == (0, 1, 0)
    alice = learner("IMP-0001")
    assert alice.establishment == place("CD MELUN")
    assert alice.status == Status.PLACED
    assert [(p.kind, p.establishment.label) for p in alice.placements.order_by("id")] == [  # type: ignore[union-attr]
        ("arrival", "CP FRESNES"),
        ("transfer", "CD MELUN"),
    ]
    assert alice.placements.last().date == date.today()  # type: ignore[union-attr]


def test_a_reimport_cannot_transfer_a_released_learner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], learners: None
) -> None:
    release(learner("IMP-0001"), on=date.today(), commune=None, by=None)
    moved = LEARNERS_HEADER + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
    message = rejected(tmp_path, "learners", moved)
    assert "ligne 2, colonne « establishment »" in message


# ---------------------------------------------------------------------------------------------
# One test per kind of error: line, column, reason; nothing written


def test_a_file_in_an_unknown_encoding_is_rejected(tmp_path: Path, learners: None) -> None:
    # 0x81 is neither UTF-8 nor Windows-1252.
    content = LEARNERS.encode("utf-8") + b"IMP-0004,Caf\x81,Jean,1990-01-01,other,,\n"
    message = rejected(tmp_path, "learners", content)
    assert "fichier : encodage non reconnu (octet 0x81 en position" in message
    assert "enregistrez le fichier en UTF-8 ou en Windows-1252" in message


def test_an_unknown_ue_is_rejected(tmp_path: Path, learners: None) -> None:
    content = (
        ENROLLMENTS_HEADER
        + "IMP-0001,2019-2020,CCG101,CP FRESNES,validated,12\n"
        + "IMP-0001,2019-2020,XYZ999,CP FRESNES,validated,12\n"
    )
    message = rejected(tmp_path, "enrollments", content)
    assert "enrollments.csv, ligne 3, colonne « teaching_unit » : UE inconnue : « XYZ999 »." in (
        message
    )


def test_an_unknown_establishment_is_rejected(tmp_path: Path) -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,\n"
        + "IMP-0004,Roux,Paul,1980-06-01,detained,CP NULLE PART,\n"
    )
    message = rejected(tmp_path, "learners", content)
    assert (
        "ligne 3, colonne « establishment » : établissement inconnu : « CP NULLE PART »." in message
    )


def test_an_unknown_establishment_in_enrollments_is_rejected(
    tmp_path: Path, learners: None
) -> None:
    content = ENROLLMENTS_HEADER + "IMP-0001,2019-2020,CCG101,MA NULLE PART,validated,12\n"
    message = rejected(tmp_path, "enrollments", content)
    assert "ligne 2, colonne « establishment » : établissement inconnu" in message


@pytest.mark.parametrize("raw", ["31/02/1990", "1990-13-01", "12.04.1990", "hier"])
def test_a_bad_date_is_rejected(tmp_path: Path, raw: str) -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,\n"
        + f"IMP-0004,Roux,Paul,{raw},other,,\n"
    )
    message = rejected(tmp_path, "learners", content)
    assert (
        f"ligne 3, colonne « birth_date » : « {raw} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)."
        in message
    )


def test_a_future_interview_date_is_rejected(tmp_path: Path, learners: None) -> None:
    content = INTERVIEWS_HEADER + "IMP-0001,2999-01-01,training_followup,referent,\n"
    message = rejected(tmp_path, "interviews", content)
    assert "ligne 2, colonne « date » : date future : 01/01/2999." in message


def test_a_duplicate_row_is_rejected(tmp_path: Path) -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,\n"
        + "IMP-0001,Durand,Alicia,1990-04-12,detained,CP FRESNES,\n"
    )
    message = rejected(tmp_path, "learners", content)
    assert (
        "ligne 3" in message
        and "doublon de la ligne 2 (mêmes valeurs dans ces colonnes)." in message
    )


def test_a_duplicate_enrolment_is_rejected(tmp_path: Path, learners: None) -> None:
    content = (
        ENROLLMENTS_HEADER
        + "IMP-0001,2019-2020,CCG101,CP FRESNES,validated,12\n"
        + "imp-0001,2019-2020,ccg101,CP FRESNES,failed,8\n"
    )
    message = rejected(tmp_path, "enrollments", content)
    assert (
        "ligne 3" in message
        and "doublon de la ligne 2 (mêmes valeurs dans ces colonnes)." in message
    )


def test_a_duplicate_row_error_names_the_key_column(tmp_path: Path) -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,\n"
        + "IMP-0001,Durand,Alicia,1990-04-12,detained,CP FRESNES,\n"
    )
    assert "ligne 3, colonne « reference » : doublon" in rejected(tmp_path, "learners", content)


def test_an_extra_column_is_rejected(tmp_path: Path) -> None:
    content = (
        LEARNERS_HEADER.rstrip("\n")
        + ",remarque\n"
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP FRESNES,,RAS\n"
    )
    message = rejected(tmp_path, "learners", content)
    assert "ligne 1, colonne « remarque » : colonne inattendue ; colonnes admises :" in message


@pytest.mark.parametrize(
    ("kind", "header", "missing"),
    [
        ("learners", "reference,last_name,first_name,birth_date,establishment\n", "kind"),
        ("enrollments", "learner,academic_year,establishment,result,grade\n", "teaching_unit"),
        ("interviews", "learner,date,kind,notes\n", "referent"),
    ],
)
def test_a_missing_column_is_rejected(
    tmp_path: Path, learners: None, kind: str, header: str, missing: str
) -> None:
    message = rejected(tmp_path, kind, header + ",".join(["x"] * header.count(",")) + ",x\n")
    assert f"ligne 1, colonne « {missing} » : colonne obligatoire absente (en-tête « " in message


@pytest.mark.parametrize("grade", ["9.99", "9,5", ""])
def test_a_validated_result_below_ten_or_without_grade_is_rejected(
    tmp_path: Path, learners: None, grade: str
) -> None:
    content = (
        ENROLLMENTS_HEADER.replace(",", ";")
        + "IMP-0001;2019-2020;CCG101;CP FRESNES;failed;8\n"
        + f"IMP-0001;2019-2020;CCG102;CP FRESNES;validated;{grade}\n"
    )
    message = rejected(tmp_path, "enrollments", content)
    assert "ligne 3, colonne « grade » : une UE validée a une note d'au moins 10/20." in message


def test_a_failed_result_with_a_passing_grade_is_rejected(tmp_path: Path, learners: None) -> None:
    content = ENROLLMENTS_HEADER + "IMP-0001,2019-2020,CCG101,CP FRESNES,failed,14\n"
    message = rejected(tmp_path, "enrollments", content)
    assert "ligne 2, colonne « grade » : une note d'au moins 10/20 valide l'UE." in message


@pytest.mark.parametrize(("grade", "shown"), [("21", "21"), ("20,5", "20,5"), ("-1", "-1")])
def test_a_grade_outside_zero_to_twenty_is_rejected(
    tmp_path: Path, learners: None, grade: str, shown: str
) -> None:
    content = (
        ENROLLMENTS_HEADER.replace(",", ";")
        + f"IMP-0001;2019-2020;CCG101;CP FRESNES;validated;{grade}\n"
    )
    message = rejected(tmp_path, "enrollments", content)
    assert f"ligne 2, colonne « grade » : {shown} est hors de l'intervalle 0 à 20." in message


def test_a_grade_that_is_not_a_number_is_rejected(tmp_path: Path, learners: None) -> None:
    content = ENROLLMENTS_HEADER + "IMP-0001,2019-2020,CCG101,CP FRESNES,validated,douze\n"
    message = rejected(tmp_path, "enrollments", content)
    assert "ligne 2, colonne « grade » : « douze » n'est pas un nombre" in message


@pytest.mark.parametrize("kind", ["enrollments", "interviews"])
def test_an_unknown_learner_reference_is_rejected(
    tmp_path: Path, learners: None, kind: str
) -> None:
    content = {
        "enrollments": ENROLLMENTS_HEADER + "IMP-9999,2019-2020,CCG101,CP FRESNES,validated,12\n",
        "interviews": INTERVIEWS_HEADER + "IMP-9999,2020-01-15,training_followup,referent,\n",
    }[kind]
    message = rejected(tmp_path, kind, content)
    assert (
        "ligne 2, colonne « learner » : apprenant inconnu ou hors de votre périmètre : "
        "« IMP-9999 »." in message
    )


def test_an_unknown_referent_username_is_rejected(tmp_path: Path, learners: None) -> None:
    content = (
        INTERVIEWS_HEADER
        + "IMP-0001,2020-01-15,information_orientation,referent,\n"
        + "IMP-0001,2020-03-02,training_followup,personne,\n"
    )
    message = rejected(tmp_path, "interviews", content)
    assert "ligne 3, colonne « referent » : aucun compte « personne »." in message


def test_a_young_person_with_an_establishment_is_rejected(tmp_path: Path) -> None:
    content = LEARNERS_HEADER + "IMP-0002,Le Goff,Erwan,2005-02-01,youth,CD MELUN,DEMO-ML-STMALO\n"
    message = rejected(tmp_path, "learners", content)
    assert "ligne 2, colonne « establishment » : doit rester vide pour un jeune." in message


def test_a_detained_person_without_an_establishment_is_rejected(tmp_path: Path) -> None:
    content = LEARNERS_HEADER + "IMP-0001,Durand,Alice,1990-04-12,detained,,\n"
    message = rejected(tmp_path, "learners", content)
    assert "ligne 2, colonne « establishment » : obligatoire pour une personne détenue." in message


def test_a_bad_academic_year_and_a_bad_result_are_rejected(tmp_path: Path, learners: None) -> None:
    content = ENROLLMENTS_HEADER + "IMP-0001,2019-2021,CCG101,CP FRESNES,reussi,12\n"
    message = rejected(tmp_path, "enrollments", content)
    assert "ligne 2, colonne « academic_year » : « 2019-2021 » n'est pas une année" in message
    assert "ligne 2, colonne « result » : « reussi » n'est pas une valeur admise" in message


def test_every_error_of_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CP NULLE PART,\n"
        + "IMP-0002,Le Goff,Erwan,31/02/2005,youth,,DEMO-ML-STMALO\n"
        + "IMP-0003,Petit,Marc,1985-11-30,martian,,\n"
    )
    message = rejected(tmp_path, "learners", content)
    assert message.startswith("3 erreur(s) : fichier refusé, aucune donnée modifiée.")
    assert "ligne 2, colonne « establishment »" in message
    assert "ligne 3, colonne « birth_date »" in message
    assert "ligne 4, colonne « kind » : « martian » n'est pas une valeur admise" in message


# ---------------------------------------------------------------------------------------------
# The learners import run by a scoped user (as the web interface runs it)


def test_a_referent_cannot_import_a_learner_into_an_establishment_outside_their_scope() -> None:
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
        + "IMP-0004,Roux,Paul,1980-06-01,detained,MA ST MALO,\n"
    )
    before = database()
    importer = LearnerImporter(user=User.objects.get(username="referent"))
    with pytest.raises(ImportRejected) as info:
        importer.run(content.encode())
    assert [str(e) for e in info.value.errors] == [
        "ligne 3, colonne « establishment » : établissement hors de votre périmètre : "
        "« MA ST MALO »."
    ]
    assert database() == before


def test_a_referent_imports_learners_into_their_own_establishments() -> None:
    content = LEARNERS_HEADER + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
    referent = User.objects.get(username="referent")
    report = LearnerImporter(user=referent).run(content.encode())
    assert (report.created, report.updated) == (1, 0)
    assert learner("IMP-0001").placements.get().recorded_by == referent


def outsider() -> Learner:
    found = Learner.objects.create(
        reference="IMP-0050",
        last_name="Loin",
        first_name="Yves",
        birth_date=date(1980, 1, 1),
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=place("MA ST MALO"),
    )
    Placement.objects.create(
        learner=found, kind="arrival", date=date(2024, 9, 1), establishment=place("MA ST MALO")
    )
    return found


def test_a_referent_cannot_update_a_learner_outside_their_scope() -> None:
    outsider()
    content = LEARNERS_HEADER + "IMP-0050,Loin,Yves,1980-01-01,detained,CD MELUN,\n"
    before = database()
    with pytest.raises(ImportRejected) as info:
        LearnerImporter(user=User.objects.get(username="referent")).run(content.encode())
    (error,) = info.value.errors
    assert (error.column, error.message) == (
        "reference",
        "apprenant inconnu ou hors de votre périmètre : « IMP-0050 ».",
    )
    assert database() == before
    assert learner("IMP-0050").establishment == place("MA ST MALO")


def test_the_out_of_scope_learner_error_names_its_line() -> None:
    outsider()
    content = (
        LEARNERS_HEADER
        + "IMP-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
        + "IMP-0050,Loin,Yves,1980-01-01,detained,CD MELUN,\n"
    )
    with pytest.raises(ImportRejected) as info:
        LearnerImporter(user=User.objects.get(username="referent")).run(content.encode())
    assert [e.line for e in info.value.errors] == [3]
