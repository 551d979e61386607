"""Émergence: the sessions of a cohort, their attendance, the participants and their outcomes,
who reads and changes them, the learner record's section and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.catalog.academic import academic_year_bounds, academic_year_of
from tremplin.core.models import AuditEvent
from tremplin.core.roles import Role
from tremplin.demo import emergence as demo
from tremplin.emergence import selectors, services
from tremplin.emergence.models import Attendance, Cohort, Participant, Session
from tremplin.learners.models import Kind, Learner
from tremplin.learners.services import create_learner, release, transfer
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

MELUN = "CD MELUN"
FRESNES = "CP FRESNES"
ST_MALO = "MA ST MALO"  # DISP Rennes: outside every Paris account
YEAR = "2024-2025"
ON_SITE = Session.Modality.ON_SITE


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def user(username: str) -> User:
    return User.objects.get(username=username)


def rle(label: str, username: str = "rle-test") -> User:
    account = User.objects.create_user(username=username, password="x", role=Role.RLE)
    account.establishments.set([place(label)])
    return account


def detained(reference: str, label: str = MELUN, *, last_name: str = "Durand") -> Learner:
    return create_learner(
        by=None,
        other_person=True,  # namesakes on purpose: the identity check is tested apart
        placed_on=date(2024, 3, 1),
        reference=reference,
        last_name=last_name,
        first_name="Alice",
        birth_date=date(1990, 4, 12),
        kind=Kind.DETAINED,
        establishment=place(label),
    )


def cohort(label: str = MELUN, year: str = YEAR) -> Cohort:
    start, _ = academic_year_bounds(year)
    return Cohort.objects.create(
        establishment=place(label),
        academic_year=year,
        start_date=start + timedelta(days=30),
        facilitator="Cnam Entrepreneurs",
    )


def session(group: Cohort, on: date, topic: str = "Le marché") -> Session:
    return services.save_session(group, on=on, modality=ON_SITE, topic=topic)


def audited(action: str, model: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, model=model).order_by("id"))


@pytest.fixture
def group() -> Cohort:
    """A Melun cohort of 2024-2025 with three participants and two sessions held."""
    found = cohort()
    for reference, name in (("EM-1", "Durand"), ("EM-2", "Bernard"), ("EM-3", "Carpentier")):
        services.add_participant(found, detained(reference, last_name=name))
    session(found, date(2024, 10, 7), "L'envie d'entreprendre")
    session(found, date(2024, 10, 21), "Le marché")
    return found


def participant(group: Cohort, reference: str) -> Participant:
    return Participant.objects.get(cohort=group, learner__reference=reference)


def sheet(
    group: Cohort, present: dict[str, bool], notes: dict[str, str] | None = None
) -> dict[str, str]:
    """The POST of the attendance sheet, lines in the page's order."""
    notes = notes or {}
    rows = list(
        group.participants.select_related("learner").order_by(
            "learner__last_name", "learner__first_name", "pk"
        )
    )
    data: dict[str, str] = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
    }
    for i, p in enumerate(rows):
        data[f"form-{i}-participant"] = str(p.pk)
        if present.get(p.learner.reference):
            data[f"form-{i}-present"] = "on"
        data[f"form-{i}-note"] = notes.get(p.learner.reference, "")
    return data


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def test_it_refuses_a_session_outside_the_cohort_year() -> None:
    found = cohort()
    with pytest.raises(ValidationError) as refused:
        session(found, date(2025, 9, 1))
    assert refused.value.message_dict["date"] == [
        "La séance doit avoir lieu pendant l'année universitaire 2024-2025 de la cohorte, "
        "du 1er septembre 2024 au 31 août 2025."
    ]
    with pytest.raises(ValidationError):
        session(found, date(2024, 8, 31))
    assert not Session.objects.exists()
    # The first and the last day of the year are inside it.
    session(found, date(2024, 9, 1))
    session(found, date(2025, 8, 31))
    assert found.sessions.count() == 2


def test_the_session_form_shows_the_year_error_in_french_and_creates_nothing(
    client_as: Callable[[User], Client],
) -> None:
    found = cohort()
    client = client_as(user("rle-melun"))
    response = client.post(
        reverse("emergence:session_create", args=[found.pk]),
        {"date": "2025-10-02", "modality": ON_SITE, "topic": "Le financement"},
    )
    assert response.status_code == 400
    assert "du 1er septembre 2024 au 31 août 2025" in response.content.decode()
    assert not Session.objects.exists()
    assert not audited("create", "emergence.Session")


