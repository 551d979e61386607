"""What a learner's record page shows of the material, the exams and the hand-over."""

from __future__ import annotations

from typing import Any

from tremplin.core.permissions import UserLike
from tremplin.core.registry import record_part
from tremplin.learners.models import Learner, Status

from .models import Delivery, ExamRegistration, HandOver


@record_part("delivery")
def delivery_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    return {
        "deliveries": Delivery.permissions.readable(
            user,
            Delivery.objects.filter(enrolment__learner=learner).select_related(
                "enrolment__unit", "enrolment__learner", "package", "sent_to"
            ),
        ).order_by("-sent_on", "package__unit__code", "package__position"),
        "exam_registrations": ExamRegistration.permissions.readable(
            user,
            ExamRegistration.objects.filter(enrolment__learner=learner).select_related(
                "session__establishment", "enrolment__unit"
            ),
        ).order_by("-session__starts_at"),
        "hand_overs": HandOver.permissions.readable(
            user,
            HandOver.objects.filter(learner=learner).select_related("centre__commune", "placement"),
        ),
        "can_print_passport": learner.status == Status.RELEASED,
    }
