"""`tremplin import enrollments FILE`: the enrollments.csv of DOMAIN.md. Built for volume: a
handful of queries whatever the number of rows, and bulk writes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tremplin.catalog.models import ACADEMIC_YEAR, TeachingUnit
from tremplin.core.actions import REFUSALS, Action, can
from tremplin.core.csvimport import (
    Column,
    Importer,
    Key,
    Row,
    choices_from,
    parse_choice,
    parse_decimal,
)
from tremplin.core.registry import register
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.learners.importers import SCOPED_ROLES, establishment_index
from tremplin.learners.models import Learner

from .models import Enrolment, Result
from .services import ResultEntry, check_result, save_enrolments

CHUNK = 5_000


def learner_index(references: set[str], user: Any) -> dict[str, int]:
    """reference (upper case) -> learner id, for the references named, within the user's scope."""
    found: dict[str, int] = {}
    refs = sorted(references)
    for start in range(0, len(refs), CHUNK):
        qs = Learner.objects.filter(reference__in=refs[start : start + CHUNK])
        if user is not None and scope_of(user).role == Role.TEACHER:
            # A teacher names the learners enrolled in their UEs (for their results).
            taught = Enrolment.permissions.readable(user, Enrolment.objects.all())
            qs = qs.filter(pk__in=taught.values("learner_id"))
        elif user is not None:
            qs = Learner.permissions.readable_few(user, qs)
        found.update({ref.upper(): pk for ref, pk in qs.values_list("reference", "id")})
    return found


#: The results, computed once (an enum's `values` is rebuilt at every access).
RESULTS = {r: r for r in Result.values}


@register
class EnrolmentImporter(Importer[Enrolment]):
    kind = "enrollments"
    title = "inscriptions aux UE"
    #: Who may send this file: those who enrol, and the teachers (results of their UEs only);
    #: each row is then checked against the action matrix (`check_all`).
    roles = (SCOPED_ROLES - {Role.ML_COUNSELOR}) | {Role.TEACHER}
    model = Enrolment
    spec = (
        Column("learner", "Apprenant", "D26-0100", "référence de l'apprenant"),
        Column("academic_year", "Année universitaire", "2025-2026", "AAAA-AAAA"),
        Column("teaching_unit", "UE", "NFA008", "code de l'UE"),
        Column("establishment", "Établissement", "CD MELUN", "libellé de l'établissement"),
        Column(
            "result",
            "Résultat",
            "en cours",
            choices=choices_from(
                Result.choices,
                {
                    "pending": "en cours",
                    "validated": "validée",
                    "failed": "non validée",
                    "absent": "absent",
                    "abandoned": "abandon",
                    "cancelled": "annulée",
                },
            ),
        ),
        Column("grade", "Note", "", "sur 20, ex. 12,5"),
    )
    required = ("learner", "academic_year", "teaching_unit", "result")
    key_fields = ("learner_id", "academic_year", "unit_id")
    key_columns = ("learner", "academic_year", "teaching_unit")

    def prepare(self, rows: Sequence[Row]) -> None:
        self.learners = learner_index({r.get("learner") for r in rows}, self.user)
        self.units = {
            code.upper(): pk for code, pk in TeachingUnit.objects.values_list("code", "id")
        }
        teacher = self.user is not None and scope_of(self.user).role == Role.TEACHER
        self.establishments = establishment_index(None if teacher else self.user)

    def parse(self, row: Row) -> dict[str, Any] | None:
        learner_id = self.learners.get(row.get("learner").upper())
        if learner_id is None:
            row.error(
                "learner",
                f"apprenant inconnu ou hors de votre périmètre : « {row.get('learner')} ».",
            )
        year = row.get("academic_year")
        match = ACADEMIC_YEAR.match(year)
        if not match or int(match[2]) != int(match[1]) + 1:
            row.error(
                "academic_year", f"« {year} » n'est pas une année universitaire (ex. 2019-2020)."
            )
        unit_id = self.units.get(row.get("teaching_unit").upper())
        if unit_id is None:
            row.error("teaching_unit", f"UE inconnue : « {row.get('teaching_unit')} ».")
        label = row.get("establishment").upper()
        establishment_id = self.establishments.get(label) if label else None
        if label and establishment_id is None:
            row.error(
                "establishment",
                f"établissement inconnu ou hors de votre périmètre : « {row.get('establishment')} ».",
            )
        result = parse_choice(row, "result", RESULTS)
        grade = parse_decimal(row, "grade", required=False, minimum=Decimal(0), maximum=Decimal(20))
        if result is not None and not row.errors:
            problem = check_result(ResultEntry(0, result, grade, abandon_reason="other"))
            if problem:
                row.error(
                    "grade" if grade is not None or result == Result.VALIDATED else "result",
                    problem,
                )
        if row.errors:
            return None
        values: dict[str, Any] = {
            "learner_id": learner_id,
            "academic_year": year,
            "unit_id": unit_id,
            "establishment_id": establishment_id,
            "result": result,
            "grade": grade.quantize(Decimal("0.01")) if grade is not None else None,
        }
        if result == Result.ABANDONED:
            values["abandon_reason"] = "other"
        return values

    def check_all(self, parsed: Sequence[tuple[Row, dict[str, Any]]]) -> None:
        """The action matrix, row by row, as on the web: creating an enrolment or changing its
        establishment belongs to the roles that enrol; recording a result (a new enrolment that
        is not pending, or a changed result or grade) belongs to the UE's teacher."""
        if self.user is None:  # the command line: an administrator's
            return
        found = self.existing({self.key_from(values) for _, values in parsed})
        may_create = can(self.user, Action.CREATE_ENROLMENTS)
        may_change = can(self.user, Action.CHANGE_ENROLMENTS)
        for row, values in parsed:
            current = found.get(self.key_from(values))
            if current is None:
                writes_result = values["result"] != Result.PENDING or values["grade"] is not None
                if not may_create:
                    row.error("learner", REFUSALS[Action.CREATE_ENROLMENTS] + ".")
            else:
                if values["establishment_id"] is None:  # left empty: unchanged
                    values["establishment_id"] = current.establishment_id
                writes_result = (current.result, current.grade) != (
                    values["result"],
                    values["grade"],
                )
                if values["establishment_id"] != current.establishment_id and not may_change:
                    row.error("establishment", REFUSALS[Action.CHANGE_ENROLMENTS] + ".")
            if writes_result and not can(self.user, Action.ENTER_RESULTS, values["unit_id"]):
                row.error("result", REFUSALS[Action.ENTER_RESULTS] + ".")

    def save(
        self, to_create: list[Enrolment], to_update: list[Enrolment], fields: list[str]
    ) -> None:
        save_enrolments(to_create, to_update, fields, by=self.user)

    def existing(self, keys: set[Key]) -> dict[Key, Enrolment]:
        learner_ids = sorted({k[0] for k in keys})
        found: dict[Key, Enrolment] = {}
        for start in range(0, len(learner_ids), CHUNK):
            for enrolment in Enrolment.objects.filter(
                learner_id__in=learner_ids[start : start + CHUNK]
            ):
                found[(enrolment.learner_id, enrolment.academic_year, enrolment.unit_id)] = (
                    enrolment
                )
        return found
