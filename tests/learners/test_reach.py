"""The learners' reach (models.Reach): kept by the database's triggers whatever writes what
decides it, so a regional coordination reads exactly the learners its definition names (DOMAIN.md,
roles and scopes): placed in one of its DISPs now or before, or followed by a mission locale of
one of its regions."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from tremplin.accounts.models import User
from tremplin.learners.models import Learner, Placement, Reach, Status
from tremplin.learners.services import transfer
from tremplin.places.models import Commune, Establishment, MissionLocale

from ..reporting.test_bilan_definitions import (
    FRESNES,
    INFO,
    LILLE,
    MELUN,
    RENNES,
    certify,
    move,
    person,
    place,
)

pytestmark = pytest.mark.django_db


def defined() -> set[tuple[int, str]]:
    """The areas as DOMAIN.md defines them, read from the records themselves."""
    areas: set[tuple[int, str]] = set()
    for pk, disp in Learner.objects.filter(establishment__disp__isnull=False).values_list(
        "pk", "establishment__disp_id"
    ):
        areas.add((pk, f"d:{disp}"))
    for pk, disp in Placement.objects.filter(establishment__disp__isnull=False).values_list(
        "learner_id", "establishment__disp_id"
    ):
        areas.add((pk, f"d:{disp}"))
    for pk, region in Learner.objects.filter(
        mission_locale__commune__region__isnull=False
    ).values_list("pk", "mission_locale__commune__region_id"):
        areas.add((pk, f"r:{region}"))
    return areas


def kept() -> set[tuple[int, str]]:
    return set(Reach.objects.values_list("learner_id", "area"))


def young(mission_locale: MissionLocale) -> Learner:
    return person(None, mission_locale=mission_locale)


def test_the_reach_follows_creations_transfers_and_releases() -> None:
    melun, lille = person(MELUN), person(LILLE)
    followed = young(MissionLocale.objects.order_by("pk").first())  # type: ignore[arg-type]
    assert kept() == defined()
    assert (melun.pk, f"d:{place(MELUN).disp_id}") in kept()
    assert any(pk == followed.pk and area.startswith("r:") for pk, area in kept())
    move(melun, RENNES, date(2020, 1, 1))
    Learner.objects.filter(pk=melun.pk).update(establishment=place(RENNES))
    move(lille, None, date(2020, 2, 1))
    Learner.objects.filter(pk=lille.pk).update(establishment=None, status=Status.RELEASED)
    # Transferred, the learner stays in the DISP they left (their path there) and joins the new
    # one; released, they stay in the DISP of their placements.
    assert kept() == defined()
    assert {area for pk, area in kept() if pk == melun.pk} == {
        f"d:{place(MELUN).disp_id}",
        f"d:{place(RENNES).disp_id}",
    }


def test_the_reach_follows_the_service_of_a_transfer(coordinator: User) -> None:
    learner = person(MELUN)
    transfer(learner, to=place(LILLE), on=date(2020, 3, 1), by=coordinator)
    assert kept() == defined()
    assert (learner.pk, f"d:{place(LILLE).disp_id}") in kept()


def test_the_reach_follows_deletions_and_records_moved_to_another_file() -> None:
    kept_file, merged = person(MELUN), person(LILLE)
    # A merge moves the placements of one file to the other (learners/merge.py): an UPDATE.
    Placement.objects.filter(learner=merged).update(learner=kept_file)
    assert kept() == defined()
    with connection.cursor() as cursor:  # raw SQL too: the database keeps it
        cursor.execute("DELETE FROM learners_placement WHERE learner_id = %s", [kept_file.pk])
    assert kept() == defined()
    Placement.objects.filter(learner=merged).delete()
    merged.delete()
    assert not Reach.objects.filter(learner_id=merged.pk).exists()
    assert kept() == defined()


def test_the_reach_follows_the_reference_data() -> None:
    melun, fresnes = person(MELUN), person(FRESNES)
    followed = young(MissionLocale.objects.order_by("pk").first())  # type: ignore[arg-type]
    Establishment.objects.filter(label=MELUN).update(disp=place(RENNES).disp)
    assert kept() == defined()
    assert (melun.pk, f"d:{place(RENNES).disp_id}") in kept()
    assert (fresnes.pk, f"d:{place(RENNES).disp_id}") not in kept()
    mission_locale = followed.mission_locale
    assert mission_locale is not None
    elsewhere = Commune.objects.exclude(region=mission_locale.commune.region).order_by("pk")[0]
    MissionLocale.objects.filter(pk=mission_locale.pk).update(commune=elsewhere)
    assert kept() == defined()
    assert (followed.pk, f"r:{elsewhere.region_id}") in kept()


def test_a_learner_in_no_area_has_no_reach() -> None:
    learner = person(None)
    assert not Reach.objects.filter(learner_id=learner.pk).exists()


def test_a_region_reads_the_same_rows_whether_it_lists_its_learners_or_tests_each_row() -> None:
    """A few rows (a record, references, a page's ids) are each tested against the region's
    reach (`readable_few`), where a list reads the region's learners: the same rows either
    way, for the learners, the records that hang off them and the enrolments."""
    from django.test.utils import CaptureQueriesContext

    from tremplin.catalog.models import Formation
    from tremplin.core.roles import Role
    from tremplin.enrolment.models import Application, Certification, Enrolment

    from ..reporting.test_bilan_definitions import enrol, unit

    regional = User.objects.create(username="region-test", role=Role.REGIONAL_COORDINATOR)
    regional.disps.set([place(MELUN).disp])
    inside, moved_out, outside = person(MELUN), person(MELUN), person(LILLE)
    # Transferred out, a learner stays in the DISP where their path began.
    move(moved_out, LILLE, date(2020, 1, 1))
    Learner.objects.filter(pk=moved_out.pk).update(establishment=place(LILLE))
    formation = Formation.objects.order_by("pk").values_list("code", flat=True)[0]
    for learner in (inside, moved_out, outside):
        certify(learner, formation, date(2021, 7, 1))
        Application.objects.create(learner=learner, academic_year="2020-2021", funding="dap")
        enrol(learner, unit(INFO))
    learner_of = {Learner: "pk", Application: "learner_id", Certification: "learner_id"}
    learner_of[Enrolment] = "learner_id"
    for model, column in learner_of.items():
        permissions = model.permissions  # type: ignore[attr-defined]
        listed = permissions.readable(regional, model.objects.all())
        tested = permissions.readable_few(regional, model.objects.all())
        assert set(listed.values_list("pk", flat=True)) == set(tested.values_list("pk", flat=True))
        assert set(tested.values_list(column, flat=True)) == {inside.pk, moved_out.pk}
    with CaptureQueriesContext(connection) as queries:
        assert Learner.permissions.can_read(regional, moved_out)
        assert not Learner.permissions.can_read(regional, outside)
    # One row tested: the region's learners are never listed for it.
    assert all("EXISTS" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("walked", [True, False])
def test_a_regions_page_tests_each_learner_near_an_end_of_its_list_and_lists_them_deeper(
    monkeypatch: pytest.MonkeyPatch, walked: bool
) -> None:
    """A page near an end of a region's long list is soon found walking the names' index, each
    learner tested against the region's reach; deeper, the region's learners are listed from
    the reach and sorted (selectors.REACH_WALK): the same page either way."""
    from django.test.utils import CaptureQueriesContext

    from tremplin.core.roles import Role
    from tremplin.learners import selectors

    regional = User.objects.create(username="region-walk", role=Role.REGIONAL_COORDINATOR)
    regional.disps.set([place(MELUN).disp])
    inside = [person(MELUN) for _ in range(4)]
    person(LILLE)
    monkeypatch.setattr(selectors, "REACH_WALK", 10**12 if walked else 0)
    filters = selectors.LearnerFilters()
    with CaptureQueriesContext(connection) as queries:
        page = list(selectors.search_learners(regional, filters, matches=4, depth=50))
    by_name = Learner.objects.filter(pk__in=[learner.pk for learner in inside])
    assert page == list(by_name.order_by("last_name", "first_name", "reference"))
    [read] = [q["sql"] for q in queries.captured_queries if "learners_reach" in q["sql"]]
    assert ("EXISTS" in read) is walked


@pytest.mark.parametrize(("depth", "walked"), [(50, True), (7_000, True), (13_000, False)])
def test_a_regions_page_walks_while_fewer_than_reach_walk_rows_lead_to_it(
    depth: int, walked: bool
) -> None:
    """With every learner listed, a page 7,000 rows deep is found after 7,000 rows of the names'
    index, under REACH_WALK (12,000): walked, where an integer division once listed the region
    for any page between 6,000 and 12,000 rows deep; 13,000 rows deep: listed."""
    from django.test.utils import CaptureQueriesContext

    from tremplin.core.roles import Role
    from tremplin.learners import selectors

    regional = User.objects.create(username="region-band", role=Role.REGIONAL_COORDINATOR)
    regional.disps.set([place(MELUN).disp])
    person(MELUN), person(MELUN)  # two at least: the figures are whole numbers
    latest = Learner.objects.order_by("-pk").values_list("pk", flat=True)[0]
    matches = latest  # as many listed as the latest id counts
    with CaptureQueriesContext(connection) as queries:
        list(
            selectors.search_learners(
                regional, selectors.LearnerFilters(), matches=matches, depth=depth
            )
        )
    [read] = [q["sql"] for q in queries.captured_queries if "learners_reach" in q["sql"]]
    assert ("EXISTS" in read) is walked