def test_a_session_is_created_then_edited_from_the_cohort_page(
    client_as: Callable[[User], Client],
) -> None:
    found = cohort()
    client = client_as(user("rle-melun"))
    page = client.get(reverse("emergence:session_create", args=[found.pk]))
    assert page.status_code == 200
    assert 'value="Cnam Entrepreneurs"' in page.content.decode()  # the cohort's facilitator
    response = client.post(
        reverse("emergence:session_create", args=[found.pk]),
        {
            "date": "2024-11-04",
            "modality": Session.Modality.DISTANCE,
            "topic": "Le financement",
            "facilitator": "Mme Roux",
        },
    )
    assert response["Location"] == reverse("emergence:cohort", args=[found.pk])
    created = Session.objects.get()
    assert (created.date, created.modality, created.topic, created.facilitator) == (
        date(2024, 11, 4),
        Session.Modality.DISTANCE,
        "Le financement",
        "Mme Roux",
    )
    [event] = audited("create", "emergence.Session")
    assert event.object_id == str(created.pk) and event.username == "rle-melun"

    response = client.post(
        reverse("emergence:session_edit", args=[created.pk]),
        {"date": "2024-11-05", "modality": ON_SITE, "topic": "Le financement", "facilitator": ""},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.date, created.modality, created.facilitator) == (date(2024, 11, 5), ON_SITE, "")
    assert len(audited("update", "emergence.Session")) == 1
    # Moving it out of the year is refused.
    response = client.post(
        reverse("emergence:session_edit", args=[created.pk]),
        {"date": "2023-11-05", "modality": ON_SITE, "topic": "Le financement"},
    )
    assert response.status_code == 400
    created.refresh_from_db()
    assert created.date == date(2024, 11, 5)


# --------------------------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------------------------


def test_one_attendance_per_session_and_participant(group: Cohort) -> None:
    first = group.sessions.first()
    assert first is not None
    Attendance.objects.create(session=first, participant=participant(group, "EM-1"), present=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=first, participant=participant(group, "EM-1"))


