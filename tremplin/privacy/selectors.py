"""Everything Tremplin holds about one person (right of access, GDPR article 15), and the date
of their last activity (retention).

`subject_data` reads every record tied to the learner, field by field from the models' own
declarations: a field added to one of these models later is exported without a change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Field, Max, Model, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from tremplin.catalog.academic import academic_year_bounds
from tremplin.core.models import AuditEvent
from tremplin.credentials.models import Credential
from tremplin.delivery.models import Delivery, ExamRegistration, HandOver
from tremplin.emergence.models import Attendance, Participant
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
)
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner, Placement
from tremplin.orientation.models import Referral, ReferralEvent, YouthProfile

from .models import ANONYMOUS_PREFIX

#: Technical columns that say nothing about the person.
HIDDEN = frozenset({"search_key", "version", "sent_month", "first_contact_days"})


@dataclass(frozen=True)
class Part:
    """One kind of record in the export: its key in the document, its French title, its model,
    the key of its nested records (steps, events, attendances) and their model."""

    key: str
    title: str
    model: type[Model]
    children: str = ""
    child_model: type[Model] | None = None
    child_title: str = ""


#: The parts of the document after the identity, in this order.
PARTS: tuple[Part, ...] = (
    Part("placements", "Parcours en détention", Placement),
    Part(
        "applications",
        "Candidatures",
        Application,
        "steps",
        ApplicationStep,
        "Étapes de la candidature",
    ),
    Part("enrolments", "Inscriptions aux UE et résultats", Enrolment),
    Part(
        "certifications",
        "Certifications",
        Certification,
        "events",
        CertificationEvent,
        "Historique de la certification",
    ),
    Part("credentials", "Attestations vérifiables (Open Badges)", Credential),
    Part("interviews", "Entretiens de suivi", Interview),
    Part(
        "emergence",
        "Participations à Émergence",
        Participant,
        "attendances",
        Attendance,
        "Présences aux séances",
    ),
    Part("deliveries", "Supports de cours remis", Delivery),
    Part("exam_registrations", "Inscriptions aux sessions d'examens", ExamRegistration),
    Part("hand_overs", "Reprises de formation après la libération", HandOver),
    Part("orientation_profile", "Profil d'orientation (mission locale)", YouthProfile),
    Part(
        "referrals",
        "Orientations vers les centres Cnam",
        Referral,
        "events",
        ReferralEvent,
        "Historique de l'orientation",
    ),
    Part("audit_events", "Journal d'audit : consultations et modifications du dossier", AuditEvent),
)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def _related_label(related: Model) -> str:
    if isinstance(related, Enrolment):
        return f"{related.unit.code} — {related.academic_year}"
    return str(related)


def value_of(obj: Model, field: Field[Any, Any]) -> Any:
    """A field's value, readable and JSON-ready: the label of a choice, the name of a related
    record, dates in ISO 8601 (local time), decimals as text."""
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else _related_label(related)
    raw = getattr(obj, field.attname)
    if field.choices and raw not in (None, ""):
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(raw, datetime):
        moment = timezone.localtime(raw) if timezone.is_aware(raw) else raw
        return moment.isoformat(timespec="seconds")
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, Decimal):
        return str(raw)
    if isinstance(raw, FieldFile):
        return raw.name or None
    return raw


def row(obj: Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of a record but the technical ones and `skip` (the link to its parent)."""
    left_out = HIDDEN | set(skip)
    return {
        field.name: value_of(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in left_out
    }


#: French labels of the fields that their model leaves unnamed.
FRENCH_LABELS = {
    "id": "identifiant",
    "at": "le",
    "by": "par",
    "from_status": "statut précédent",
    "to_status": "nouveau statut",
    "status": "statut",
    "note": "note",
    "created_at": "créé le",
    "created_by": "créé par",
    "updated_at": "modifié le",
    "recorded_at": "enregistré le",
    "recorded_by": "enregistré par",
    "result_at": "résultat saisi le",
    "result_by": "résultat saisi par",
    "application": "candidature",
    "certification": "certification",
    "referral": "orientation",
    "participant": "participant",
    "units": "UE demandées",
    "sectors": "secteurs d'intérêt",
}


def labels_of(model: type[Model]) -> dict[str, str]:
    """French labels of a model's fields (and many-to-many fields), by name."""
    labels = {}
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        label = str(f.verbose_name)
        if label == f.name.replace("_", " "):
            label = FRENCH_LABELS.get(f.name, label)
        labels[f.name] = label
    return labels


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


def _rows(
    queryset: QuerySet[Any],
    *,
    skip: Iterable[str] = ("learner",),
    nested: Callable[[Any], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    return [{**row(obj, skip=skip), **(nested(obj) if nested else {})} for obj in queryset]


def audit_events_of(
    learner: Learner, related: dict[type[Model], list[int]]
) -> QuerySet[AuditEvent]:
    """The audit events about the person (`person_id`, e.g. each record an import changed) or
    whose target is the person or one of their records."""
    target = Q(person_id=learner.pk) | Q(model=Learner._meta.label, object_id=str(learner.pk))
    for model, ids in related.items():
        if ids:
            target |= Q(model=model._meta.label, object_id__in=[str(i) for i in ids])
    return AuditEvent.objects.filter(target).order_by("at", "id")


def subject_data(learner: Learner) -> dict[str, Any]:
    """Everything Tremplin holds about the person, as one JSON-ready document."""
    placements = Placement.objects.filter(learner=learner).select_related(
        "establishment", "release_commune", "recorded_by"
    )
    applications = (
        Application.objects.filter(learner=learner)
        .select_related("formation", "created_by")
        .prefetch_related("units")
        .order_by("created_at", "id")
    )
    steps = ApplicationStep.objects.filter(application__learner=learner).select_related("by")
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("unit", "establishment", "application", "result_by")
        .order_by("academic_year", "unit__code")
    )
    certifications = (
        Certification.objects.filter(learner=learner)
        .select_related("formation", "establishment")
        .order_by("proposed_at", "id")
    )
    certification_events = CertificationEvent.objects.filter(
        certification__learner=learner
    ).select_related("by")
    interviews = (
        Interview.objects.filter(learner=learner).select_related("referent").order_by("date", "id")
    )
    participants = (
        Participant.objects.filter(learner=learner)
        .select_related("cohort__establishment")
        .order_by("cohort__academic_year", "id")
    )
    attendances = Attendance.objects.filter(participant__learner=learner).select_related("session")
    deliveries = (
        Delivery.objects.filter(enrolment__learner=learner)
        .select_related("enrolment__unit", "package__unit", "sent_to", "recorded_by")
        .order_by("sent_on", "id")
    )
    registrations = (
        ExamRegistration.objects.filter(enrolment__learner=learner)
        .select_related("enrolment__unit", "session__establishment")
        .order_by("session__starts_at", "id")
    )
    hand_overs = (
        HandOver.objects.filter(learner=learner)
        .select_related("placement__establishment", "centre", "recorded_by")
        .order_by("created_at", "id")
    )
    profile = (
        YouthProfile.objects.filter(learner=learner)
        .select_related("commune", "created_by")
        .prefetch_related("sectors")
        .first()
    )
    referrals = (
        Referral.objects.filter(learner=learner)
        .select_related("mission_locale", "centre", "formation", "created_by")
        .order_by("sent_at", "id")
    )
    referral_events = ReferralEvent.objects.filter(referral__learner=learner).select_related("by")

    def children(queryset: QuerySet[Any], parent: str) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = {}
        for obj in queryset:
            grouped.setdefault(getattr(obj, f"{parent}_id"), []).append(row(obj, skip=[parent]))
        return grouped

    steps_of = children(steps, "application")
    certification_events_of = children(certification_events, "certification")
    attendances_of = children(attendances, "participant")
    referral_events_of = children(referral_events, "referral")

    document: dict[str, Any] = {
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "identity": row(learner),
        "placements": _rows(placements),
        "applications": _rows(
            applications,
            nested=lambda a: {
                "units": [str(u) for u in a.units.all()],
                "steps": steps_of.get(a.pk, []),
            },
        ),
        "enrolments": _rows(enrolments),
        "certifications": _rows(
            certifications, nested=lambda c: {"events": certification_events_of.get(c.pk, [])}
        ),
        "credentials": _rows(
            Credential.objects.filter(certification__learner=learner)
            .select_related("certification__formation", "key")
            .order_by("issued_at", "id")
        ),
        "interviews": _rows(interviews),
        "emergence": _rows(
            participants, nested=lambda p: {"attendances": attendances_of.get(p.pk, [])}
        ),
        "deliveries": _rows(deliveries),
        "exam_registrations": _rows(registrations),
        "hand_overs": _rows(hand_overs),
        "orientation_profile": None
        if profile is None
        else {**row(profile, skip=["learner"]), "sectors": [str(s) for s in profile.sectors.all()]},
        "referrals": _rows(
            referrals, nested=lambda r: {"events": referral_events_of.get(r.pk, [])}
        ),
    }
    related: dict[type[Model], list[int]] = {
        Application: [a.pk for a in applications],
        Enrolment: [e.pk for e in enrolments],
        Certification: [c.pk for c in certifications],
        Interview: [i.pk for i in interviews],
        Participant: [p.pk for p in participants],
        Delivery: [d.pk for d in deliveries],
        ExamRegistration: [r.pk for r in registrations],
        HandOver: [h.pk for h in hand_overs],
        Referral: [r.pk for r in referrals],
        YouthProfile: [profile.pk] if profile else [],
    }
    document["audit_events"] = _rows(audit_events_of(learner, related), skip=["user"])
    return document


def record_counts(document: dict[str, Any]) -> list[tuple[str, int]]:
    """How many records of each kind the document holds (for the rights page)."""
    counts = []
    for part in PARTS:
        found = document.get(part.key)
        counts.append(
            (part.title, 0 if found is None else 1 if isinstance(found, dict) else len(found))
        )
    return counts


# --------------------------------------------------------------------------------------------
# Last activity (retention)
# --------------------------------------------------------------------------------------------


def _as_date(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _year_end(year: str | None) -> date | None:
    return academic_year_bounds(year)[1] if year else None


#: (model, path to the learner, field, conversion): every dated trace of a person's path.
ACTIVITY: tuple[tuple[type[Model], str, str, Callable[[Any], date | None]], ...] = (
    (Placement, "learner", "date", _as_date),
    (Enrolment, "learner", "academic_year", _year_end),
    (Enrolment, "learner", "result_at", _as_date),
    (Interview, "learner", "date", _as_date),
    (Application, "learner", "created_at", _as_date),
    (ApplicationStep, "application__learner", "at", _as_date),
    (Certification, "learner", "proposed_at", _as_date),
    (Certification, "learner", "awarded_on", _as_date),
    (CertificationEvent, "certification__learner", "at", _as_date),
    (Participant, "learner", "cohort__academic_year", _year_end),
    (Attendance, "participant__learner", "session__date", _as_date),
    (Delivery, "enrolment__learner", "sent_on", _as_date),
    (Delivery, "enrolment__learner", "handed_on", _as_date),
    (Delivery, "enrolment__learner", "returned_on", _as_date),
    (ExamRegistration, "enrolment__learner", "session__starts_at", _as_date),
    (HandOver, "learner", "created_at", _as_date),
    (HandOver, "learner", "recorded_at", _as_date),
    (YouthProfile, "learner", "created_at", _as_date),
    (Referral, "learner", "sent_at", _as_date),
    (Referral, "learner", "first_contact_at", _as_date),
    (Referral, "learner", "updated_at", _as_date),
    (ReferralEvent, "referral__learner", "at", _as_date),
)


@dataclass(frozen=True)
class Inactive:
    pk: int
    reference: str
    last_activity: date


def last_activities() -> dict[int, tuple[str, date]]:
    """The reference and the date of the last activity of every learner not yet anonymised: the
    latest dated trace of their path (placement, enrolment — the end of its academic year —,
    result, interview, application and its steps, certification, Émergence, material, exam,
    hand-over, orientation profile, referral and its events); the creation of the record when
    there is none. One grouped query per kind of trace, never one per learner."""
    latest: dict[int, date] = {}
    active = Learner.objects.exclude(reference__startswith=ANONYMOUS_PREFIX)
    for model, path, field, convert in ACTIVITY:
        rows = (
            model._default_manager.filter(**{f"{path}__in": active.values("pk")})
            .exclude(**{f"{field}__isnull": True})
            .order_by()
            .values(path)
            .annotate(last=Max(field))
            .values_list(path, "last")
        )
        for learner_id, value in rows:
            day = convert(value)
            if day is not None and (learner_id not in latest or day > latest[learner_id]):
                latest[learner_id] = day
    table: dict[int, tuple[str, date]] = {}
    for learner_id, reference, created in active.order_by().values_list(
        "pk", "reference", "created_at"
    ):
        day = latest.get(learner_id) or _as_date(created) or timezone.localdate()
        table[learner_id] = (reference, day)
    return table


def retention_cutoff(years: int, today: date) -> date:
    """The same day `years` years earlier (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def inactive_learners(years: int, today: date | None = None) -> list[Inactive]:
    """Learners not anonymised whose last activity is older than `years` years, oldest first."""
    cutoff = retention_cutoff(years, today or timezone.localdate())
    return sorted(
        (
            Inactive(pk, reference, day)
            for pk, (reference, day) in last_activities().items()
            if day < cutoff
        ),
        key=lambda i: (i.last_activity, i.reference),
    )
