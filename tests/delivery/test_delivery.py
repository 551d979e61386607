"""Distance teaching in detention: course material, exams, the hand-over on release and the
abandonments by cause."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from geopy.distance import geodesic
from pypdf import PdfReader

from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core.roles import Role
from tremplin.delivery import documents, exams, selectors, services
from tremplin.delivery.models import Delivery, ExamRegistration, HandOver
from tremplin.delivery.models import MaterialPackage as Package
from tremplin.enrolment.models import AbandonReason, Enrolment, Result
from tremplin.learners.models import Kind, Learner
from tremplin.learners.services import create_learner, release, transfer
from tremplin.places.models import CnamCentre, Commune, Establishment
from tremplin.reporting.bilan import compute_bilan
from tremplin.reporting.tables import bilan_tables, mask_tables

pytestmark = pytest.mark.django_db

MELUN = "CD MELUN"
FRESNES = "CP FRESNES"
REAU = "CP SUD FRANCILIEN REAU"


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def user(username: str) -> User:
    return User.objects.get(username=username)


def today() -> date:
    return timezone.localdate()


def year_of(day: date) -> str:
    return exams.academic_year_of(day)


def detained(reference: str, label: str = MELUN, *, last_name: str = "Durand") -> Learner:
    return create_learner(
        by=user("referent"),
        other_person=True,  # namesakes on purpose: the identity check is tested apart
        placed_on=today() - timedelta(days=200),
        reference=reference,
        last_name=last_name,
        first_name="Alice",
        birth_date=date(1990, 4, 12),
        kind=Kind.DETAINED,
        establishment=place(label),
    )


def enrol(learner: Learner, code: str, result: str = Result.PENDING, **extra: object) -> Enrolment:
    return Enrolment.objects.create(
        learner=learner,
        academic_year=extra.pop("year", year_of(today())),  # type: ignore[arg-type]
        unit=TeachingUnit.objects.get(code=code),
        establishment=learner.establishment,
        result=result,
        **extra,  # type: ignore[arg-type]
    )


def packages(code: str) -> dict[str, Package]:
    unit = TeachingUnit.objects.get(code=code)
    return {
        kind: Package.objects.create(unit=unit, title=f"{label} {code}", kind=kind, position=i)
        for i, (kind, label) in enumerate(Package.Kind.choices)
    }


def rle(label: str, username: str = "rle-test") -> User:
    account = User.objects.create_user(username=username, password="x", role=Role.RLE)
    account.establishments.set([place(label)])
    return account


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


# --------------------------------------------------------------------------------------------
# Material tracking
# --------------------------------------------------------------------------------------------


def test_material_is_sent_handed_out_and_assignments_come_back_graded() -> None:
    alice, bruno = detained("TD-1"), detained("TD-2", last_name="Bernard")
    other = detained("TD-3", FRESNES)
    for learner in (alice, bruno, other):
        enrol(learner, "CCG101")
    kit = packages("CCG101")
    melun = place(MELUN)
    referent = user("referent")

    sent = services.send_packages(
        melun,
        TeachingUnit.objects.get(code="CCG101"),
        [kit["booklet"], kit["assignment"]],
        on=today() - timedelta(days=10),
        by=referent,
    )
    assert len(sent) == 4  # two learners at Melun, two packages; Fresnes untouched
    assert {d.enrolment.learner.reference for d in sent} == {"TD-1", "TD-2"}
    # Sending again creates nothing.
    again = services.send_packages(
        melun, kit["booklet"].unit, [kit["booklet"]], on=today(), by=referent
    )
    assert again == []

    assert selectors.waiting_handout(referent, melun).count() == 4
    assert selectors.waiting_handout(referent, place(FRESNES)).count() == 0
    assignment = Delivery.objects.get(enrolment__learner=alice, package=kit["assignment"])
    with pytest.raises(ValidationError):  # not handed out yet
        services.record_return(assignment, on=today(), grade=Decimal(12), feedback="", by=referent)
    services.mark_handed(assignment, on=today() - timedelta(days=5), by=referent)
    with pytest.raises(ValidationError):
        services.mark_handed(assignment, on=today(), by=referent)
    assert selectors.waiting_handout(referent, melun).count() == 3
    assert list(selectors.awaited_returns(referent, melun)) == [assignment]

    with pytest.raises(ValidationError):
        services.record_return(assignment, on=today(), grade=Decimal(21), feedback="", by=referent)
    booklet = Delivery.objects.get(enrolment__learner=alice, package=kit["booklet"])
    services.mark_handed(booklet, on=today(), by=referent)
    with pytest.raises(ValidationError):  # only an assignment comes back
        services.record_return(booklet, on=today(), grade=None, feedback="", by=referent)

    services.record_return(
        assignment, on=today(), grade=Decimal("13.5"), feedback="Bon travail.", by=referent
    )
    assignment.refresh_from_db()
    assert (assignment.returned_on, assignment.grade, assignment.feedback) == (
        today(),
        Decimal("13.5"),
        "Bon travail.",
    )
    assert selectors.awaited_returns(referent, melun).count() == 0


def test_pending_material_follows_a_transfer_and_is_flagged() -> None:
    alice = detained("TD-4")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    services.send_packages(
        place(MELUN), kit["booklet"].unit, [kit["booklet"]], on=today() - timedelta(days=3), by=None
    )
    transfer(alice, to=place(FRESNES), on=today(), by=user("referent"))

    coordinator = user("coordination")
    assert selectors.waiting_handout(coordinator, place(MELUN)).count() == 0
    moved = list(selectors.waiting_handout(coordinator, place(FRESNES)))
    assert len(moved) == 1 and moved[0].follows_transfer
    assert moved[0].sent_to.label == MELUN
    # The RLE of the new establishment sees it; so does the RLE who sent it.
    assert Delivery.permissions.readable(rle(FRESNES), Delivery.objects.all()).count() == 1
    assert Delivery.permissions.readable(user("rle-melun"), Delivery.objects.all()).count() == 1


def test_the_material_page_lists_and_records_per_establishment(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("TD-5")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    client = client_as(user("rle-melun"))
    melun = place(MELUN)
    # An RLE with one establishment goes straight to its page.
    assert client.get(reverse("delivery:index"))["Location"] == reverse(
        "delivery:establishment", args=[melun.pk]
    )
    response = client.post(
        reverse("delivery:send", args=[melun.pk]),
        {
            "packages": [kit["booklet"].pk, kit["assignment"].pk],
            "date": today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Delivery.objects.filter(enrolment__learner=alice).count() == 2
    page = client.get(reverse("delivery:establishment", args=[melun.pk])).content.decode()
    assert "Supports à remettre" in page and "Livret imprimé CCG101" in page
    assignment = Delivery.objects.get(package=kit["assignment"])
    client.post(reverse("delivery:handed", args=[assignment.pk]), {"date": today().isoformat()})
    client.post(
        reverse("delivery:returned", args=[assignment.pk]),
        {"date": today().isoformat(), "grade": "14", "feedback": "Très bien"},
    )
    assignment.refresh_from_db()
    assert assignment.grade == Decimal(14) and assignment.returned_on == today()


def test_sending_material_lists_each_ues_packages_by_their_ue_and_sends_several_ues_at_once(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("TD-6")
    other = (
        TeachingUnit.objects.filter(modality__in=["distance", "hybrid"])
        .exclude(code="CCG101")
        .order_by("code")
        .first()
    )
    assert other is not None
    enrol(alice, "CCG101")
    enrol(alice, other.code)
    first, second = packages("CCG101"), packages(other.code)
    client = client_as(user("rle-melun"))
    melun = place(MELUN)
    page = client.get(reverse("delivery:establishment", args=[melun.pk])).content.decode()
    # no UE to choose apart from the packages: each package carries its UE's code
    assert 'name="unit"' not in page
    assert "CCG101 — Livret imprimé CCG101" in page
    assert f"{other.code} — Livret imprimé {other.code}" in page
    response = client.post(
        reverse("delivery:send", args=[melun.pk]),
        {
            "packages": [first["booklet"].pk, second["booklet"].pk],
            "date": today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert set(
        Delivery.objects.filter(enrolment__learner=alice).values_list(
            "package__unit__code", flat=True
        )
    ) == {"CCG101", other.code}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 remise(s) de supports enregistrée(s)."
    ]


def test_sending_the_packages_of_a_ue_nobody_there_follows_sends_nothing_at_all(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("TD-7")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    stray = Package.objects.create(
        unit=TeachingUnit.objects.exclude(code="CCG101").order_by("code").first(),
        title="Livret égaré",
        kind=Package.Kind.BOOKLET,
        position=0,
    )
    melun = place(MELUN)
    client_as(user("rle-melun")).post(
        reverse("delivery:send", args=[melun.pk]),
        {"packages": [kit["booklet"].pk, stray.pk], "date": today().isoformat()},
    )
    assert not Delivery.objects.filter(enrolment__learner=alice).exists()


# --------------------------------------------------------------------------------------------
# Exams
# --------------------------------------------------------------------------------------------


def test_a_session_registers_the_pending_enrolments_of_the_establishment() -> None:
    alice, bruno = detained("TX-1"), detained("TX-2", last_name="Bernard")
    enrol(alice, "CCG101")
    enrol(bruno, "CCG101", Result.VALIDATED)  # done: not a candidate
    enrol(detained("TX-3", FRESNES), "CCG101")  # elsewhere
    session = exams.create_session(
        place(MELUN),
        starts_at=at(today() + timedelta(days=10)),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    assert [r.enrolment.learner.reference for r in session.registrations.all()] == ["TX-1"]


def test_a_transfer_before_the_session_moves_the_registration_or_flags_it() -> None:
    alice, bruno = detained("TX-4"), detained("TX-5", last_name="Bernard")
    for learner in (alice, bruno):
        enrol(learner, "CCG101")
    enrol(alice, "CCG102")
    day = today() + timedelta(days=20)
    melun_session = exams.create_session(
        place(MELUN),
        starts_at=at(day),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code__in=["CCG101", "CCG102"]),
    )
    fresnes_session = exams.create_session(
        place(FRESNES),
        starts_at=at(day + timedelta(days=10), 14),
        room="Salle B",
        invigilator="Mme Roy",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    assert melun_session.registrations.count() == 3

    transfer(alice, to=place(FRESNES), on=today(), by=user("referent"))

    moved = ExamRegistration.objects.get(enrolment__learner=alice, enrolment__unit__code="CCG101")
    assert moved.session == fresnes_session
    assert "Suit un transfert" in moved.flag
    flagged = ExamRegistration.objects.get(enrolment__learner=alice, enrolment__unit__code="CCG102")
    assert flagged.session == melun_session  # no session of CCG102 at Fresnes
    assert "aucune session de CCG102" in flagged.flag and FRESNES in flagged.flag
    untouched = ExamRegistration.objects.get(enrolment__learner=bruno)
    assert untouched.session == melun_session and untouched.flag == ""

    # Beyond 14 days, the session of the new establishment does not take the candidate.
    carla = detained("TX-6")
    enrol(carla, "CCG101")
    exams.create_session(
        place(MELUN),
        starts_at=at(day - timedelta(days=15)),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    transfer(carla, to=place(FRESNES), on=today(), by=user("referent"))
    late = ExamRegistration.objects.get(enrolment__learner=carla)
    assert late.session.establishment.label == MELUN
    assert "aucune session de CCG101" in late.flag


def test_convocation_and_attendance_sheet_print_the_accommodations() -> None:
    alice = detained("TX-7", last_name="Lambert")
    enrol(alice, "CCG101")
    session = exams.create_session(
        place(MELUN),
        starts_at=at(date(2026, 12, 9)),
        room="Salle d'enseignement 2",
        invigilator="Mme Lefort",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    registration = session.registrations.get()
    exams.update_accommodation(
        registration, accommodation="Sujet en gros caractères", extra_time_minutes=60
    )
    candidates = selectors.session_candidates(session)
    attendance = pdf_text(documents.attendance_pdf(session, candidates))
    for expected in (
        "Feuille d’émargement",
        "LAMBERT",
        "TX-7",
        "CCG101",
        "Sujet en gros",
        "+60 min",
    ):
        assert expected in attendance, expected
    assert "Signature" in attendance
    convocation = pdf_text(documents.convocation_pdf(session, candidates[0]))
    for expected in (
        "Convocation",
        "LAMBERT",
        "9 décembre 2026",
        "Salle d'enseignement 2",
        "60 minutes",
    ):
        assert expected in convocation, expected


# --------------------------------------------------------------------------------------------
# Hand-over on release
# --------------------------------------------------------------------------------------------


def test_a_release_with_training_in_progress_hands_over_to_the_nearest_centre() -> None:
    alice = detained("TH-1")
    enrol(alice, "CCG101")
    enrol(alice, "CCG102", Result.VALIDATED, grade=Decimal(12), year="2024-2025")
    vitre = Commune.objects.get(code="35360")
    placement = release(alice, on=today(), commune=vitre, by=user("referent"))

    hand_over = HandOver.objects.get(placement=placement)
    distances = {
        c.code: geodesic(
            (vitre.latitude, vitre.longitude), (c.commune.latitude, c.commune.longitude)
        ).km
        for c in CnamCentre.objects.select_related("commune")
    }
    nearest = min(distances, key=lambda code: distances[code])
    assert hand_over.centre.code == nearest == "DEMO-BRE-VITRE"
    assert float(hand_over.distance_km) == pytest.approx(distances[nearest], abs=0.1)
    assert hand_over.status == HandOver.Status.PENDING
    # Idempotent.
    assert services.hand_over(placement) == hand_over

    # From Rennes, Cnam Bretagne (Rennes) is nearer than Vitré (about 34 km away).
    bruno = detained("TH-2", last_name="Bernard")
    enrol(bruno, "CCG101")
    rennes = release(bruno, on=today(), commune=Commune.objects.get(code="35238"), by=None)
    assert HandOver.objects.get(placement=rennes).centre.code == "DEMO-BRE"

    passport = pdf_text(documents.passport_pdf(hand_over, alice))
    for expected in ("Passeport formation", "DURAND", "CCG102", "CCG101", "Cnam Bretagne"):
        assert expected in passport, expected
    assert "détention" not in passport.lower()


def test_the_passport_lists_only_the_formation_the_learner_follows_not_every_one_sharing_a_ue() -> (
    None
):
    from tremplin.catalog.models import Formation
    from tremplin.enrolment.models import Application, Funding

    alice = detained("TH-9")
    enrol(alice, "CCV005")  # in both CPN71 and DIE3300
    Application.objects.create(
        learner=alice,
        academic_year=year_of(today()),
        formation=Formation.objects.get(code="DIE3300"),
        funding=Funding.DAP,
    )
    passport = pdf_text(documents.passport_pdf(None, alice))
    assert "DIE3300" in passport
    assert "CPN71" not in passport

    bruno = detained("TH-10", last_name="Bernard")
    enrol(bruno, "CCV005")  # no application, no credit yet: nothing is "in progress"
    assert "Aucune formation en cours" in pdf_text(documents.passport_pdf(None, bruno))


def test_a_release_without_training_in_progress_hands_over_nothing() -> None:
    alice = detained("TH-3")
    enrol(alice, "CCG101", Result.VALIDATED, grade=Decimal(15))
    release(alice, on=today(), commune=Commune.objects.get(code="35238"), by=None)
    assert not HandOver.objects.filter(learner=alice).exists()


def test_centre_staff_see_and_record_only_their_hand_overs(
    client_as: Callable[[User], Client],
) -> None:
    alice, bruno = detained("TH-4"), detained("TH-5", last_name="Bernard")
    for learner in (alice, bruno):
        enrol(learner, "CCG101")
    release(alice, on=today(), commune=Commune.objects.get(code="35238"), by=None)  # Rennes
    release(bruno, on=today(), commune=Commune.objects.get(code="77288"), by=None)  # Melun
    mine = HandOver.objects.get(learner=alice)
    theirs = HandOver.objects.get(learner=bruno)
    assert mine.centre.code == "DEMO-BRE" and theirs.centre.code != "DEMO-BRE"

    client = client_as(user("centre-rennes"))
    listing = client.get(reverse("delivery:handovers")).content.decode()
    assert "TH-4" not in listing  # the reference is not shown, the name is
    assert "DURAND" in listing and "BERNARD" not in listing
    assert client.get(reverse("delivery:handover", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("delivery:passport", args=[bruno.pk])).status_code == 404
    response = client.post(
        reverse("delivery:handover", args=[mine.pk]),
        {"status": "continued", "note": "Inscrit au Cnam Bretagne en janvier."},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == HandOver.Status.CONTINUED and mine.recorded_by == user("centre-rennes")
    assert client.get(reverse("delivery:passport", args=[alice.pk]))["Content-Type"] == (
        "application/pdf"
    )

    # The learner's referent reads the hand-over but does not record its outcome.
    referent = client_as(user("referent"))
    assert referent.get(reverse("delivery:handover", args=[mine.pk])).status_code == 200
    assert (
        referent.post(reverse("delivery:handover", args=[mine.pk]), {"status": "continued"})
    ).status_code == 403
    record = referent.get(reverse("learners:detail", args=[alice.pk])).content.decode()
    assert "Passeport formation (PDF)" in record and "Reprise de formation" in record


def test_a_learner_s_record_reads_as_many_queries_for_three_ues_as_for_one(
    client_as: Callable[[User], Client],
) -> None:
    """Material, exams and enrolments are read in one query each, whatever their number (no
    query per row: a row's UE, package, establishment and session come with it)."""
    alice = detained("TQ-1")
    melun = place(MELUN)
    client = client_as(user("coordination"))

    def add_unit(code: str) -> None:
        enrol(alice, code)
        kit = packages(code)
        services.send_packages(melun, kit["booklet"].unit, list(kit.values()), on=today(), by=None)
        exams.create_session(
            melun,
            starts_at=at(today() + timedelta(days=10)),
            room="Salle 2",
            invigilator="M. Petit",
            units=TeachingUnit.objects.filter(code=code),
        )

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("learners:detail", args=[alice.pk])).content.decode()
        return len(captured), page

    add_unit("CCG101")
    queries()  # the first page of a session reads what the next ones keep (catalogue, session)
    one, page = queries()
    assert "CCG101" in page
    add_unit("CCG102")
    add_unit("CCG103")
    three, page = queries()
    assert all(code in page for code in ("CCG101", "CCG102", "CCG103"))
    assert Delivery.objects.filter(enrolment__learner=alice).count() == 3 * len(Package.Kind)
    assert ExamRegistration.objects.filter(enrolment__learner=alice).count() == 3
    assert three == one