def test_the_attendance_of_every_participant_is_recorded_in_one_form(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    first, second = group.sessions.order_by("date")
    client = client_as(user("referent"))
    url = reverse("emergence:attendance", args=[first.pk])
    page = client.get(url).content.decode()
    for name in ("DURAND", "BERNARD", "CARPENTIER"):
        assert name in page
    assert '<label class="fr-label" for="id_form-0-present">' in page
    assert "<caption>3 participants</caption>" in page

    response = client.post(url, sheet(group, {"EM-1": True, "EM-2": True}, {"EM-3": "Parloir"}))
    assert response["Location"] == reverse("emergence:cohort", args=[group.pk])
    lines = {a.participant.learner.reference: (a.present, a.note) for a in first.attendances.all()}
    assert lines == {"EM-1": (True, ""), "EM-2": (True, ""), "EM-3": (False, "Parloir")}
    [event] = audited("update", "emergence.Session")
    assert event.object_id == str(first.pk)
    assert event.summary == "émargement : 2 présent(s) sur 3"

    # Saving again corrects the lines, never duplicates them.
    client.post(url, sheet(group, {"EM-1": True, "EM-2": True, "EM-3": True}))
    assert first.attendances.count() == 3
    assert first.attendances.filter(present=True).count() == 3
    client.post(reverse("emergence:attendance", args=[second.pk]), sheet(group, {"EM-1": True}))

    rows = {
        r.participant.learner.reference: (r.attended, r.held, r.rate)
        for r in selectors.participant_rows(group, user("referent"), today=date(2026, 1, 1))
    }
    assert rows == {"EM-1": (2, 2, 100), "EM-2": (1, 2, 50), "EM-3": (1, 2, 50)}
    cohort_page = client.get(reverse("emergence:cohort", args=[group.pk])).content.decode()
    assert "50 %" in cohort_page and "100 %" in cohort_page


def test_a_stale_attendance_sheet_is_refused(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    first = group.sessions.order_by("date")[0]
    data = sheet(group, {"EM-1": True})
    services.add_participant(group, detained("EM-4", last_name="Aubert"))
    response = client_as(user("rle-melun")).post(
        reverse("emergence:attendance", args=[first.pk]), data
    )
    assert response.status_code == 409
    assert not Attendance.objects.exists()


def test_attendance_is_recorded_once_the_session_is_held_and_for_the_cohort_only(
    group: Cohort, client_as: Callable[[User], Client]
) -> None:
    held = group.sessions.order_by("date")[0]
    entry = services.AttendanceEntry(participant(group, "EM-1").pk, True)
    with pytest.raises(ValidationError, match="une fois la séance tenue"):
        services.record_attendance(held, [entry], today=held.date - timedelta(days=1))
    other = cohort(FRESNES)
    stranger = services.add_participant(other, detained("EM-9", FRESNES, last_name="Petit"))
    with pytest.raises(ValidationError, match="ne fait pas partie de la cohorte"):
        services.record_attendance(held, [services.AttendanceEntry(stranger.pk, True)])
    assert not Attendance.objects.exists()

    # A session of next year is not held yet: its sheet says so and has no form.
    start = int(academic_year_of(timezone.localdate())[:4]) + 1
    later = cohort(year=f"{start}-{start + 1}")
    planned = session(later, date(start, 10, 1))
    page = client_as(user("rle-melun")).get(reverse("emergence:attendance", args=[planned.pk]))
    assert page.status_code == 200
    assert "une fois la séance tenue" in page.content.decode()
    assert '<form method="post"' not in page.content.decode().split("<main", 1)[-1]


# --------------------------------------------------------------------------------------------
# Participants and outcomes
# --------------------------------------------------------------------------------------------


def test_a_participant_is_chosen_among_the_learners_detained_at_the_establishment(
    client_as: Callable[[User], Client],
) -> None:
    found = cohort()
    alice = detained("EM-10")
    elsewhere = detained("EM-11", FRESNES, last_name="Leroy")
    client = client_as(user("referent"))
    url = reverse("emergence:participant_add", args=[found.pk])
    page = client.get(url).content.decode()
    assert "DURAND Alice (EM-10)" in page
    assert "EM-11" not in page
    [listed] = audited("list", "learners.Learner")
    assert "candidats" in listed.summary

    assert client.post(url, {"learner": elsewhere.pk}).status_code == 400
    response = client.post(url, {"learner": alice.pk})
    assert response.status_code == 302
    added = Participant.objects.get(cohort=found)
    assert added.learner == alice
    assert not (added.project_presented or added.business_plan_written)
    [event] = audited("create", "emergence.Participant")
    assert event.object_id == str(added.pk)
    # Once in, the learner is no longer proposed; a second time is refused by the service.
    assert "EM-10" not in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="participe déjà"):
        services.add_participant(found, alice)
    with pytest.raises(ValidationError, match="n'est pas détenu"):
        services.add_participant(found, elsewhere)


def test_outcomes_are_recorded_per_participant(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    alice = participant(group, "EM-1")
    client = client_as(user("coord-paris"))
    url = reverse("emergence:outcomes", args=[alice.pk])
    assert client.get(url).status_code == 200
    assert audited("view", "emergence.Participant")[0].object_id == str(alice.pk)

    response = client.post(url, {"project_presented": "on", "business_plan_written": "on"})
    assert response["Location"] == reverse("emergence:cohort", args=[group.pk])
    alice.refresh_from_db()
    assert (
        alice.project_presented,
        alice.business_plan_written,
        alice.continued_after_release,
    ) == (True, True, False)
    [event] = audited("update", "emergence.Participant")
    assert event.summary == "résultats : projet présenté, plan d'affaires rédigé"

    # Continued after release: only once released.
    response = client.post(url, {"project_presented": "on", "continued_after_release": "on"})
    assert response.status_code == 400
    assert "personne libérée" in response.content.decode()
    alice.refresh_from_db()
    assert alice.business_plan_written and not alice.continued_after_release
    release(alice.learner, on=date(2025, 6, 1), commune=None, by=None)
    response = client.post(
        url,
        {"project_presented": "on", "business_plan_written": "on", "continued_after_release": "on"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.continued_after_release


# --------------------------------------------------------------------------------------------
# Who reads and changes
# --------------------------------------------------------------------------------------------


def pages_of(group: Cohort) -> list[str]:
    first = group.sessions.order_by("date")[0]
    return [
        reverse("emergence:cohort", args=[group.pk]),
        reverse("emergence:session_create", args=[group.pk]),
        reverse("emergence:participant_add", args=[group.pk]),
        reverse("emergence:session_edit", args=[first.pk]),
        reverse("emergence:attendance", args=[first.pk]),
        reverse("emergence:outcomes", args=[participant(group, "EM-1").pk]),
    ]


@pytest.mark.parametrize("username", ["coordination", "coord-paris", "referent", "rle-melun"])
def test_the_coordinators_the_referent_and_the_rle_read_and_write_the_cohort(
    client_as: Callable[[User], Client], group: Cohort, username: str
) -> None:
    client = client_as(user(username))
    for url in pages_of(group):
        assert client.get(url).status_code == 200, url
    assert (
        str(group.establishment.label) in client.get(reverse("emergence:cohorts")).content.decode()
    )
    response = client.post(
        reverse("emergence:session_create", args=[group.pk]),
        {"date": "2024-12-02", "modality": ON_SITE, "topic": "Les statuts"},
    )
    assert response.status_code == 302


def test_the_rle_of_another_establishment_gets_404(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    client = client_as(rle(FRESNES))
    for url in pages_of(group):
        assert client.get(url).status_code == 404, url
    first = group.sessions.order_by("date")[0]
    assert (
        client.post(reverse("emergence:attendance", args=[first.pk]), sheet(group, {})).status_code
        == 404
    )
    assert (
        client.post(
            reverse("emergence:outcomes", args=[participant(group, "EM-1").pk]),
            {"project_presented": "on"},
        ).status_code
        == 404
    )
    assert not Attendance.objects.exists()
    assert not Participant.objects.filter(project_presented=True).exists()
    assert MELUN not in client.get(reverse("emergence:cohorts")).content.decode()


def test_a_regional_coordinator_reads_only_the_cohorts_of_their_disps(
    client_as: Callable[[User], Client],
) -> None:
    far = cohort(ST_MALO)
    near = cohort()
    client = client_as(user("coord-paris"))
    assert client.get(reverse("emergence:cohort", args=[far.pk])).status_code == 404
    assert client.get(reverse("emergence:cohort", args=[near.pk])).status_code == 200
    assert list(selectors.visible_cohorts(user("coord-paris"))) == [near]
    assert set(selectors.visible_cohorts(user("coordination"))) == {far, near}


@pytest.mark.parametrize("username", ["enseignant", "statistique", "conseil-ml", "centre-rennes"])
def test_a_teacher_a_statistician_and_the_other_roles_cannot_read_emergence(
    client_as: Callable[[User], Client], group: Cohort, username: str
) -> None:
    client = client_as(user(username))
    assert client.get(reverse("emergence:cohorts")).status_code == 403
    for url in pages_of(group):
        assert client.get(url).status_code == 403, url
    assert not selectors.visible_cohorts(user(username)).exists()
    assert not Participant.permissions.readable(user(username), Participant.objects.all()).exists()
    assert not AuditEvent.objects.filter(model__startswith="emergence.").exists()


def test_the_cohort_list_filters_by_year_and_establishment(
    client_as: Callable[[User], Client],
) -> None:
    cohort(MELUN, "2023-2024")
    cohort(MELUN, YEAR)
    cohort(FRESNES, YEAR)
    client = client_as(user("referent"))
    everything = client.get(reverse("emergence:cohorts")).content.decode()
    assert "<caption>3 cohortes</caption>" in everything
    by_year = client.get(reverse("emergence:cohorts"), {"academic_year": YEAR}).content.decode()
    assert "<caption>2 cohortes</caption>" in by_year
    both = client.get(
        reverse("emergence:cohorts"),
        {"academic_year": YEAR, "establishment": str(place(FRESNES).pk)},
    ).content.decode()
    assert "<caption>1 cohorte</caption>" in both and FRESNES in both
    # An establishment outside the scope is not a choice.
    far = client.get(reverse("emergence:cohorts"), {"establishment": place(ST_MALO).pk})
    assert far.status_code == 400
    events = audited("list", "emergence.Cohort")
    assert [e.summary.split(",")[0] for e in events] == [
        "3 cohortes",
        "2 cohortes",
        "1 cohortes",
        "3 cohortes",
    ]


# --------------------------------------------------------------------------------------------
# The learner record and the audit log
# --------------------------------------------------------------------------------------------


def test_the_learner_record_shows_the_emergence_section(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    first, second = group.sessions.order_by("date")
    services.record_attendance(
        first, [services.AttendanceEntry(participant(group, "EM-1").pk, True)]
    )
    services.record_attendance(
        second, [services.AttendanceEntry(participant(group, "EM-1").pk, False, "Parloir")]
    )
    alice = participant(group, "EM-1")
    services.record_outcomes(
        alice, project_presented=True, business_plan_written=False, continued_after_release=False
    )
    client = client_as(user("referent"))
    page = client.get(reverse("learners:detail", args=[alice.learner_id])).content.decode()
    section = page.split('<h2 class="fr-mt-4w">Émergence</h2>', 1)[1].split("</table>", 1)[0]
    assert reverse("emergence:cohort", args=[group.pk]) in section
    assert MELUN in section and YEAR in section
    assert "1 / 2" in section
    assert [cell.split("<")[0] for cell in section.split("<td>")[-3:]] == ["Oui", "Non", "Non"]

    stranger = detained("EM-20", last_name="Masson")
    page = client.get(reverse("learners:detail", args=[stranger.pk])).content.decode()
    assert "Émergence</h2>" not in page


def test_the_record_keeps_the_participation_after_a_transfer(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    alice = participant(group, "EM-1")
    transfer(alice.learner, to=place(FRESNES), on=date(2025, 3, 1), by=None)
    fresnes = rle(FRESNES)
    # The new establishment's RLE reads the participation on the record, not the cohort.
    page = client_as(fresnes).get(reverse("learners:detail", args=[alice.learner_id]))
    section = page.content.decode().split("Émergence</h2>", 1)[1].split("</table>", 1)[0]
    assert MELUN in section
    assert reverse("emergence:cohort", args=[group.pk]) not in section
    assert client_as(fresnes).get(reverse("emergence:outcomes", args=[alice.pk])).status_code == 403
    # The cohort's RLE still sees the participant on the cohort page.
    cohort_page = client_as(user("rle-melun")).get(reverse("emergence:cohort", args=[group.pk]))
    assert "DURAND" in cohort_page.content.decode()


def test_every_read_and_write_of_the_pages_is_audited(
    client_as: Callable[[User], Client], group: Cohort
) -> None:
    client = client_as(user("rle-melun"))
    first = group.sessions.order_by("date")[0]
    alice = participant(group, "EM-1")
    AuditEvent.objects.all().delete()
    client.get(reverse("emergence:cohorts"))
    client.get(reverse("emergence:cohort", args=[group.pk]))
    client.get(reverse("emergence:attendance", args=[first.pk]))
    client.post(reverse("emergence:attendance", args=[first.pk]), sheet(group, {"EM-1": True}))
    client.get(reverse("emergence:outcomes", args=[alice.pk]))
    client.post(reverse("emergence:outcomes", args=[alice.pk]), {"project_presented": "on"})
    client.get(reverse("emergence:participant_add", args=[group.pk]))
    client.get(reverse("emergence:session_create", args=[group.pk]))
    events = [
        (e.action, e.model, e.object_id)
        for e in AuditEvent.objects.order_by("id")
        if e.username == "rle-melun"
    ]
    assert events == [
        ("list", "emergence.Cohort", ""),
        ("view", "emergence.Cohort", str(group.pk)),
        ("view", "emergence.Session", str(first.pk)),
        ("update", "emergence.Session", str(first.pk)),
        ("view", "emergence.Participant", str(alice.pk)),
        ("update", "emergence.Participant", str(alice.pk)),
        ("list", "learners.Learner", ""),
    ]
    assert all(e.ip == "127.0.0.1" for e in AuditEvent.objects.all())


# --------------------------------------------------------------------------------------------
# The demo
# --------------------------------------------------------------------------------------------


def test_the_demo_sessions_fall_within_the_cohort_years_and_do_not_move() -> None:
    sessions = demo.plan_sessions()
    assert len(sessions) == len(demo.COHORTS) * demo.SESSIONS_PER_COHORT
    for planned in sessions:
        start, end = academic_year_bounds(planned.cohort.year)
        assert planned.cohort.start <= planned.date <= end and start <= planned.date
    assert {s.modality for s in sessions} == set(Session.Modality.values)
    participants = demo.plan({plan.establishment: ("75056",) for plan in demo.COHORTS})
    first = demo.plan_attendance(participants, sessions)
    assert first == demo.plan_attendance(participants, sessions)
    assert len(first) == demo.SESSIONS_PER_COHORT * sum(p.participants for p in demo.COHORTS)
    assert 0.6 < sum(a.present for a in first) / len(first) < 0.95
    assert all(a.note == "" for a in first if a.present)


def test_the_demo_loads_sessions_and_attendance_once() -> None:
    lines = demo.load_emergence()
    assert "80 séances" in lines[0]
    total = sum(plan.participants for plan in demo.COHORTS)
    assert Session.objects.count() == len(demo.COHORTS) * demo.SESSIONS_PER_COHORT
    assert Attendance.objects.count() == total * demo.SESSIONS_PER_COHORT
    window = Participant.objects.filter(
        cohort__academic_year__in=["2017-2018", "2018-2019", "2019-2020"]
    )
    assert window.count() == 51
    before = (Session.objects.count(), Attendance.objects.count())
    again = demo.load_emergence()
    assert len(again) == 1 and "rien n'a changé" in again[0]
    assert (Session.objects.count(), Attendance.objects.count()) == before
