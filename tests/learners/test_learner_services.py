"""The learners' services (create, transfer, release) and the scoped search."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.enrolment.models import Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.learners.selectors import LearnerFilters, search_learners
from tremplin.learners.services import create_learner, release, transfer
from tremplin.places.models import Commune, Disp, Establishment, MissionLocale

pytestmark = pytest.mark.django_db

MELUN = "CD MELUN"
FRESNES = "CP FRESNES"
ST_MALO = "MA ST MALO"  # DISP Rennes: outside the demo referent's scope
ML = "DEMO-ML-STMALO"


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def user(username: str) -> User:
    return User.objects.get(username=username)


def detained(
    reference: str,
    establishment: str = MELUN,
    *,
    last_name: str = "Durand",
    first_name: str = "Alice",
    on: date = date(2024, 9, 2),
) -> Learner:
    return create_learner(
        by=user("referent"),
        other_person=True,  # namesakes on purpose: the identity check is tested apart
        placed_on=on,
        reference=reference,
        last_name=last_name,
        first_name=first_name,
        birth_date=date(1990, 4, 12),
        kind=Kind.DETAINED,
        establishment=place(establishment),
    )


def refs(learners: QuerySet[Learner]) -> list[str]:
    """The references of the learners made by these tests, in the selector's order."""
    return [learner.reference for learner in learners if learner.reference.startswith("TS-")]


# ---------------------------------------------------------------------------------------------
# create_learner


def test_a_detained_learner_is_placed_with_an_arrival_at_their_establishment() -> None:
    learner = detained("TS-0001", on=date(2025, 1, 6))
    assert learner.status == Status.PLACED
    (arrival,) = learner.placements.all()
    assert arrival.kind == Placement.Kind.ARRIVAL
    assert arrival.date == date(2025, 1, 6)
    assert arrival.establishment == place(MELUN)
    assert arrival.recorded_by == user("referent")


def test_a_detained_learner_without_an_establishment_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        create_learner(
            by=user("referent"),
            reference="TS-0002",
            last_name="Sans",
            first_name="Lieu",
            birth_date=date(1990, 1, 1),
            kind=Kind.DETAINED,
        )
    assert info.value.message_dict == {
        "establishment": ["Une personne détenue a un établissement."]
    }
    assert not Learner.objects.filter(reference="TS-0002").exists()


def test_a_young_person_needs_a_mission_locale() -> None:
    with pytest.raises(ValidationError) as info:
        create_learner(
            by=user("conseil-ml"),
            reference="TS-0003",
            last_name="Le Goff",
            first_name="Erwan",
            birth_date=date(2006, 2, 1),
            kind=Kind.YOUTH,
        )
    assert info.value.message_dict == {
        "mission_locale": ["Un jeune est suivi par une mission locale."]
    }
    assert not Learner.objects.filter(reference="TS-0003").exists()


def test_a_young_person_with_a_mission_locale_is_followed_and_has_no_placement() -> None:
    learner = create_learner(
        by=user("conseil-ml"),
        reference="TS-0004",
        last_name="Le Goff",
        first_name="Erwan",
        birth_date=date(2006, 2, 1),
        kind=Kind.YOUTH,
        mission_locale=MissionLocale.objects.get(code=ML),
    )
    assert learner.status == Status.FOLLOWED
    assert learner.establishment is None
    assert not learner.placements.exists()


def test_a_young_person_with_an_establishment_is_refused() -> None:
    with pytest.raises(ValidationError):
        create_learner(
            by=user("coordination"),
            reference="TS-0005",
            last_name="Le Goff",
            first_name="Erwan",
            birth_date=date(2006, 2, 1),
            kind=Kind.YOUTH,
            mission_locale=MissionLocale.objects.get(code=ML),
            establishment=place(MELUN),
        )


# ---------------------------------------------------------------------------------------------
# transfer


def test_a_transfer_moves_the_learner_and_keeps_every_enrolment_result_and_interview() -> None:
    learner = detained("TS-0010", on=date(2024, 9, 2))
    validated = Enrolment.objects.create(
        learner=learner,
        academic_year="2024-2025",
        unit=TeachingUnit.objects.get(code="CCG101"),
        establishment=place(MELUN),
        result=Result.VALIDATED,
        grade=Decimal("13.5"),
    )
    pending = Enrolment.objects.create(
        learner=learner,
        academic_year="2025-2026",
        unit=TeachingUnit.objects.get(code="CCG102"),
        establishment=place(MELUN),
    )
    interview = Interview.objects.create(
        learner=learner, date=date(2025, 1, 10), kind="training_followup", referent=user("referent")
    )
    placement = transfer(learner, to=place(FRESNES), on=date(2025, 2, 3), by=user("referent"))

    assert placement.kind == Placement.Kind.TRANSFER
    assert placement.date == date(2025, 2, 3)
    assert placement.establishment == place(FRESNES)
    assert placement.recorded_by == user("referent")
    learner = Learner.objects.get(pk=learner.pk)
    assert learner.establishment == place(FRESNES)
    assert learner.status == Status.PLACED
    assert [p.kind for p in learner.placements.order_by("date", "id")] == ["arrival", "transfer"]
    # Everything stays with the person, and past enrolments keep the place where they were taken.
    assert set(learner.enrolments.all()) == {validated, pending}
    assert Enrolment.objects.get(pk=validated.pk).result == Result.VALIDATED
    assert Enrolment.objects.get(pk=validated.pk).grade == Decimal("13.5")
    assert Enrolment.objects.get(pk=validated.pk).establishment == place(MELUN)
    assert list(learner.interviews.all()) == [interview]


