"""The proposals on a young person's page at national scale: the nearest offers first and more
on request, each distance formation once at its nearest centre (every centre's on request).
Around Paris, the national offer proposes about a thousand offers: the page listed them all."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils.html import escape

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, Level, Modality
from tremplin.orientation.models import CentreOffer
from tremplin.orientation.proposals import Proposal, nearest_per_formation, propose_for
from tremplin.orientation.views import NEAR_STEP

from .conftest import NEXT_START, YoungPersonFactory, centre

pytestmark = pytest.mark.django_db

ClientAs = Callable[[User], Client]


def rows_of(page: str, caption: str) -> list[str]:
    """The rows of the table whose caption starts with `caption`."""
    table = re.search(r"<caption>" + re.escape(caption) + r".*?</caption>(.*?)</table>", page, re.S)
    assert table, caption
    return re.findall(r"<tr[^>]*>\s*<td>(.*?)</tr>", table.group(1), re.S)


@pytest.fixture
def many_near(db: None) -> None:
    """Every post-baccalauréat formation on site at Rennes and at Saint-Brieuc (about 65 km
    from Saint-Malo both)."""
    CentreOffer.objects.bulk_create(
        CentreOffer(
            centre=centre(code), formation=f, modality=Modality.ON_SITE, next_start=NEXT_START
        )
        for f in Formation.objects.filter(level=Level.POST_BAC)
        for code in ("DEMO-BRE", "DEMO-BRE-STBRIEUC")
    )


@pytest.fixture
def distance_everywhere(db: None) -> Formation:
    """One formation at distance from Rennes, Lyon and Paris."""
    formation = Formation.objects.filter(level=Level.POST_BAC).order_by("-code").first()
    assert formation is not None
    for code in ("DEMO-ARA", "DEMO-IDF", "DEMO-BRE"):
        CentreOffer.objects.create(
            centre=centre(code), formation=formation, modality=Modality.DISTANCE
        )
    return formation


def test_a_counselor_sees_the_nearest_offers_first_and_asks_for_more(
    young: YoungPersonFactory, counselor: User, client_as: ClientAs, many_near: None
) -> None:
    learner = young()
    ranked = propose_for(learner.youth_profile).near
    total = len(ranked)
    assert NEAR_STEP < total < 2 * NEAR_STEP
    client = client_as(counselor)
    url = f"/orientation/jeunes/{learner.pk}/"

    page = client.get(url).content.decode()

    near = rows_of(page, "Près de chez le jeune")
    assert len(near) == NEAR_STEP
    assert f"(les {NEAR_STEP} plus proches sur {total})" in page
    # The link lands on the first new row, and holds the page's address (the page is shown at
    # another one after the contact form's errors).
    assert f'href="{url}?proches={total}#proche-{NEAR_STEP + 1}"' in page
    assert f"Afficher {total - NEAR_STEP} offres proches supplémentaires" in page
    # The rows shown are the nearest, in the order of the proposals.
    for proposal, row in zip(ranked, near, strict=False):
        assert escape(proposal.formation_title) in row and proposal.centre_name in row

    everything = client.get(url, {"proches": str(total)}).content.decode()

    assert len(rows_of(everything, "Près de chez le jeune")) == total
    assert f'<tr id="proche-{NEAR_STEP + 1}" tabindex="-1">' in everything
    assert "supplémentaire" not in everything
    assert "plus proches sur" not in everything


def test_a_count_asked_that_is_not_one_shows_the_first_offers(
    young: YoungPersonFactory, counselor: User, client_as: ClientAs, many_near: None
) -> None:
    client = client_as(counselor)
    url = f"/orientation/jeunes/{young().pk}/"

    for asked in ("abc", "-5", "0", "", "²", "9" * 5000):
        page = client.get(url, {"proches": asked}).content.decode()
        assert len(rows_of(page, "Près de chez le jeune")) == NEAR_STEP, asked


def test_a_distance_formation_is_proposed_once_at_its_nearest_centre(
    young: YoungPersonFactory,
    counselor: User,
    client_as: ClientAs,
    distance_everywhere: Formation,
) -> None:
    client = client_as(counselor)
    url = f"/orientation/jeunes/{young().pk}/"

    page = client.get(url).content.decode()

    remote = rows_of(page, "À distance (toujours proposées)")
    assert len(remote) == 1
    assert "Cnam Bretagne (démo)" in remote[0]  # Rennes, nearer than Lyon and Paris
    assert "aussi à distance depuis 2 autres centres" in remote[0]
    assert f'href="{url}?distance=toutes#proposees-distance"' in page

    every_centre = client.get(url, {"distance": "toutes"}).content.decode()

    rows = rows_of(every_centre, "À distance (toujours proposées), centre par centre")
    assert len(rows) == 3
    assert "aussi à distance" not in every_centre
    assert "Regrouper les offres à distance par formation" in every_centre


def test_the_nearest_centre_of_each_formation_and_the_others_counted() -> None:
    base = dict.fromkeys(
        (
            "centre_code",
            "commune_code",
            "commune_name",
            "department_code",
            "department_name",
            "size_class_label",
            "formation_code",
            "formation_title",
            "formation_kind",
            "formation_level",
        ),
        "",
    )

    def proposal(offer: int, formation: int, km: float) -> Proposal:
        return Proposal(
            offer_id=offer,
            centre_id=offer,
            centre_name=f"centre {offer}",
            size_class=None,
            distance_km=km,
            formation_id=formation,
            modality=Modality.DISTANCE,
            next_start=None,
            **base,
        )

    ranked = [
        proposal(1, 10, 5.0),
        proposal(2, 20, 8.0),
        proposal(3, 10, 9.0),
        proposal(4, 10, 12.0),
    ]

    grouped = nearest_per_formation(ranked)

    assert [(p.offer_id, others) for p, others in grouped] == [(1, 2), (2, 0)]
