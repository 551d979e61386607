"""Official documents in PDF: a learner's transcript and the attestation of an awarded
certification.

They travel with the person: neither says anything about detention, nor where a UE was taken,
only the academic year, the UE and its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from django.utils import timezone

from tremplin.core.pdf import render_pdf
from tremplin.core.registry import provided
from tremplin.learners.models import Learner

from .certifications import french_number, progress_for, validated_units
from .models import Certification, Enrolment, Result

SIGNATORY = "Le Conservatoire national des arts et métiers"


@dataclass(frozen=True)
class Line:
    code: str
    title: str
    ects: str
    result: str
    grade: str
    validated: bool
    year: str = ""


@dataclass(frozen=True)
class YearBlock:
    year: str
    lines: list[Line]
    credits: str


def grade_label(grade: Decimal | None) -> str:
    return "—" if grade is None else f"{french_number(grade)}/20"


def _line(enrolment: Enrolment) -> Line:
    return Line(
        code=enrolment.unit.code,
        title=enrolment.unit.title,
        ects=french_number(enrolment.unit.ects),
        result=enrolment.get_result_display(),
        grade=grade_label(enrolment.grade),
        validated=enrolment.result == Result.VALIDATED,
        year=enrolment.academic_year,
    )


def transcript_pdf(learner: Learner, *, issued_on: date | None = None) -> bytes:
    """The "Relevé de notes": every enrolment but the cancelled ones, per academic year, the
    credits validated and the certifications awarded."""
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .exclude(result=Result.CANCELLED)
        .select_related("unit")
        .order_by("academic_year", "unit__code")
    )
    years = []
    for year, rows in groupby(enrolments, key=lambda e: e.academic_year):
        items = list(rows)
        year_credits = sum((e.unit.ects for e in items if e.result == Result.VALIDATED), Decimal(0))
        years.append(
            YearBlock(
                year=year, lines=[_line(e) for e in items], credits=french_number(year_credits)
            )
        )
    validated = validated_units(learner)
    certifications = (
        Certification.objects.filter(learner=learner, status=Certification.Status.AWARDED)
        .select_related("formation")
        .order_by("awarded_on", "number")
    )
    return render_pdf(
        "enrolment/pdf/transcript.html",
        {
            "learner": learner,
            "years": years,
            "validated_count": len(validated),
            "total_credits": french_number(sum(validated.values(), Decimal(0))),
            "certifications": list(certifications),
            "issued_on": issued_on or timezone.localdate(),
            "signatory": SIGNATORY,
        },
    )


def counted_lines(certification: Certification) -> list[Line]:
    """The UEs that count towards the certification's formation, with the year and the grade of
    their (latest) validation."""
    progress = progress_for(certification)
    latest: dict[str, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(
            learner_id=certification.learner_id,
            result=Result.VALIDATED,
            unit__code__in=progress.counted,
        )
        .select_related("unit")
        .order_by("academic_year", "pk")
    ):
        latest[enrolment.unit.code] = enrolment
    return [_line(latest[code]) for code in progress.counted if code in latest]


def attestation_pdf(certification: Certification) -> bytes:
    """The "Attestation de réussite" of an awarded certification."""
    if certification.status != Certification.Status.AWARDED:
        raise ValueError(
            "Seule une certification délivrée donne lieu à une attestation de réussite "
            f"(celle-ci est « {certification.get_status_display().lower()} »)."
        )
    lines = counted_lines(certification)
    # The verifiable credential of the certification (the credentials app provides its
    # verification address, issuing it when first needed for those awarded before credentials
    # existed; every new award issues it at once).
    import segno

    verification = provided("certification.verification_url")
    url = verification(certification) if verification is not None else ""
    return render_pdf(
        "enrolment/pdf/attestation.html",
        {
            "verification_url": url,
            "verification_qr": segno.make(url, error="m").svg_data_uri(border=0) if url else "",
            "certification": certification,
            "formation": certification.formation,
            "learner": certification.learner,
            "lines": lines,
            "credits": french_number(certification.credits),
            "signatory": SIGNATORY,
        },
    )
