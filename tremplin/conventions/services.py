"""Write side of the conventions. Every change is validated here, whatever the caller (web form,
demo data): a failure raises a ValidationError in French, keyed by field, and writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tremplin.catalog.academic import academic_year_bounds
from tremplin.core import journal
from tremplin.places.models import Disp, Establishment, Region

from .indicators import INDICATORS
from .models import Convention, ConventionKind, Objective, ScopeKind

__all__ = [
    "ConventionSpec",
    "ObjectiveSpec",
    "add_objective",
    "create_convention",
    "delete_objective",
    "update_convention",
    "update_objective",
]

MAX_TARGET = Decimal("99999999.99")
#: The longest title of a convention and label of an objective (the models' max_length).
TEXT_MAX = 200


@dataclass(frozen=True)
class ConventionSpec:
    title: str
    kind: str
    parties: Sequence[str]
    signed_on: date
    ends_on: date | None = None
    scope: str = ScopeKind.NATIONAL
    disps: Sequence[Disp] = ()
    establishments: Sequence[Establishment] = ()
    regions: Sequence[Region] = ()
    summary: str = ""

    @property
    def clean_parties(self) -> list[str]:
        return list(dict.fromkeys(p.strip() for p in self.parties if p.strip()))


@dataclass(frozen=True)
class ObjectiveSpec:
    label: str
    indicator: str
    target: Decimal
    period_start: date
    period_end: date
    #: None: after the convention's last objective.
    position: int | None = None

    @classmethod
    def for_academic_years(
        cls,
        label: str,
        indicator: str,
        target: Decimal | int,
        first: str,
        last: str | None = None,
        position: int | None = None,
    ) -> ObjectiveSpec:
        """An objective over the academic years `first` to `last` (default: `first` alone)."""
        start = academic_year_bounds(first)[0]
        end = academic_year_bounds(last or first)[1]
        return cls(label, indicator, Decimal(target), start, end, position)


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _check_convention(spec: ConventionSpec, instance: Convention | None) -> None:
    errors = _Errors()
    title = spec.title.strip()
    if not title:
        errors.add("title", "Indiquez l'intitulé de la convention.")
    elif len(title) > TEXT_MAX:
        errors.add("title", "L'intitulé ne doit pas dépasser 200 caractères.")
    else:
        same = Convention.objects.filter(title__iexact=title)
        if instance is not None:
            same = same.exclude(pk=instance.pk)
        if same.exists():
            errors.add("title", "Une convention porte déjà cet intitulé.")
    if spec.kind not in ConventionKind.values:
        errors.add("kind", "Choisissez la nature de la convention.")
    if len(spec.clean_parties) < 2:
        errors.add("parties", "Une convention lie au moins deux parties : indiquez-les.")
    if spec.ends_on is not None and spec.ends_on <= spec.signed_on:
        errors.add("ends_on", "L'échéance doit être postérieure à la date de signature.")
    if spec.scope not in ScopeKind.values:
        errors.add("scope", "Choisissez le périmètre de la convention.")
    elif spec.scope == ScopeKind.DISPS and not spec.disps:
        errors.add("disps", "Un périmètre « Certaines DISP » demande au moins une DISP.")
    elif spec.scope == ScopeKind.ESTABLISHMENTS and not spec.establishments:
        errors.add(
            "establishments",
            "Un périmètre « Établissements désignés » demande au moins un établissement.",
        )
    elif spec.scope == ScopeKind.REGIONS and not spec.regions:
        errors.add("regions", "Un périmètre « Certaines régions » demande au moins une région.")
    errors.raise_if_any()


def _save_convention(spec: ConventionSpec, convention: Convention) -> Convention:
    _check_convention(spec, convention if convention.pk else None)
    convention.title = spec.title.strip()
    convention.kind = spec.kind
    convention.parties = spec.clean_parties
    convention.signed_on = spec.signed_on
    convention.ends_on = spec.ends_on
    convention.scope = spec.scope
    convention.summary = spec.summary.strip()
    convention.save()
    # Only the relation the scope names is kept: the others are emptied.
    convention.disps.set(spec.disps if spec.scope == ScopeKind.DISPS else [])
    convention.establishments.set(
        spec.establishments if spec.scope == ScopeKind.ESTABLISHMENTS else []
    )
    convention.regions.set(spec.regions if spec.scope == ScopeKind.REGIONS else [])
    return convention


@transaction.atomic
@journal.emits(journal.Kind.CONVENTION_CHANGED, lambda convention, _: convention)
def create_convention(spec: ConventionSpec) -> Convention:
    return _save_convention(spec, Convention())


@transaction.atomic
@journal.emits(journal.Kind.CONVENTION_CHANGED, lambda convention, _: convention)
def update_convention(convention: Convention, spec: ConventionSpec) -> Convention:
    return _save_convention(spec, convention)


def _check_objective(spec: ObjectiveSpec) -> None:
    errors = _Errors()
    label = spec.label.strip()
    if not label:
        errors.add("label", "Indiquez l'objectif.")
    elif len(label) > TEXT_MAX:
        errors.add("label", "L'objectif ne doit pas dépasser 200 caractères.")
    indicator = INDICATORS.get(spec.indicator)
    if indicator is None:
        errors.add("indicator", f"Indicateur inconnu : « {spec.indicator} ».")
    if spec.target <= 0:
        errors.add("target", "La cible doit être un nombre strictement positif.")
    elif spec.target > MAX_TARGET:
        errors.add("target", "La cible est trop grande.")
    elif indicator is not None and indicator.is_rate and spec.target > 100:
        errors.add("target", "Un taux ne peut pas dépasser 100 %.")
    if spec.period_end < spec.period_start:
        errors.add("period_end", "La fin de la période doit suivre son début.")
    errors.raise_if_any()


def _save_objective(spec: ObjectiveSpec, objective: Objective) -> Objective:
    _check_objective(spec)
    objective.label = spec.label.strip()
    objective.indicator = spec.indicator
    objective.target = spec.target.quantize(Decimal("0.01"))
    objective.period_start = spec.period_start
    objective.period_end = spec.period_end
    if spec.position is not None:
        objective.position = spec.position
    elif objective.pk is None:
        last = Objective.objects.filter(convention=objective.convention).aggregate(
            last=Max("position")
        )["last"]
        objective.position = 1 if last is None else last + 1
    objective.save()
    return objective


@transaction.atomic
@journal.emits(journal.Kind.CONVENTION_CHANGED, lambda objective, _: objective.convention)
def add_objective(convention: Convention, spec: ObjectiveSpec) -> Objective:
    return _save_objective(spec, Objective(convention=convention))


@transaction.atomic
@journal.emits(journal.Kind.CONVENTION_CHANGED, lambda objective, _: objective.convention)
def update_objective(objective: Objective, spec: ObjectiveSpec) -> Objective:
    return _save_objective(spec, objective)


@transaction.atomic
@journal.emits(
    journal.Kind.CONVENTION_CHANGED,
    lambda _, a: a["objective"].convention,
    lambda _, a: {"what": "objective deleted"},
)
def delete_objective(objective: Objective) -> None:
    objective.delete()