def test_a_transfer_to_the_same_establishment_is_refused() -> None:
    learner = detained("TS-0011")
    with pytest.raises(ValidationError) as info:
        transfer(learner, to=place(MELUN), on=date(2025, 2, 3), by=user("referent"))
    assert info.value.message_dict == {
        "establishment": ["La personne est déjà dans cet établissement."]
    }
    assert learner.placements.count() == 1


def test_a_transfer_dated_before_the_last_step_of_the_path_is_refused() -> None:
    learner = detained("TS-0012", on=date(2025, 3, 1))
    with pytest.raises(ValidationError) as info:
        transfer(learner, to=place(FRESNES), on=date(2025, 2, 28), by=user("referent"))
    assert info.value.message_dict == {
        "date": ["La date précède la dernière étape du parcours (01/03/2025)."]
    }
    learner = Learner.objects.get(pk=learner.pk)
    assert learner.establishment == place(MELUN)
    assert learner.placements.count() == 1


def test_a_transfer_on_the_day_of_the_last_step_is_accepted() -> None:
    learner = detained("TS-0013", on=date(2025, 3, 1))
    transfer(learner, to=place(FRESNES), on=date(2025, 3, 1), by=user("referent"))
    assert Learner.objects.get(pk=learner.pk).establishment == place(FRESNES)


def test_a_transfer_in_the_future_is_refused() -> None:
    learner = detained("TS-0014")
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        transfer(learner, to=place(FRESNES), on=tomorrow, by=user("referent"))
    assert info.value.message_dict == {"date": ["La date ne peut pas être dans le futur."]}
    assert Learner.objects.get(pk=learner.pk).establishment == place(MELUN)
    assert learner.placements.count() == 1


def test_a_released_learner_cannot_be_transferred() -> None:
    learner = detained("TS-0015", on=date(2024, 9, 2))
    release(learner, on=date(2025, 1, 15), commune=None, by=user("referent"))
    with pytest.raises(ValidationError) as info:
        transfer(learner, to=place(FRESNES), on=date(2025, 2, 1), by=user("referent"))
    assert info.value.messages == ["Seule une personne en détention peut être transférée."]
    learner = Learner.objects.get(pk=learner.pk)
    assert learner.establishment == place(MELUN)
    assert [p.kind for p in learner.placements.order_by("date", "id")] == ["arrival", "release"]


# ---------------------------------------------------------------------------------------------
# release


def test_a_release_keeps_the_last_establishment_and_stores_the_release_commune() -> None:
    learner = detained("TS-0020", on=date(2024, 9, 2))
    rennes = Commune.objects.get(code="35238")
    placement = release(learner, on=date(2025, 6, 30), commune=rennes, by=user("rle-melun"))
    assert placement.kind == Placement.Kind.RELEASE
    assert placement.date == date(2025, 6, 30)
    assert placement.establishment == place(MELUN)
    assert placement.release_commune == rennes
    assert placement.recorded_by == user("rle-melun")
    learner = Learner.objects.get(pk=learner.pk)
    assert learner.status == Status.RELEASED
    assert learner.establishment == place(MELUN)


def test_a_learner_cannot_be_released_twice() -> None:
    learner = detained("TS-0021", on=date(2024, 9, 2))
    release(learner, on=date(2025, 6, 30), commune=None, by=user("referent"))
    with pytest.raises(ValidationError) as info:
        release(learner, on=date(2025, 7, 1), commune=None, by=user("referent"))
    assert info.value.messages == ["Seule une personne en détention peut être libérée."]
    assert learner.placements.filter(kind=Placement.Kind.RELEASE).count() == 1


def test_a_release_dated_before_the_last_step_is_refused() -> None:
    learner = detained("TS-0022", on=date(2025, 3, 1))
    with pytest.raises(ValidationError, match="précède la dernière étape"):
        release(learner, on=date(2025, 1, 1), commune=None, by=user("referent"))
    assert Learner.objects.get(pk=learner.pk).status == Status.PLACED


