"""Write-side of the catalogue. Every change is validated here, whatever the caller (web form,
import, demo data), and a published edition is never changed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django_fsm import TransitionNotAllowed

from tremplin.core import journal
from tremplin.core.csvimport import save_objects
from tremplin.places.models import Disp, Establishment

from .academic import next_academic_year
from .models import (
    ChoiceGroup,
    Edition,
    Formation,
    FormationOffer,
    Modality,
    OfferScope,
    Sector,
    TeachingUnit,
    UnitOffer,
)
from .selectors import build_content

_CODE_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class GroupSpec:
    label: str
    choose: int
    codes: Sequence[str]


def parse_codes(text: str) -> list[str]:
    """ "cfa109, CFA110 ;NFA001" -> ["CFA109", "CFA110", "NFA001"] (order kept, no duplicates)."""
    return list(dict.fromkeys(c.upper() for c in _CODE_SPLIT.split(text) if c))


def resolve_units(codes: Iterable[str], field: str) -> list[TeachingUnit]:
    codes = list(codes)
    found = {u.code: u for u in TeachingUnit.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {field: f"UE inconnue{'s' if len(unknown) > 1 else ''} : {', '.join(unknown)}."}
        )
    return [found[c] for c in codes]


def reachable_credits(
    mandatory: Sequence[TeachingUnit], groups: Sequence[tuple[int, Sequence[TeachingUnit]]]
) -> Decimal:
    total = sum((u.ects for u in mandatory), Decimal(0))
    for choose, units in groups:
        total += sum(sorted((u.ects for u in units), reverse=True)[:choose], Decimal(0))
    return total


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED,
    lambda _, a: a["formation"],
    lambda _, a: {"what": "requirements"},
)
def set_requirements(
    formation: Formation, mandatory_codes: Sequence[str], groups: Sequence[GroupSpec]
) -> None:
    """Replace a formation's requirements; refuse unknown UEs and impossible rules."""
    mandatory = resolve_units(mandatory_codes, "mandatory")
    resolved: list[tuple[GroupSpec, list[TeachingUnit]]] = []
    for index, group in enumerate(groups, start=1):
        units = resolve_units(group.codes, "choice_groups")
        if not group.label.strip():
            raise ValidationError({"choice_groups": f"Le groupe {index} n'a pas d'intitulé."})
        if group.choose < 1 or group.choose > len(units):
            raise ValidationError(
                {
                    "choice_groups": (
                        f"Groupe « {group.label} » : on ne peut pas choisir {group.choose} UE "
                        f"parmi {len(units)}."
                    )
                }
            )
        overlap = {u.code for u in units} & {u.code for u in mandatory}
        if overlap:
            raise ValidationError(
                {
                    "choice_groups": (
                        f"Groupe « {group.label} » : {', '.join(sorted(overlap))} "
                        "figure déjà parmi les UE obligatoires."
                    )
                }
            )
        resolved.append((group, units))
    reachable = reachable_credits(mandatory, [(g.choose, units) for g, units in resolved])
    if formation.min_credits > reachable:
        raise ValidationError(
            {
                "min_credits": (
                    f"{formation.min_credits} crédits exigés, mais ces UE n'en apportent "
                    f"au plus que {reachable.normalize()}."
                )
            }
        )
    formation.mandatory_units.set(mandatory)
    formation.choice_groups.all().delete()
    for position, (group, units) in enumerate(resolved):
        created = ChoiceGroup.objects.create(
            formation=formation, label=group.label.strip(), choose=group.choose, position=position
        )
        created.units.set(units)


# ---------------------------------------------------------------------------------------------
# Editions


class EditionFrozen(ValidationError):
    def __init__(self, edition: Edition) -> None:
        super().__init__(
            f"L'édition {edition.year} est {edition.get_status_display().lower()} : elle ne peut "
            f"plus être modifiée. Copiez-la vers {next_academic_year(edition.year)} pour "
            "préparer l'édition suivante."
        )


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda saved, _: saved, lambda _, a: {"what": "form"}
)
def save_form(form: ModelForm[Any]) -> Any:
    """Save a catalogue page's validated form (an edition, a sector, a UE, a formation): the
    catalogue's pages write through here; a published edition stays as it was published."""
    if isinstance(form.instance, Edition) and form.instance.pk:
        ensure_editable(Edition.objects.get(pk=form.instance.pk))
    return form.save()


def ensure_editable(edition: Edition) -> None:
    if not edition.is_editable:
        raise EditionFrozen(edition)


@dataclass(frozen=True)
class Where:
    scope: str = OfferScope.EVERYWHERE
    disps: Sequence[Disp] = ()
    establishments: Sequence[Establishment] = ()