# --------------------------------------------------------------------------------------------
# Permissions and PDFs over HTTP
# --------------------------------------------------------------------------------------------


def test_an_rle_of_another_establishment_gets_404(client_as: Callable[[User], Client]) -> None:
    alice = detained("TP-1")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    melun = place(MELUN)
    services.send_packages(melun, kit["booklet"].unit, [kit["booklet"]], on=today(), by=None)
    session = exams.create_session(
        melun,
        starts_at=at(today() + timedelta(days=5)),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    delivery = Delivery.objects.get()
    client = client_as(rle(FRESNES))
    for url in (
        reverse("delivery:establishment", args=[melun.pk]),
        reverse("delivery:slip", args=[melun.pk]),
        reverse("delivery:session", args=[session.pk]),
        reverse("delivery:attendance", args=[session.pk]),
        reverse("delivery:convocation", args=[session.pk, alice.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("delivery:handed", args=[delivery.pk]), {"date": today().isoformat()}
        ).status_code
        == 404
    )
    delivery.refresh_from_db()
    assert delivery.handed_on is None
    # Roles without logistics are refused the pages.
    assert client_as(user("statistique")).get(reverse("delivery:index")).status_code == 403


def test_the_pdfs_over_http(client_as: Callable[[User], Client]) -> None:
    alice = detained("TP-2", last_name="Moreau")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    melun = place(MELUN)
    services.send_packages(
        melun, kit["booklet"].unit, [kit["booklet"], kit["media"]], on=today(), by=None
    )
    session = exams.create_session(
        melun,
        starts_at=at(today() + timedelta(days=5)),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code="CCG101"),
    )
    client = client_as(user("rle-melun"))
    slip = client.get(reverse("delivery:slip", args=[melun.pk]), {"semaine": today().isoformat()})
    text = pdf_text(slip.content)
    for expected in ("Bordereau de remise", "MOREAU", "TP-2", "Livret imprimé CCG101", "Signature"):
        assert expected in text, expected
    # A week before the sending: nothing to hand out yet.
    earlier = client.get(
        reverse("delivery:slip", args=[melun.pk]),
        {"semaine": (today() - timedelta(days=7)).isoformat()},
    )
    assert "Aucun support à remettre" in pdf_text(earlier.content)
    page = client.get(reverse("delivery:session", args=[session.pk])).content.decode()
    assert "MOREAU" in page
    assert "MOREAU" in pdf_text(
        client.get(reverse("delivery:convocation", args=[session.pk, alice.pk])).content
    )
    assert "MOREAU" in pdf_text(
        client.get(reverse("delivery:attendance", args=[session.pk])).content
    )


# --------------------------------------------------------------------------------------------
# Bilan
# --------------------------------------------------------------------------------------------


def test_the_bilan_counts_abandonments_by_cause(client_as: Callable[[User], Client]) -> None:
    year = "2024-2025"
    a, b, c = detained("TB-1"), detained("TB-2"), detained("TB-3", FRESNES)
    enrol(a, "CCG101", Result.ABANDONED, abandon_reason=AbandonReason.TRANSFER, year=year)
    enrol(a, "CCG102", Result.ABANDONED, abandon_reason=AbandonReason.TRANSFER, year=year)
    enrol(b, "CCG101", Result.ABANDONED, abandon_reason=AbandonReason.RELEASE, year=year)
    enrol(c, "CCG101", Result.ABANDONED, year=year)  # no cause: "other"
    enrol(c, "CCG102", Result.VALIDATED, grade=Decimal(12), year=year)

    tables = bilan_tables(compute_bilan(year))
    rows = {r.cause: (r.enrolments, r.learners) for r in tables.abandonments_by_cause}
    assert rows == {"transfer": (2, 1), "release": (1, 1), "other": (1, 1)}
    melun = bilan_tables(compute_bilan(year, establishment=MELUN))
    assert {r.cause: r.enrolments for r in melun.abandonments_by_cause} == {
        "transfer": 2,
        "release": 1,
        "other": 0,
    }
    assert [s.name for s in tables.sheets()].count("Abandons par cause") == 1
    assert {r.learners for r in mask_tables(tables).abandonments_by_cause} == {"< 5"}
    assert "abandon" not in str(compute_bilan(year).as_dict()).lower()

    page = client_as(user("coordination")).get(reverse("reporting:dashboard"), {"year": year})
    assert "Abandons par cause" in page.content.decode()
