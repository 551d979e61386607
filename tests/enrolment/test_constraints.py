"""The rules that no write path may bypass live in the database too: the bulk path (COPY on
PostgreSQL) and a raw queryset update are refused like a form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.personal_world import make_record
from tremplin.core.rows import fast_insert
from tremplin.delivery.models import Delivery
from tremplin.delivery.services import create_package, send_packages
from tremplin.enrolment.models import Enrolment


@pytest.mark.parametrize(
    ("result", "grade"),
    [("pending", Decimal(25)), ("failed", Decimal(-1)), ("validated", Decimal("9.5"))],
)
def test_a_grade_out_of_range_or_a_validated_ue_below_ten_is_refused_by_the_database(
    db: None, result: str, grade: Decimal
) -> None:
    record = make_record("RULES-0001", establishment="CD MELUN")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=record.enrolment.pk).update(result=result, grade=grade)
    bulk = Enrolment(
        learner=record.learner,
        academic_year="2025-2026",
        unit=record.enrolment.unit,
        result=result,
        grade=grade,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fast_insert(Enrolment, [bulk])
    assert not Enrolment.objects.filter(academic_year="2025-2026").exists()


def test_a_validated_ue_without_a_grade_and_a_failed_one_with_a_low_grade_are_accepted(
    db: None,
) -> None:
    record = make_record("RULES-0002", establishment="CD MELUN")
    Enrolment.objects.filter(pk=record.enrolment.pk).update(result="validated", grade=None)
    Enrolment.objects.filter(pk=record.enrolment.pk).update(result="failed", grade=Decimal(4))
    assert Enrolment.objects.get(pk=record.enrolment.pk).grade == Decimal(4)


def test_material_dates_out_of_order_are_refused_by_the_database(db: None) -> None:
    record = make_record("RULES-0003", establishment="CD MELUN")
    unit = record.enrolment.unit
    package = create_package(unit, title="Devoir 1", kind="assignment", position=1, file=None)
    today = date.today()
    [delivery] = send_packages(record.learner.establishment, unit, [package], on=today, by=None)
    rows = Delivery.objects.filter(pk=delivery.pk)
    for change in (
        {"handed_on": today - timedelta(days=1)},
        {"returned_on": today},
        {"handed_on": today, "returned_on": today - timedelta(days=1)},
        {"handed_on": today, "grade": Decimal(21)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    rows.update(handed_on=today, returned_on=today, grade=Decimal(12))
