"""Certifications: how far a learner is from each formation, and the proposal, award and
revocation of the certification once its requirements are met.

The rules engine (`Requirements`, `evaluate`, `Progress`) is pure Python and knows nothing of the
ORM; the functions below it read the learner's results and write certifications.

How a formation's requirements are met:

- every mandatory UE is validated;
- each choice group "n among these UEs" has n validated UEs of its own: a UE fills one place only,
  even when it is listed in two groups, and a mandatory UE never fills a group's place;
- the credits counted (mandatory UEs validated, plus at most n validated UEs per group, the
  best-credited ones) reach the formation's minimum.

A UE validated in any year, at any establishment, counts: validated UEs stay acquired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.catalog.models import ChoiceGroup, Formation, Sector, TeachingUnit
from tremplin.core import journal, registry, stamps
from tremplin.core.csvimport import insert_dated
from tremplin.core.permissions import Actor
from tremplin.core.pipeline import Move, Pipeline, advance
from tremplin.core.roles import Role
from tremplin.learners.models import Learner

from .models import Application, Certification, CertificationEvent, Enrolment, Result

# ---------------------------------------------------------------------------------------------
# The rules engine (no ORM)


@dataclass(frozen=True)
class GroupRule:
    """ "`choose` UE among `codes`"."""

    label: str
    choose: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Requirements:
    mandatory: tuple[str, ...] = ()
    groups: tuple[GroupRule, ...] = ()
    min_credits: Decimal = Decimal(0)

    @property
    def lists_units(self) -> bool:
        """Whether the formation names any UE at all (mandatory or in a group)."""
        return bool(self.mandatory) or any(group.codes for group in self.groups)


@dataclass(frozen=True)
class GroupProgress:
    label: str
    choose: int
    #: The group's UEs that the learner validated, in the group's order.
    validated: tuple[str, ...]
    #: Those that fill this group's places (at most `choose`, the best-credited ones).
    counted: tuple[str, ...]
    #: How many UEs are still to be chosen and validated in this group.
    remaining: int
    #: The group's UEs not validated yet, among which to choose.
    available: tuple[str, ...]

    @property
    def met(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True)
class Progress:
    mandatory_validated: tuple[str, ...]
    mandatory_missing: tuple[str, ...]
    groups: tuple[GroupProgress, ...]
    #: Every UE counted towards the formation: mandatory ones, then each group's.
    counted: tuple[str, ...]
    credits: Decimal
    credits_required: Decimal

    @property
    def credits_missing(self) -> Decimal:
        return max(self.credits_required - self.credits, Decimal(0))

    @property
    def met(self) -> bool:
        return (
            not self.mandatory_missing
            and all(group.met for group in self.groups)
            and self.credits_missing == 0
        )

    def remaining_summary(self) -> str:
        """One French line, e.g. "Reste : CFA040, 1 UE parmi « Option » et 6 crédits"."""
        if self.met:
            return "Toutes les conditions sont remplies."
        parts = list(self.mandatory_missing)
        parts += [
            f"{group.remaining} UE parmi « {group.label} »"
            for group in self.groups
            if group.remaining
        ]
        if self.credits_missing:
            parts.append(credits_label(self.credits_missing))
        listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"
        return f"Reste : {listed}"


def french_number(value: Decimal) -> str:
    """6 -> "6", 4.50 -> "4,5": no useless zero, a decimal comma."""
    return format(value.normalize(), "f").replace(".", ",")


def credits_label(value: Decimal) -> str:
    return f"{french_number(value)} crédit{'s' if value >= 2 else ''}"


def evaluate(requirements: Requirements, validated: Mapping[str, Decimal]) -> Progress:
    """Where a learner stands, given the UEs they validated (code -> ECTS)."""
    mandatory = tuple(dict.fromkeys(requirements.mandatory))
    mandatory_validated = tuple(code for code in mandatory if code in validated)
    mandatory_missing = tuple(code for code in mandatory if code not in validated)
    eligible = [
        tuple(code for code in dict.fromkeys(group.codes) if code not in mandatory)
        for group in requirements.groups
    ]
    places = _fill_places(requirements.groups, eligible, validated)
    groups = tuple(
        GroupProgress(
            label=group.label,
            choose=group.choose,
            validated=tuple(code for code in codes if code in validated),
            counted=tuple(code for code in codes if code in places[index]),
            remaining=max(group.choose - len(places[index]), 0),
            available=tuple(code for code in codes if code not in validated),
        )
        for index, (group, codes) in enumerate(zip(requirements.groups, eligible, strict=True))
    )
    counted = mandatory_validated + tuple(code for group in groups for code in group.counted)
    return Progress(
        mandatory_validated=mandatory_validated,
        mandatory_missing=mandatory_missing,
        groups=groups,
        counted=counted,
        credits=sum((validated[code] for code in counted), Decimal(0)),
        credits_required=Decimal(requirements.min_credits),
    )


def _fill_places(
    groups: Sequence[GroupRule],
    eligible: Sequence[tuple[str, ...]],
    validated: Mapping[str, Decimal],
) -> list[set[str]]:
    """Give the groups' places to validated UEs, each UE to one place at most, so that as many
    places as possible are filled and, among those ways, with as many credits as possible.

    The sets of UEs that can share the places form a (transversal) matroid: taking the UEs from
    the best-credited down and keeping each one that can still be placed, moving earlier ones
    between their groups if need be (an augmenting path), is optimal for both aims at once."""
    holders: list[list[str]] = [[] for _ in groups]
    groups_of: dict[str, list[int]] = {}
    order: dict[str, int] = {}
    for index, codes in enumerate(eligible):
        for code in codes:
            if code in validated:
                groups_of.setdefault(code, []).append(index)
                order.setdefault(code, len(order))

    def place(code: str, seen: set[int]) -> bool:
        for index in groups_of[code]:
            if index in seen:
                continue
            seen.add(index)
            if len(holders[index]) < groups[index].choose:
                holders[index].append(code)
                return True
            for position, other in enumerate(holders[index]):
                if place(other, seen):
                    holders[index][position] = code
                    return True
        return False

    for code in sorted(groups_of, key=lambda c: (-validated[c], order[c])):
        place(code, set())
    return [set(codes) for codes in holders]


# ---------------------------------------------------------------------------------------------
# Reading the learner's results and the formations


def validated_units(learner: Learner) -> dict[str, Decimal]:
    """The UEs the learner validated, any year, any establishment: code -> ECTS."""
    return dict(
        Enrolment.objects.filter(learner=learner, result=Result.VALIDATED).values_list(
            "unit__code", "unit__ects"
        )
    )


def requirements_of(formation: Formation) -> Requirements:
    """The formation's requirements (uses prefetched `mandatory_units` and `choice_groups` with
    their `units` when there are)."""
    return Requirements(
        mandatory=tuple(unit.code for unit in formation.mandatory_units.all()),
        groups=tuple(
            GroupRule(
                label=group.label,
                choose=group.choose,
                codes=tuple(unit.code for unit in group.units.all()),
            )
            for group in formation.choice_groups.all()
        ),
        min_credits=Decimal(formation.min_credits),
    )


@dataclass(frozen=True)
class Path:
    """A formation the learner is working towards, where they stand, and its certification: the
    live one (proposed or awarded), else the last revoked one, else None."""

    formation: Formation
    requirements: Requirements
    progress: Progress
    certification: Certification | None

    @property
    def can_be_proposed(self) -> bool:
        return (
            self.progress.met
            and self.requirements.lists_units
            and (
                self.certification is None
                or self.certification.status == Certification.Status.REVOKED
            )
        )


LIVE = (Certification.Status.PROPOSED, Certification.Status.AWARDED)


def learner_paths(
    learner: Learner,
    certifications: Sequence[Certification] | None = None,
    enrolments: Sequence[Enrolment] | None = None,
    applications: Sequence[Application] | None = None,
) -> list[Path]:
    """Every formation in progress for the learner: one of its UEs validated or being taken, or
    named by one of the learner's applications, by code. The catalogue's requirements are read
    once per state of its tables (`catalogue`); the learner's `certifications`, `enrolments`
    (with their units) and `applications` are read here unless the caller has (the record page
    lists all three)."""
    kept = (Result.VALIDATED, Result.PENDING)
    if enrolments is None:
        rows = list(
            Enrolment.objects.filter(learner=learner, result__in=kept).values_list(
                "unit_id", "unit__code", "unit__ects", "result"
            )
        )
    else:
        rows = [
            (e.unit_id, e.unit.code, e.unit.ects, e.result) for e in enrolments if e.result in kept
        ]
    validated = {code: ects for _, code, ects, result in rows if result == Result.VALIDATED}
    if applications is None:
        chosen = set(
            Application.objects.filter(learner=learner, formation__isnull=False).values_list(
                "formation_id", flat=True
            )
        )
    else:
        chosen = {a.formation_id for a in applications if a.formation_id is not None}
    formations, naming = catalogue()
    for unit_id, *_ in rows:
        chosen |= naming.get(unit_id, set())
    if certifications is None:
        certifications = list(Certification.objects.filter(learner=learner))
    by_formation: dict[int, list[Certification]] = defaultdict(list)
    for certification in sorted(certifications, key=lambda c: c.proposed_at, reverse=True):
        by_formation[certification.formation_id].append(certification)
    paths = []
    for formation, requirements in sorted(
        (formations[pk] for pk in chosen if pk in formations), key=lambda pair: pair[0].code
    ):
        of_formation = by_formation.get(formation.pk, [])
        live = [c for c in of_formation if c.status in LIVE]
        paths.append(
            Path(
                formation=formation,
                requirements=requirements,
                progress=evaluate(requirements, validated),
                certification=next(iter(live or of_formation), None),
            )
        )
    return paths


def followed_paths(learner: Learner) -> list[Path]:
    """The formations the learner actually follows, for what is handed to them (the passeport
    formation): those named by one of their applications or with a certification of theirs;
    a learner with no application (a path imported from elsewhere) follows those where they have
    acquired credits. A UE shared by many formations does not make them all "followed"."""
    paths = learner_paths(learner)
    applied = set(
        Application.objects.filter(learner=learner, formation__isnull=False).values_list(
            "formation_id", flat=True
        )
    )
    return [
        path
        for path in paths
        if path.formation.pk in applied
        or path.certification is not None
        or (not applied and path.progress.credits > 0)
    ]


def progress_for(certification: Certification) -> Progress:
    """Where the certification's learner stands today against its formation's requirements."""
    formation = Formation.objects.prefetch_related("mandatory_units", "choice_groups__units").get(
        pk=certification.formation_id
    )
    return evaluate(requirements_of(formation), validated_units(certification.learner))


# ---------------------------------------------------------------------------------------------
# Writing certifications


def detect_certifications(learner: Learner, *, by: Actor = None) -> list[Certification]:
    """Propose a certification for every formation whose requirements the learner now meets and
    that has no live certification. A formation that names no UE (such as a business-creation
    programme run in cohorts) is never proposed automatically. Returns those proposed now: the
    rules engine of many learners (`detect_for_learners`), for one."""
    return detect_for_learners([learner.pk], by=by)


def _latest(
    validated: Iterable[tuple[str, str, int, int | None]],
) -> dict[str, tuple[str, int, int | None]]:
    """UE code -> (year, enrolment id, establishment) of its latest validation."""
    latest: dict[str, tuple[str, int, int | None]] = {}
    for code, year, pk, place in validated:
        if code not in latest or (year, pk) > latest[code][:2]:
            latest[code] = (year, pk, place)
    return latest


def _propose(
    learner_id: int,
    candidates: list[Path],
    latest: Mapping[str, tuple[str, int, int | None]],
    by: Actor,
) -> list[Certification]:
    """The certifications of these met paths, each with its first history row; dated by the
    year and placed at the establishment of the latest UE it counts."""
    proposed = []
    for path in candidates:
        year, _, establishment_id = max(latest[code] for code in path.progress.counted)
        certification = Certification(
            learner_id=learner_id,
            formation=path.formation,
            credits=path.progress.credits,
            academic_year=year,
            establishment_id=establishment_id,
        )
        try:
            with transaction.atomic():
                certification.save()
        except IntegrityError:
            continue  # proposed meanwhile by a concurrent detection
        CertificationEvent.objects.create(
            certification=certification,
            status=certification.status,
            by=acting_user(by),
            note=(
                f"Conditions remplies : {credits_label(path.progress.credits)} validés "
                f"({', '.join(path.progress.counted)})."
            ),
        )
        proposed.append(certification)
    return proposed


#: Learners read together by `detect_for_learners`.
CHUNK = 1_000


Catalogue = tuple[dict[int, tuple[Formation, Requirements]], dict[int, set[int]]]


def catalogue() -> Catalogue:
    """Every formation with its requirements, and UE id -> the formations that name it, read
    once per state of the catalogue's tables (stamps.kept; catalog migration 0005): the record
    page read four queries of them for each learner, the rules engine for each batch. Shared
    by the requests that follow: read it, never change it."""
    tables = (
        Formation._meta.db_table,
        Formation.mandatory_units.through._meta.db_table,
        ChoiceGroup._meta.db_table,
        ChoiceGroup.units.through._meta.db_table,
        TeachingUnit._meta.db_table,
        Sector._meta.db_table,
    )
    return stamps.kept("enrolment.catalogue", tables, _catalogue)


def _catalogue() -> Catalogue:
    """Every formation with its requirements, and UE id -> the formations that name it."""
    formations = Formation.objects.select_related("sector").prefetch_related(
        Prefetch("mandatory_units", queryset=TeachingUnit.objects.only("id", "code")),
        Prefetch(
            "choice_groups",
            queryset=ChoiceGroup.objects.prefetch_related(
                Prefetch("units", queryset=TeachingUnit.objects.only("id", "code"))
            ),
        ),
    )
    by_id: dict[int, tuple[Formation, Requirements]] = {}
    naming: dict[int, set[int]] = defaultdict(set)
    for formation in formations:
        by_id[formation.pk] = (formation, requirements_of(formation))
        for unit in formation.mandatory_units.all():
            naming[unit.pk].add(formation.pk)
        for group in formation.choice_groups.all():
            for unit in group.units.all():
                naming[unit.pk].add(formation.pk)
    return by_id, naming


@transaction.atomic
@journal.emits(journal.Kind.CERTIFICATION_PROPOSED, lambda proposed, _: proposed)
def detect_for_learners(learner_ids: Iterable[int], *, by: Actor = None) -> list[Certification]:
    """The rules engine: for each of these learners, a certification proposed for every
    formation they follow (one of its UEs validated or being taken, or named by one of their
    applications; `learner_paths`) whose requirements they now meet and that has no live
    certification, with its first history row and its journal event. The catalogue's
    requirements are read once, the learners' results, applications and certifications CHUNK
    learners at a time (a grid, an import, the API, a copy's bundle: one learner at a time cost
    several queries each, 40 % of a copy's bundle at the centre). Returns those proposed now."""
    if registry.on_copy():
        return []  # proposed at the centre when the results arrive there
    ids = sorted(set(learner_ids))
    if not ids:
        return []
    formations, naming = catalogue()
    proposed: list[Certification] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        results: dict[int, list[tuple[int, str, Decimal, str, str, int, int | None]]] = defaultdict(
            list
        )
        for learner_id, *row in (
            Enrolment.objects.filter(
                learner_id__in=chunk, result__in=(Result.VALIDATED, Result.PENDING)
            )
            .order_by()
            .values_list(
                "learner_id",
                "unit_id",
                "unit__code",
                "unit__ects",
                "result",
                "academic_year",
                "pk",
                "establishment_id",
            )
        ):
            results[learner_id].append(tuple(row))  # type: ignore[arg-type]
        applied: dict[int, set[int]] = defaultdict(set)
        for learner_id, formation_id in (
            Application.objects.filter(learner_id__in=chunk, formation__isnull=False)
            .order_by()
            .values_list("learner_id", "formation_id")
        ):
            applied[learner_id].add(formation_id)
        held: dict[tuple[int, int], list[Certification]] = defaultdict(list)
        for certification in Certification.objects.filter(learner_id__in=chunk).order_by(
            "-proposed_at"
        ):
            held[(certification.learner_id, certification.formation_id)].append(certification)
        for learner_id in chunk:
            rows = results.get(learner_id, [])
            validated = {code: ects for _, code, ects, result, *_ in rows if result == "validated"}
            followed = set(applied.get(learner_id, ()))
            for unit_id, *_ in rows:
                followed |= naming.get(unit_id, set())
            candidates = []
            for formation_id in sorted(followed, key=lambda pk: formations[pk][0].code):
                formation, requirements = formations[formation_id]
                if not all(code in validated for code in requirements.mandatory):
                    continue  # a mandatory UE to validate: not met (most of an import's paths)
                theirs = held.get((learner_id, formation_id), [])
                live = [c for c in theirs if c.status in LIVE]
                path = Path(
                    formation=formation,
                    requirements=requirements,
                    progress=evaluate(requirements, validated),
                    certification=next(iter(live or theirs), None),
                )
                if path.can_be_proposed:
                    candidates.append(path)
            if candidates:
                latest = _latest(
                    (code, year, pk, place)
                    for _, code, _, result, year, pk, place in rows
                    if result == "validated"
                )
                proposed += _propose(learner_id, candidates, latest, by)
    return proposed


AWARDING_ROLES = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR})
NUMBER_PREFIX = "CNAM-CERT"


