"""What missions locales and the Cnam hold in bulk, imported with the rules of every import (French
labels, CSV or XLSX, all or nothing, idempotent, errors by line and column):

- `tremplin import youth-profiles FILE`: a mission locale's young people and their orientation
  profiles, matched on the reference. A new reference registers the young person (16 to 25 years
  old today, as on the form); a known one updates their identity and profile (the same mission
  locale: a move to another one is not an import's). The commune is written as people write it
  (`commune_of`: the places' commune lookup, called from this one place).
- `tremplin import centre-offers FILE`: the formations each Cnam centre offers, matched on
  (centre, formation): modality, next start, places.

The writes are the services' (`services.save_young_people`, `services.save_centre_offers`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from tremplin.catalog.models import Formation, Modality, Sector
from tremplin.core import audit
from tremplin.core.csvimport import (
    Column,
    Importer,
    ImportReport,
    Key,
    Row,
    choices_from,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_text,
)
from tremplin.core.registry import register
from tremplin.core.roles import Role
from tremplin.learners import identity
from tremplin.learners.models import Kind, Learner
from tremplin.places.models import CnamCentre, Commune, MissionLocale

from .models import MAX_PLACES, CentreOffer, Qualification, Rhythm, YouthProfile
from .services import (
    PHONE,
    YoungPersonWrite,
    age_problem,
    save_centre_offers,
    save_young_people,
)

CHUNK = 5_000
DATE = "date JJ/MM/AAAA ou AAAA-MM-JJ"
#: Separators between the sectors of one cell.
SECTOR_SEPARATORS = re.compile(r"\s*[,;|/]\s*")
MAX_DISTANCE_KM = 1_000


def commune_of(text: str) -> Commune:
    """The commune named in a cell: a name in any usual spelling, a postal code or an INSEE
    code, as the places' lookup understands it (the one call of the imports; ValidationError
    with the lookup's French message when unknown or ambiguous)."""
    from .forms import resolve_commune

    return resolve_commune(text)


LEARNER_FIELDS = ("last_name", "first_name", "birth_date")
PROFILE_FIELDS = (
    "commune_id",
    "qualification",
    "can_travel",
    "max_distance_km",
    "available_from",
    "rhythm",
    "phone",
    "email",
    "contact_consent_on",
)


