"""Demonstration content for the yearly catalogue "Édition 2020-2021".

This module is demonstration content modelled on the Cnam's 2020-2021 catalogue
for people under judicial supervision (PSMJ, "personnes sous main de justice").
The counts come from the published edition: 6 sectors, 80 teaching units (27 of
them taught at distance), 4 professional certificates, 8 skills certificates,
2 specialisation certificates, 2 RNCP titles, 3 institution diplomas and
1 business-creation programme. Titles, codes, ECTS credits and requirements are
illustrative: real Cnam codes and titles are used where known, plausible ones
elsewhere.

The content itself is data, in `data/catalogue-2020-2021.json` (the edition, its sectors, the
teaching units offered and a few that are not, the formations with their requirements); this
module only declares its shape and reads it, without Django, so that a command or a test can
load it alike.
"""

import json
from pathlib import Path
from typing import Final, Literal, TypedDict, cast

__all__ = [
    "EDITION",
    "EXTRA_TEACHING_UNITS",
    "FORMATIONS",
    "SECTORS",
    "TEACHING_UNITS",
    "ChoiceGroup",
    "Edition",
    "Formation",
    "FormationKind",
    "Level",
    "Modality",
    "Requirements",
    "SectorName",
    "TeachingUnit",
]

# --------------------------------------------------------------------------- #
# Types
# --------------------------------------------------------------------------- #

Modality = Literal["distance", "on_site", "hybrid"]
FormationKind = Literal[
    "professional_certificate",
    "skills_certificate",
    "specialisation_certificate",
    "rncp_title",
    "institution_diploma",
    "business_creation_programme",
]
Level = Literal["post_bac", "pre_bac"]
SectorName = Literal[
    "Comptabilité et gestion",
    "Construction et aménagement",
    "Droit des affaires, droit social et immobilier",
    "Finance, banque et assurance",
    "Informatique",
    "Management et innovation",
]


class TeachingUnit(TypedDict):
    """A Cnam teaching unit (UE, "unité d'enseignement")."""

    code: str
    title: str
    ects: int
    modality: Modality
    sector: SectorName


class ChoiceGroup(TypedDict):
    """Choose `choose` units among `units` (UE codes)."""

    label: str
    choose: int
    units: list[str]


class Requirements(TypedDict):
    """What a learner must validate to obtain a formation."""

    mandatory: list[str]
    choice_groups: list[ChoiceGroup]
    min_credits: int


class Formation(TypedDict):
    """A certificate, title, diploma or programme built from teaching units.

    `rncp_code` is only filled for RNCP titles (empty string otherwise).
    """

    code: str
    title: str
    kind: FormationKind
    sector: SectorName
    description: str
    level: Level
    rncp_code: str
    requirements: Requirements


class Edition(TypedDict):
    """A yearly edition of the catalogue."""

    year: str
    title: str
    published_on: str
    introduction: str
    how_to_apply: str


# --------------------------------------------------------------------------- #
# The data
# --------------------------------------------------------------------------- #

_DATA = json.loads(
    (Path(__file__).parent / "data" / "catalogue-2020-2021.json").read_text(encoding="utf-8")
)

EDITION: Final = cast(Edition, _DATA["edition"])
SECTORS: Final = cast(tuple[SectorName, ...], tuple(_DATA["sectors"]))
TEACHING_UNITS: Final = cast(tuple[TeachingUnit, ...], tuple(_DATA["teaching_units"]))
#: Units that exist in the Cnam's list but are NOT offered in 2020-2021.
EXTRA_TEACHING_UNITS: Final = cast(tuple[TeachingUnit, ...], tuple(_DATA["extra_teaching_units"]))
FORMATIONS: Final = cast(tuple[Formation, ...], tuple(_DATA["formations"]))
