"""Database constraints shared by several models."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


def grade_out_of_20(name: str, field: str = "grade") -> models.CheckConstraint:
    """A grade is empty or between 0 and 20 (a rule that the bulk paths may not bypass)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": Decimal(0), f"{field}__lte": Decimal(20)}),
        name=name,
        violation_error_message="La note est sur 20 (entre 0 et 20).",
    )
