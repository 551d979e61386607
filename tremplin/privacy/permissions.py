"""Who exercises a person's rights on their behalf (export, rectification, erasure): the
national coordinator and superusers only. Others who read the learner get 403; outside their
scope, 404 (the record's existence is never disclosed)."""

from __future__ import annotations

from django.db.models import Model

from tremplin.core.actions import Action, can
from tremplin.core.permissions import UserLike
from tremplin.learners.permissions import LearnerPermissions


class SubjectRightsPermissions(LearnerPermissions):
    """Reads what the learner's record reads (same scope); changes — exports, erases — only
    with the national scope."""

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        return can(user, Action.SUBJECT_RIGHTS) and (obj is None or self.can_read(user, obj))
