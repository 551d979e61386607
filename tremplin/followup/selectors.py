"""A referent's caseload and its alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from tremplin.catalog.academic import academic_year_of
from tremplin.core.permissions import UserLike
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner, Placement, Status

from .models import INTERVIEW_ALERT_DAYS, Interview

#: A transfer in is news for this many days.
TRANSFER_NEWS_DAYS = 30


@dataclass
class CaseloadRow:
    learner: Learner
    last_interview: date | None
    pending_units: int
    alerts: list[str] = field(default_factory=list)


def caseload(user: UserLike, *, today: date | None = None) -> list[CaseloadRow]:
    """The learners in the user's scope who are in training this year or were just moved, with
    their last interview and their alerts (most urgent first)."""
    today = today or date.today()
    year = academic_year_of(today)
    pending = Enrolment.objects.filter(
        learner=OuterRef("pk"), academic_year=year, result=Result.PENDING
    )
    recent_transfer = Placement.objects.filter(
        learner=OuterRef("pk"),
        kind=Placement.Kind.TRANSFER,
        date__gte=today - timedelta(days=TRANSFER_NEWS_DAYS),
    )
    pending_count = pending.order_by().values("learner").annotate(n=Count("id")).values("n")
    # The learners concerned first (two indexed look-ups), then their last interview and
    # counts, for those rows only: never an aggregate over every learner's interviews.
    concerned = (
        Enrolment.objects.filter(academic_year=year, result=Result.PENDING)
        .order_by()
        .values("learner_id")
    )
    moved = (
        Placement.objects.filter(
            kind=Placement.Kind.TRANSFER, date__gte=today - timedelta(days=TRANSFER_NEWS_DAYS)
        )
        .order_by()
        .values("learner_id")
    )
    last_interview = (
        Interview.objects.filter(learner=OuterRef("pk")).order_by("-date").values("date")[:1]
    )
    learners: QuerySet[Learner] = (
        # One set of ids (a UNION), so the database starts from these few learners; an OR of
        # two sets made it walk every learner by name (0.35 s on PostgreSQL, national demo).
        # Each is tested against the scope: a region's 51,000 learners listed first took
        # 30 ms on SQLite.
        Learner.permissions.readable_few(
            user, Learner.objects.filter(pk__in=concerned.union(moved))
        )
        .annotate(
            last_interview=Subquery(last_interview),
            pending_units=Subquery(pending_count),
            transferred_in=Exists(recent_transfer),
        )
        .select_related("establishment")
        .order_by("last_name", "first_name")
    )
    rows = []
    for learner in learners:
        alerts = []
        last = learner.last_interview  # type: ignore[attr-defined]
        if last is None or (today - last).days > INTERVIEW_ALERT_DAYS:
            since = "aucun entretien" if last is None else f"dernier entretien le {last:%d/%m/%Y}"
            alerts.append(f"Pas d'entretien depuis plus de {INTERVIEW_ALERT_DAYS} jours ({since}).")
        if learner.transferred_in:  # type: ignore[attr-defined]
            alerts.append(f"Arrivé(e) par transfert à {learner.establishment}.")
        if learner.status == Status.RELEASED:
            alerts.append("Libéré(e) avec une formation en cours : à confier à un centre Cnam.")
        rows.append(CaseloadRow(learner, last, learner.pending_units or 0, alerts))  # type: ignore[attr-defined]
    rows.sort(key=lambda r: (-len(r.alerts), r.learner.last_name))
    return rows
