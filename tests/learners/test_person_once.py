"""The person, once: a second file for the same person is caught (form and import), the
reference is generated, the numéro d'écrou is kept per placement, and a coordinator merges two
files of the same person, reversibly until confirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.core.csvimport import ImportRejected
from tremplin.core.models import DomainEvent
from tremplin.enrolment.models import Application, Certification, Enrolment
from tremplin.learners import identity, merge
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Kind, Learner, LearnerMerge, Placement, Status
from tremplin.learners.services import create_learner, transfer
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

BORN = date(2006, 5, 16)


def user(username: str) -> User:
    return User.objects.get(username=username)


def melun() -> Establishment:
    return Establishment.objects.get(label="CD MELUN")


def clement(reference: str = "", **extra: Any) -> Learner:
    fields: dict[str, Any] = {
        "reference": reference,
        "last_name": "CLÉMENT",
        "first_name": "Jean-Baptiste",
        "birth_date": BORN,
        "kind": Kind.DETAINED,
        "establishment": melun(),
    }
    fields.update(extra)
    return create_learner(by=user("referent"), **fields)


# ---------------------------------------------------------------------------------------------
# Identity


@pytest.mark.parametrize(
    ("last", "first"),
    [
        ("Clement", "Jean Baptiste"),
        ("clément", "JEAN-BAPTISTE"),
        ("Jean-Baptiste", "Clément"),  # the names swapped
        ("CLEMENT", "Jean–Baptiste"),
    ],
)
def test_names_written_differently_are_the_same_person(last: str, first: str) -> None:
    assert identity.identity_keys(last, first) & identity.identity_keys("CLÉMENT", "Jean-Baptiste")


def test_a_different_first_name_is_another_person() -> None:
    assert not identity.identity_keys("Clément", "Jean") & identity.identity_keys(
        "CLÉMENT", "Jean-Baptiste"
    )


def test_a_second_file_for_the_same_person_is_refused_and_names_the_first() -> None:
    first = clement("D26-9001")
    with pytest.raises(identity.PossibleDuplicate) as info:
        clement("D26-9002", last_name="Clement", first_name="Jean Baptiste")
    assert info.value.matches == [first]
    assert "D26-9001" in info.value.message_dict["last_name"][0]
    assert not Learner.objects.filter(reference="D26-9002").exists()


def test_another_person_of_the_same_name_and_birth_date_is_created_when_confirmed() -> None:
    clement("D26-9001")
    second = clement("D26-9002", other_person=True)
    assert second.pk


def test_the_same_name_with_another_birth_date_is_no_duplicate() -> None:
    clement("D26-9001")
    assert clement("D26-9002", birth_date=date(2006, 5, 17)).pk


# ---------------------------------------------------------------------------------------------
# References and numéros d'écrou


def test_an_empty_reference_is_generated_from_the_public_and_the_year() -> None:
    first = clement()
    year = f"{date.today():%y}"
    assert first.reference.startswith(f"D{year}-")
    second = clement(last_name="Martin", first_name="Julie")
    assert int(second.reference.split("-")[1]) == int(first.reference.split("-")[1]) + 1


def test_a_typed_reference_is_kept() -> None:
    assert clement("MELUN-2026-17").reference == "MELUN-2026-17"


def test_the_numero_ecrou_is_kept_with_the_arrival_and_with_a_transfer() -> None:
    learner = clement("D26-9001", numero_ecrou=" 45872 ", placed_on=date(2025, 1, 6))
    transfer(
        learner,
        to=Establishment.objects.get(label="CP FRESNES"),
        on=date(2025, 3, 3),
        by=user("referent"),
        numero_ecrou="B-1203",
    )
    numbers = list(learner.placements.order_by("date").values_list("kind", "numero_ecrou"))
    assert numbers == [(Placement.Kind.ARRIVAL, "45872"), (Placement.Kind.TRANSFER, "B-1203")]


# ---------------------------------------------------------------------------------------------
# The form


def post_new(client: Client, **extra: str) -> object:
    data = {
        "reference": "",
        "last_name": "Clement",
        "first_name": "Jean Baptiste",
        "birth_date": "2006-05-16",
        "kind": "detained",
        "establishment": str(melun().pk),
        "numero_ecrou": "",
        **extra,
    }
    return client.post("/apprenants/nouveau/", data)


def test_the_form_warns_of_the_existing_file_links_it_and_creates_only_when_confirmed(
    client_as: Callable[[User], Client],
) -> None:
    existing = clement("D26-9001")
    client = client_as(user("referent"))
    answer = post_new(client)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    page = answer.content.decode()  # type: ignore[attr-defined]
    assert "Cette personne a peut-être déjà un dossier" in page
    assert f'href="/apprenants/{existing.pk}/"' in page
    assert 'name="other_person"' in page
    assert Learner.objects.filter(birth_date=BORN).count() == 1
    answer = post_new(client, other_person="on", numero_ecrou="45872")
    assert answer.status_code == 302  # type: ignore[attr-defined]
    created = Learner.objects.exclude(pk=existing.pk).get(birth_date=BORN)
    assert created.reference.startswith("D")
    assert created.placements.get().numero_ecrou == "45872"


def test_the_form_shows_only_the_reference_of_a_file_outside_the_users_scope(
    client_as: Callable[[User], Client],
) -> None:
    elsewhere = clement("D26-9001", establishment=Establishment.objects.get(label="MA ST MALO"))
    answer = post_new(client_as(user("referent")))
    page = answer.content.decode()  # type: ignore[attr-defined]
    assert "le dossier D26-9001, hors de votre périmètre" in page
    assert f"/apprenants/{elsewhere.pk}/" not in page


# ---------------------------------------------------------------------------------------------
# The import

HEADER = "Référence;Nom;Prénom;Date de naissance;Type;Établissement;Numéro d'écrou;Autre personne\n"


def run_import(text: str) -> None:
    LearnerImporter(user("coordination")).run((HEADER + text).encode())


def test_an_imported_line_for_a_person_who_has_a_file_is_an_error_naming_it() -> None:
    clement("D26-9001")
    with pytest.raises(ImportRejected) as info:
        run_import("D26-9100;Clement;Jean Baptiste;16/05/2006;détenu;CD MELUN;;\n")
    (error,) = info.value.errors
    assert (error.line, error.column) == (2, "Nom")
    assert "même personne que le dossier D26-9001" in error.message
    assert not Learner.objects.filter(reference="D26-9100").exists()


def test_two_lines_of_one_file_for_the_same_person_are_an_error_naming_the_first() -> None:
    with pytest.raises(ImportRejected) as info:
        run_import(
            "D26-9100;Clement;Jean Baptiste;16/05/2006;détenu;CD MELUN;;\n"
            "D26-9101;CLÉMENT;Jean-Baptiste;16/05/2006;détenu;CD MELUN;;\n"
        )
    (error,) = info.value.errors
    assert error.line == 3
    assert "même personne que la ligne 2" in error.message


def test_an_explicit_other_person_column_lets_the_line_through_with_its_numero_ecrou() -> None:
    clement("D26-9001")
    run_import("D26-9100;Clement;Jean Baptiste;16/05/2006;détenu;CD MELUN;45872;oui\n")
    created = Learner.objects.get(reference="D26-9100")
    assert created.placements.get().numero_ecrou == "45872"


def test_reimporting_the_same_file_is_no_duplicate() -> None:
    line = "D26-9100;Clement;Jean Baptiste;16/05/2006;détenu;CD MELUN;;\n"
    run_import(line)
    run_import(line)
    assert Learner.objects.filter(birth_date=BORN).count() == 1


# ---------------------------------------------------------------------------------------------
# Merging


def two_files() -> tuple[Learner, Learner]:
    kept = make_record("MERGE-0001", establishment="CD MELUN").learner
    other = Learner.objects.create(
        reference="MERGE-0002",
        last_name=kept.last_name,
        first_name=kept.first_name,
        birth_date=kept.birth_date,
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=melun(),
    )
    Placement.objects.create(
        learner=other, kind="arrival", date=date(2023, 2, 1), establishment=melun()
    )
    Application.objects.create(learner=other, academic_year="2025-2026", funding="dap")
    return kept, other


def test_a_merge_moves_everything_to_the_kept_file_and_leaves_a_redirect() -> None:
    kept, other = two_files()
    done = merge.merge(kept, other, by=user("coordination"))
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Status.MERGED, kept)
    assert kept.placements.count() == 2
    assert Application.objects.filter(learner=kept).count() == 2
    assert not Application.objects.filter(learner=other).exists()
    assert done.state == LearnerMerge.State.PENDING
    event = DomainEvent.objects.filter(kind="learner.merged").get()
    assert str(event.object_id) == str(kept.pk)


def test_an_undone_merge_gives_each_file_back_its_own_records() -> None:
    kept, other = two_files()
    done = merge.merge(kept, other, by=user("coordination"))
    merge.undo(done.pk, by=user("coordination"))
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Status.PLACED, None)
    assert other.placements.count() == 1
    assert Application.objects.filter(learner=other).count() == 1
    assert Application.objects.filter(learner=kept).count() == 1
    with pytest.raises(ValidationError, match="déjà annulée"):
        merge.confirm(done.pk, by=user("coordination"))


def test_a_confirmed_merge_can_no_longer_be_undone() -> None:
    kept, other = two_files()
    done = merge.merge(kept, other, by=user("coordination"))
    merge.confirm(done.pk, by=user("coordination"))
    with pytest.raises(ValidationError, match="déjà confirmée"):
        merge.undo(done.pk, by=user("coordination"))


def test_the_same_ue_the_same_year_in_both_files_forbids_the_merge_and_changes_nothing() -> None:
    kept, other = two_files()
    enrolment = Enrolment.objects.get(learner=kept)
    Enrolment.objects.create(
        learner=other,
        academic_year=enrolment.academic_year,
        unit=enrolment.unit,
        establishment=melun(),
        funding="dap",
    )
    preview = merge.plan(kept, other)
    assert not preview.possible
    assert "dans les deux dossiers" in preview.conflicts[0]
    with pytest.raises(ValidationError):
        merge.merge(kept, other, by=user("coordination"))
    assert Enrolment.objects.filter(learner=other).count() == 1
    assert Learner.objects.get(pk=other.pk).status == Status.PLACED


def test_only_the_coordinations_merge() -> None:
    kept, other = two_files()
    with pytest.raises(PermissionDenied):
        merge.merge(kept, other, by=user("referent"))
    assert Certification.objects.filter(learner=kept).count() == 1


def test_the_merge_pages_preview_then_merge_and_the_merged_file_redirects(
    client_as: Callable[[User], Client],
) -> None:
    kept, other = two_files()
    client = client_as(user("coordination"))
    record = client.get(f"/apprenants/{kept.pk}/").content.decode()
    assert "Même nom et même date de naissance" in record
    assert f"/apprenants/{kept.pk}/fusionner/?other=MERGE-0002" in record
    preview = client.get(f"/apprenants/{kept.pk}/fusionner/?other=MERGE-0002").content.decode()
    assert "Ce que la fusion ferait" in preview
    assert "<li>1 candidature</li>" in preview
    answer = client.post(
        f"/apprenants/{kept.pk}/fusionner/", {"other": "MERGE-0002", "confirm": "MERGE-0002"}
    )
    assert answer.status_code == 302
    assert Learner.objects.get(pk=other.pk).merged_into == kept
    assert client.get(f"/apprenants/{other.pk}/")["Location"] == f"/apprenants/{kept.pk}/"
    page = client.get(f"/apprenants/{kept.pk}/").content.decode()
    assert "Fusion à confirmer" in page
    merge_id = LearnerMerge.objects.get().pk
    client.post(f"/apprenants/fusions/{merge_id}/annuler/")
    assert Learner.objects.get(pk=other.pk).merged_into is None


def test_a_merged_file_is_left_out_of_the_learner_list(
    client_as: Callable[[User], Client],
) -> None:
    kept, other = two_files()
    merge.merge(kept, other, by=user("coordination"))
    page = client_as(user("coordination")).get("/apprenants/").content.decode()
    assert f'href="/apprenants/{kept.pk}/"' in page
    assert f'href="/apprenants/{other.pk}/"' not in page


def test_every_trigger_survives_the_migrations() -> None:
    """SQLite rebuilds a table to add a constraint or a column with a database default,
    dropping its triggers: the search index's and every year stamp's must be there after the
    last migration."""
    import importlib

    from django.db import connection

    from tremplin.core import stamps as table_stamps

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters tables in place")
    stamps = importlib.import_module("tremplin.reporting.migrations.0001_year_stamps")
    referral_stamps = importlib.import_module("tremplin.reporting.migrations.0002_referral_stamps")
    # The year stamps no longer watch the referrals (reporting 0003), the interviews and the
    # placements (0004): the referral stamps and the follow-up stamps do.
    left = importlib.import_module("tremplin.reporting.migrations.0003_referrals_leave_year_stamps")
    followup = importlib.import_module("tremplin.reporting.migrations.0004_followup_stamps")
    gone = {left.TABLE, *followup.LEFT}
    counted = importlib.import_module("tremplin.learners.migrations.0013_table_stamps")
    referrals = importlib.import_module("tremplin.orientation.migrations.0008_table_stamps")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {name for (name,) in cursor.fetchall()}
    expected = (
        {
            "learner_search_insert",
            "learner_search_update",
            "learner_search_delete",
            "learners_learner_stamp_update",
        }
        | {
            f"{table}_stamp_{op.lower()}"
            for table in [*stamps.WATCHED, *stamps.EVERY_YEAR]
            for op in stamps.OPERATIONS
            if table not in gone
        }
        | {
            f"{table}_stamp_{op.lower()}{other.AFTER}"
            for other in (referral_stamps, followup)
            for table in other.WATCHED
            for op in stamps.OPERATIONS
        }
        | {  # the tables a learner list counts (core.stamps)
            table_stamps.trigger_name(table, op)
            for table in (*counted.STAMPED, referrals.TABLE)
            for op in table_stamps.OPERATIONS
        }
    )
    assert expected - names == set()
    assert {
        f"{table}_stamp_{op.lower()}" for table in gone for op in stamps.OPERATIONS
    } & names == set()


def test_the_same_formation_certified_in_both_files_forbids_the_merge() -> None:
    kept, other = two_files()
    certification = Certification.objects.get(learner=kept)
    Certification.objects.create(
        learner=other, formation=certification.formation, status="proposed"
    )
    preview = merge.plan(kept, other)
    assert not preview.possible
    assert "dans les deux dossiers" in preview.conflicts[0]
    Certification.objects.filter(learner=other).update(status="revoked")
    assert merge.plan(kept, other).possible  # a revoked one may sit beside the other


def test_the_api_names_the_file_a_merged_one_went_into(
    client_as: Callable[[User], Client],
) -> None:
    from tests.api.conftest import token_for

    kept, other = two_files()
    merge.merge(kept, other, by=user("coordination"))
    token = token_for(user("coordination"))
    client = Client(headers={"Authorization": f"Bearer {token}"})
    answer = client.get(f"/api/v1/learners/{other.pk}/").json()
    assert (answer["status"], answer["merged_into"]) == ("merged", "MERGE-0001")
    assert client.get(f"/api/v1/learners/{kept.pk}/").json()["merged_into"] is None


def test_a_merged_file_can_no_longer_be_edited_transferred_or_released(
    client_as: Callable[[User], Client],
) -> None:
    kept, other = two_files()
    merge.merge(kept, other, by=user("coordination"))
    client = client_as(user("coordination"))
    for action in ("modifier", "transfert", "liberation"):
        assert client.get(f"/apprenants/{other.pk}/{action}/").status_code == 404, action
        assert client.get(f"/apprenants/{kept.pk}/{action}/").status_code == 200, action
