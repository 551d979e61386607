"""`tremplin import youth-profiles FILE` and `tremplin import centre-offers FILE`: French headers
and values, CSV or XLSX, all or nothing, idempotent, errors naming line and column, scope."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation
from tremplin.core.csvimport import ImportRejected
from tremplin.core.models import DomainEvent
from tremplin.learners.models import Kind, Learner, Status
from tremplin.orientation.models import CentreOffer, Qualification, Rhythm, YouthProfile
from tremplin.orientation.profile_imports import CentreOfferImporter, YouthProfileImporter

from .conftest import YoungPersonFactory, years_ago

pytestmark = pytest.mark.django_db

HEADER = (
    "Référence;Nom;Prénom;Date de naissance;Mission locale;Commune;Plus haut diplôme;Secteurs;"
    "Distance maximale (km);Disponible à partir du;Rythme;Téléphone;Courriel;Consentement le\n"
)


def born(years: int) -> str:
    return f"{years_ago(years, days=-30):%d/%m/%Y}"


def good() -> str:
    return (
        HEADER + f"YP-1;Martin;Léa;{born(19)};DEMO-ML-STMALO;Saint-Malo;bac;Informatique, "
        "comptabilite-et-gestion;30;01/09/2026;temps partiel;06 12 34 56 78;"
        "lea@example.org;02/03/2026\n"
        + f"YP-2;Le Goff;Yann;{born(22)};demo-ml-stmalo;35288;sans le bac;;0;;;;;\n"
    )


def records() -> list[tuple[object, ...]]:
    return list(
        YouthProfile.objects.filter(learner__reference__startswith="YP-")
        .order_by("learner__reference")
        .values_list(
            "learner__reference",
            "learner__kind",
            "learner__status",
            "learner__mission_locale__code",
            "commune_id",
            "qualification",
            "can_travel",
            "max_distance_km",
            "available_from",
            "rhythm",
            "phone",
            "email",
            "contact_consent_on",
        )
    )


def sectors(reference: str) -> set[str]:
    profile = YouthProfile.objects.get(learner__reference=reference)
    return set(profile.sectors.values_list("code", flat=True))


def rejected(importer: YouthProfileImporter | CentreOfferImporter, content: str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        importer.run(content.encode("utf-8"))
    return [str(e) for e in caught.value.errors]


def test_a_mission_locales_file_registers_its_young_people_with_their_profiles(
    counselor: User,
) -> None:
    report = YouthProfileImporter(counselor).run(good().encode("utf-8"))

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert records() == [
        (
            "YP-1",
            Kind.YOUTH,
            Status.FOLLOWED,
            "DEMO-ML-STMALO",
            "35288",
            Qualification.BAC,
            True,
            30,
            date(2026, 9, 1),
            Rhythm.PART_TIME,
            "06 12 34 56 78",
            "lea@example.org",
            date(2026, 3, 2),
        ),
        (
            "YP-2",
            Kind.YOUTH,
            Status.FOLLOWED,
            "DEMO-ML-STMALO",
            "35288",
            Qualification.BELOW_BAC,
            False,
            None,
            None,
            Rhythm.FULL_TIME,
            "",
            "",
            None,
        ),
    ]
    assert sectors("YP-1") == {"informatique", "comptabilite-et-gestion"}
    assert sectors("YP-2") == set()


def test_the_same_file_twice_changes_nothing_and_a_corrected_file_updates(
    counselor: User,
) -> None:
    YouthProfileImporter(counselor).run(good().encode("utf-8"))
    again = YouthProfileImporter(counselor).run(good().encode("utf-8"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    corrected = good().replace("Martin;Léa", "Martin;Léane").replace(";30;", ";45;")
    corrected = corrected.replace("Informatique, comptabilite-et-gestion", "Informatique")
    report = YouthProfileImporter(counselor).run(corrected.encode("utf-8"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    learner = Learner.objects.get(reference="YP-1")
    assert learner.first_name == "Léane"
    assert learner.youth_profile.max_distance_km == 45
    assert sectors("YP-1") == {"informatique"}
    # The changed identity is in the journal (its fields, never their values), as from the form.
    event = DomainEvent.objects.filter(kind="learner.updated", object_id=str(learner.pk)).get()
    assert event.payload == {"fields": ["first_name"]}
    assert event.origin == "import"


def test_a_counselor_may_leave_the_mission_locale_empty_it_is_theirs(counselor: User) -> None:
    content = HEADER + f"YP-3;Kerjean;Maël;{born(17)};;Saint-Malo;bac+;;;;;;;\n"

    YouthProfileImporter(counselor).run(content.encode("utf-8"))

    assert Learner.objects.get(reference="YP-3").mission_locale_id == counselor.mission_locale_id


def test_every_error_names_its_line_and_column_and_nothing_is_written(
    counselor: User, young: YoungPersonFactory
) -> None:
    young(reference="YP-OTHER")
    tomorrow = timezone.localdate() + timedelta(days=1)
    content = (
        HEADER
        + f"YP-4;Martin;Léa;{born(30)};DEMO-ML-STMALO;Saint-Malo;bac;;;;;;;\n"
        + f"YP-5;Martin;Léo;{born(20)};DEMO-ML-STMALO;Nulle-Part-sur-Mer;licence;Cuisine;;;;;;\n"
        + f"YP-6;Martin;Lou;{born(20)};DEMO-ML-RENNES;Saint-Malo;bac;;12,5;;;0612;pas-un-courriel;"
        + f"{tomorrow:%d/%m/%Y}\n"
        + f"YP-7;Martin;Luc;{born(20)};DEMO-ML-STMALO;Saint-Malo;bac;;;;;;;01/01/2026\n"
    )

    errors = rejected(YouthProfileImporter(counselor), content)

    assert (
        "ligne 2, colonne « Date de naissance » : le jeune doit avoir entre 16 et 25 ans"
        in (errors[0])
    )
    assert any(e.startswith("ligne 3, colonne « Commune » : aucune commune") for e in errors)
    assert any(
        e.startswith("ligne 3, colonne « Plus haut diplôme » : « licence » n'est pas")
        for e in errors
    )
    assert "ligne 3, colonne « Secteurs » : secteur inconnu : « Cuisine »." in errors
    assert any(
        e.startswith("ligne 4, colonne « Mission locale » : mission locale inconnue")
        for e in errors
    )
    assert (
        "ligne 4, colonne « Distance maximale (km) » : un nombre entier de kilomètres, ex. 30."
        in (errors)
    )
    assert any(e.startswith("ligne 4, colonne « Téléphone » : « 0612 »") for e in errors)
    assert any(e.startswith("ligne 4, colonne « Courriel » :") for e in errors)
    assert any(
        e.startswith("ligne 4, colonne « Consentement le » : date dans le futur") for e in errors
    )
    assert (
        "ligne 5, colonne « Consentement le » : aucun téléphone ni courriel à transmettre : "
        "laissez vide ou indiquez-les." in errors
    )
    assert (
        not Learner.objects.filter(reference__startswith="YP-")
        .exclude(reference="YP-OTHER")
        .exists()
    )


def test_a_young_person_of_another_mission_locale_or_a_detainee_is_refused(
    counselor: User, rennes_counselor: User, young: YoungPersonFactory
) -> None:
    young(reference="YP-MALO")
    content = HEADER + f"YP-MALO;Martin;Léa;{born(20)};;Rennes;bac;;;;;;;\n"

    errors = rejected(YouthProfileImporter(rennes_counselor), content)

    assert errors == [
        "ligne 2, colonne « Référence » : jeune hors de votre périmètre : « YP-MALO »."
    ]
    # From the command line (every mission locale): a move to another one is not an import's.
    moved = HEADER + f"YP-MALO;Martin;Léa;{born(20)};DEMO-ML-RENNES;Rennes;bac;;;;;;;\n"
    assert rejected(YouthProfileImporter(), moved) == [
        "ligne 2, colonne « Mission locale » : ce jeune est suivi par une autre mission locale : "
        "un import ne le change pas."
    ]


def test_a_spreadsheet_is_imported_like_the_csv(counselor: User, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([h for h in HEADER.strip().split(";")])
    sheet.append(
        [
            "YP-8", "Riou", "Enora", years_ago(18, days=-3), "DEMO-ML-STMALO", "saint-malo", "Bac",
            "Informatique", 25, None, None, None, None, None,
        ]
    )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "jeunes.xlsx"
    path.write_bytes(buffer.getvalue())

    call_command("import", "youth-profiles", str(path))

    profile = YouthProfile.objects.get(learner__reference="YP-8")
    assert (profile.learner.birth_date, profile.max_distance_km) == (years_ago(18, days=-3), 25)


CENTRE_OFFERS = (
    "Centre;Formation;Modalité;Prochaine rentrée;Places\n"
    "DEMO-BRE;CPN58;en présentiel;01/09/2026;20\n"
    "demo-bre-vitre;cc13000;Hybride;;\n"
    "DEMO-IDF;DIE3100;distance;2026-10-05;0\n"
)


def offers() -> list[tuple[object, ...]]:
    return list(
        CentreOffer.objects.order_by("centre__code", "formation__code").values_list(
            "centre__code", "formation__code", "modality", "next_start", "places"
        )
    )


def test_the_cnam_brings_its_centres_offers_and_a_second_run_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "offres.csv"
    path.write_bytes(CENTRE_OFFERS.encode("cp1252"))

    call_command("import", "centre-offers", str(path))
    assert "3 création(s)" in capsys.readouterr().out
    call_command("import", "centre-offers", str(path))

    assert "aucune modification" in capsys.readouterr().out
    assert offers() == [
        ("DEMO-BRE", "CPN58", "on_site", date(2026, 9, 1), 20),
        ("DEMO-BRE-VITRE", "CC13000", "hybrid", None, None),
        ("DEMO-IDF", "DIE3100", "distance", date(2026, 10, 5), 0),
    ]
    path.write_text(CENTRE_OFFERS.replace(";20\n", ";24\n"), encoding="utf-8")
    report = CentreOfferImporter().run(path.read_bytes())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert CentreOffer.objects.get(formation__code="CPN58", centre__code="DEMO-BRE").places == 24


def test_a_bad_offer_file_names_each_error_and_writes_nothing() -> None:
    content = (
        "centre,formation,modality,next_start,places\n"
        "DEMO-NOPE,CPN58,on_site,,\n"
        "DEMO-BRE,XYZ,on_site,,\n"
        "DEMO-BRE,CPN58,par courrier,31/02/2026,-1\n"
        "DEMO-BRE,CPN58,on_site,,\n"
        "DEMO-BRE,CPN58,distance,,\n"
    )

    errors = rejected(CentreOfferImporter(), content)

    assert errors[:2] == [
        "ligne 2, colonne « centre » : centre Cnam inconnu : « DEMO-NOPE ».",
        "ligne 3, colonne « formation » : formation inconnue : « XYZ ».",
    ]
    assert any(e.startswith("ligne 4, colonne « modality » : « par courrier »") for e in errors)
    assert any(e.startswith("ligne 4, colonne « next_start » : « 31/02/2026 »") for e in errors)
    assert any(
        e.startswith("ligne 4, colonne « places » : -1 est hors de l'intervalle") for e in errors
    )
    assert (
        "ligne 6, colonne « centre, formation » : doublon de la ligne 5 (mêmes valeurs dans ces colonnes)."
        in errors
    )
    assert not CentreOffer.objects.exists()
    assert Formation.objects.filter(code="CPN58").exists()


def test_the_command_line_lists_the_errors_in_french(tmp_path: Path) -> None:
    path = tmp_path / "offres.csv"
    path.write_text("Centre;Formation\nDEMO-BRE;CPN58\n", encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        call_command("import", "centre-offers", str(path))

    assert (
        "offres.csv, ligne 1, colonne « modality » : colonne obligatoire absente (en-tête « Modalité » ou « modality »)."
        in str(caught.value)
    )
