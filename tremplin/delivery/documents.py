"""Printed documents of the distance teaching in detention: the weekly delivery slip of an
establishment, the exam convocations and attendance sheet, and the "passeport formation" a
released learner takes to the Cnam centre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from tremplin.core.pdf import render_pdf
from tremplin.enrolment.certifications import french_number, learner_paths, validated_units
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.places.models import Establishment

from .models import Delivery, ExamSession, HandOver
from .selectors import Candidate, week_of


def delivery_slip_pdf(establishment: Establishment, deliveries: list[Delivery], day: date) -> bytes:
    monday, sunday = week_of(day)
    return render_pdf(
        "delivery/pdf/slip.html",
        {
            "establishment": establishment,
            "deliveries": deliveries,
            "monday": monday,
            "sunday": sunday,
            "issued_on": timezone.localdate(),
        },
    )


def _session_context(session: ExamSession) -> dict[str, object]:
    return {
        "session": session,
        "starts_at": timezone.localtime(session.starts_at),
        "units": list(session.units.order_by("code")),
        "issued_on": timezone.localdate(),
    }


def convocation_pdf(session: ExamSession, candidate: Candidate) -> bytes:
    return render_pdf(
        "delivery/pdf/convocation.html",
        {**_session_context(session), "candidate": candidate},
    )


def attendance_pdf(session: ExamSession, candidates: list[Candidate]) -> bytes:
    return render_pdf(
        "delivery/pdf/attendance.html",
        {**_session_context(session), "candidates": candidates},
    )


def passport_pdf(hand_over: HandOver | None, learner: object) -> bytes:
    """The "passeport formation": validated UEs, certifications, the formations in progress and
    what remains, the pending UEs, and the contact of the Cnam centre."""
    from tremplin.learners.models import Learner

    assert isinstance(learner, Learner)
    validated = (
        Enrolment.objects.filter(learner=learner, result=Result.VALIDATED)
        .select_related("unit")
        .order_by("academic_year", "unit__code")
    )
    pending = (
        Enrolment.objects.filter(learner=learner, result=Result.PENDING)
        .select_related("unit")
        .order_by("unit__code")
    )
    certifications = (
        Certification.objects.filter(learner=learner, status=Certification.Status.AWARDED)
        .select_related("formation")
        .order_by("awarded_on")
    )
    paths = [p for p in learner_paths(learner) if p.certification is None or not p.progress.met]
    return render_pdf(
        "delivery/pdf/passport.html",
        {
            "learner": learner,
            "validated": list(validated),
            "credits": french_number(sum(validated_units(learner).values(), Decimal(0))),
            "pending": list(pending),
            "certifications": list(certifications),
            "paths": paths,
            "hand_over": hand_over,
            "issued_on": timezone.localdate(),
        },
    )