_COORDINATORS_ONLY = "Seule la coordination nationale ou régionale peut {} une certification."


def _status_label(certification: Certification) -> str:
    return {
        Certification.Status.PROPOSED: "proposée",
        Certification.Status.AWARDED: f"déjà délivrée (n° {certification.number})",
        Certification.Status.REVOKED: "retirée",
    }.get(certification.status, certification.status)


def _illegal(certification: Certification, move: Move) -> str:
    if move.name == "revoke":
        return "Cette certification est déjà retirée."
    return (
        f"Cette certification est {_status_label(certification)} : elle ne peut pas être délivrée."
    )


def _history(certification: Certification, from_status: str, by: Actor, note: str) -> None:
    if certification.status == Certification.Status.AWARDED and certification.awarded_on:
        note = f"Numéro {certification.number}, délivrée le {certification.awarded_on:%d/%m/%Y}."
    CertificationEvent.objects.create(
        certification=certification,
        status=certification.status,
        by=acting_user(by),
        note=note,
    )


#: The certifications' pipeline: proposed by the rules engine (detect_certifications), awarded
#: with a number or revoked with a reason by a coordinator (core.pipeline.advance).
PIPELINE = Pipeline(
    Certification,
    {
        "award": Move(
            "award",
            "Délivrer la certification",
            Certification.Status.AWARDED,
            AWARDING_ROLES,
            refusal=_COORDINATORS_ONLY.format("délivrer"),
        ),
        "revoke": Move(
            "revoke",
            "Retirer la certification",
            Certification.Status.REVOKED,
            AWARDING_ROLES,
            needs_reason=True,
            refusal=_COORDINATORS_ONLY.format("retirer"),
        ),
    },
    "Cette certification",
    _history,
    illegal=_illegal,
)


