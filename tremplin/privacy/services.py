"""Erasure (GDPR article 17) by anonymisation: the person's identity and every free text that
could name them go; every row the figures count stays (enrolments and results, certifications,
interviews, Émergence participations, referrals), so that the bilan of any year and the
orientation statistics do not change."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tremplin.catalog.academic import academic_year_bounds, academic_year_of
from tremplin.core import journal
from tremplin.core.audit import Action, record
from tremplin.core.permissions import Actor
from tremplin.delivery.models import Delivery, ExamRegistration, HandOver
from tremplin.emergence.models import Attendance
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
    Result,
)
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner, Placement, search_key
from tremplin.orientation.models import Referral, ReferralEvent, YouthProfile

from .models import ANONYMOUS_PREFIX, is_anonymised

ANONYMOUS_LAST_NAME = "Anonyme"
ANONYMOUS_FIRST_NAME = "Personne"

OPEN_APPLICATION = (
    Application.Status.SUBMITTED,
    Application.Status.REVIEWED,
    Application.Status.VALIDATED,
)
OPEN_REFERRAL = (
    Referral.Status.SENT,
    Referral.Status.CONTACTED,
    Referral.Status.INFORMATION_MEETING,
)


def erasure_obstacles(learner: Learner, today: date | None = None) -> list[str]:
    """Why the law does not allow erasing the person now (GDPR article 17(3)): the data are
    still needed for the training or the orientation under way. Empty when erasure is allowed."""
    current = academic_year_of(today or timezone.localdate())
    after = f"L'effacement sera possible après la fin de l'année universitaire {current}."
    obstacles = []
    pending = list(
        Enrolment.objects.filter(learner=learner, result=Result.PENDING, academic_year__gte=current)
        .select_related("unit")
        .order_by("academic_year", "unit__code")
    )
    if pending:
        units = ", ".join(f"{e.unit.code} ({e.academic_year})" for e in pending)
        obstacles.append(
            "La personne est en formation : inscription en cours à "
            f"{units}. Le dossier reste nécessaire au suivi de la formation et à la délivrance "
            f"des résultats. {after}"
        )
    if Application.objects.filter(
        learner=learner, status__in=OPEN_APPLICATION, academic_year__gte=current
    ).exists():
        obstacles.append(
            "Une candidature est en cours d'instruction : retirez-la ou attendez la décision "
            f"avant d'effacer le dossier. {after}"
        )
    start, _ = academic_year_bounds(current)
    if Referral.objects.filter(
        learner=learner, status__in=OPEN_REFERRAL, sent_at__date__gte=start
    ).exists():
        obstacles.append(
            "Une orientation vers un centre Cnam est en cours : close-la avant d'effacer le "
            f"dossier. {after}"
        )
    return obstacles


def new_reference() -> str:
    """An opaque token, drawn at random: nothing links it to the former reference."""
    while True:
        reference = f"{ANONYMOUS_PREFIX}{secrets.token_hex(6).upper()}"
        if not Learner.objects.filter(reference=reference).exists():
            return reference


def _free_text_fields(model: type[Model]) -> list[str]:
    """The free texts of a model that may be emptied: every blank text field, and the short
    notes (observations)."""
    names = []
    for field in model._meta.concrete_fields:
        if not field.blank or field.choices:
            continue
        if isinstance(field, models.TextField) or (
            isinstance(field, models.CharField) and field.name in {"note", "notes", "comment"}
        ):
            names.append(field.name)
    return names


def _empty_free_texts(querysets: Iterable[QuerySet[Any]]) -> None:
    for queryset in querysets:
        fields = _free_text_fields(queryset.model)
        if fields:
            queryset.update(**dict.fromkeys(fields, ""))


def _scrub(text: str, words: Iterable[str]) -> str:
    """`text` without any of `words` (the erased identity), whatever its case."""
    words = {w.strip() for w in words if w and w.strip()}
    words |= {search_key(w) for w in words}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(re.escape(word), "…", text, flags=re.IGNORECASE)
    return text


@transaction.atomic
def anonymise(
    learner: Learner,
    by: Actor,
    reason: str,
    *,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Learner:
    """Erase the person's identity, keeping every row that the figures count.

    - names replaced, the birth date reduced to 1 January of its year, the reference replaced
      with an opaque `ANON-…` token;
    - every free text about the person emptied: interview notes and next steps, application
      motivation, RLE comment and reasons, steps' and events' notes, revocation reasons, referral
      messages, attendance observations, material feedback, exam accommodations and flags,
      hand-over observations;
    - the places that locate the person coarsened: the commune of release forgotten, the
      commune of residence of a young person replaced with their mission locale's, the distance
      of a referral forgotten.

    Refused (ValidationError, in French) when the law does not allow it (`erasure_obstacles`)
    or when the record is already anonymous. All or nothing; one audit event, without the erased
    identity."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if is_anonymised(learner):
        raise ValidationError("Ce dossier est déjà anonymisé : il ne contient plus d'identité.")
    obstacles = erasure_obstacles(learner, today)
    if obstacles:
        raise ValidationError(obstacles)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'effacement."})
    erased = (learner.last_name, learner.first_name, learner.reference)

    learner.last_name = ANONYMOUS_LAST_NAME
    learner.first_name = ANONYMOUS_FIRST_NAME
    learner.reference = new_reference()
    learner.birth_date = date(learner.birth_date.year, 1, 1)
    learner.save()

    _empty_free_texts(
        [
            Interview.objects.filter(learner=learner),
            Application.objects.filter(learner=learner),
            ApplicationStep.objects.filter(application__learner=learner),
            Certification.objects.filter(learner=learner),
            CertificationEvent.objects.filter(certification__learner=learner),
            Attendance.objects.filter(participant__learner=learner),
            Delivery.objects.filter(enrolment__learner=learner),
            ExamRegistration.objects.filter(enrolment__learner=learner),
            HandOver.objects.filter(learner=learner),
            Referral.objects.filter(learner=learner),
            ReferralEvent.objects.filter(referral__learner=learner),
        ]
    )
    Placement.objects.filter(learner=learner).update(release_commune=None)
    Referral.objects.filter(learner=learner).update(distance_km=None)
    profile_changes: dict[str, Any] = {"available_from": None}
    if learner.mission_locale is not None:
        profile_changes["commune_id"] = learner.mission_locale.commune_id
    YouthProfile.objects.filter(learner=learner).update(**profile_changes)

    record(
        request,
        Action.UPDATE,
        learner,
        f"effacement des données personnelles (anonymisation) — motif : {_scrub(reason, erased)}",
        user=by,
    )
    # For what reads the journal (the establishment copy, partners): the record was erased;
    # the event carries nothing of the person, not even the former reference.
    journal.record(journal.Kind.LEARNER_ERASED, learner, actor=by)
    return learner
