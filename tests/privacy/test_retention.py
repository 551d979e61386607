"""Retention: `tremplin retention apply [--dry-run] [--years N]` anonymises the learners with no
activity for longer than the period, and only them; the figures of past years do not change."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from tests.privacy.world import YEAR, age_timestamps, full_person
from tremplin.core.models import AuditEvent
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.orientation.stats import referral_stats
from tremplin.places.models import Establishment
from tremplin.privacy.models import is_anonymised
from tremplin.privacy.selectors import inactive_learners, last_activities
from tremplin.reporting.bilan import compute_bilan

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def detained(reference: str, placed_on: date, created_on: date | None = None) -> Learner:
    learner = Learner.objects.create(
        reference=reference,
        last_name=f"Nom{reference}",
        first_name="Prénom",
        birth_date=date(1990, 3, 3),
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=Establishment.objects.get(label="CD MELUN"),
    )
    Placement.objects.create(
        learner=learner, kind="arrival", date=placed_on, establishment=learner.establishment
    )
    age_timestamps(learner, created_on or placed_on)
    return learner


@pytest.fixture
def history() -> dict[str, Learner]:
    """Two inactive people (last activity in 2020 and in 2016), two active ones."""
    today = timezone.localdate()
    old = full_person().learner  # everything in 2019-2020
    older = detained("TR-OLD", date(2016, 3, 1))
    recent = detained("TR-RECENT", date(2016, 3, 1))
    Interview.objects.create(
        learner=recent, date=today - timedelta(days=400), kind="training_followup"
    )
    new = Learner.objects.create(  # created today, nothing yet: its creation is its activity
        reference="TR-NEW",
        last_name="Nouveau",
        first_name="Dossier",
        birth_date=date(2001, 1, 2),
        kind=Kind.OTHER,
        status=Status.OTHER,
    )
    return {"old": old, "older": older, "recent": recent, "new": new}


def past_figures() -> dict[str, Any]:
    return {
        year: compute_bilan(year).as_dict()
        for year in ("2015-2016", "2016-2017", "2019-2020", "2020-2021")
    } | {"referrals": referral_stats(year=2020).as_dict()}


def test_the_last_activity_is_the_latest_trace_of_the_path(history: dict[str, Learner]) -> None:
    table = last_activities()
    # The hand-over recorded on 20/07/2020 is the last trace of the full person's path.
    assert table[history["old"].pk] == ("TP-0001", date(2020, 8, 31))  # end of 2019-2020
    assert table[history["older"].pk] == ("TR-OLD", date(2016, 3, 1))
    assert table[history["recent"].pk][1] == timezone.localdate() - timedelta(days=400)
    assert table[history["new"].pk][1] == timezone.localdate()
    assert [i.reference for i in inactive_learners(5)] == ["TR-OLD", "TP-0001"]
    assert [i.reference for i in inactive_learners(12)] == []


def test_a_dry_run_lists_what_would_change_and_changes_nothing(
    history: dict[str, Learner],
) -> None:
    before = list(Learner.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    out = run("apply", "--dry-run", "--years", "5")
    assert out.startswith("Simulation : 2 dossiers seraient anonymisés")
    assert "TR-OLD — dernière activité le 01/03/2016" in out
    assert "TP-0001 — dernière activité le 31/08/2020" in out
    assert "TR-RECENT" not in out and "TR-NEW" not in out
    assert out.rstrip().endswith("Rien n'a été modifié.")
    assert list(Learner.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events


def test_apply_anonymises_only_the_inactive_learners_and_keeps_the_past_figures(
    history: dict[str, Learner],
) -> None:
    before = past_figures()
    out = run("apply")  # the default period: TREMPLIN_RETENTION_YEARS, 5
    assert out.startswith("2 dossiers anonymisés")
    assert "durée de conservation 5 ans" in out
    assert "TR-OLD → ANON-" in out

    for key in ("old", "older"):
        learner = Learner.objects.get(pk=history[key].pk)
        assert is_anonymised(learner), key
        assert learner.last_name == "Anonyme"
        event = AuditEvent.objects.get(object_id=str(learner.pk), action="update")
        assert event.username == ""
        assert "durée de conservation de 5 ans dépassée" in event.summary
        assert history[key].last_name not in event.summary
    for key in ("recent", "new"):
        assert Learner.objects.get(pk=history[key].pk).reference == history[key].reference
    assert Interview.objects.get(learner=history["old"]).notes == ""
    assert past_figures() == before


def test_apply_is_idempotent(history: dict[str, Learner]) -> None:
    run("apply")
    anonymised = list(Learner.objects.order_by("pk").values_list("reference", flat=True))
    events = AuditEvent.objects.count()
    out = run("apply")
    assert out.startswith("Aucun dossier à anonymiser")
    assert list(Learner.objects.order_by("pk").values_list("reference", flat=True)) == anonymised
    assert AuditEvent.objects.count() == events


def test_the_period_comes_from_the_option_or_the_setting(history: dict[str, Learner]) -> None:
    assert "Aucun dossier à anonymiser" in run("apply", "--dry-run", "--years", "11")
    assert "Simulation : 1 dossier serait anonymisé" in run("apply", "--dry-run", "--years", "8")
    with override_settings(TREMPLIN_RETENTION_YEARS=1):
        out = run("apply", "--dry-run")
    assert "Simulation : 3 dossiers seraient anonymisés" in out
    assert "durée de conservation 1 an)" in out


def test_the_json_format_and_a_wrong_period(history: dict[str, Learner]) -> None:
    document = json.loads(run("apply", "--dry-run", "--format", "json"))
    assert document["dry_run"] is True
    assert document["years"] == 5
    assert [row["reference"] for row in document["anonymised"]] == ["TR-OLD", "TP-0001"]
    with pytest.raises(CommandError, match="nombre d'années positif"):
        run("apply", "--years", "0")


def test_the_figures_of_the_person_year_are_counted_before_and_after(
    history: dict[str, Learner],
) -> None:
    bilan = compute_bilan(YEAR).as_dict()
    assert bilan["enrolled_learners"] == 1
    assert bilan["graduates"] == [
        {"formation": "CC13000", "kind": bilan["graduates"][0]["kind"], "establishment": "CD MELUN"}
    ]
    run("apply")
    assert compute_bilan(YEAR).as_dict() == bilan
