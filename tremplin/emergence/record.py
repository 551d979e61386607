"""What a learner's record page shows of their participation in Émergence."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tremplin.core.permissions import UserLike
from tremplin.core.registry import record_part
from tremplin.learners.models import Learner

from .selectors import participations


@record_part("emergence")
def emergence_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    return {"emergence": participations(learner, user, today=timezone.localdate())}
