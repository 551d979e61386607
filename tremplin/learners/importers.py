"""`tremplin import learners FILE`: the learners.csv of DOMAIN.md."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from tremplin.core.csvimport import (
    Column,
    Importer,
    Key,
    Row,
    choices_from,
    parse_choice,
    parse_date,
    parse_text,
)
from tremplin.core.registry import register
from tremplin.core.roles import Role
from tremplin.places.models import Establishment, MissionLocale

from . import identity
from .models import Kind, Learner, Status
from .movements import MovementImporter
from .services import save_learners

SCOPED_ROLES = frozenset(
    {
        Role.NATIONAL_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.REFERENT,
        Role.RLE,
        Role.ML_COUNSELOR,
    }
)


def establishment_index(user: Any) -> dict[str, int]:
    """Establishment labels (upper case) -> id, limited to the user's scope when there is one."""
    from .selectors import establishments_in_scope

    qs = establishments_in_scope(user) if user is not None else Establishment.objects.all()
    return {label.upper(): pk for label, pk in qs.values_list("label", "id")}


@register
class LearnerImporter(Importer[Learner]):
    kind = "learners"
    title = "apprenants"
    roles = SCOPED_ROLES
    model = Learner
    spec = (
        Column("reference", "Référence", "D26-0100"),
        Column("last_name", "Nom", "MARTIN"),
        Column("first_name", "Prénom", "Julie"),
        Column("birth_date", "Date de naissance", "16/05/2006", "date JJ/MM/AAAA ou AAAA-MM-JJ"),
        Column(
            "kind",
            "Type",
            "détenu",
            choices=choices_from(
                Kind.choices, {"detained": "détenu", "youth": "jeune", "other": "autre"}
            ),
        ),
        Column(
            "establishment",
            "Établissement",
            "CD MELUN",
            "libellé de l'établissement : pour une personne détenue",
        ),
        Column("mission_locale", "Mission locale", "", "code de la mission locale : pour un jeune"),
        Column(
            "numero_ecrou",
            "Numéro d'écrou",
            "",
            "pour une personne détenue, s'il est connu : celui de l'arrivée (ou du transfert)",
        ),
        Column(
            "other_person",
            "Autre personne",
            "",
            identity.OTHER_PERSON_NOTE,
            choices=identity.OTHER_PERSON_CHOICES,
        ),
    )
    required = ("reference", "last_name", "first_name", "birth_date", "kind")
    key_fields = ("reference",)
    key_columns = ("reference",)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.establishments = establishment_index(self.user)
        self.all_establishments = {
            label.upper() for label in Establishment.objects.values_list("label", flat=True)
        }
        from .selectors import missions_locales_in_scope

        mls = (
            missions_locales_in_scope(self.user)
            if self.user is not None
            else MissionLocale.objects.all()
        )
        self.missions_locales = {code.upper(): pk for code, pk in mls.values_list("code", "id")}
        self.today = date.today()
        #: reference -> (numéro d'écrou, another person confirmed): not fields of the learner.
        self.extras: dict[str, tuple[str, bool]] = {}

    def parse(self, row: Row) -> dict[str, Any] | None:
        reference = parse_text(row, "reference", max_length=40)
        last_name = parse_text(row, "last_name", max_length=100)
        first_name = parse_text(row, "first_name", max_length=100)
        born = parse_date(row, "birth_date")
        if born is not None and not (date(1900, 1, 1) < born < self.today):
            row.error("birth_date", f"date de naissance improbable : {born:%d/%m/%Y}.")
        kind = parse_choice(row, "kind", {k: k for k in Kind.values})
        label = row.get("establishment").upper()
        ml_code = row.get("mission_locale").upper()
        establishment_id = mission_locale_id = None
        if kind == Kind.DETAINED:
            if not label:
                row.error("establishment", "obligatoire pour une personne détenue.")
            if ml_code:
                row.error("mission_locale", "doit rester vide pour une personne détenue.")
        if kind == Kind.YOUTH:
            if label:
                row.error("establishment", "doit rester vide pour un jeune.")
            if not ml_code:
                row.error("mission_locale", "obligatoire pour un jeune.")
        if label:
            establishment_id = self.establishments.get(label)
            if establishment_id is None:
                why = "hors de votre périmètre" if label in self.all_establishments else "inconnu"
                row.error("establishment", f"établissement {why} : « {row.get('establishment')} ».")
        if ml_code:
            mission_locale_id = self.missions_locales.get(ml_code)
            if mission_locale_id is None:
                row.error(
                    "mission_locale",
                    f"mission locale inconnue ou hors périmètre : « {row.get('mission_locale')} ».",
                )
        numero_ecrou = parse_text(row, "numero_ecrou", required=False, max_length=20)
        if numero_ecrou and kind != Kind.DETAINED:
            row.error("numero_ecrou", "seule une personne détenue a un numéro d'écrou.")
        other = parse_choice(row, "other_person", {"yes": "yes", "no": "no"}, required=False)
        if row.errors:
            return None
        self.extras[reference] = (numero_ecrou, other == "yes")
        return {
            "reference": reference,
            "last_name": last_name,
            "first_name": first_name,
            "birth_date": born,
            "kind": kind,
            "establishment_id": establishment_id,
            "mission_locale_id": mission_locale_id,
        }

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        """Rows naming learners that already exist: within the user's scope, and a path that
        an import may not rewrite (a released learner's establishment)."""
        rows = {values["reference"]: (row, values) for row, values in parsed}
        found = list(Learner.objects.filter(reference__in=list(rows)))
        readable = (
            set(
                Learner.permissions.readable_few(
                    self.user, Learner.objects.filter(pk__in=[lr.pk for lr in found])
                ).values_list("pk", flat=True)
            )
            if self.user is not None
            else {lr.pk for lr in found}
        )
        identity.check_rows(
            parsed,
            known={learner.reference for learner in found},
            other_person={ref for ref, (_, other) in self.extras.items() if other},
        )
        for learner in found:
            row, values = rows[learner.reference]
            if learner.pk not in readable:
                # The very message of an unknown reference elsewhere: existence not disclosed.
                row.error(
                    "reference",
                    f"apprenant inconnu ou hors de votre périmètre : « {learner.reference} ».",
                )
            elif (
                learner.status != Status.PLACED
                and learner.establishment_id is not None
                and values["establishment_id"] != learner.establishment_id
            ):
                row.error(
                    "establishment",
                    "cette personne n'est plus en détention : un import ne change pas son "
                    "établissement (enregistrez une nouvelle arrivée).",
                )

    def existing(self, keys: set[Key]) -> dict[Key, Learner]:
        found = super().existing(keys)
        self.before = {key: obj.establishment_id for key, obj in found.items()}
        return found

    def save(self, to_create: list[Learner], to_update: list[Learner], fields: list[str]) -> None:
        save_learners(
            to_create,
            to_update,
            fields,
            establishments_before={key[0]: pk for key, pk in self.before.items()},
            numeros_ecrou={ref: extras[0] for ref, extras in self.extras.items()},
            on=self.today,
            by=self.user,
        )


register(MovementImporter)

__all__ = ["SCOPED_ROLES", "LearnerImporter", "MovementImporter", "establishment_index"]
