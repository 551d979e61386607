"""What a learner's record page shows of the follow-up interviews."""

from __future__ import annotations

from typing import Any

from tremplin.core.permissions import UserLike, permissions_of
from tremplin.core.registry import record_part
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.learners.models import Learner

from .models import Interview


@record_part("followup")
def followup_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    scope = scope_of(user)
    return {
        "interviews": Interview.objects.filter(learner=learner).select_related("referent"),
        "can_interview": (
            scope.everything or scope.role in {Role.REFERENT, Role.REGIONAL_COORDINATOR}
        )
        and permissions_of(Learner).can_change(user, learner),
    }
