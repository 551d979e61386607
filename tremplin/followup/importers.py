"""`tremplin import interviews FILE`: the interviews.csv of DOMAIN.md."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from tremplin.accounts.models import User
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
from tremplin.enrolment.importers import CHUNK, learner_index

from .models import Interview
from .services import save_interviews

#: Who conducts follow-up interviews (a statistician or a teacher never does).
INTERVIEWERS = (
    Role.REFERENT,
    Role.ML_COUNSELOR,
    Role.REGIONAL_COORDINATOR,
    Role.NATIONAL_COORDINATOR,
)
#: The roles whose import may name another interviewer than the importing user (the others'
#: interviews are theirs: the `referent` column names them, or is empty).
MAY_NAME_ANOTHER_INTERVIEWER = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR})


@register
class InterviewImporter(Importer[Interview]):
    kind = "interviews"
    title = "entretiens"
    roles = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.REFERENT})
    model = Interview
    spec = (
        Column("learner", "Apprenant", "D26-0100", "référence de l'apprenant"),
        Column("date", "Date", "15/01/2026", "date JJ/MM/AAAA ou AAAA-MM-JJ"),
        Column(
            "kind",
            "Type",
            "information et orientation",
            choices=choices_from(
                Interview.Kind.choices,
                {
                    "information_orientation": "information et orientation",
                    "training_followup": "suivi de formation",
                },
            ),
        ),
        Column("referent", "Référent", "referent", "identifiant du référent"),
        Column("notes", "Notes", "Premier entretien."),
    )
    required = ("learner", "date", "kind", "referent")
    key_fields = ("learner_id", "date", "kind")
    key_columns = ("learner", "date", "kind")

    def prepare(self, rows: Sequence[Row]) -> None:
        self.learners = learner_index({r.get("learner") for r in rows}, self.user)
        names = {r.get("referent") for r in rows}
        self.referents = {
            u.lower(): pk
            for u, pk in User.objects.filter(username__in=names, role__in=INTERVIEWERS).values_list(
                "username", "id"
            )
        }
        self.today = date.today()

    def parse(self, row: Row) -> dict[str, Any] | None:
        learner_id = self.learners.get(row.get("learner").upper())
        if learner_id is None:
            row.error(
                "learner",
                f"apprenant inconnu ou hors de votre périmètre : « {row.get('learner')} ».",
            )
        on = parse_date(row, "date")
        if on is not None and on > self.today:
            row.error("date", f"date future : {on:%d/%m/%Y}.")
        kind = parse_choice(row, "kind", {k: k for k in Interview.Kind.values})
        referent_id = self._interviewer(row)
        notes = parse_text(row, "notes", required=False, max_length=5_000)
        if row.errors:
            return None
        return {
            "learner_id": learner_id,
            "date": on,
            "kind": kind,
            "referent_id": referent_id,
            "notes": notes,
        }

    def _interviewer(self, row: Row) -> int | None:
        """The interview's author: the importing user, unless the role may name another one
        (the command line, an administrator's, names every author)."""
        name = row.get("referent")
        if not name and self.user is not None:
            return int(self.user.pk)
        referent_id = self.referents.get(name.lower())
        if referent_id is None:
            row.error("referent", f"aucun compte « {name} ».")
        elif (
            self.user is not None
            and referent_id != self.user.pk
            and self.user.role not in MAY_NAME_ANOTHER_INTERVIEWER
        ):
            row.error(
                "referent",
                f"« {name} » n'est pas vous : seule la coordination peut importer les "
                "entretiens d'un autre intervenant (laissez la colonne vide ou mettez votre "
                "identifiant).",
            )
            return None
        return referent_id

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        """An existing interview is never rewritten under another author's name: a row that
        names an interview of someone else is an error naming its line."""
        found = self.existing({self.key_from(values) for _, values in parsed})
        authors = dict(
            User.objects.filter(pk__in={i.referent_id for i in found.values()}).values_list(
                "pk", "username"
            )
        )
        for row, values in parsed:
            interview = found.get(self.key_from(values))
            if (
                interview is not None
                and interview.referent_id is not None
                and interview.referent_id != values["referent_id"]
            ):
                row.error(
                    "referent",
                    "cet entretien existe déjà et a été mené par "
                    f"« {authors.get(interview.referent_id, '?')} » : un import ne réécrit "
                    "pas l'entretien d'un autre intervenant.",
                )

    def save(
        self, to_create: list[Interview], to_update: list[Interview], fields: list[str]
    ) -> None:
        save_interviews(to_create, to_update, fields)

    def existing(self, keys: set[Key]) -> dict[Key, Interview]:
        learner_ids = sorted({k[0] for k in keys})
        found: dict[Key, Interview] = {}
        for start in range(0, len(learner_ids), CHUNK):
            for interview in Interview.objects.filter(
                learner_id__in=learner_ids[start : start + CHUNK]
            ):
                found.setdefault((interview.learner_id, interview.date, interview.kind), interview)
        return found