def _place(offer: FormationOffer | UnitOffer, where: Where) -> None:
    offer.disps.set(where.disps if where.scope == OfferScope.DISPS else [])
    offer.establishments.set(
        where.establishments if where.scope == OfferScope.ESTABLISHMENTS else []
    )


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda offer, _: offer, lambda _, a: {"what": "offer"}
)
def offer_formation(
    edition: Edition, formation: Formation, *, modality: str, where: Where = Where()
) -> FormationOffer:
    ensure_editable(edition)
    offer, _ = FormationOffer.objects.update_or_create(
        edition=edition, formation=formation, defaults={"modality": modality, "scope": where.scope}
    )
    _place(offer, where)
    return offer


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda offer, _: offer, lambda _, a: {"what": "offer"}
)
def offer_unit(
    edition: Edition, unit: TeachingUnit, *, modality: str | None = None, where: Where = Where()
) -> UnitOffer:
    ensure_editable(edition)
    offer, _ = UnitOffer.objects.update_or_create(
        edition=edition,
        unit=unit,
        defaults={"modality": modality or unit.modality, "scope": where.scope},
    )
    _place(offer, where)
    return offer


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED,
    lambda _, a: a["edition"],
    lambda n, _: {"what": "offers", "added": n},
)
def add_offers(edition: Edition, codes: Sequence[str], *, modality: str, where: Where) -> int:
    """Offer the formations and UEs named by code; refuse the whole list if one is unknown."""
    ensure_editable(edition)
    formations = {f.code: f for f in Formation.objects.filter(code__in=codes)}
    units = {u.code: u for u in TeachingUnit.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in formations and c not in units]
    if unknown:
        raise ValidationError(
            {"codes": f"Ni formation ni UE ne porte ce code : {', '.join(unknown)}."}
        )
    for code in codes:
        if code in formations:
            formation = formations[code]
            offer_formation(
                edition, formation, modality=modality or _formation_modality(formation), where=where
            )
        else:
            offer_unit(edition, units[code], modality=modality or None, where=where)
    return len(codes)


def _formation_modality(formation: Formation) -> str:
    """A formation whose UEs share one modality has it; a mixed one is hybrid."""
    modalities = set(formation.mandatory_units.values_list("modality", flat=True))
    for group in formation.choice_groups.all():
        modalities.update(group.units.values_list("modality", flat=True))
    return modalities.pop() if len(modalities) == 1 else Modality.HYBRID


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED,
    lambda _, a: a["offer"].edition,
    lambda _, a: {"what": "offer withdrawn"},
)
def withdraw_offer(offer: FormationOffer | UnitOffer) -> None:
    ensure_editable(offer.edition)
    offer.delete()


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda edition, _: edition, lambda _, a: {"what": "published"}
)
def publish(edition: Edition, *, on: date | None = None) -> Edition:
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if not edition.unit_offers.exists() and not edition.formation_offers.exists():
        raise ValidationError(
            f"L'édition {edition.year} est vide : ajoutez des offres avant de la publier."
        )
    try:
        edition.publish()
    except TransitionNotAllowed as exc:
        raise ValidationError(
            f"L'édition {edition.year} est déjà {edition.get_status_display().lower()}."
        ) from exc
    edition.published_on = on or date.today()
    edition.snapshot = build_content(edition)
    edition.snapshot["published_on"] = edition.published_on.isoformat()
    edition.save()
    return edition


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda edition, _: edition, lambda _, a: {"what": "copied"}
)
def copy_to_next_year(edition: Edition) -> Edition:
    """Start next year's draft from this edition's offers."""
    year = next_academic_year(edition.year)
    if Edition.objects.filter(year=year).exists():
        raise ValidationError(f"L'édition {year} existe déjà.")
    copy = Edition.objects.create(
        year=year,
        title=edition.title.replace(edition.year, year),
        introduction=edition.introduction,
        how_to_apply=edition.how_to_apply,
    )
    for model in (FormationOffer, UnitOffer):
        for offer in model.objects.filter(edition=edition).prefetch_related(
            "disps", "establishments"
        ):
            disps, establishments = list(offer.disps.all()), list(offer.establishments.all())
            offer.pk = None
            offer.edition = copy
            offer.save()
            offer.disps.set(disps)
            offer.establishments.set(establishments)
    return copy


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED,
    lambda _, a: [*a["to_create"], *a["to_update"]],
    lambda _, a: {"what": "teaching unit"},
)
def save_teaching_units(
    to_create: list[TeachingUnit], to_update: list[TeachingUnit], fields: list[str]
) -> None:
    """The bulk variant for the teaching units import (codes, credits and sectors checked by the
    importer with the form's rules; the published editions keep their own copy of the content,
    so a unit's change never alters them)."""
    save_objects(TeachingUnit, to_create, to_update, fields)


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda sector, _: sector, lambda _, a: {"what": "sector"}
)
def ensure_sector(name: str) -> Sector:
    """The sector of that name, created when it is missing."""
    return Sector.objects.get_or_create(name=name)[0]


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda unit, _: unit, lambda _, a: {"what": "teaching unit"}
)
def put_teaching_unit(code: str, **fields: Any) -> TeachingUnit:
    """The UE of that code, created or changed to these fields (the demo's catalogue)."""
    return TeachingUnit.objects.update_or_create(code=code, defaults=fields)[0]


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED,
    lambda formation, _: formation,
    lambda _, a: {"what": "formation"},
)
def put_formation(code: str, **fields: Any) -> Formation:
    """The formation of that code, created or changed to these fields (its requirements:
    set_requirements)."""
    return Formation.objects.update_or_create(code=code, defaults=fields)[0]


@transaction.atomic
@journal.emits(
    journal.Kind.CATALOGUE_CHANGED, lambda edition, _: edition, lambda _, a: {"what": "edition"}
)
def ensure_edition(year: str, **fields: Any) -> Edition:
    """The edition of that year, created as a draft with these fields when it is missing."""
    return Edition.objects.get_or_create(year=year, defaults=fields)[0]
