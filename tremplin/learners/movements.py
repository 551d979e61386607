"""`tremplin import movements FILE`: the custody movements that the prison administration
already knows (arrivals, transfers, releases), applied through the same services as the forms,
so with the same consequences (exam registrations, material, hand-over, applications).

All or nothing: the whole file is checked against each learner's known path, in date order,
before anything is written. A movement already recorded (same learner, kind, date and
establishment) changes nothing, so the same extract imported twice is harmless."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tremplin.core import audit
from tremplin.core.csvimport import (
    Column,
    Importer,
    ImportRejected,
    ImportReport,
    Key,
    Row,
    RowError,
    choices_from,
    parse_choice,
    parse_date,
    parse_text,
)
from tremplin.core.roles import Role
from tremplin.places.models import Establishment

from . import services
from .models import Learner, Placement, Status

ARRIVAL, TRANSFER, RELEASE = (
    Placement.Kind.ARRIVAL,
    Placement.Kind.TRANSFER,
    Placement.Kind.RELEASE,
)


@dataclass
class _State:
    """A learner's path as the file's earlier movements leave it."""

    status: str
    establishment_id: int | None
    last: date | None
    known: set[tuple[str, date, int | None]]


class MovementImporter(Importer[Placement]):
    kind = "movements"
    title = "mouvements de détention"
    roles = frozenset(
        {Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.REFERENT, Role.RLE}
    )
    model = Placement
    spec = (
        Column(
            "numero_ecrou",
            "Numéro d'écrou",
            "45872",
            "identifie la personne (avec l'établissement) quand la référence manque",
        ),
        Column(
            "reference",
            "Référence",
            "D26-0100",
            "référence Tremplin ; facultative quand le numéro d'écrou identifie la personne",
        ),
        Column("date", "Date", "02/03/2026", "date JJ/MM/AAAA ou AAAA-MM-JJ"),
        Column(
            "movement",
            "Mouvement",
            "transfert",
            choices=choices_from(
                Placement.Kind.choices,
                {ARRIVAL: "arrivée", TRANSFER: "transfert", RELEASE: "libération"},
            ),
        ),
        Column("from", "Depuis", "CD MELUN", "établissement quitté (transfert, libération)"),
        Column(
            "to",
            "Vers",
            "CP FRESNES",
            "établissement d'arrivée (arrivée, transfert) ; vide pour une libération",
        ),
    )
    required = ("date", "movement")
    key_fields = ("learner",)
    key_columns = ("numero_ecrou", "reference", "date", "movement")

    def key_from(self, values: Any) -> Key:
        who = values["reference"] or f"écrou {values['numero_ecrou']}"
        return (who, values["date"], values["movement"])

    def prepare(self, rows: Sequence[Row]) -> None:
        self.today = date.today()
        self.establishments = {
            label.upper(): pk for label, pk in Establishment.objects.values_list("label", "pk")
        }
        self.labels = {pk: label for label, pk in self.establishments.items()}

    def _place(self, row: Row, column: str, *, wanted: bool, why: str) -> int | None:
        text = row.get(column)
        if not wanted:
            if text:
                row.error(column, f"doit rester vide {why}.")
            return None
        if not text:
            row.error(column, f"obligatoire {why}.")
            return None
        found = self.establishments.get(text.upper())
        if found is None:
            row.error(column, f"établissement inconnu : « {text} ».")
        return found

    def parse(self, row: Row) -> dict[str, Any] | None:
        numero = parse_text(row, "numero_ecrou", required=False, max_length=20)
        reference = parse_text(row, "reference", required=False, max_length=40)
        if not (numero or reference):
            row.error("reference", "indiquez la référence ou le numéro d'écrou de la personne.")
        on = parse_date(row, "date")
        if on is not None and on > self.today:
            row.error("date", f"date dans le futur : {on:%d/%m/%Y}.")
        movement = parse_choice(row, "movement", {k: k for k in Placement.Kind.values})
        what = {
            str(ARRIVAL): "pour une arrivée",
            str(TRANSFER): "pour un transfert",
        }.get(movement or "", "pour une libération")
        origin = self._place(row, "from", wanted=movement in (TRANSFER, RELEASE), why=what)
        target = self._place(row, "to", wanted=movement in (ARRIVAL, TRANSFER), why=what)
        if movement == TRANSFER and origin is not None and origin == target:
            row.error("to", "le transfert part et arrive au même établissement.")
        if row.errors:
            return None
        return {
            "line": row.line,
            "numero_ecrou": numero,
            "reference": reference,
            "date": on,
            "movement": movement,
            "from": origin,
            "to": target,
        }

    # -- who each row names ---------------------------------------------------------------------

    def _learners(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> dict[int, Learner]:
        """Row line -> learner: by reference, else by numéro d'écrou at the establishment the
        movement leaves (or reaches, for an arrival)."""
        references = {v["reference"] for _, v in parsed if v["reference"]}
        by_reference = {
            learner.reference: learner
            for learner in Learner.objects.filter(reference__in=references)
        }
        numbers = {v["numero_ecrou"] for _, v in parsed if not v["reference"]}
        by_number: dict[tuple[str, int | None], set[int]] = defaultdict(set)
        for number, place, learner_id in Placement.objects.filter(
            numero_ecrou__in=numbers
        ).values_list("numero_ecrou", "establishment_id", "learner_id"):
            by_number[(number, place)].add(learner_id)
        numbered = Learner.objects.in_bulk({pk for ids in by_number.values() for pk in ids})
        readable = set(
            (
                Learner.permissions.readable_few(self.user, Learner.objects.all())
                if self.user is not None
                else Learner.objects.all()
            )
            .filter(pk__in=[lr.pk for lr in by_reference.values()] + list(numbered))
            .values_list("pk", flat=True)
        )
        found: dict[int, Learner] = {}
        for row, values in parsed:
            learner: Learner | None = None
            if values["reference"]:
                learner = by_reference.get(values["reference"])
                column, shown = "reference", values["reference"]
            else:
                place = values["to"] if values["movement"] == ARRIVAL else values["from"]
                ids = by_number.get((values["numero_ecrou"], place), set())
                column, shown = "numero_ecrou", values["numero_ecrou"]
                if len(ids) > 1:
                    row.error(column, f"plusieurs personnes ont ce numéro d'écrou : « {shown} ».")
                    continue
                learner = numbered.get(next(iter(ids))) if ids else None
            if learner is None or learner.pk not in readable:
                # The same message for an unknown person and one outside the user's scope.
                row.error(column, f"personne inconnue ou hors de votre périmètre : « {shown} ».")
                continue
            found[row.line] = learner
        return found

    # -- the path, checked in date order ---------------------------------------------------------

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        learners = self._learners(parsed)
        states: dict[int, _State] = {}
        for learner in {lr.pk: lr for lr in learners.values()}.values():
            states[learner.pk] = _State(learner.status, learner.establishment_id, None, set())
        for kind, on, place, learner_id in Placement.objects.filter(
            learner_id__in=list(states)
        ).values_list("kind", "date", "establishment_id", "learner_id"):
            state = states[learner_id]
            state.known.add((kind, on, place))
            state.last = on if state.last is None else max(state.last, on)
        self.plan: list[tuple[Learner, dict[str, Any]]] = []
        self.unchanged = 0
        ordered = sorted(
            (row for row in parsed if row[0].line in learners),
            key=lambda item: (item[1]["date"], item[0].line),
        )
        for row, values in ordered:
            learner = learners[row.line]
            problem = self._apply(states[learner.pk], values)
            if problem is None:
                continue
            if problem:
                column, message = problem
                row.error(column, message)
            else:
                self.plan.append((learner, values))

    def _apply(self, state: _State, values: dict[str, Any]) -> tuple[str, str] | tuple[()] | None:
        """Move `state` along one movement: None when already known, () when it applies, the
        column and the reason when it contradicts the path."""
        movement, on = values["movement"], values["date"]
        place = values["from"] if movement == RELEASE else values["to"]
        if (movement, on, place) in state.known:
            self.unchanged += 1
            return None
        if state.last is not None and on < state.last:
            return ("date", f"la date précède la dernière étape connue ({state.last:%d/%m/%Y}).")
        if state.status == Status.MERGED:
            return ("reference", "ce dossier a été fusionné dans un autre : utilisez sa référence.")
        if movement == ARRIVAL:
            if state.status == Status.PLACED:
                where = self.labels.get(state.establishment_id or 0, "")
                return ("movement", f"la personne est déjà en détention à « {where} ».")
            if state.status != Status.RELEASED:
                return ("movement", "seule une personne libérée revient en détention.")
        else:
            if state.status != Status.PLACED:
                return ("movement", "la personne n'est pas en détention.")
            if state.establishment_id != values["from"]:
                where = self.labels.get(state.establishment_id or 0, "")
                return (
                    "from",
                    f"la personne n'est pas à « {self.labels[values['from']]} » mais à "
                    f"« {where} ».",
                )
        state.status = Status.RELEASED if movement == RELEASE else Status.PLACED
        if movement != RELEASE:
            state.establishment_id = values["to"]
        state.last = on
        state.known.add((movement, on, place))
        return ()

    # -- writing, through the services -----------------------------------------------------------

    def _write(
        self,
        report: ImportReport,
        parsed: list[tuple[Row, dict[str, Any]]],
        first_line: dict[Key, int],
        *,
        dry_run: bool,
    ) -> ImportReport:
        report.created, report.unchanged = len(self.plan), self.unchanged
        if dry_run:
            return report
        places = Establishment.objects.in_bulk(
            {v[k] for _, v in self.plan for k in ("from", "to") if v[k]}
        )
        changes: list[audit.Change] = []
        try:
            with transaction.atomic():
                for learner, values in self.plan:
                    placement = self._move(learner, values, places)
                    after = {"learner": learner.pk, "kind": placement.kind, "date": placement.date}
                    changes.append(audit.Change(placement, None, after))
                audit.record_changes(self.user, changes, origin=self.origin)
        except ValidationError as exc:  # a rule the check above did not foresee: nothing kept
            raise ImportRejected([RowError(values["line"], "", " ".join(exc.messages))]) from exc
        return report

    def _move(self, learner: Learner, values: dict[str, Any], places: dict[int, Any]) -> Placement:
        by, on, number = self.user, values["date"], values["numero_ecrou"]
        if values["movement"] == ARRIVAL:
            return services.arrive(
                learner, at=places[values["to"]], on=on, by=by, numero_ecrou=number
            )
        if values["movement"] == TRANSFER:
            return services.transfer(
                learner, to=places[values["to"]], on=on, by=by, numero_ecrou=number
            )
        return services.release(learner, on=on, commune=None, by=by)


__all__ = ["MovementImporter"]
