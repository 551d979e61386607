"""What a learner's record page shows of the enrolments, applications and certifications."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch

from tremplin.core.permissions import UserLike
from tremplin.core.registry import record_part
from tremplin.learners.models import Learner

from .certifications import learner_paths
from .models import Application, ApplicationStep, Certification, Enrolment
from .services import allowed_moves


@record_part("enrolment")
def enrolment_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("unit", "establishment")
        .order_by("-academic_year", "unit__code")
    )
    by_year: dict[str, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_year[enrolment.academic_year].append(enrolment)
    applications = list(
        Application.objects.filter(learner=learner)
        .select_related("formation")
        .prefetch_related(
            "units", Prefetch("steps", queryset=ApplicationStep.objects.select_related("by"))
        )
    )
    certifications = list(
        Certification.objects.filter(learner=learner).select_related("formation", "establishment")
    )
    return {
        "enrolments_by_year": sorted(by_year.items(), reverse=True),
        "applications": [(a, allowed_moves(a, user)) for a in applications],
        "paths": learner_paths(learner, certifications, enrolments, applications),
        "certifications": certifications,
    }
