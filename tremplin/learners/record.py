"""Everything a learner's record page shows, read in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from tremplin.core.actions import Action, can
from tremplin.core.permissions import UserLike, permissions_of
from tremplin.core.registry import record_part, record_parts

from . import identity, merge
from .models import Learner, Status


def merge_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    """For the coordinations: the merges of this file to confirm or undo, and the other files
    of the same person (same names, however written, and birth date) in their scope."""
    if not can(user, Action.MERGE_LEARNERS, learner):
        return {"can_merge": False}
    from .selectors import with_readability

    same = identity.same_person(
        learner.last_name, learner.first_name, learner.birth_date, exclude=[learner.pk]
    )
    others = [other for other, readable in with_readability(user, same) if readable]
    return {
        "can_merge": True,
        "pending_merges": merge.pending_merges(learner),
        "same_person": others,
        # The older file is kept (it holds the history): the link opens its merge page.
        "merge_link": (
            None
            if not others
            else reverse("learners:merge", args=[others[0].pk])
            + "?"
            + urlencode({"other": learner.reference})
            if others[0].pk < learner.pk
            else reverse("learners:merge", args=[learner.pk])
            + "?"
            + urlencode({"other": others[0].reference})
        ),
    }


@record_part("learners")
def learners_part(learner: Learner, user: UserLike) -> dict[str, Any]:
    can_change = permissions_of(Learner).can_change(user, learner)
    return {
        "placements": learner.placements.select_related(
            "establishment", "release_commune"
        ).order_by("date", "id"),
        "can_change": can_change,
        "can_move": can_change and learner.status == Status.PLACED,
        "can_apply": can_change and learner.status != Status.RELEASED,
        **merge_record(learner, user),
    }


def learner_record(learner: Learner, user: UserLike) -> dict[str, Any]:
    """The record page's context: what each app declares it shows of the learner
    (``<app>/record.py``: the path here, the enrolments and applications, the interviews,
    the material and exams, Émergence)."""
    context: dict[str, Any] = {"learner": learner}
    for part in record_parts():
        context.update(part(learner, user))
    return context