@register
class YouthProfileImporter(Importer[YouthProfile]):
    kind = "youth-profiles"
    title = "jeunes et profils d'orientation"
    roles = frozenset({Role.ML_COUNSELOR, Role.REGIONAL_COORDINATOR, Role.NATIONAL_COORDINATOR})
    model = YouthProfile
    spec = (
        Column("reference", "Référence", "ML-0100", "identifiant du jeune à la mission locale"),
        Column("last_name", "Nom", "MARTIN"),
        Column("first_name", "Prénom", "Léa"),
        Column("birth_date", "Date de naissance", "16/05/2006", DATE),
        Column(
            "mission_locale",
            "Mission locale",
            "DEMO-ML-STMALO",
            "code de la mission locale ; vide : la vôtre",
        ),
        Column(
            "commune",
            "Commune",
            "Saint-Malo",
            "commune de résidence : nom, code postal ou code INSEE",
        ),
        Column(
            "qualification",
            "Plus haut diplôme",
            "bac",
            choices=choices_from(
                Qualification.choices,
                {"below_bac": "sans le bac", "bac": "bac", "post_bac": "bac+"},
            ),
        ),
        Column(
            "sectors",
            "Secteurs",
            "Informatique, Comptabilité et gestion",
            "secteurs d'intérêt (nom ou code), séparés par des virgules ; vide : tous",
        ),
        Column(
            "max_distance_km",
            "Distance maximale (km)",
            "30",
            f"jusqu'où le jeune peut se déplacer, 1 à {MAX_DISTANCE_KM} km ; vide ou 0 : il ne "
            "peut pas se déplacer",
        ),
        Column("available_from", "Disponible à partir du", "01/09/2026", DATE),
        Column(
            "rhythm",
            "Rythme",
            "temps plein",
            "vide : à temps plein",
            choices=choices_from(
                Rhythm.choices, {"full_time": "temps plein", "part_time": "temps partiel"}
            ),
        ),
        Column("phone", "Téléphone", "06 12 34 56 78"),
        Column("email", "Courriel", "lea.martin@example.org"),
        Column(
            "contact_consent_on",
            "Consentement le",
            "02/03/2026",
            "date de l'accord du jeune pour transmettre ses coordonnées au centre",
        ),
        Column(
            "other_person",
            "Autre personne",
            "",
            identity.OTHER_PERSON_NOTE,
            choices=identity.OTHER_PERSON_CHOICES,
        ),
    )
    required = ("reference", "last_name", "first_name", "birth_date", "commune", "qualification")
    key_fields = ("reference",)
    key_columns = ("reference",)

    # -- keys: the young person's reference ------------------------------------------------------

    def key_from(self, values: Any) -> Key:
        return (values["reference"],)

    def key_of(self, obj: YouthProfile) -> Key:
        return (obj.learner.reference,)

    # -- reading -----------------------------------------------------------------------------------

    def prepare(self, rows: Sequence[Row]) -> None:
        from tremplin.core.scope import scope_of
        from tremplin.learners.selectors import missions_locales_in_scope

        self.today = timezone.localdate()
        mls = (
            missions_locales_in_scope(self.user)
            if self.user is not None
            else MissionLocale.objects.all()
        )
        self.missions_locales = {code.upper(): pk for code, pk in mls.values_list("code", "pk")}
        scope = scope_of(self.user) if self.user is not None else None
        self.own_mission_locale = scope.mission_locale_id if scope is not None else None
        self.sectors: dict[str, int] = {}
        for pk, code, name in Sector.objects.values_list("pk", "code", "name"):
            self.sectors[code.casefold()] = pk
            self.sectors[name.casefold()] = pk
        #: commune cell -> commune id, or the lookup's message: each distinct spelling once.
        self.communes: dict[str, str | Commune] = {}
        references = sorted({r.get("reference") for r in rows if r.get("reference")})
        self.learners: dict[str, Learner] = {}
        for start in range(0, len(references), CHUNK):
            for learner in Learner.objects.filter(
                reference__in=references[start : start + CHUNK]
            ).select_related("youth_profile"):
                self.learners[learner.reference] = learner
        readable = Learner.objects.filter(pk__in=[lr.pk for lr in self.learners.values()])
        if self.user is not None:
            readable = Learner.permissions.readable_few(self.user, readable)
        self.readable = set(readable.values_list("pk", flat=True))
        self.profile_sectors: dict[int, frozenset[int]] = {}
        through = YouthProfile.sectors.through
        profile_ids = [
            lr.youth_profile.pk for lr in self.learners.values() if _profile_of(lr) is not None
        ]
        found: dict[int, set[int]] = {pk: set() for pk in profile_ids}
        for start in range(0, len(profile_ids), CHUNK):
            for profile_id, sector_id in through.objects.filter(
                youthprofile_id__in=profile_ids[start : start + CHUNK]
            ).values_list("youthprofile_id", "sector_id"):
                found[profile_id].add(sector_id)
        self.profile_sectors = {pk: frozenset(ids) for pk, ids in found.items()}

    def _commune(self, row: Row) -> Commune | None:
        text = row.get("commune")
        if not text:
            row.error("commune", "commune de résidence obligatoire (nom, code postal ou INSEE).")
            return None
        if text not in self.communes:
            try:
                self.communes[text] = commune_of(text)
            except ValidationError as exc:
                self.communes[text] = " ".join(exc.messages)
        found = self.communes[text]
        if isinstance(found, str):
            row.error("commune", found[:1].lower() + found[1:])
            return None
        return found

    def parse(self, row: Row) -> dict[str, Any] | None:
        parse_choice(row, "other_person", {"yes": "yes", "no": "no"}, required=False)
        reference = parse_text(row, "reference", max_length=40)
        last_name = parse_text(row, "last_name", max_length=100)
        first_name = parse_text(row, "first_name", max_length=100)
        born = parse_date(row, "birth_date")
        learner = self.learners.get(reference) if reference else None
        if learner is not None and learner.pk not in self.readable:
            # The very message of an unknown reference elsewhere: existence not disclosed.
            row.error("reference", f"jeune hors de votre périmètre : « {reference} ».")
            learner = None
        elif learner is not None and (
            learner.kind != Kind.YOUTH or learner.mission_locale_id is None
        ):
            row.error(
                "reference",
                f"« {reference} » est un apprenant qui n'est pas suivi par une mission locale.",
            )
            learner = None
        code = row.get("mission_locale").upper()
        ml_id: int | None = None
        if code:
            ml_id = self.missions_locales.get(code)
            if ml_id is None:
                row.error(
                    "mission_locale",
                    f"mission locale inconnue ou hors de votre périmètre : « {row.get('mission_locale')} ».",
                )
        elif self.own_mission_locale is not None:
            ml_id = self.own_mission_locale
        else:
            row.error("mission_locale", "code de la mission locale obligatoire.")
        if learner is not None and ml_id is not None and learner.mission_locale_id != ml_id:
            row.error(
                "mission_locale",
                "ce jeune est suivi par une autre mission locale : un import ne le change pas.",
            )
        if born is not None:
            if learner is None or _profile_of(learner) is None:
                problem = age_problem(born, self.today)
                if problem:
                    row.error("birth_date", problem[:1].lower() + problem[1:])
            elif born > self.today:
                row.error("birth_date", "la date de naissance est dans le futur.")
        commune = self._commune(row)
        qualification = parse_choice(row, "qualification", {q: q for q in Qualification.values})
        sector_ids = self._sectors(row)
        distance = parse_decimal(
            row,
            "max_distance_km",
            required=False,
            minimum=Decimal(0),
            maximum=Decimal(MAX_DISTANCE_KM),
        )
        if distance is not None and distance != distance.to_integral_value():
            row.error("max_distance_km", "un nombre entier de kilomètres, ex. 30.")
        available_from = parse_date(row, "available_from", required=False)
        rhythm = parse_choice(row, "rhythm", {r: r for r in Rhythm.values}, required=False)
        phone = parse_text(row, "phone", required=False, max_length=20)
        if phone and not PHONE.match(phone):
            row.error(
                "phone", f"« {phone} » n'est pas un numéro de téléphone (ex. 06 12 34 56 78)."
            )
        email = parse_text(row, "email", required=False, max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error("email", f"« {email} » n'est pas une adresse électronique.")
        consent = parse_date(row, "contact_consent_on", required=False)
        if consent is not None:
            if consent > self.today:
                row.error("contact_consent_on", f"date dans le futur : {consent:%d/%m/%Y}.")
            elif not (phone or email):
                row.error(
                    "contact_consent_on",
                    "aucun téléphone ni courriel à transmettre : laissez vide ou indiquez-les.",
                )
        if row.errors:
            return None
        can_travel = bool(distance)
        return {
            "reference": reference,
            "last_name": last_name,
            "first_name": first_name,
            "birth_date": born,
            "mission_locale_id": ml_id,
            "commune_id": commune.pk if commune is not None else None,
            "qualification": qualification,
            "can_travel": can_travel,
            "max_distance_km": int(distance) if distance else None,
            "available_from": available_from,
            "rhythm": rhythm or Rhythm.FULL_TIME,
            "phone": phone,
            "email": email,
            "contact_consent_on": consent,
            "sector_ids": sector_ids,
        }

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        """A new young person who may already have a file: an error (learners.identity)."""
        identity.check_rows(
            parsed,
            known=set(self.learners),
            other_person={
                values["reference"] for row, values in parsed if row.get("other_person") == "yes"
            },
        )

    def _sectors(self, row: Row) -> frozenset[int]:
        text = row.get("sectors")
        ids: set[int] = set()
        for name in (n for n in SECTOR_SEPARATORS.split(text) if n):
            found = self.sectors.get(name.casefold())
            if found is None:
                row.error("sectors", f"secteur inconnu : « {name} ».")
            else:
                ids.add(found)
        return frozenset(ids)

    # -- writing -----------------------------------------------------------------------------------

    def _write(
        self,
        report: ImportReport,
        parsed: list[tuple[Row, dict[str, Any]]],
        first_line: dict[Key, int],
        *,
        dry_run: bool,
    ) -> ImportReport:
        writes: list[YoungPersonWrite] = []
        changes: list[audit.Change] = []
        for _, values in parsed:
            write, created = self._plan(values, changes)
            if write is None:
                report.unchanged += 1
                continue
            writes.append(write)
            if created:
                report.created += 1
            else:
                report.updated += 1
        if not dry_run:
            with transaction.atomic():
                save_young_people(writes, by=self.user)  # the new records get their ids
                audit.record_changes(self.user, changes, origin=self.origin)
        return report

    def _plan(
        self, values: dict[str, Any], changes: list[audit.Change]
    ) -> tuple[YoungPersonWrite | None, bool]:
        """What one row changes: (None, False) when nothing."""
        profile_values = {name: values[name] for name in PROFILE_FIELDS}
        learner = self.learners.get(values["reference"])
        if learner is None:
            learner = Learner(
                reference=values["reference"],
                mission_locale_id=values["mission_locale_id"],
                **{name: values[name] for name in LEARNER_FIELDS},
            )
            profile = YouthProfile(**profile_values)
            changes.append(audit.Change(learner, None, {"reference": values["reference"]}))
            changes.append(audit.Change(profile, None, dict(profile_values)))
            return YoungPersonWrite(learner, profile, sector_ids=values["sector_ids"]), True
        learner_fields = [n for n in LEARNER_FIELDS if getattr(learner, n) != values[n]]
        if learner_fields:
            changes.append(
                audit.Change(
                    learner,
                    audit.snapshot(learner, learner_fields),
                    {n: values[n] for n in learner_fields},
                )
            )
            for name in learner_fields:
                setattr(learner, name, values[name])
        existing = _profile_of(learner)
        if existing is None:
            profile = YouthProfile(**profile_values)
            changes.append(audit.Change(profile, None, dict(profile_values)))
            return (
                YoungPersonWrite(
                    learner, profile, learner_fields=learner_fields, sector_ids=values["sector_ids"]
                ),
                False,
            )
        profile_fields = [n for n in PROFILE_FIELDS if getattr(existing, n) != values[n]]
        sectors_changed = self.profile_sectors.get(existing.pk, frozenset()) != values["sector_ids"]
        if not (learner_fields or profile_fields or sectors_changed):
            return None, False
        if profile_fields:
            changes.append(
                audit.Change(
                    existing,
                    audit.snapshot(existing, profile_fields),
                    {n: values[n] for n in profile_fields},
                )
            )
            for name in profile_fields:
                setattr(existing, name, values[name])
        return (
            YoungPersonWrite(
                learner,
                existing,
                learner_fields=learner_fields,
                profile_fields=profile_fields,
                sector_ids=values["sector_ids"] if sectors_changed else None,
            ),
            False,
        )


def _profile_of(learner: Learner) -> YouthProfile | None:
    try:
        return learner.youth_profile
    except YouthProfile.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Centre offers


@register
class CentreOfferImporter(Importer[CentreOffer]):
    kind = "centre-offers"
    title = "offres des centres Cnam"
    model = CentreOffer
    spec = (
        Column("centre", "Centre", "DEMO-BRE", "code du centre Cnam"),
        Column("formation", "Formation", "CPN58", "code de la formation"),
        Column(
            "modality",
            "Modalité",
            "en présentiel",
            choices=choices_from(
                Modality.choices,
                {"distance": "à distance", "on_site": "en présentiel", "hybrid": "hybride"},
            ),
        ),
        Column("next_start", "Prochaine rentrée", "01/09/2026", DATE),
        Column("places", "Places", "20", f"places ouvertes, 0 à {MAX_PLACES}"),
    )
    required = ("centre", "formation", "modality")
    key_fields = ("centre_id", "formation_id")
    key_columns = ("centre", "formation")

    def prepare(self, rows: Sequence[Row]) -> None:
        self.centres = {
            code.upper(): pk for code, pk in CnamCentre.objects.values_list("code", "pk")
        }
        self.formations = {
            code.upper(): pk for code, pk in Formation.objects.values_list("code", "pk")
        }

    def parse(self, row: Row) -> dict[str, Any] | None:
        centre_code = row.get("centre")
        centre_id = self.centres.get(centre_code.upper()) if centre_code else None
        if not centre_code:
            row.error("centre", "code du centre obligatoire.")
        elif centre_id is None:
            row.error("centre", f"centre Cnam inconnu : « {centre_code} ».")
        code = row.get("formation")
        formation_id = self.formations.get(code.upper()) if code else None
        if not code:
            row.error("formation", "code de la formation obligatoire.")
        elif formation_id is None:
            row.error("formation", f"formation inconnue : « {code} ».")
        modality = parse_choice(row, "modality", {m: m for m in Modality.values})
        next_start = parse_date(row, "next_start", required=False)
        places = parse_decimal(
            row, "places", required=False, minimum=Decimal(0), maximum=Decimal(MAX_PLACES)
        )
        if places is not None and places != places.to_integral_value():
            row.error("places", "un nombre entier de places, ex. 20.")
        if row.errors:
            return None
        return {
            "centre_id": centre_id,
            "formation_id": formation_id,
            "modality": modality,
            "next_start": next_start,
            "places": None if places is None else int(places),
        }

    def save(
        self, to_create: list[CentreOffer], to_update: list[CentreOffer], fields: list[str]
    ) -> None:
        save_centre_offers(to_create, to_update, fields)


__all__ = ["CentreOfferImporter", "YouthProfileImporter", "commune_of"]
