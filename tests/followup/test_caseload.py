"""Interviews and a referent's caseload with its alerts. The caseload is computed for an explicit
`today`, so that these tests never depend on the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.enrolment.models import Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.followup.selectors import CaseloadRow, caseload
from tremplin.followup.services import record_interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.places.models import Establishment, MissionLocale

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)  # academic year 2025-2026
YEAR = "2025-2026"


def user(username: str) -> User:
    return User.objects.get(username=username)


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def person(
    reference: str,
    last_name: str,
    establishment: str = "CD MELUN",
    *,
    status: str = Status.PLACED,
    arrived: date = date(2025, 9, 1),
) -> Learner:
    learner = Learner.objects.create(
        reference=reference,
        last_name=last_name,
        first_name="Léa",
        birth_date=date(1994, 3, 7),
        kind=Kind.DETAINED,
        status=status,
        establishment=place(establishment),
    )
    Placement.objects.create(
        learner=learner, kind="arrival", date=arrived, establishment=place(establishment)
    )
    return learner


def pending(learner: Learner, code: str = "CCG101", year: str = YEAR) -> Enrolment:
    return Enrolment.objects.create(
        learner=learner,
        academic_year=year,
        unit=TeachingUnit.objects.get(code=code),
        establishment=learner.establishment,
    )


def interview(learner: Learner, days_before: int, today: date = TODAY) -> Interview:
    return Interview.objects.create(
        learner=learner,
        date=today - timedelta(days=days_before),
        kind="training_followup",
        referent=user("referent"),
    )


def transferred(learner: Learner, to: str, days_before: int, today: date = TODAY) -> None:
    Placement.objects.create(
        learner=learner,
        kind="transfer",
        date=today - timedelta(days=days_before),
        establishment=place(to),
    )
    learner.establishment = place(to)
    learner.save()


def rows_by_reference(rows: list[CaseloadRow]) -> dict[str, CaseloadRow]:
    return {row.learner.reference: row for row in rows if row.learner.reference.startswith("CL-")}


def alerts_of(username: str, today: date = TODAY) -> dict[str, list[str]]:
    return {
        ref: row.alerts
        for ref, row in rows_by_reference(caseload(user(username), today=today)).items()
    }


# ---------------------------------------------------------------------------------------------
# record_interview


def test_an_interview_is_recorded_by_its_referent() -> None:
    learner = person("CL-0001", "Abel")
    on = date.today()
    recorded = record_interview(
        learner,
        on=on,
        kind=Interview.Kind.INFORMATION_ORIENTATION,
        by=user("referent"),
        duration_minutes=45,
        notes="Projet : DGC.",
        next_steps="Candidature à déposer.",
    )
    saved = Interview.objects.get(pk=recorded.pk)
    assert (saved.learner, saved.date, saved.kind, saved.referent) == (
        learner,
        on,
        "information_orientation",
        user("referent"),
    )
    assert (saved.duration_minutes, saved.notes, saved.next_steps) == (
        45,
        "Projet : DGC.",
        "Candidature à déposer.",
    )


def test_an_interview_in_the_future_is_refused() -> None:
    learner = person("CL-0002", "Blanc")
    with pytest.raises(ValidationError) as info:
        record_interview(
            learner,
            on=date.today() + timedelta(days=1),
            kind=Interview.Kind.TRAINING_FOLLOWUP,
            by=user("referent"),
        )
    assert info.value.message_dict == {
        "date": ["Un entretien se saisit une fois mené : pas de date future."]
    }
    assert not learner.interviews.exists()


def test_an_interview_before_the_persons_birth_is_refused() -> None:
    learner = person("CL-0003", "Colin")
    with pytest.raises(ValidationError, match="précède la naissance"):
        record_interview(
            learner, on=date(1990, 1, 1), kind=Interview.Kind.TRAINING_FOLLOWUP, by=user("referent")
        )
    assert not learner.interviews.exists()


@pytest.mark.parametrize(("kind", "minutes"), [("visite", 30), ("training_followup", 2)])
def test_an_interview_of_an_unknown_kind_or_an_improbable_duration_is_refused(
    kind: str, minutes: int
) -> None:
    learner = person("CL-0004", "Dumas")
    with pytest.raises(ValidationError):
        record_interview(
            learner, on=date.today(), kind=kind, by=user("referent"), duration_minutes=minutes
        )
    assert not learner.interviews.exists()


def test_a_future_interview_posted_on_the_page_is_refused_on_its_field(
    client_as: Callable[[User], Client],
) -> None:
    learner = person("CL-0005", "Ernst")
    tomorrow = date.today() + timedelta(days=1)
    response = client_as(user("referent")).post(
        reverse("followup:interview_create", args=[learner.pk]),
        {"date": tomorrow.isoformat(), "kind": "training_followup"},
    )
    assert response.status_code == 400
    assert "pas de date future" in response.content.decode()
    assert not learner.interviews.exists()


# ---------------------------------------------------------------------------------------------
# Alerts


def test_a_learner_without_an_interview_for_more_than_sixty_days_raises_an_alert() -> None:
    stale = person("CL-0010", "Abel")
    pending(stale)
    interview(stale, days_before=61)
    assert alerts_of("referent") == {
        "CL-0010": ["Pas d'entretien depuis plus de 60 jours (dernier entretien le 13/01/2026)."]
    }


def test_an_interview_sixty_days_ago_or_less_raises_no_alert() -> None:
    boundary, recent = person("CL-0011", "Abel"), person("CL-0012", "Blanc")
    pending(boundary)
    pending(recent)
    interview(boundary, days_before=60)
    interview(recent, days_before=3)
    # An older interview does not matter: the last one counts.
    interview(recent, days_before=200)
    assert alerts_of("referent") == {"CL-0011": [], "CL-0012": []}


def test_a_learner_never_interviewed_raises_an_alert() -> None:
    pending(person("CL-0013", "Abel"))
    assert alerts_of("referent") == {
        "CL-0013": ["Pas d'entretien depuis plus de 60 jours (aucun entretien)."]
    }


def test_a_transfer_in_within_thirty_days_raises_an_alert_even_without_training() -> None:
    newcomer = person("CL-0020", "Abel")
    interview(newcomer, days_before=5)
    transferred(newcomer, "CP FRESNES", days_before=30)
    assert alerts_of("referent") == {"CL-0020": ["Arrivé(e) par transfert à CP FRESNES."]}


def test_a_transfer_older_than_thirty_days_is_no_longer_news() -> None:
    settled = person("CL-0021", "Abel")
    interview(settled, days_before=5)
    transferred(settled, "CP FRESNES", days_before=31)
    assert alerts_of("referent") == {}  # not in training, not just arrived: not in the caseload
    pending(settled)
    assert alerts_of("referent") == {"CL-0021": []}


def test_a_released_learner_with_pending_enrolments_raises_an_alert() -> None:
    released = person("CL-0030", "Abel", status=Status.RELEASED)
    pending(released)
    interview(released, days_before=10)
    assert alerts_of("referent") == {
        "CL-0030": ["Libéré(e) avec une formation en cours : à confier à un centre Cnam."]
    }


def test_a_released_learner_whose_enrolments_are_over_is_not_in_the_caseload() -> None:
    released = person("CL-0031", "Abel", status=Status.RELEASED)
    Enrolment.objects.create(
        learner=released,
        academic_year=YEAR,
        unit=TeachingUnit.objects.get(code="CCG101"),
        result=Result.ABANDONED,
        abandon_reason="release",
    )
    assert alerts_of("referent") == {}


def test_alerts_add_up_and_the_most_urgent_rows_come_first() -> None:
    calm = person("CL-0040", "Abel")
    pending(calm)
    interview(calm, days_before=1)
    busy = person("CL-0041", "Zola", status=Status.RELEASED)
    pending(busy)
    pending(busy, "CCG102")
    transferred(busy, "CP FRESNES", days_before=2)
    rows = [
        r for r in caseload(user("referent"), today=TODAY) if r.learner.reference.startswith("CL-")
    ]
    assert [r.learner.reference for r in rows] == ["CL-0041", "CL-0040"]
    assert len(rows[0].alerts) == 3
    assert rows[0].pending_units == 2
    assert (rows[1].pending_units, rows[1].last_interview) == (1, TODAY - timedelta(days=1))


def test_only_this_academic_years_pending_enrolments_put_a_learner_in_the_caseload() -> None:
    last_year = person("CL-0050", "Abel")
    pending(last_year, year="2024-2025")
    done = person("CL-0051", "Blanc")
    Enrolment.objects.create(
        learner=done,
        academic_year=YEAR,
        unit=TeachingUnit.objects.get(code="CCG101"),
        result=Result.VALIDATED,
        grade=12,
    )
    assert alerts_of("referent") == {}
    # The same data seen from September 2024 puts the first learner back in the caseload.
    assert set(alerts_of("referent", today=date(2024, 10, 1))) == {"CL-0050"}


# ---------------------------------------------------------------------------------------------
# Scope


@pytest.fixture
def spread(db: None) -> None:
    """Learners in training in three places: Melun and Fresnes (DISP Paris), Saint-Malo (DISP
    Rennes), and a young person of the demo mission locale."""
    pending(person("CL-0060", "Abel", "CD MELUN"))
    pending(person("CL-0061", "Blanc", "CP FRESNES"))
    pending(person("CL-0062", "Colin", "MA ST MALO"))
    youth = Learner.objects.create(
        reference="CL-0063",
        last_name="Dumas",
        first_name="Erwan",
        birth_date=date(2006, 2, 1),
        kind=Kind.YOUTH,
        status=Status.FOLLOWED,
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-STMALO"),
    )
    pending(youth)


def test_the_referent_sees_only_the_learners_of_their_establishments(spread: None) -> None:
    assert set(alerts_of("referent")) == {"CL-0060", "CL-0061"}


def test_the_rle_sees_only_their_establishment(spread: None) -> None:
    assert set(alerts_of("rle-melun")) == {"CL-0060"}


def test_the_national_coordinator_sees_everyone(spread: None) -> None:
    assert set(alerts_of("coordination")) == {"CL-0060", "CL-0061", "CL-0062", "CL-0063"}


def test_the_mission_locale_counselor_sees_only_their_young_people(spread: None) -> None:
    assert set(alerts_of("conseil-ml")) == {"CL-0063"}


def test_a_learner_transferred_out_of_the_scope_leaves_the_referents_caseload(
    spread: None,
) -> None:
    gone = Learner.objects.get(reference="CL-0060")
    transferred(gone, "MA ST MALO", days_before=3)
    assert set(alerts_of("referent")) == {"CL-0061"}


def test_the_caseload_page_lists_the_referents_learners_and_is_audited(
    client_as: Callable[[User], Client],
) -> None:
    # The page reads the clock: the enrolments are of the current academic year.
    year = academic_year_of(date.today())
    inside = person("CL-0070", "Abel")
    pending(inside, year=year)
    outside = person("CL-0071", "Outremer", "MA ST MALO")
    pending(outside, year=year)
    response = client_as(user("referent")).get(reverse("followup:caseload"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("learners:detail", args=[inside.pk]) in page
    assert "Pas d&#x27;entretien depuis plus de 60 jours (aucun entretien)." in page
    assert reverse("learners:detail", args=[outside.pk]) not in page
    assert "OUTREMER" not in page
    event = AuditEvent.objects.get(action="list", model="followup.Interview")
    assert event.username == "referent"


@pytest.mark.parametrize("username", ["enseignant", "statistique", "centre-rennes"])
def test_roles_without_personal_data_cannot_open_the_caseload(
    client_as: Callable[[User], Client], username: str
) -> None:
    assert client_as(user(username)).get(reverse("followup:caseload")).status_code == 403
