"""The bulk path's plain rows (core/rows.py) write what Django would: each kind of value adapted
for its database (dates, decimals, date-times, JSON, addresses), constants and defaults filled
in, and the rows found again by their natural key come back with their ids, in their order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db.models import signals
from django.utils import timezone

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core import audit, journal
from tremplin.core.csvimport import found_again
from tremplin.core.models import AuditEvent, DomainEvent
from tremplin.core.rows import fast_insert, insert_values, loaded, made
from tremplin.enrolment.models import Enrolment, Result

pytestmark = pytest.mark.django_db


def test_plain_rows_are_written_with_their_constants_and_the_other_fields_defaults() -> None:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    insert_values(
        AuditEvent,
        ["action", "model", "object_id", "person_id", "summary", "changes"],
        [
            ("create", "enrolment.Enrolment", "7", 12, "création", {"grade": [None, "12.50"]}),
            ("update", "enrolment.Enrolment", "8", None, "champs modifiés : result", {}),
        ],
        {"at": at, "user": None, "username": "", "ip": "192.0.2.4", "origin": "import"},
    )
    first, second = AuditEvent.objects.order_by("object_id")
    assert (first.at, first.ip, first.origin, first.person_id) == (at, "192.0.2.4", "import", 12)
    assert first.changes == {"grade": [None, "12.50"]}
    assert second.changes == {} and second.person_id is None
    assert first.records == [] == second.records  # the field's default


def test_a_decimal_given_as_text_goes_through_django_s_own_conversion() -> None:
    record = make_record("ROWS-0001", establishment="CD MELUN")
    when = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    rows = [
        Enrolment(
            learner=record.learner,
            academic_year=year,
            unit=record.enrolment.unit,
            result="validated",
            grade=grade,
            result_at=when,
        )
        for year, grade in (("2023-2024", Decimal("12.5")), ("2024-2025", "14.25"))
    ]
    fast_insert(Enrolment, rows)
    found = found_again(Enrolment, rows, ("learner_id", "academic_year", "unit_id"))
    assert found == rows and all(row.pk for row in rows)
    assert not any(row._state.adding for row in rows)
    stored = {e.academic_year: e for e in Enrolment.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored["2023-2024"].grade == Decimal("12.50")
    assert stored["2024-2025"].grade == Decimal("14.25")
    assert stored["2024-2025"].result_at == when


def test_a_callable_default_is_made_for_each_row() -> None:
    insert_values(
        DomainEvent,
        ["kind", "model", "object_id", "origin", "occurred_at", "payload"],
        [("test.row", "core.domainevent", str(n), "system", timezone.now(), {}) for n in range(3)],
    )
    uids = set(DomainEvent.objects.filter(kind="test.row").values_list("uid", flat=True))
    assert len(uids) == 3


def test_the_bulk_audit_entries_are_those_of_one_change_at_a_time() -> None:
    record = make_record("ROWS-0004", establishment="CD MELUN")
    who = User.objects.create_user("rows-coord", role="national_coordinator")
    enrolment = record.enrolment
    changes = [
        audit.Change(
            enrolment,
            {"result": "pending", "grade": None},
            {"result": "validated", "grade": Decimal("12.50")},
        ),
        audit.Change(record.learner, None, {"reference": "ROWS-0004", "last_name": "Nom"}),
    ]
    audit.record_changes(who, changes, origin="import")
    for change in changes:
        audit.record_change(who, change.obj, change.before, change.after, origin="import")
    fields = (
        "user_id",
        "username",
        "action",
        "model",
        "object_id",
        "person_id",
        "summary",
        "changes",
        "ip",
        "origin",
        "records",
    )
    rows = list(
        AuditEvent.objects.filter(username="rows-coord").order_by("pk").values_list(*fields)
    )
    assert rows[:2] == rows[2:]
    assert rows[0][5] == record.learner.pk and rows[0][2] == "update"


def test_a_decimal_that_is_not_a_number_is_refused_as_django_refuses_it() -> None:
    from django.core.exceptions import ValidationError

    record = make_record("ROWS-0003", establishment="CD MELUN")
    row = Enrolment(
        learner=record.learner,
        academic_year="2022-2023",
        unit=record.enrolment.unit,
        result="failed",
        grade=Decimal("NaN"),
    )
    with pytest.raises(ValidationError):
        fast_insert(Enrolment, [row])
    assert not Enrolment.objects.filter(academic_year="2022-2023").exists()


def test_rows_found_again_keep_their_order_and_leave_out_those_not_written() -> None:
    record = make_record("ROWS-0002", establishment="CD MELUN")
    rows = [
        Enrolment(learner=record.learner, academic_year=year, unit=record.enrolment.unit)
        for year in ("2021-2022", "2019-2020", "2020-2021")
    ]
    fast_insert(Enrolment, rows[:2])
    assert found_again(Enrolment, rows, ("learner_id", "academic_year", "unit_id")) == rows[:2]
    assert rows[2].pk is None


def _attributes(instance: object) -> dict[str, object]:
    return {k: v for k, v in vars(instance).items() if k != "_state"}


def test_an_instance_made_from_checked_columns_is_the_one_django_s_constructor_makes() -> None:
    values = {
        "learner_id": 7,
        "academic_year": "2024-2025",
        "unit_id": 3,
        "establishment_id": None,
        "result": "validated",
        "grade": Decimal("12.50"),
    }
    made_here, by_django = made(Enrolment, values), Enrolment(**values)
    assert _attributes(made_here) == _attributes(by_django)
    assert list(vars(made_here)) != [] and made_here._state.adding and made_here._state.db is None
    assert made_here.version == 1 and made_here.abandon_reason == ""  # the fields' defaults
    # A relation given as an instance goes through Django's constructor.
    unit = TeachingUnit.objects.order_by("pk").first()
    assert made(Enrolment, {"unit": unit, "academic_year": "2024-2025"}).unit is unit


def test_a_callable_default_is_made_for_each_instance() -> None:
    first, second = (made(DomainEvent, {"kind": "k", "model": "m"}) for _ in range(2))
    assert first.uid != second.uid and first.payload is not second.payload


def test_a_model_with_init_receivers_is_made_and_loaded_through_its_constructor() -> None:
    seen: list[object] = []

    def receiver(sender: object, instance: object, **kwargs: object) -> None:
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Enrolment)
    try:
        made_here = made(Enrolment, {"learner_id": 7, "academic_year": "2024-2025"})
        names = [field.attname for field in Enrolment._meta.concrete_fields][::-1]
        [read] = loaded(Enrolment, "default", names, [[*[None] * (len(names) - 2), 7, 5]])
    finally:
        signals.post_init.disconnect(receiver, sender=Enrolment)
    assert seen == [made_here, read]
    assert (read.pk, read.learner_id, read.academic_year) == (5, 7, None)  # names in any order


def test_rows_loaded_are_the_instances_a_query_gives_back() -> None:
    who = User.objects.create_user("rows-loaded", role="national_coordinator")
    journal.record(journal.Kind.LEARNER_UPDATED, who, actor=who, payload={"n": 1})
    event = DomainEvent.objects.order_by("-sequence").first()
    assert event is not None
    names = [field.attname for field in DomainEvent._meta.concrete_fields]
    [read] = loaded(DomainEvent, "default", names, [[getattr(event, n) for n in names]])
    assert _attributes(read) == _attributes(event)
    assert (read._state.adding, read._state.db) == (False, "default")
    assert read.actor == who  # a relation is read as from a query's row
    with pytest.raises(ValueError, match="every concrete field"):
        loaded(DomainEvent, "default", names[:-1], [])


def test_the_log_keeps_each_kind_of_value_as_before() -> None:
    record = make_record("ROWS-0005", establishment="CD MELUN")
    learner = record.learner
    changed = audit.diff(
        learner,
        {"last_name": "Ancien", "establishment": None, "birth_date": None},
        {
            "last_name": "Nouveau",
            "establishment": learner.establishment,
            "birth_date": learner.birth_date,
        },
    )
    assert changed == {
        "last_name": ["[texte non journalisé]", "[texte non journalisé]"],
        "establishment": [None, learner.establishment_id],
        "birth_date": [None, "[texte non journalisé]"],
    }
    assert audit.diff(
        record.enrolment,
        None,
        {"grade": Decimal("12.50"), "result": "validated", "result_at": datetime(2026, 3, 1)},
    ) == {
        "grade": [None, "12.50"],
        "result": [None, "validated"],
        "result_at": [None, "2026-03-01T00:00:00"],
    }
    unchanged = {"result": "validated"}
    assert audit.diff(record.enrolment, unchanged, unchanged) == {}


def test_a_payload_s_values_are_written_as_json_takes_them() -> None:
    payload = {
        "id": 4,
        "grade": Decimal("9.50"),
        "on": datetime(2026, 3, 1).date(),
        "units": ("A", "B"),
        "nested": {"at": datetime(2026, 3, 1, 9, 30)},
        "result": Result.VALIDATED,
        "ok": True,
        "none": None,
    }
    assert journal.plain(payload) == {
        "id": 4,
        "grade": "9.50",
        "on": "2026-03-01",
        "units": ["A", "B"],
        "nested": {"at": "2026-03-01T09:30:00"},
        "result": "validated",
        "ok": True,
        "none": None,
    }
