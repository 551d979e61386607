"""The custody movements import: arrivals, transfers and releases applied through the same
services as the forms, all or nothing, idempotent, refused where they contradict the path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tremplin.accounts.models import User
from tremplin.core.csvimport import ImportRejected
from tremplin.core.models import DomainEvent
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.learners.movements import MovementImporter
from tremplin.learners.services import create_learner
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

HEADER = "Numéro d'écrou;Référence;Date;Mouvement;Depuis;Vers\n"
ARRIVED = date.today() - timedelta(days=100)


def day(days_ago: int) -> str:
    return f"{date.today() - timedelta(days=days_ago):%d/%m/%Y}"


def coordinator() -> User:
    return User.objects.get(username="coordination")


def detained(reference: str, numero: str, *, last_name: str = "Kerjean") -> Learner:
    return create_learner(
        by=coordinator(),
        placed_on=ARRIVED,
        numero_ecrou=numero,
        reference=reference,
        last_name=last_name,
        first_name="Yann",
        birth_date=date(1995, 7, 14),
        kind=Kind.DETAINED,
        establishment=Establishment.objects.get(label="CD MELUN"),
    )


def run(text: str, user: User | None = None) -> tuple[int, int]:
    report = MovementImporter(user or coordinator()).run((HEADER + text).encode())
    return report.created, report.unchanged


def test_a_transfer_found_by_its_numero_ecrou_is_applied_by_the_transfer_service() -> None:
    learner = detained("MV-0001", "45872")
    assert run(f"45872;;{day(10)};transfert;CD MELUN;CP FRESNES\n") == (1, 0)
    learner.refresh_from_db()
    assert learner.establishment.label == "CP FRESNES"
    last = learner.placements.order_by("date", "id").last()
    assert last is not None and (last.kind, last.establishment.label) == (
        "transfer",
        "CP FRESNES",
    )
    event = DomainEvent.objects.get(kind="learner.transferred")
    assert event.origin == "import"


def test_the_same_extract_imported_twice_changes_nothing_the_second_time() -> None:
    detained("MV-0001", "45872")
    rows = f"45872;;{day(10)};transfert;CD MELUN;CP FRESNES\n;MV-0001;{day(5)};libération;CP FRESNES;\n"
    assert run(rows) == (2, 0)
    assert run(rows) == (0, 2)
    assert Placement.objects.filter(learner__reference="MV-0001").count() == 3
    assert DomainEvent.objects.filter(kind="learner.released").count() == 1


def test_rows_are_applied_in_date_order_whatever_their_order_in_the_file() -> None:
    learner = detained("MV-0001", "45872")
    run(
        f";MV-0001;{day(3)};arrivée;;CP FRESNES\n"  # back in detention after the release
        f";MV-0001;{day(20)};libération;CD MELUN;\n"
    )
    learner.refresh_from_db()
    assert (learner.status, learner.establishment.label) == (Status.PLACED, "CP FRESNES")
    kinds = list(learner.placements.order_by("date", "id").values_list("kind", flat=True))
    assert kinds == ["arrival", "release", "arrival"]


def test_a_movement_that_contradicts_the_path_rejects_the_whole_file() -> None:
    detained("MV-0001", "45872")
    other = detained("MV-0002", "51000", last_name="Autre")
    with pytest.raises(ImportRejected) as info:
        run(
            f";MV-0002;{day(10)};transfert;CD MELUN;CP FRESNES\n"
            f";MV-0001;{day(10)};transfert;MA ST MALO;CP FRESNES\n"
        )
    (error,) = info.value.errors
    assert (error.line, error.column) == (3, "Depuis")
    assert "n'est pas à « MA ST MALO » mais à « CD MELUN »" in error.message
    other.refresh_from_db()
    assert other.establishment.label == "CD MELUN"  # the good row was not applied either


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (f"99999;;{day(1)};transfert;CD MELUN;CP FRESNES", "Numéro d'écrou", "inconnue"),
        (f";MV-0001;{day(1)};transfert;CD MELUN;", "Vers", "obligatoire pour un transfert"),
        (f";MV-0001;{day(1)};libération;CD MELUN;CP FRESNES", "Vers", "doit rester vide"),
        (f";MV-0001;{day(-2)};libération;CD MELUN;", "Date", "dans le futur"),
        (f";MV-0001;{day(200)};libération;CD MELUN;", "Date", "précède la dernière étape"),
        (f";MV-0001;{day(1)};arrivée;;CP FRESNES", "Mouvement", "déjà en détention"),
        (f";;{day(1)};libération;CD MELUN;", "Référence", "indiquez la référence"),
    ],
)
def test_each_bad_row_is_named_with_its_column_and_reason(
    row: str, column: str, message: str
) -> None:
    detained("MV-0001", "45872")
    with pytest.raises(ImportRejected) as info:
        run(row + "\n")
    assert [(e.column, message in e.message) for e in info.value.errors] == [(column, True)]
    assert Placement.objects.filter(learner__reference="MV-0001").count() == 1


def test_a_person_outside_the_users_scope_is_unknown_to_them() -> None:
    elsewhere = create_learner(
        by=coordinator(),
        placed_on=ARRIVED,
        reference="MV-0003",
        last_name="Loin",
        first_name="Paul",
        birth_date=date(1990, 1, 1),
        kind=Kind.DETAINED,
        establishment=Establishment.objects.get(label="MA ST MALO"),
    )
    with pytest.raises(ImportRejected, match="1 erreur"):
        run(f";MV-0003;{day(1)};libération;MA ST MALO;\n", User.objects.get(username="referent"))
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.PLACED