# ---------------------------------------------------------------------------------------------
# search_learners


@pytest.fixture
def crowd(db: None) -> dict[str, Learner]:
    """Four detained learners in three establishments (one released) and a young person."""
    released = detained("TS-0103", MELUN, last_name="Dubreuil", first_name="Chloé")
    release(released, on=date(2025, 6, 30), commune=None, by=user("referent"))
    return {
        "melun": detained("TS-0101", MELUN, last_name="Durand", first_name="Alice"),
        "fresnes": detained("TS-0102", FRESNES, last_name="Dupont", first_name="Bruno"),
        "released": Learner.objects.get(pk=released.pk),
        "st_malo": detained("TS-0104", ST_MALO, last_name="Durieux", first_name="Denis"),
        "youth": create_learner(
            by=user("conseil-ml"),
            reference="TS-0105",
            last_name="Duval",
            first_name="Emma",
            birth_date=date(2006, 2, 1),
            kind=Kind.YOUTH,
            mission_locale=MissionLocale.objects.get(code=ML),
        ),
    }


def test_search_finds_learners_by_the_start_of_their_last_or_first_name(
    crowd: dict[str, Learner],
) -> None:
    coordinator = user("coordination")
    assert refs(search_learners(coordinator, LearnerFilters(q="dur"))) == ["TS-0101", "TS-0104"]
    assert refs(search_learners(coordinator, LearnerFilters(q="bru"))) == ["TS-0102"]
    assert refs(search_learners(coordinator, LearnerFilters(q="ALICE dur"))) == ["TS-0101"]
    # A prefix, not any substring.
    assert refs(search_learners(coordinator, LearnerFilters(q="rand"))) == []


def test_search_finds_a_learner_by_their_reference_or_its_beginning(
    crowd: dict[str, Learner],
) -> None:
    coordinator = user("coordination")
    assert refs(search_learners(coordinator, LearnerFilters(q="ts-0102"))) == ["TS-0102"]
    assert set(refs(search_learners(coordinator, LearnerFilters(q="TS-01")))) == set(
        refs(search_learners(coordinator, LearnerFilters(q="TS-010")))
    )
    assert refs(search_learners(coordinator, LearnerFilters(q="TS-02"))) == []


def test_search_filters_by_establishment_disp_and_status(crowd: dict[str, Learner]) -> None:
    coordinator = user("coordination")
    melun = LearnerFilters(establishment=place(MELUN).pk)
    assert refs(search_learners(coordinator, melun)) == ["TS-0103", "TS-0101"]
    paris = LearnerFilters(disp=Disp.objects.get(code="DISP PARIS").pk)
    assert refs(search_learners(coordinator, paris)) == ["TS-0103", "TS-0102", "TS-0101"]
    rennes = LearnerFilters(disp=Disp.objects.get(code="DISP RENNES").pk)
    assert refs(search_learners(coordinator, rennes)) == ["TS-0104"]
    released = LearnerFilters(status=Status.RELEASED)
    assert refs(search_learners(coordinator, released)) == ["TS-0103"]
    placed_in_melun = LearnerFilters(establishment=place(MELUN).pk, status=Status.PLACED)
    assert refs(search_learners(coordinator, placed_in_melun)) == ["TS-0101"]


def test_a_referent_never_finds_a_learner_outside_their_establishments(
    crowd: dict[str, Learner],
) -> None:
    referent = user("referent")
    assert refs(search_learners(referent, LearnerFilters())) == ["TS-0103", "TS-0102", "TS-0101"]
    assert refs(search_learners(referent, LearnerFilters(q="Durieux"))) == []
    assert refs(search_learners(referent, LearnerFilters(q="TS-0104"))) == []
    assert refs(search_learners(referent, LearnerFilters(q="Duval"))) == []
    outside = LearnerFilters(establishment=place(ST_MALO).pk)
    assert refs(search_learners(referent, outside)) == []
    rennes = LearnerFilters(disp=Disp.objects.get(code="DISP RENNES").pk)
    assert refs(search_learners(referent, rennes)) == []


def test_the_rle_finds_only_the_learners_of_their_establishment(
    crowd: dict[str, Learner],
) -> None:
    assert refs(search_learners(user("rle-melun"), LearnerFilters())) == ["TS-0103", "TS-0101"]


def test_a_mission_locale_counselor_finds_only_their_young_people(
    crowd: dict[str, Learner],
) -> None:
    assert refs(search_learners(user("conseil-ml"), LearnerFilters(q="du"))) == ["TS-0105"]


def test_roles_without_personal_data_find_nobody(crowd: dict[str, Learner]) -> None:
    for username in ("enseignant", "statistique", "centre-rennes"):
        assert refs(search_learners(user(username), LearnerFilters())) == []
