"""Everything a learner's record page shows, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.http import urlencode

from tremplin.accounts.scope import scope_of
from tremplin.core.actions import Action, can
from tremplin.core.permissions import UserLike, permissions_of
from tremplin.core.roles import Role
from tremplin.delivery.record import delivery_record
from tremplin.emergence.record import emergence_record
from tremplin.enrolment.certifications import learner_paths
from tremplin.enrolment.models import Application, ApplicationStep, Certification, Enrolment
from tremplin.enrolment.services import allowed_moves
from tremplin.followup.models import Interview

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


def learner_record(learner: Learner, user: UserLike) -> dict[str, Any]:
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
    can_change = permissions_of(Learner).can_change(user, learner)
    scope = scope_of(user)
    return {
        "learner": learner,
        "placements": learner.placements.select_related(
            "establishment", "release_commune"
        ).order_by("date", "id"),
        "enrolments_by_year": sorted(by_year.items(), reverse=True),
        "applications": [(a, allowed_moves(a, user)) for a in applications],
        "paths": learner_paths(learner),
        "certifications": Certification.objects.filter(learner=learner).select_related(
            "formation", "establishment"
        ),
        "interviews": Interview.objects.filter(learner=learner).select_related("referent"),
        "can_change": can_change,
        "can_move": can_change and learner.status == Status.PLACED,
        "can_interview": can_change
        and (scope.everything or scope.role in {Role.REFERENT, Role.REGIONAL_COORDINATOR}),
        "can_apply": can_change and learner.status != Status.RELEASED,
        **merge_record(learner, user),
        **delivery_record(learner, user),
        **emergence_record(learner, user),
    }
