"""The enrolments carry no index that another one already answers (each costs every insert of an
import), and a learner's enrolments are still read on an index."""

from __future__ import annotations

from django.db import connection

from tests.personal_world import make_record
from tremplin.enrolment.models import Enrolment

TABLE = "enrolment_enrolment"


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: list(spec["columns"])
        for name, spec in found.items()
        if (spec["index"] or spec["unique"]) and not spec["primary_key"] and spec["columns"]
    }


def test_no_index_of_the_enrolments_is_the_leading_part_of_another(db: None) -> None:
    indexes = _indexes()
    redundant = [
        (name, other)
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
    ]
    assert redundant == []
    # The two the constraint and the year's index made redundant are gone, the others kept.
    assert ["learner_id"] not in indexes.values()
    assert ["academic_year"] not in indexes.values()
    assert ["learner_id", "academic_year", "unit_id"] in indexes.values()
    assert ["academic_year", "result"] in indexes.values()
    # An establishment's enrolments of one year, which SQLite's planner seeks for the bilan's
    # counts per DISP and establishment (with the foreign key's index alone it read every
    # year's, a million rows on the national demo); it serves the foreign key too.
    assert ["establishment_id", "academic_year", "result", "learner_id"] in indexes.values()
    assert ["establishment_id"] not in indexes.values()


def test_a_learners_enrolments_are_read_on_the_unique_constraints_index(db: None) -> None:
    record = make_record("INDEX-0001", establishment="CD MELUN")
    query = Enrolment.objects.filter(learner=record.learner).order_by()
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "one_enrolment_per_unit_and_year" in plan or "sqlite_autoindex_enrolment" in plan, plan