def next_number(year: int) -> str:
    """The next free number of the year: CNAM-CERT-2026-0001, -0002, …"""
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = (
        Certification.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def award(
    certification: Certification, *, by: Actor, on: date | None = None, attempts: int = 5
) -> Certification:
    """Award a proposed certification, with the next number of the year of award. Only a national
    or regional coordinator (for a learner in their scope) may. Returns the updated
    certification (a fresh instance)."""
    awarded_on = on or timezone.localdate()

    def number(locked: Certification) -> list[str]:
        if locked.status == Certification.Status.PROPOSED:
            locked.awarded_on = awarded_on
            locked.number = next_number(awarded_on.year)
        return ["awarded_on", "number"]

    for attempt in range(attempts):
        # Two awards at the same time may pick the same number: the unique constraint refuses
        # the second one, which then takes the following number.
        try:
            with transaction.atomic():
                current, _ = advance(
                    PIPELINE,
                    certification,
                    "award",
                    by=by,
                    prepare=number,
                )
            break
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    journal.record(
        journal.Kind.CERTIFICATION_AWARDED,
        current,
        actor=by,
        payload={
            "certification": current.pk,
            "number": current.number,
            "learner": current.learner.reference,
            "formation": current.formation.code,
            "awarded_on": current.awarded_on,
            "academic_year": current.academic_year,
            "establishment": current.establishment.label if current.establishment else None,
            "credits": current.credits,
        },
    )
    return current


@transaction.atomic
@journal.emits(journal.Kind.CERTIFICATION_REVOKED, lambda certification, _: certification)
def revoke(certification: Certification, *, by: Actor, reason: str) -> Certification:
    """Withdraw a proposed or awarded certification, with a reason. The record, its number and its
    history stay; the formation may be proposed again later. Returns a fresh instance."""
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du retrait de la certification."})

    def with_reason(locked: Certification) -> list[str]:
        locked.revoke_reason = reason.strip()
        return ["revoke_reason"]

    current, _ = advance(
        PIPELINE, certification, "revoke", by=by, note=reason.strip(), prepare=with_reason
    )
    return current


#: A status change of a history: (status, by, note, when).
StatusSpec = tuple[str, Actor, str, datetime]


@transaction.atomic
def insert_history(
    certifications: list[Certification], steps: Sequence[Sequence[StatusSpec]]
) -> list[Certification]:
    """The bulk variant for a history written after the fact (the demo's): certifications with
    their own dates and their steps; their events recorded without consequences (the
    credentials of a history are issued when first asked for)."""
    insert_dated(Certification, certifications, ("proposed_at",))
    rows = [
        CertificationEvent(
            certification=certification, status=status, by=acting_user(by), note=note, at=at
        )
        for certification, specs in zip(certifications, steps, strict=True)
        for status, by, note, at in specs
    ]
    insert_dated(CertificationEvent, rows, ("at",))
    journal.record_many(journal.Kind.CERTIFICATION_PROPOSED, certifications, consequences=False)
    awarded = [c for c in certifications if c.status == Certification.Status.AWARDED]
    journal.record_many(
        journal.Kind.CERTIFICATION_AWARDED,
        awarded,
        payloads=[{"number": c.number, "awarded_on": c.awarded_on} for c in awarded],
        consequences=False,
    )
    return certifications
