"""Random edits on both sides, then a round trip (the copy's bundle to the centre, the centre's
back): the centre and the copy agree on every record of the copy's scope, whatever the edits,
conflicting ones and refused ones included."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.enrolment.models import Application, Enrolment
from tremplin.enrolment.services import ResultEntry, move, record_results
from tremplin.followup.services import record_interview
from tremplin.learners.models import Learner, Status
from tremplin.learners.services import transfer
from tremplin.places.models import Establishment
from tremplin.sync import services
from tremplin.sync.models import Peer

from .conftest import Copy, centre_export, centre_scope

pytestmark = pytest.mark.django_db

#: The copy of the running test, kept from one example to the next.
_COPIES: dict[Path, Copy] = {}
RESULTS = [("validated", "12.5"), ("failed", "7"), ("absent", None), ("validated", "16")]
COPY_OPS = st.tuples(st.sampled_from(["grade", "interview", "review", "rename"]), st.integers(0, 9))
CENTRE_OPS = st.tuples(
    st.sampled_from(["grade", "validate", "rename", "interview", "leave", "arrive"]),
    st.integers(0, 9),
)

COPY_SCRIPT = """
from datetime import date, timedelta
from decimal import Decimal
from tremplin.accounts.models import User
from tremplin.enrolment.models import Application, Enrolment
from tremplin.enrolment.services import ResultEntry, move, record_results
from tremplin.followup.services import record_interview
from tremplin.learners.models import Learner
rle = User.objects.get(username="rle-melun")
teacher = User.objects.get(username="enseignant")
RESULTS = {results!r}
learners = list(Learner.objects.order_by("reference"))
for op, n in {ops!r}:
    learner = learners[n % len(learners)]
    if op == "grade":
        result, grade = RESULTS[n % len(RESULTS)]
        enrolment = Enrolment.objects.get(learner=learner)
        record_results([ResultEntry(enrolment.pk, result, grade and Decimal(grade))], by=teacher)
    elif op == "interview":
        record_interview(learner, on=date(2026, 11, 1 + n), kind="training_followup", by=rle,
                         notes=f"Copie {{n}}")
    elif op == "review":
        application = Application.objects.get(learner=learner)
        if application.status == "submitted":
            move(application, "review", by=rle, opinion="favourable")
    elif op == "rename":  # a change that only the centre may make: not taken there
        Learner.objects.filter(pk=learner.pk).update(last_name=f"COPIE{{n}}")
"""


def _next_day(learner: Learner) -> date:
    """A transfer after the learner's last step (the path goes forward)."""
    last = learner.placements.order_by("-date").values_list("date", flat=True).first()
    return max(date(2026, 6, 1), last or date(2026, 6, 1)) + timedelta(days=1)


def on_the_centre(ops: list[tuple[str, int]]) -> None:
    teacher = User.objects.get(username="enseignant")
    coordinator = User.objects.get(username="coordination")
    melun = Establishment.objects.get(label="CD MELUN")
    fresnes = Establishment.objects.get(label="CP FRESNES")
    for op, n in ops:
        here = list(Learner.objects.filter(establishment=melun, status=Status.PLACED))
        here.sort(key=lambda learner: learner.reference)
        if not here:
            continue
        learner = here[n % len(here)]
        if op == "grade":
            result, grade = RESULTS[(n + 1) % len(RESULTS)]
            enrolment = Enrolment.objects.get(learner=learner)
            entry = ResultEntry(enrolment.pk, result, Decimal(grade) if grade else None)
            record_results([entry], by=teacher)
        elif op == "validate":
            application = Application.objects.get(learner=learner)
            if application.status in ("submitted", "reviewed"):
                move(application, "validate", by=coordinator)
        elif op == "rename":
            learner.last_name = f"CENTRE{n}"
            learner.save(update_fields=["last_name"])
        elif op == "interview":
            record_interview(
                learner,
                on=date(2026, 10, 1 + n),
                kind="training_followup",
                by=coordinator,
                notes=f"Centre {n}",
            )
        elif op == "leave":
            transfer(learner, to=fresnes, on=_next_day(learner), by=coordinator)
        elif op == "arrive":
            there = Learner.objects.filter(establishment=fresnes).order_by("reference").first()
            if there is not None:
                transfer(there, to=melun, on=_next_day(there), by=coordinator)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    copy_ops=st.lists(COPY_OPS, max_size=5),
    centre_ops=st.lists(CENTRE_OPS, max_size=4),
)
def test_random_edits_on_both_sides_agree_after_a_round_trip(
    make_copy: Any,
    tmp_path: Path,
    copy_ops: list[tuple[str, int]],
    centre_ops: list[tuple[str, int]],
) -> None:
    # One centre and one copy for all the examples: their histories grow from one to the next.
    if tmp_path not in _COPIES:
        for n in range(4):
            make_record(f"D26-010{n}", establishment="CD MELUN")
        for n in range(3):
            make_record(f"D26-020{n}", establishment="CP FRESNES")
        _COPIES[tmp_path] = make_copy()[1]
    copy = _COPIES[tmp_path]
    peer = Peer.objects.get()

    if copy_ops:
        copy.python(COPY_SCRIPT.format(results=RESULTS, ops=copy_ops))
    on_the_centre(centre_ops)

    services.import_bundle(copy.export("up.json").read_bytes())
    copy.import_(centre_export(peer, tmp_path, "down.json"))

    assert copy.scope() == centre_scope(Peer.objects.get(pk=peer.pk))
