"""Registering a young person, sending a referral, and the referral's pipeline: who may make
each move, what each move records, the illegal moves, the optimistic lock and the reminders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.learners.models import Kind, Learner, Status
from tremplin.orientation.models import (
    CentreOffer,
    CloseReason,
    Referral,
    ReferralEvent,
    YouthProfile,
)
from tremplin.orientation.services import (
    TRANSITIONS,
    allowed_referral_moves,
    move_referral,
    reminders,
    send_referral,
)
from tremplin.places.models import MissionLocale

from .conftest import YoungPersonFactory, at, commune, years_ago

pytestmark = pytest.mark.django_db

S = Referral.Status
SENT_ON = date(2026, 3, 2)


def fresh(referral: Referral) -> Referral:
    """Read the referral again (the status field is protected: no refresh_from_db)."""
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def referral(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], counselor: User
) -> Referral:
    return send_referral(
        young(),
        offer=offers["rennes"],
        message="Projet en comptabilité.",
        by=counselor,
        now=at(SENT_ON),
    )


# ---------------------------------------------------------------------------------------------
# The young person


def test_a_young_person_is_a_learner_followed_by_the_mission_locale_with_a_profile(
    young: YoungPersonFactory, counselor: User
) -> None:
    learner = young(sectors=[], available_from=date(2027, 1, 4))

    assert learner.kind == Kind.YOUTH
    assert learner.status == Status.FOLLOWED
    assert learner.mission_locale == MissionLocale.objects.get(code="DEMO-ML-STMALO")
    profile = YouthProfile.objects.get(learner=learner)
    assert profile.commune.name == "Saint-Malo"
    assert profile.max_distance_km == 80
    assert profile.created_by == counselor


@pytest.mark.parametrize(("age", "days"), [(15, 0), (26, 0), (27, -10)])
def test_a_young_person_out_of_16_to_25_is_refused_with_their_age(
    young: YoungPersonFactory, age: int, days: int
) -> None:
    with pytest.raises(ValidationError) as error:
        young(birth_date=years_ago(age, days=days))

    assert error.value.message_dict == {
        "birth_date": [f"Le jeune doit avoir entre 16 et 25 ans (ici {age} ans)."]
    }
    assert not Learner.objects.filter(reference__startswith="TJ-").exists()


@pytest.mark.parametrize("age", [16, 25])
def test_16_and_25_are_accepted(young: YoungPersonFactory, age: int) -> None:
    assert young(birth_date=years_ago(age)).pk


def test_a_maximum_distance_is_required_to_travel_and_ignored_otherwise(
    young: YoungPersonFactory,
) -> None:
    with pytest.raises(ValidationError) as error:
        young(can_travel=True, max_distance_km=None)
    assert "max_distance_km" in error.value.message_dict

    stays = young(can_travel=False, max_distance_km=40)
    assert YouthProfile.objects.get(learner=stays).max_distance_km is None


def test_a_counselor_registers_young_people_only_for_their_mission_locale(
    young: YoungPersonFactory, rennes_counselor: User
) -> None:
    with pytest.raises(PermissionDenied):
        young(by=rennes_counselor)


# ---------------------------------------------------------------------------------------------
# Sending


def test_a_referral_stores_the_offer_the_distance_the_town_size_and_a_first_step(
    referral: Referral, counselor: User
) -> None:
    assert referral.status == S.SENT
    assert referral.mission_locale.code == "DEMO-ML-STMALO"
    assert referral.centre.code == "DEMO-BRE"
    assert referral.formation.code == "CPN58"
    assert referral.modality == "on_site"
    assert referral.distance_km == Decimal("62.8")
    assert referral.size_class == "large"
    assert referral.sent_at == at(SENT_ON)
    assert referral.first_contact_at is None
    assert referral.created_by == counselor
    events = list(referral.events.all())
    assert [(e.from_status, e.to_status, e.by) for e in events] == [("", S.SENT, counselor)]


def test_the_distance_is_unknown_when_the_young_persons_commune_has_no_coordinates(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], counselor: User
) -> None:
    learner = young(commune=commune("98818"))

    sent = send_referral(learner, offer=offers["paris_distance"], message="", by=counselor)

    assert sent.distance_km is None
    assert sent.size_class == "large"


def test_a_second_live_referral_to_the_same_offer_is_refused(
    referral: Referral, offers: dict[str, CentreOffer], counselor: User
) -> None:
    with pytest.raises(ValidationError) as error:
        send_referral(referral.learner, offer=offers["rennes"], message="", by=counselor)

    assert "a déjà une orientation en cours" in error.value.messages[0]
    assert "envoyée le 02/03/2026" in error.value.messages[0]
    assert Referral.objects.filter(learner=referral.learner).count() == 1


def test_after_a_close_the_same_offer_may_be_proposed_again(
    referral: Referral, offers: dict[str, CentreOffer], counselor: User
) -> None:
    move_referral(referral, "close", by=counselor, reason=CloseReason.OTHER_PATH)

    again = send_referral(referral.learner, offer=offers["rennes"], message="", by=counselor)

    assert again.pk != referral.pk
    assert again.status == S.SENT


def test_the_age_is_checked_again_on_the_sending_date(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], counselor: User
) -> None:
    learner = young(birth_date=years_ago(25, days=-200))
    later = timezone.now() + timedelta(days=400)

    with pytest.raises(ValidationError) as error:
        send_referral(learner, offer=offers["rennes"], message="", by=counselor, now=later)

    assert error.value.messages == [
        "Le jeune doit avoir entre 16 et 25 ans à la date de l'orientation (ici 26 ans)."
    ]


def test_a_counselor_never_sends_for_another_mission_locales_young_person(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], rennes_counselor: User
) -> None:
    with pytest.raises(PermissionDenied):
        send_referral(young(), offer=offers["rennes"], message="", by=rennes_counselor)


def test_centre_staff_do_not_send_referrals(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], staff: User
) -> None:
    with pytest.raises(PermissionDenied):
        send_referral(young(), offer=offers["rennes"], message="", by=staff)


def test_only_a_young_person_with_a_profile_is_referred(
    offers: dict[str, CentreOffer], counselor: User
) -> None:
    bare = Learner.objects.create(
        reference="TJ-BARE",
        last_name="Sans",
        first_name="Profil",
        birth_date=years_ago(20),
        kind=Kind.YOUTH,
        status=Status.FOLLOWED,
        mission_locale=counselor.mission_locale,
    )

    with pytest.raises(ValidationError) as error:
        send_referral(bare, offer=offers["rennes"], message="", by=counselor)

    assert "profil d'orientation" in error.value.messages[0]


# ---------------------------------------------------------------------------------------------
# The pipeline


def test_the_centre_contacts_meets_and_enrols_and_every_step_is_recorded(
    referral: Referral, staff: User
) -> None:
    contacted = move_referral(
        referral, "contact", by=staff, note="Appel", now=at(SENT_ON + timedelta(days=3))
    )
    met = move_referral(contacted, "meet", by=staff, now=at(SENT_ON + timedelta(days=10)))
    enrolled = move_referral(met, "enrol", by=staff, now=at(SENT_ON + timedelta(days=20)))

    stored = fresh(enrolled)
    assert stored.status == S.ENROLLED
    assert stored.version == 4
    assert stored.first_contact_at == at(SENT_ON + timedelta(days=3))
    assert stored.first_contact_days == 3
    assert stored.updated_at == at(SENT_ON + timedelta(days=20))
    steps = [(e.from_status, e.to_status, e.by, e.note) for e in stored.events.all()]
    assert steps[1:] == [
        (S.SENT, S.CONTACTED, staff, "Appel"),
        (S.CONTACTED, S.INFORMATION_MEETING, staff, ""),
        (S.INFORMATION_MEETING, S.ENROLLED, staff, ""),
    ]


def test_enrolment_may_follow_the_contact_directly(referral: Referral, staff: User) -> None:
    contacted = move_referral(referral, "contact", by=staff)
    assert move_referral(contacted, "enrol", by=staff).status == S.ENROLLED


@pytest.mark.parametrize("status_path", [[], ["contact"], ["contact", "meet"]])
def test_a_referral_is_closed_with_a_reason_from_any_live_status(
    referral: Referral, staff: User, status_path: list[str]
) -> None:
    current = referral
    for name in status_path:
        current = move_referral(current, name, by=staff)

    closed = move_referral(
        current, "close", by=staff, reason=CloseReason.CENTRE_FULL, note="Complet"
    )

    stored = fresh(closed)
    assert stored.status == S.CLOSED
    assert stored.close_reason == CloseReason.CENTRE_FULL
    assert stored.events.last().note == "Complet"  # type: ignore[union-attr]


def test_closing_straight_from_sent_is_not_a_first_contact(
    referral: Referral, counselor: User
) -> None:
    closed = move_referral(referral, "close", by=counselor, reason=CloseReason.NO_ANSWER)

    assert fresh(closed).first_contact_at is None
    assert fresh(closed).first_contact_days is None


def test_a_close_needs_a_reason_among_the_close_reasons(referral: Referral, staff: User) -> None:
    for reason in ("", "parce que"):
        with pytest.raises(ValidationError) as error:
            move_referral(referral, "close", by=staff, reason=reason)
        assert "reason" in error.value.message_dict
    assert fresh(referral).status == S.SENT


@pytest.mark.parametrize(
    ("path", "name", "message"),
    [
        ([], "enrol", "Impossible de passer de « Envoyée » à « Inscrit »."),
        ([], "meet", "Impossible de passer de « Envoyée » à « Réunion d'information »."),
        (
            ["contact"],
            "contact",
            "Impossible de passer de « Jeune contacté par le centre » à « Jeune contacté par le centre ».",
        ),
        (["contact", "enrol"], "close", "Impossible de passer de « Inscrit » à « Close »."),
        (
            ["close"],
            "contact",
            "Impossible de passer de « Close » à « Jeune contacté par le centre ».",
        ),
        (["close"], "enrol", "Impossible de passer de « Close » à « Inscrit »."),
        (["close"], "close", "Impossible de passer de « Close » à « Close »."),
    ],
)
def test_an_illegal_move_is_refused_and_changes_nothing(
    referral: Referral, staff: User, path: list[str], name: str, message: str
) -> None:
    current = referral
    for step in path:
        current = move_referral(current, step, by=staff, reason=CloseReason.NO_ANSWER)
    before = fresh(current)
    events = ReferralEvent.objects.filter(referral=referral).count()

    with pytest.raises(ValidationError) as error:
        move_referral(current, name, by=staff, reason=CloseReason.NO_ANSWER)

    assert error.value.messages == [message]
    after = fresh(current)
    assert (after.status, after.version, after.updated_at) == (
        before.status,
        before.version,
        before.updated_at,
    )
    assert ReferralEvent.objects.filter(referral=referral).count() == events


def test_an_unknown_move_is_refused(referral: Referral, staff: User) -> None:
    with pytest.raises(ValidationError):
        move_referral(referral, "publish", by=staff)


def test_a_counselor_may_close_but_never_mark_contacted_met_or_enrolled(
    referral: Referral, counselor: User, staff: User
) -> None:
    for name in ("contact",):
        with pytest.raises(PermissionDenied) as error:
            move_referral(referral, name, by=counselor)
        assert "Votre rôle ne permet pas de : marquer le jeune comme contacté." in str(error.value)
    contacted = move_referral(referral, "contact", by=staff)
    for name in ("meet", "enrol"):
        with pytest.raises(PermissionDenied):
            move_referral(contacted, name, by=counselor)

    assert [m.name for m in allowed_referral_moves(contacted, counselor)] == ["close"]
    assert [m.name for m in allowed_referral_moves(contacted, staff)] == ["meet", "enrol", "close"]
    assert (
        fresh(move_referral(contacted, "close", by=counselor, reason=CloseReason.OTHER_PATH)).status
        == S.CLOSED
    )


def test_the_moves_are_data(db: None) -> None:
    assert list(TRANSITIONS) == ["contact", "meet", "enrol", "close"]
    assert TRANSITIONS["close"].needs_reason
    assert "ml_counselor" in TRANSITIONS["close"].roles
    assert "ml_counselor" not in TRANSITIONS["contact"].roles
    assert "centre_staff" in TRANSITIONS["enrol"].roles
    assert "national_coordinator" in TRANSITIONS["meet"].roles


def test_a_coordinator_makes_every_move(referral: Referral, coordinator: User) -> None:
    moved = move_referral(referral, "contact", by=coordinator)
    assert moved.status == S.CONTACTED


def test_a_stale_version_is_refused(referral: Referral, staff: User) -> None:
    seen = referral.version
    move_referral(referral, "contact", by=staff, version=seen)

    with pytest.raises(ValidationError) as error:
        move_referral(referral, "meet", by=staff, version=seen)

    assert "modifiée entre-temps" in error.value.messages[0]
    assert fresh(referral).status == S.CONTACTED


def test_another_centres_staff_cannot_move_the_referral(
    referral: Referral, vitre_staff: User
) -> None:
    with pytest.raises(PermissionDenied) as error:
        move_referral(referral, "contact", by=vitre_staff)
    assert "périmètre" in str(error.value)
    assert allowed_referral_moves(referral, vitre_staff) == []


def test_another_mission_locales_counselor_cannot_close_it(
    referral: Referral, rennes_counselor: User
) -> None:
    with pytest.raises(PermissionDenied):
        move_referral(referral, "close", by=rennes_counselor, reason=CloseReason.NO_ANSWER)


def test_the_callers_instance_is_left_as_it_was(referral: Referral, staff: User) -> None:
    moved = move_referral(referral, "contact", by=staff)
    assert referral.status == S.SENT
    assert moved.status == S.CONTACTED


# ---------------------------------------------------------------------------------------------
# Reminders


def test_a_referral_still_sent_more_than_15_days_later_is_a_reminder(
    referral: Referral, counselor: User, staff: User
) -> None:
    assert list(reminders(counselor, today=SENT_ON + timedelta(days=15))) == []
    assert list(reminders(counselor, today=SENT_ON + timedelta(days=16))) == [referral]
    assert list(reminders(staff, today=SENT_ON + timedelta(days=16))) == [referral]

    move_referral(referral, "contact", by=staff, now=at(SENT_ON + timedelta(days=20)))
    assert list(reminders(staff, today=SENT_ON + timedelta(days=30))) == []


def test_reminders_stay_within_the_users_scope(
    referral: Referral, rennes_counselor: User, vitre_staff: User, statistician: User
) -> None:
    later = SENT_ON + timedelta(days=40)
    for user in (rennes_counselor, vitre_staff, statistician):
        assert list(reminders(user, today=later)) == []


def test_the_reminders_page_counts_its_reminders_once(
    referral: Referral, counselor: User, client_as: Any
) -> None:
    """Filtered on « à relancer » without a search, the list is the reminders the banner
    counts: one count for both."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(counselor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/orientation/", {"status": "reminder"}).content.decode()
    assert "1 orientation sans premier contact après 15 jours" in page
    assert f'href="/orientation/{referral.pk}/"' in page
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "core_table" not in q["sql"]  # not the stamps' read
    ]
    assert len(counts) == 1
    # Searched, the list and the banner differ: each is counted.
    page = client.get("/orientation/", {"status": "reminder", "q": "zzz"}).content.decode()
    assert "1 orientation sans premier contact après 15 jours" in page
    assert "Aucune orientation ne correspond à « zzz »" in page
