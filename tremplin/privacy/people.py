"""The people of the audit log (`tremplin.core.audit.PersonDirectory`): the log keeps ids, this
renders them at display time, so that an erased person reads as anonymised, and finds the
people a search names."""

from __future__ import annotations

from typing import Any

from tremplin.core.audit import ANONYMISED
from tremplin.learners.models import Learner
from tremplin.learners.selectors import LearnerFilters, search_learners

from .models import is_anonymised

#: A search by name keeps at most this many people.
MAX_FOUND = 500


class LearnerDirectory:
    def describe(self, user: Any, ids: set[int]) -> dict[int, str]:
        readable = Learner.permissions.readable_few(user, Learner.objects.filter(pk__in=ids))
        return {
            learner.pk: ANONYMISED if is_anonymised(learner) else str(learner)
            for learner in readable.only("pk", "last_name", "first_name", "reference")
        }

    def find(self, user: Any, text: str) -> list[int]:
        found = search_learners(user, LearnerFilters(q=text)).values_list("pk", flat=True)
        return list(found[:MAX_FOUND])
