"""`tremplin import referrals FILE`: referrals of young people to Cnam centres, e.g. the history
a mission locale kept in a spreadsheet.

Columns: `learner` (reference of an existing young person with an orientation profile),
`centre` (Cnam centre code), `formation` (formation code; the centre must offer it), `sent_at`
(date), `status` (sent / contacted / information_meeting / enrolled / closed), `close_reason`
(no_answer / not_eligible / other_path / centre_full: required when closed, empty otherwise),
`message` (optional). Matched on (learner, centre, formation, sent_at date).

A new row creates the referral in its status, with its "sent" step on the sending date and, if
it is further, one step to its status on the day of the import. A row naming an existing
referral may move it forward along the pipeline (never back, never out of "closed" or
"enrolled"), and update its message (an empty cell keeps the stored one) and close reason. The date of the first contact is not in
the file: it stays unknown for imported moves (the delay figures use only the contacts recorded
in Tremplin). A young person has at most one live referral (not closed) per centre and
formation. The young person must be 16 to 25 on the sending date. A scoped user imports only
their mission locale's young people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tremplin.catalog.models import Formation
from tremplin.core.csvimport import (
    Column,
    Importer,
    ImportRejected,
    Key,
    Row,
    RowError,
    choices_from,
    parse_choice,
    parse_date,
    parse_text,
)
from tremplin.core.registry import register
from tremplin.core.roles import Role
from tremplin.learners.models import Kind, Learner
from tremplin.places.models import CnamCentre, size_class

from .models import CentreOffer, CloseReason, Referral
from .profile_imports import CentreOfferImporter, YouthProfileImporter  # registered there
from .proposals import geodesic_km
from .services import age_problem, moves_between, save_referrals

Status = Referral.Status
CHUNK = 5_000
__all__ = ["CentreOfferImporter", "ReferralImporter", "YouthProfileImporter", "moves_between"]
#: An imported referral is dated at this local time of its sending day.
SENT_TIME = time(9, 0)
IMPORT_NOTE = "Import CSV"


def _label(status: str) -> str:
    return str(Status(status).label)


def _sending_day(moment: datetime) -> date:
    return timezone.localdate(moment)


@register
class ReferralImporter(Importer[Referral]):
    kind = "referrals"
    title = "orientations vers les centres Cnam"
    roles = frozenset({Role.ML_COUNSELOR, Role.NATIONAL_COORDINATOR})
    model = Referral
    spec = (
        Column("learner", "Jeune", "ML-0001", "référence du jeune"),
        Column("centre", "Centre", "DEMO-BRE", "code du centre Cnam"),
        Column("formation", "Formation", "CPN58", "code de la formation"),
        Column("sent_at", "Envoyée le", "02/03/2026", "date JJ/MM/AAAA ou AAAA-MM-JJ"),
        Column(
            "status",
            "Statut",
            "envoyée",
            choices=choices_from(
                Status.choices,
                {
                    "sent": "envoyée",
                    "contacted": "contacté",
                    "information_meeting": "réunion d'information",
                    "enrolled": "inscrit",
                    "closed": "close",
                },
            ),
        ),
        Column(
            "close_reason",
            "Motif de clôture",
            "",
            "si close",
            choices=choices_from(
                CloseReason.choices,
                {
                    "no_answer": "pas de réponse",
                    "not_eligible": "ne remplit pas les conditions",
                    "other_path": "autre parcours",
                    "centre_full": "centre complet",
                },
            ),
        ),
        Column("message", "Message", ""),
    )
    required = ("learner", "centre", "formation", "sent_at", "status")
    key_fields = ("learner_id", "centre_id", "formation_id", "sent_at")
    key_columns = ("learner", "centre", "formation", "sent_at")

    # -- keys: the sending day, not the instant -------------------------------------------------

    def key_from(self, values: Any) -> Key:
        return (
            values["learner_id"],
            values["centre_id"],
            values["formation_id"],
            _sending_day(values["sent_at"]),
        )

    def key_of(self, obj: Referral) -> Key:
        return (obj.learner_id, obj.centre_id, obj.formation_id, _sending_day(obj.sent_at))

    # -- reading ---------------------------------------------------------------------------------

    def prepare(self, rows: Sequence[Row]) -> None:
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        references = sorted({r.get("learner") for r in rows if r.get("learner")})
        #: reference (matched exactly: it is opaque) -> (id, kind, mission locale, birth date,
        #: profile, latitude, longitude)
        self.learners: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(references), CHUNK):
            qs = Learner.objects.filter(reference__in=references[start : start + CHUNK])
            if self.user is not None:
                qs = Learner.permissions.readable_few(self.user, qs)
            for ref, *rest in qs.values_list(
                "reference",
                "id",
                "kind",
                "mission_locale_id",
                "birth_date",
                "youth_profile__id",
                "youth_profile__commune__latitude",
                "youth_profile__commune__longitude",
            ):
                self.learners[ref] = tuple(rest)
        self.centres = {
            code.upper(): (pk, name, population, lat, lon)
            for code, pk, name, population, lat, lon in CnamCentre.objects.values_list(
                "code",
                "pk",
                "name",
                "commune__population",
                "commune__latitude",
                "commune__longitude",
            )
        }
        self.formations = {
            code.upper(): pk for code, pk in Formation.objects.values_list("code", "pk")
        }
        self.offers = {
            (centre_id, formation_id): modality
            for centre_id, formation_id, modality in CentreOffer.objects.values_list(
                "centre_id", "formation_id", "modality"
            )
        }
        #: key -> target status, for the existing referrals that the file moves forward.
        self.moves: dict[Key, str] = {}
        self.lines: dict[Key, int] = {}

    def parse(self, row: Row) -> dict[str, Any] | None:
        reference = row.get("learner")
        learner = self.learners.get(reference) if reference else None
        if not reference:
            row.error("learner", "référence du jeune obligatoire.")
        elif learner is None:
            row.error("learner", f"jeune inconnu ou hors de votre périmètre : « {reference} ».")
        elif learner[1] != Kind.YOUTH or learner[2] is None:
            row.error(
                "learner", f"« {reference} » n'est pas un jeune suivi par une mission locale."
            )
            learner = None
        elif learner[4] is None:
            row.error("learner", f"« {reference} » n'a pas de profil d'orientation.")
            learner = None
        centre_code = row.get("centre")
        centre = self.centres.get(centre_code.upper()) if centre_code else None
        if not centre_code:
            row.error("centre", "code du centre obligatoire.")
        elif centre is None:
            row.error("centre", f"centre Cnam inconnu : « {centre_code} ».")
        formation_code = row.get("formation")
        formation_id = self.formations.get(formation_code.upper()) if formation_code else None
        if not formation_code:
            row.error("formation", "code de la formation obligatoire.")
        elif formation_id is None:
            row.error("formation", f"formation inconnue : « {formation_code} ».")
        modality = None
        if centre is not None and formation_id is not None:
            modality = self.offers.get((centre[0], formation_id))
            if modality is None:
                row.error(
                    "formation",
                    f"le centre {centre_code} ne propose pas la formation {formation_code}.",
                )
        sent_on = parse_date(row, "sent_at")
        if sent_on is not None:
            if sent_on > self.today:
                row.error("sent_at", f"date dans le futur : {sent_on:%d/%m/%Y}.")
            elif learner is not None:
                problem = age_problem(learner[3], sent_on, when=" à la date de l'orientation")
                if problem:
                    row.error("sent_at", problem[0].lower() + problem[1:])
        status = parse_choice(row, "status", {s: s for s in Status.values})
        close_reason = row.get("close_reason")
        if status == Status.CLOSED:
            parse_choice(row, "close_reason", {c: c for c in CloseReason.values})
        elif close_reason:
            row.error("close_reason", "à laisser vide : l'orientation n'est pas close.")
        message = parse_text(row, "message", required=False, max_length=2_000)
        if row.errors:
            return None
        assert learner is not None and centre is not None and sent_on is not None
        km = geodesic_km((learner[5], learner[6]), (centre[3], centre[4]))
        size = size_class(centre[2])
        return {
            "learner_id": learner[0],
            "centre_id": centre[0],
            "formation_id": formation_id,
            "sent_at": timezone.make_aware(datetime.combine(sent_on, SENT_TIME)),
            "sent_month": sent_on.replace(day=1),
            "status": status,
            "close_reason": close_reason if status == Status.CLOSED else "",
            "message": message,
            "mission_locale_id": learner[2],
            "modality": modality,
            "distance_km": None if km is None else Decimal(f"{km:.1f}"),
            "size_class": size.value if size else "",
            "created_by": self.user,
            "updated_at": self.now,
        }

    # -- cross-row checks: the pipeline, and one live referral per young person and offer ------

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        learner_ids = sorted({values["learner_id"] for _, values in parsed})
        stored: dict[Key, Referral] = {}
        for start in range(0, len(learner_ids), CHUNK):
            for referral in Referral.objects.filter(
                learner_id__in=learner_ids[start : start + CHUNK]
            ):
                stored[self.key_of(referral)] = referral
        readable = set(stored)
        if self.user is not None and stored:
            pks = set(
                Referral.permissions.readable(
                    self.user, Referral.objects.filter(pk__in=[r.pk for r in stored.values()])
                ).values_list("pk", flat=True)
            )
            readable = {k for k, r in stored.items() if r.pk in pks}
        final: dict[Key, str] = {k: r.status for k, r in stored.items()}
        from_file: dict[Key, Row] = {}
        for row, values in parsed:
            key = self.key_from(values)
            from_file[key] = row
            self.lines[key] = row.line
            target = values["status"]
            existing = stored.get(key)
            if existing is None:
                final[key] = target
                continue
            if key not in readable:
                # The very message of an unknown young person: existence not disclosed.
                row.error(
                    "learner",
                    f"jeune inconnu ou hors de votre périmètre : « {row.get('learner')} ».",
                )
                continue
            moves = moves_between(existing.status, target)
            if moves is None:
                row.error(
                    "status",
                    f"l'orientation enregistrée est « {_label(existing.status)} » : elle ne peut "
                    f"pas passer à « {_label(target)} ».",
                )
                continue
            final[key] = target
            # What an existing referral keeps: its instant of sending, its sender, what was
            # computed when it was sent.
            values["sent_at"] = existing.sent_at
            values["sent_month"] = existing.sent_month
            for name in ("mission_locale_id", "modality", "distance_km", "size_class"):
                values[name] = getattr(existing, name)
            del values["created_by"]
            del values["status"]
            if not values["message"]:
                del values["message"]  # an empty cell never erases the message sent
            if moves:
                self.moves[key] = target
            else:
                del values["updated_at"]  # unchanged unless the message or reason changed
        live: dict[tuple[Any, ...], list[Key]] = defaultdict(list)
        for key, status in final.items():
            if status != Status.CLOSED:
                live[key[:3]].append(key)
        for keys in live.values():
            if len(keys) < 2:
                continue
            for key in keys:
                found = from_file.get(key)
                if found is None or (key in stored and key not in self.moves):
                    continue
                others = ", ".join(f"{k[3]:%d/%m/%Y}" for k in sorted(keys) if k != key)
                found.error(
                    "status",
                    "ce jeune a déjà une orientation en cours vers cette formation de ce centre "
                    f"(envoyée le {others}) : une seule à la fois.",
                )

    def existing(self, keys: set[Key]) -> dict[Key, Referral]:
        learner_ids = sorted({k[0] for k in keys})
        found: dict[Key, Referral] = {}
        for start in range(0, len(learner_ids), CHUNK):
            for referral in Referral.objects.filter(
                learner_id__in=learner_ids[start : start + CHUNK]
            ):
                key = self.key_of(referral)
                if key in keys:
                    found[key] = referral
        return found

    # -- writing: the steps of the pipeline are recorded ------------------------------------------

    def save(self, to_create: list[Referral], to_update: list[Referral], fields: list[str]) -> None:
        refused = save_referrals(
            to_create,
            to_update,
            fields,
            moves={
                referral.pk: self.moves[self.key_of(referral)]
                for referral in to_update
                if self.key_of(referral) in self.moves
            },
            note=IMPORT_NOTE,
            by=self.user,
            now=self.now,
        )
        errors = [
            RowError(
                self.lines.get(self.key_of(referral), 0),
                "status",
                message
                if denied
                else f"l'orientation est maintenant « {_label(before)} » : elle ne peut pas "
                f"passer à « {_label(self.moves[self.key_of(referral)])} ».",
            )
            for referral, before, denied, message in refused
        ]
        if errors:
            raise ImportRejected(errors)  # inside the import's transaction: nothing is written
