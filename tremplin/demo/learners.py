"""Demo learners: fictitious people in real establishments, from 2015-2016 to 2020-2021, plus a
small cohort in the academic year 2026-2027 so that the alerts of today's screens have something
to show.

The history reproduces the figures of the seed's "bilan chiffré" (DOMAIN.md, "The figures"):
for 2019-2020, 64 learners in 22 partner establishments (the 9 of DISP Paris with 48 learners,
13 in 7 other directorates with 16 learners), 93 of 176 UE enrolments validated, 36 learners
with at least one validated UE, 48 people followed with 96 interviews, three certifications (the
DGC and a certificat de spécialisation at CD MELUN, a certificat professionnel at MC POISSY);
21 establishments in 6 DISPs in 2018-2019; 45 learners and 62 % of them successful in
2016-2017; more than 200 learners since 2015.

Everything comes from one seeded `random.Random` walked in a fixed order over tuples and lists,
and every date is fixed: two loads on the same reference data give the same rows, whatever the
day. A second call creates nothing: the learners are keyed on their opaque reference.

Conventions of the placement history (`Placement`): an arrival or a transfer names the
establishment where the learner is from that date on; a release names no establishment and
gives the commune of release. A learner's `establishment` is the last establishment of that
history, kept after a release. The enrolment date is not stored: it is the day of the
"enrolled" step of the application when there is one; the demo always enrols a learner at the
establishment where the placement history puts them on that day.

Names are drawn from lists of common first names and surnames of varied origins, combined at
random: they designate nobody. No row says anything about an offence, a sentence or the reason
of a release.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from tremplin.accounts.models import User
from tremplin.catalog.academic import academic_year_bounds, academic_year_of, previous_academic_year
from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.demo import content
from tremplin.demo.accounts import SEED_PARIS_ESTABLISHMENTS
from tremplin.demo.names import NAMES
from tremplin.enrolment.certifications import insert_history as insert_certifications_history
from tremplin.enrolment.models import (
    AbandonReason,
    Application,
    Certification,
    Enrolment,
    Funding,
    Result,
)
from tremplin.enrolment.services import (
    StepSpec,
    insert_applications_history,
    insert_enrolments_history,
)
from tremplin.followup.models import Interview
from tremplin.followup.services import insert_interviews_history
from tremplin.learners.models import EducationLevel, Kind, Learner, Placement, Status
from tremplin.learners.services import insert_learners_history, insert_placements_history
from tremplin.places.models import Commune, Establishment

__all__ = [
    "CURRENT_YEAR",
    "DEMO_NOW",
    "DEMO_SEED",
    "HISTORY_END",
    "HISTORY_YEARS",
    "load_learners",
]

DEMO_SEED = 20150615
#: The fixed "today" of the current cohort (its alerts are computed against this day).
DEMO_NOW = date(2026, 11, 22)
#: The fixed "today" of the history: the end of the 2020-2021 teaching year.
HISTORY_END = date(2021, 6, 30)
HISTORY_YEARS = (
    "2015-2016",
    "2016-2017",
    "2017-2018",
    "2018-2019",
    "2019-2020",
    "2020-2021",
)
CURRENT_YEAR = "2026-2027"

PARIS = frozenset(SEED_PARIS_ESTABLISHMENTS)
FLEURY, MEAUX, MELUN, POISSY, FRESNES, OSNY, REAU, VILLEPINTE, NANTERRE = SEED_PARIS_ESTABLISHMENTS

TZ = ZoneInfo("Europe/Paris")

COORDINATION = "coordination"
REFERENT = "referent"
RLE_MELUN = "rle-melun"
TEACHER = "enseignant"
USERNAMES = (COORDINATION, REFERENT, RLE_MELUN, TEACHER)

VALIDATED = Result.VALIDATED.value
FAILED = Result.FAILED.value
ABSENT = Result.ABSENT.value
ABANDONED = Result.ABANDONED.value
PENDING = Result.PENDING.value
CANCELLED = Result.CANCELLED.value

ARRIVAL = Placement.Kind.ARRIVAL.value
TRANSFER = Placement.Kind.TRANSFER.value
RELEASE = Placement.Kind.RELEASE.value

# --------------------------------------------------------------------------------------------
# The shape of each academic year
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearShape:
    """How many learners per establishment, and the year's totals of UE enrolments (cancelled
    ones apart), validated enrolments, successful learners and pending enrolments."""

    year: str
    slots: tuple[tuple[str, int], ...]
    enrolments: int
    validated: int
    successful: int
    pending: int = 0
    cancelled: int = 0
    continuing: float = 0.3


# fmt: off
YEARS: tuple[YearShape, ...] = (
    # The June 2015 convention covers DISP Paris only.
    YearShape(
        "2015-2016",
        ((FRESNES, 3), (FLEURY, 4), (MELUN, 3), (POISSY, 2)),
        enrolments=26, validated=15, successful=8, cancelled=1,
    ),
    YearShape(
        "2016-2017",
        (
            (FLEURY, 8), (MEAUX, 6), (MELUN, 6), (POISSY, 5), (FRESNES, 6), (OSNY, 3),
            (NANTERRE, 3), (VILLEPINTE, 2),
            ("CP RENNES", 3),
            ("CP LILLE ANNOEULLIN", 3),
        ),
        enrolments=118, validated=66, successful=28, cancelled=2,
    ),
    YearShape(
        "2017-2018",
        (
            (FLEURY, 7), (MEAUX, 5), (MELUN, 6), (POISSY, 4), (FRESNES, 6), (OSNY, 3),
            (REAU, 3), (VILLEPINTE, 3), (NANTERRE, 3),
            ("CP RENNES", 3), ("CP NANTES", 2),
            ("CP LILLE ANNOEULLIN", 2), ("EPM QUIEVRECHAIN", 1),
            ("MC ENSISHEIM", 2),
            ("CP ORLEANS SARAN", 2),
        ),
        enrolments=139, validated=75, successful=30, cancelled=2,
    ),
    # 21 establishments in 6 DISPs.
    YearShape(
        "2018-2019",
        (
            (FLEURY, 8), (MEAUX, 5), (MELUN, 7), (POISSY, 5), (FRESNES, 6), (OSNY, 3),
            (REAU, 3), (VILLEPINTE, 4), (NANTERRE, 3),
            ("CP RENNES", 2), ("CP NANTES", 1), ("MA ST MALO", 1),
            ("CP LILLE ANNOEULLIN", 1), ("CD BAPAUME", 1), ("MA DOUAI", 1),
            ("MC ENSISHEIM", 1), ("CP METZ", 1),
            ("CP ORLEANS SARAN", 1), ("MC ST MAUR", 1),
            ("CP ST QUENTIN FALLAVIER", 1), ("CD ROANNE", 1),
        ),
        enrolments=155, validated=84, successful=33, cancelled=2,
    ),
    # The seed's year: 48 learners in the 9 establishments of DISP Paris, 16 in 13
    # establishments of 7 other directorates.
    YearShape(
        "2019-2020",
        (
            (FLEURY, 8), (MEAUX, 6), (MELUN, 7), (POISSY, 5), (FRESNES, 6), (OSNY, 4),
            (REAU, 4), (VILLEPINTE, 4), (NANTERRE, 4),
            ("CP RENNES", 2), ("CP NANTES", 1), ("MA ST MALO", 1),
            ("MC ENSISHEIM", 1), ("CP METZ", 1),
            ("CP LILLE ANNOEULLIN", 2), ("CD BAPAUME", 1),
            ("CP ORLEANS SARAN", 1), ("MC ST MAUR", 1),
            ("CP ST QUENTIN FALLAVIER", 1), ("CD ROANNE", 1),
            ("CD MURET", 2),
            ("CP DUCOS", 1),
        ),
        enrolments=176, validated=93, successful=36, cancelled=3,
    ),
    # Results of the first semester are in; the June session is not graded yet.
    YearShape(
        "2020-2021",
        (
            (FLEURY, 9), (MEAUX, 6), (MELUN, 7), (POISSY, 5), (FRESNES, 6), (OSNY, 4),
            (REAU, 5), (VILLEPINTE, 4), (NANTERRE, 4),
            ("CP RENNES", 2), ("CP NANTES", 1), ("MA ST MALO", 1), ("CP LORIENT", 1),
            ("EPM ORVAULT", 2),
            ("MC ENSISHEIM", 1), ("CP METZ", 1),
            ("CP LILLE ANNOEULLIN", 2), ("CD BAPAUME", 1),
            ("CP ORLEANS SARAN", 1), ("MC ST MAUR", 1),
            ("CP ST QUENTIN FALLAVIER", 1),
            ("CD MURET", 1), ("CP TOULOUSE SEYSSES", 1),
            ("CP DUCOS", 1),
            ("CP BORDEAUX GRADIGNAN", 1),
        ),
        enrolments=196, validated=40, successful=27, pending=128, cancelled=2,
    ),
)
# fmt: on

#: The current cohort: learners per establishment (all enrolments pending).
CURRENT_SLOTS: tuple[tuple[str, int], ...] = (
    (FLEURY, 2),
    (MEAUX, 1),
    (MELUN, 3),
    (POISSY, 1),
    (FRESNES, 2),
    (OSNY, 1),
    (REAU, 1),
    (VILLEPINTE, 1),
    (NANTERRE, 1),
)

#: Per year, among the followed (DISP Paris) learners: the share of newcomers and the share of
#: returning learners with an information interview, the share with a training follow-up
#: interview. 2019-2020 is exact: one of each for every one of them.
INTERVIEW_SHARES = {
    "2015-2016": (0.3, 0.3, 0.0),
    "2016-2017": (0.5, 0.5, 0.2),
    "2017-2018": (0.6, 0.6, 0.3),
    "2018-2019": (0.75, 0.75, 0.5),
    "2019-2020": (1.0, 1.0, 1.0),
    "2020-2021": (1.0, 0.5, 1.0),
}
#: 2020-2021 learners of DISP Paris whose last interview is older than 60 days on HISTORY_END.
ALERTS_2020_2021 = 6

# --------------------------------------------------------------------------------------------
# Names (common first names and surnames of varied origins, combined at random)
# --------------------------------------------------------------------------------------------

MALE_FIRST_NAMES: tuple[str, ...] = tuple(NAMES["male_first_names"])
FEMALE_FIRST_NAMES: tuple[str, ...] = tuple(NAMES["female_first_names"])
SURNAMES: tuple[str, ...] = tuple(NAMES["surnames"])

#: Share of women among the learners of an establishment (the others: none).
WOMEN_SHARE = {FLEURY: 0.25, FRESNES: 0.1, "CP RENNES": 1.0}
EPM_PREFIX = "EPM "
LONG_SENTENCE_PREFIXES = ("MC ", "CD ")

EDUCATION_WEIGHTS = (
    (EducationLevel.NONE.value, 15),
    (EducationLevel.LEVEL_3.value, 30),
    (EducationLevel.LEVEL_4.value, 35),
    (EducationLevel.LEVEL_5.value, 12),
    (EducationLevel.LEVEL_6.value, 6),
    (EducationLevel.LEVEL_7.value, 2),
)
FUNDING_WEIGHTS = ((Funding.DAP.value, 75), (Funding.REGION.value, 15), (Funding.CNAM.value, 10))

# --------------------------------------------------------------------------------------------
# The catalogue, read from the demo content (plain Python, no database)
# --------------------------------------------------------------------------------------------

ECTS = {unit["code"]: unit["ects"] for unit in content.TEACHING_UNITS}
FORMATIONS = {spec["code"]: spec for spec in content.FORMATIONS}
#: Émergence runs in cohorts of its own: the generator never enrols in its units.
EMERGENCE_UNITS = ("ENT101", "ENT102")
GENERAL_UNITS = tuple(
    unit["code"] for unit in content.TEACHING_UNITS if unit["code"] not in EMERGENCE_UNITS
)
#: The learners' projects (a formation each), with their weights.
TRACKS = (
    ("DIE3100", 4),
    ("CPN58", 3),
    ("CPN52", 3),
    ("CPN63", 2),
    ("CC13000", 2),
    ("DIE3200", 2),
    ("CPN71", 1),
    ("CC13100", 1),
    ("CC13200", 1),
    ("CC13300", 1),
    ("CC13400", 1),
    ("CC13500", 1),
    ("CC13600", 1),
    ("CC13700", 1),
    ("CS7200", 1),
    ("CS7300", 1),
    ("CRN0300", 1),
    ("CRN0200", 1),
    ("DIE3300", 1),
)
MINOR_TRACKS = (("CPN71", 1), ("CPN52", 1))


def formation_units(code: str) -> tuple[str, ...]:
    """Every UE a formation names: mandatory first, then those of its choice groups."""
    requirements = FORMATIONS[code]["requirements"]
    units = list(requirements["mandatory"])
    for group in requirements["choice_groups"]:
        units += [unit for unit in group["units"] if unit not in units]
    return tuple(units)


def meets_requirements(code: str, validated: Iterable[str]) -> bool:
    """Mandatory UEs all validated, every choice group satisfied, enough credits."""
    done = set(validated)
    requirements = FORMATIONS[code]["requirements"]
    if not set(requirements["mandatory"]) <= done:
        return False
    if any(len(done & set(g["units"])) < g["choose"] for g in requirements["choice_groups"]):
        return False
    return formation_credits(code, done) >= requirements["min_credits"]


def formation_credits(code: str, validated: Iterable[str]) -> int:
    """The credits counted towards a formation: its validated mandatory UEs, plus for each choice
    group at most `choose` of its validated UEs, the best-credited ones (as the certification
    engine counts them; no demo formation lists a UE in two groups)."""
    done = set(validated)
    requirements = FORMATIONS[code]["requirements"]
    mandatory = requirements["mandatory"]
    credits = sum(ECTS[unit] for unit in mandatory if unit in done)
    for group in requirements["choice_groups"]:
        eligible = [unit for unit in group["units"] if unit in done and unit not in mandatory]
        credits += sum(sorted((ECTS[unit] for unit in eligible), reverse=True)[: group["choose"]])
    return credits


def _reaches_requirements(code: str, validated: set[str]) -> bool:
    """Mandatory UEs and choice groups, ignoring credits: the generator's (stricter) guard."""
    requirements = FORMATIONS[code]["requirements"]
    return set(requirements["mandatory"]) <= validated and all(
        len(validated & set(g["units"])) >= g["choose"] for g in requirements["choice_groups"]
    )


FORMATIONS_BY_UNIT: dict[str, tuple[str, ...]] = {
    unit: tuple(code for code in FORMATIONS if unit in formation_units(code))
    for unit in GENERAL_UNITS
}

# --------------------------------------------------------------------------------------------
# The plan: plain data, built before anything is written
# --------------------------------------------------------------------------------------------


@dataclass
class PlannedPlacement:
    kind: str
    on: date
    establishment: str | None
    release_commune: str | None = None


@dataclass
class PlannedEnrolment:
    year: str
    unit: str
    establishment: str
    enrolled_on: date
    funding: str
    result: str = PENDING
    grade: Decimal | None = None
    abandon_reason: str = ""
    result_on: date | None = None


@dataclass
class PlannedInterview:
    on: date
    kind: str
    minutes: int
    notes: str
    next_steps: str


@dataclass
class PlannedStep:
    to_status: str
    at: datetime
    by: str
    note: str = ""


@dataclass
class PlannedApplication:
    year: str
    units: list[str]
    formation: str | None
    funding: str
    status: str
    created_by: str
    steps: list[PlannedStep]
    motivation: str
    rle_opinion: str = ""
    rle_comment: str = ""
    reason: str = ""
    #: Links the learner's enrolments of that year to this application.
    enrolled: bool = False


@dataclass
class PlannedCertification:
    formation: str
    number: str
    year: str
    establishment: str
    proposed_on: date
    awarded_on: date
    credits: int


@dataclass
class LearnerYear:
    year: str
    establishment: str
    enrolled_on: date
    funding: str


@dataclass
class PlannedLearner:
    reference: str
    first_name: str
    last_name: str
    birth_date: date
    education_level: str
    track: str
    scripted: bool = False
    placements: list[PlannedPlacement] = field(default_factory=list)
    years: list[LearnerYear] = field(default_factory=list)
    enrolments: list[PlannedEnrolment] = field(default_factory=list)
    interviews: list[PlannedInterview] = field(default_factory=list)
    applications: list[PlannedApplication] = field(default_factory=list)
    certifications: list[PlannedCertification] = field(default_factory=list)
    #: Forced into the 2020-2021 alerts (last interview older than 60 days on HISTORY_END).
    alert: bool = False
    ended: bool = False

    @property
    def establishment(self) -> str:
        return next(p.establishment for p in reversed(self.placements) if p.establishment)

    @property
    def released_on(self) -> date | None:
        last = self.placements[-1]
        return last.on if last.kind == RELEASE else None

    def where(self, on: date) -> str | None:
        here: str | None = None
        for placement in self.placements:
            if placement.on <= on:
                here = placement.establishment
        return here

    def arrived_at(self, label: str, on: date) -> date:
        """The day the learner arrived at `label`, where they are on `on`."""
        start = self.placements[0].on
        for placement in self.placements:
            if placement.on <= on and placement.establishment == label:
                start = placement.on
        return start

    def year(self, year: str) -> LearnerYear | None:
        return next((y for y in self.years if y.year == year), None)

    def validated_units(self) -> set[str]:
        return {e.unit for e in self.enrolments if e.result == VALIDATED}


year_bounds = academic_year_bounds


def _end(year: str) -> int:
    return int(year[:4]) + 1


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# --------------------------------------------------------------------------------------------
# Scripted learners: the paths the figures and the screens need
# --------------------------------------------------------------------------------------------

#: (year, establishment, enrolment date, ((unit, result, abandon reason), ...))
Batch = tuple[str, str, date, tuple[tuple[str, str, str], ...]]


@dataclass(frozen=True)
class Script:
    key: str
    entry: int
    age: int
    woman: bool
    education: str
    track: str
    placements: tuple[tuple[str, date, str | None], ...]
    batches: tuple[Batch, ...]
    certification: tuple[str, str, date, date] | None = None  # formation, number, proposed, awarded
    alert: bool = False
    funding: str = Funding.DAP.value


def _v(*units: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((unit, VALIDATED, "") for unit in units)


def _r(unit: str, result: str, reason: str = "") -> tuple[tuple[str, str, str], ...]:
    return ((unit, result, reason),)


L4 = EducationLevel.LEVEL_4.value
L5 = EducationLevel.LEVEL_5.value
L3 = EducationLevel.LEVEL_3.value
T = AbandonReason.TRANSFER.value
R = AbandonReason.RELEASE.value

SCRIPTS: tuple[Script, ...] = (
    # The DGC (diplôme de gestion et de comptabilité) at CD MELUN over three years.
    Script(
        "dgc-melun",
        2017,
        34,
        False,
        L4,
        "DIE3100",
        ((ARRIVAL, date(2016, 2, 15), MELUN), (RELEASE, date(2020, 12, 14), None)),
        (
            (
                "2017-2018",
                MELUN,
                date(2017, 10, 9),
                _v("CCG101", "CCG102", "CCG103", "CCG104") + _r("CCG109", FAILED),
            ),
            (
                "2018-2019",
                MELUN,
                date(2018, 10, 8),
                _v("CCG105", "CCG106", "CCG107", "CCG109") + _r("CCG110", FAILED),
            ),
            ("2019-2020", MELUN, date(2019, 10, 7), _v("CCG108", "CCG110", "CCG111", "CCG113")),
        ),
        certification=("DIE3100", "CNAM-CERT-2020-0001", date(2020, 6, 29), date(2020, 7, 3)),
    ),
    # A certificat professionnel (assistant comptable) at MC POISSY, then one more UE.
    Script(
        "cp-poissy",
        2018,
        41,
        False,
        L3,
        "CPN58",
        ((ARRIVAL, date(2015, 6, 10), POISSY),),
        (
            (
                "2018-2019",
                POISSY,
                date(2018, 10, 15),
                _v("CFA010", "CFA040") + _r("GFN106", FAILED),
            ),
            ("2019-2020", POISSY, date(2019, 10, 14), _v("CFA115", "CFA050")),
            ("2020-2021", POISSY, date(2020, 10, 12), _r("CFA120", PENDING)),
        ),
        certification=("CPN58", "CNAM-CERT-2020-0002", date(2020, 6, 22), date(2020, 6, 26)),
        funding=Funding.REGION.value,
    ),
    # A certificat de spécialisation at CD MELUN, after a transfer from Fleury-Mérogis.
    Script(
        "cs-melun",
        2017,
        29,
        False,
        L5,
        "CS7200",
        (
            (ARRIVAL, date(2016, 11, 4), FLEURY),
            (TRANSFER, date(2018, 6, 18), MELUN),
            (RELEASE, date(2021, 3, 22), None),
        ),
        (
            ("2017-2018", FLEURY, date(2017, 10, 16), _v("CCE101") + _r("DRA001", FAILED)),
            ("2018-2019", MELUN, date(2018, 10, 8), _v("DRA106", "DRA001")),
            ("2019-2020", MELUN, date(2019, 10, 7), _v("DRA107", "DRA108") + _r("DRA002", FAILED)),
        ),
        certification=("CS7200", "CNAM-CERT-2020-0003", date(2020, 6, 29), date(2020, 7, 3)),
    ),
    # Transferred mid-year 2019-2020 from Fresnes to Melun: enrolments in both, counted once.
    Script(
        "transfer-2020",
        2019,
        26,
        False,
        L4,
        "CPN52",
        ((ARRIVAL, date(2019, 4, 23), FRESNES), (TRANSFER, date(2020, 1, 20), MELUN)),
        (
            ("2019-2020", FRESNES, date(2019, 10, 7), _v("MSE147") + _r("NFA031", ABANDONED, T)),
            ("2019-2020", MELUN, date(2020, 2, 10), _v("CCE101")),
            ("2020-2021", MELUN, date(2020, 10, 5), _r("CFA010", PENDING) + _r("FPG101", PENDING)),
        ),
    ),
    # Released mid-year 2019-2020: the UEs are abandoned.
    Script(
        "release-2020",
        2019,
        23,
        False,
        L4,
        "CPN63",
        ((ARRIVAL, date(2019, 5, 13), VILLEPINTE), (RELEASE, date(2020, 3, 20), None)),
        (
            (
                "2019-2020",
                VILLEPINTE,
                date(2019, 10, 21),
                _r("NFA008", ABANDONED, R) + _r("UTC501", ABANDONED, R),
            ),
        ),
    ),
    # Certificat de compétence in 2017-2018 at Fleury-Mérogis.
    Script(
        "cc-fleury-2018",
        2016,
        31,
        True,
        L4,
        "CC13000",
        ((ARRIVAL, date(2015, 12, 1), FLEURY), (RELEASE, date(2018, 11, 19), None)),
        (
            ("2016-2017", FLEURY, date(2016, 10, 10), _v("CFA040", "MSE147")),
            (
                "2017-2018",
                FLEURY,
                date(2017, 10, 9),
                _v("CFA115", "CFA120") + _r("FPG101", FAILED),
            ),
        ),
        certification=("CC13000", "CNAM-CERT-2018-0001", date(2018, 6, 28), date(2018, 7, 6)),
    ),
    # Certificat de compétence in 2018-2019 at Fresnes.
    Script(
        "cc-fresnes-2019",
        2017,
        37,
        False,
        L4,
        "CC13700",
        ((ARRIVAL, date(2017, 3, 2), FRESNES), (RELEASE, date(2019, 9, 16), None)),
        (
            ("2017-2018", FRESNES, date(2017, 10, 16), _v("ESC101") + _r("CCE101", FAILED)),
            ("2018-2019", FRESNES, date(2018, 10, 15), _v("ESC102", "ESC103")),
        ),
        certification=("CC13700", "CNAM-CERT-2019-0001", date(2019, 6, 27), date(2019, 7, 5)),
        funding=Funding.CNAM.value,
    ),
    # Transferred in at Melun on 14 June 2021, less than 30 days before HISTORY_END.
    Script(
        "transfer-2021",
        2020,
        24,
        False,
        L4,
        "CPN63",
        ((ARRIVAL, date(2020, 2, 3), FLEURY), (TRANSFER, date(2021, 6, 14), MELUN)),
        (("2020-2021", FLEURY, date(2020, 10, 12), _v("NFA031") + _r("NFA008", PENDING)),),
        alert=True,
    ),
    # Released in May 2021 with UEs still pending.
    Script(
        "release-2021",
        2020,
        45,
        False,
        L5,
        "DIE3200",
        ((ARRIVAL, date(2020, 6, 8), NANTERRE), (RELEASE, date(2021, 5, 21), None)),
        (
            (
                "2020-2021",
                NANTERRE,
                date(2020, 10, 19),
                _r("GFN106", PENDING) + _r("DRA001", PENDING),
            ),
        ),
    ),
)

#: The current cohort's scripted learners: (key, establishment, arrival, enrolment date, units).
CURRENT_SCRIPTS: tuple[tuple[str, str, date, date, tuple[str, ...]], ...] = (
    ("current-alert", MELUN, date(2025, 3, 10), date(2026, 9, 21), ("CCG101", "CCG109")),
    ("current-transfer", VILLEPINTE, date(2026, 1, 19), date(2026, 9, 28), ("NFA031", "NFA016")),
    ("current-release", FRESNES, date(2025, 11, 3), date(2026, 9, 21), ("MSE147", "CCE101")),
)
#: The DGC units the "current-alert" learner validated in 2025-2026 (all but CCG101 and CCG109).
DGC_CANDIDATE_YEAR = "2025-2026"
DGC_CANDIDATE_GRADES = (
    ("CCG102", "12.5"),
    ("CCG103", "11"),
    ("CCG104", "13.25"),
    ("CCG105", "10.5"),
    ("CCG106", "14"),
    ("CCG107", "12"),
    ("CCG108", "11.75"),
    ("CCG110", "13"),
    ("CCG111", "10"),
    ("CCG112", "15.5"),
)
CURRENT_TRANSFER = (date(2026, 11, 10), REAU)
CURRENT_RELEASE = date(2026, 11, 5)
CURRENT_ALERT_INTERVIEW = date(2026, 9, 8)

# --------------------------------------------------------------------------------------------
# Texts (French, about the training only)
# --------------------------------------------------------------------------------------------

INFO_NOTES = (
    "Présentation de l'offre du catalogue et du fonctionnement des cours sur support papier. "
    "Projet de formation : {track}.",
    "Premier entretien : parcours scolaire, attentes, organisation du travail en cellule. "
    "Orientation vers : {track}.",
    "Entretien en présence du RLE. Choix des UE de l'année en lien avec le projet : {track}.",
    "Point sur les acquis et le projet professionnel ; la formation visée est : {track}.",
)
INFO_NEXT_STEPS = (
    "Constituer le dossier de candidature avec le RLE.",
    "Transmettre la liste des UE proposées et leur calendrier.",
    "Vérifier les prérequis avec le responsable de la formation.",
)
FOLLOWUP_NOTES = (
    "Point d'étape : cours reçus, devoirs rendus régulièrement.",
    "Difficultés de méthode : conseils d'organisation et fiches de révision remises.",
    "Bonne progression ; préparation de la session d'examens.",
    "Retard dans les devoirs, accès limité à la salle d'enseignement ; rattrapage convenu.",
    "Motivation intacte ; demande de documents complémentaires transmise au Cnam.",
)
FOLLOWUP_NEXT_STEPS = (
    "Préparer la session d'examens.",
    "Prévoir un nouveau point dans deux mois.",
    "Demander au RLE un créneau supplémentaire en salle informatique.",
    "Envoyer les annales des années précédentes.",
)
MOTIVATIONS = (
    "Je souhaite préparer {formation} pour reprendre une activité à ma sortie.",
    "Reprendre des études et obtenir un diplôme reconnu : {formation}.",
    "Consolider mon expérience professionnelle en préparant {formation}.",
    "Projet de reconversion : {formation}, à poursuivre après la détention dans un centre Cnam.",
)
RLE_COMMENTS = (
    ("favourable", "Élève assidu au quartier enseignement, avis favorable."),
    ("favourable", "Projet cohérent avec le parcours ; favorable."),
    ("reserved", "Favorable, mais la charge de travail s'ajoute à une activité en atelier."),
)
REFUSAL = (
    "Prérequis non réunis pour {formation} : une remise à niveau (CCE101) est proposée d'abord."
)
WITHDRAWAL = "L'apprenant préfère se concentrer sur les UE en cours et reporter sa candidature."
STEP_NOTES = {
    Application.Status.SUBMITTED.value: "Dossier déposé après l'entretien d'information.",
    Application.Status.REVIEWED.value: "Avis du RLE donné.",
    Application.Status.VALIDATED.value: "Parcours validé par la coordination pédagogique.",
    Application.Status.ENROLLED.value: "Inscription aux UE enregistrée.",
}

# --------------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------------


class PlanError(Exception):
    """The year shapes and the scripted paths cannot give the requested figures."""


def _distribute(rng: random.Random, total: int, minimums: list[int], caps: list[int]) -> list[int]:
    counts = list(minimums)
    remaining = total - sum(counts)
    if remaining < 0 or remaining > sum(c - m for c, m in zip(caps, counts, strict=True)):
        raise PlanError(f"impossible de répartir {total} sur {len(counts)} apprenants")
    while remaining:
        i = rng.randrange(len(counts))
        if counts[i] < caps[i]:
            counts[i] += 1
            remaining -= 1
    return counts


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _between(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _eligible(unit: str, taken: list[str], done: set[str], *, validated: bool) -> bool:
    if unit in taken or unit in done or unit in EMERGENCE_UNITS:
        return False
    if not validated:
        return True
    after = done | {unit}
    return not any(_reaches_requirements(code, after) for code in FORMATIONS_BY_UNIT[unit])


class Builder:
    MAX_UNITS = 6

    def __init__(self, release_communes: Mapping[str, Sequence[str]]) -> None:
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - fictitious data, not security
        self.release_communes = release_communes
        self.learners: list[PlannedLearner] = []
        self.by_key: dict[str, PlannedLearner] = {}
        self.numbers: dict[int, int] = {}
        self.names: set[tuple[str, str]] = set()

    # -- people ----------------------------------------------------------------------------

    def _new(
        self,
        entry: int,
        establishment: str,
        *,
        age: int | None = None,
        woman: bool | None = None,
    ) -> PlannedLearner:
        rng = self.rng
        minor = establishment.startswith(EPM_PREFIX)
        if woman is None:
            woman = rng.random() < WOMEN_SHARE.get(establishment, 0.0)
        first_names = FEMALE_FIRST_NAMES if woman else MALE_FIRST_NAMES
        while True:
            name = (rng.choice(first_names), rng.choice(SURNAMES))
            if name not in self.names:
                self.names.add(name)
                break
        if age is None:
            if minor:
                age = 16
            else:
                bracket = rng.choices(
                    ((19, 25), (26, 35), (36, 45), (46, 59)), weights=(30, 40, 20, 10)
                )[0]
                age = rng.randint(*bracket)
        # `age` on 1 September of the first academic year: 16 or 17 all year long for a minor.
        birth = date(entry - age, 9, 1) - timedelta(days=rng.randint(20, 340))
        if minor:
            education = rng.choice((EducationLevel.NONE.value, EducationLevel.LEVEL_3.value))
            track = _weighted(rng, MINOR_TRACKS)
        else:
            education = _weighted(rng, EDUCATION_WEIGHTS)
            track = _weighted(rng, TRACKS)
        self.numbers[entry] = self.numbers.get(entry, 0) + 1
        learner = PlannedLearner(
            reference=f"D{entry % 100:02d}-{self.numbers[entry]:04d}",
            first_name=name[0],
            last_name=name[1],
            birth_date=birth,
            education_level=education,
            track=track,
        )
        self.learners.append(learner)
        return learner

    def _release_commune(self, label: str) -> str:
        return self.rng.choice(self.release_communes[label])

    def _release(self, learner: PlannedLearner, on: date) -> None:
        learner.placements.append(
            PlannedPlacement(RELEASE, on, None, self._release_commune(learner.establishment))
        )

    # -- results ---------------------------------------------------------------------------

    def _grade(self, result: str) -> Decimal | None:
        if result == VALIDATED:
            return Decimal(1000 + 25 * self.rng.randint(0, 36)) / 100
        if result == FAILED:
            return Decimal(200 + 25 * self.rng.randint(0, 31)) / 100
        return None

    def _result_on(self, year: str, result: str, *, early: bool = False) -> date | None:
        end = _end(year)
        if result in (PENDING, CANCELLED, ABANDONED):
            return None
        if early or self.rng.random() < 0.3:
            return _between(self.rng, date(end, 2, 8), date(end, 2, 26))
        return _between(self.rng, date(end, 6, 15), date(end, 7, 8))

    # -- scripted paths ----------------------------------------------------------------------

    def add_scripts(self) -> None:
        for script in SCRIPTS:
            learner = self._new(
                script.entry,
                script.placements[0][2] or "",
                age=script.age,
                woman=script.woman,
            )
            learner.education_level = script.education
            learner.track = script.track
            learner.scripted = True
            learner.alert = script.alert
            for kind, day, label in script.placements:
                commune = None
                if kind == RELEASE:
                    commune = self._release_commune(learner.where(day) or "")
                learner.placements.append(PlannedPlacement(kind, day, label, commune))
            for year, label, enrolled_on, units in script.batches:
                if learner.where(enrolled_on) != label:
                    raise PlanError(f"{script.key} : {label} le {enrolled_on}")
                if learner.year(year) is None:
                    learner.years.append(LearnerYear(year, label, enrolled_on, script.funding))
                for unit, result, reason in units:
                    on = None
                    if result in (VALIDATED, FAILED):
                        on = _between(self.rng, date(_end(year), 6, 8), date(_end(year), 6, 19))
                    elif result == ABANDONED:
                        on = next(p.on for p in learner.placements if p.on > enrolled_on)
                    learner.enrolments.append(
                        PlannedEnrolment(
                            year,
                            unit,
                            label,
                            enrolled_on,
                            script.funding,
                            result,
                            self._grade(result),
                            reason,
                            on,
                        )
                    )
            if script.certification:
                formation, number, proposed, awarded = script.certification
                year = academic_year_of(awarded)
                acquired = [
                    e.unit for e in learner.enrolments if e.result == VALIDATED and e.year <= year
                ]
                learner.certifications.append(
                    PlannedCertification(
                        formation,
                        number,
                        year,
                        learner.where(awarded) or "",
                        proposed,
                        awarded,
                        formation_credits(formation, acquired),
                    )
                )
            self.by_key[script.key] = learner

    # -- generic years -------------------------------------------------------------------------

    def add_years(self) -> None:
        previous: list[PlannedLearner] = []
        for shape in YEARS:
            current = self._populate(shape, previous)
            self._enrol(shape, [learner for learner in current if not learner.scripted])
            ended = [
                learner
                for learner in previous
                if not learner.scripted and learner.year(shape.year) is None
            ]
            self._end_paths(ended)
            previous = current
        self._end_paths([learner for learner in previous if not learner.scripted])

    def _populate(self, shape: YearShape, previous: list[PlannedLearner]) -> list[PlannedLearner]:
        rng = self.rng
        start, _ = year_bounds(shape.year)
        scripted = [learner for learner in self.learners if learner.scripted]
        current: list[PlannedLearner] = []
        for label, count in shape.slots:
            here = [
                learner
                for learner in scripted
                if (y := learner.year(shape.year)) is not None and y.establishment == label
            ]
            current += here
            slots = count - len(here)
            if slots < 0:
                raise PlanError(f"{shape.year} : trop de parcours écrits à {label}")
            candidates = [
                learner
                for learner in previous
                if not learner.scripted
                and not label.startswith(EPM_PREFIX)
                and learner.year(previous_year(shape.year)) is not None
                and learner.establishment == label
            ]
            keep = min(len(candidates), round(slots * shape.continuing))
            for learner in rng.sample(candidates, keep):
                enrolled_on = _between(rng, start + timedelta(days=15), start + timedelta(days=65))
                learner.years.append(
                    LearnerYear(shape.year, label, enrolled_on, _weighted(rng, FUNDING_WEIGHTS))
                )
                current.append(learner)
            for _ in range(slots - keep):
                enrolled_on = _between(rng, start + timedelta(days=15), start + timedelta(days=65))
                learner = self._new(start.year, label)
                longest = 240 if label.startswith(EPM_PREFIX) else 900
                arrival = enrolled_on - timedelta(days=rng.randint(60, longest))
                learner.placements.append(PlannedPlacement(ARRIVAL, arrival, label))
                learner.years.append(
                    LearnerYear(shape.year, label, enrolled_on, _weighted(rng, FUNDING_WEIGHTS))
                )
                current.append(learner)
        return current

    def _enrol(self, shape: YearShape, learners: list[PlannedLearner]) -> None:
        rng = self.rng
        scripted = [
            e
            for learner in self.learners
            if learner.scripted
            for e in learner.enrolments
            if e.year == shape.year and e.result != CANCELLED
        ]
        scripted_successful = sum(
            1
            for learner in self.learners
            if learner.scripted
            and any(e.year == shape.year and e.result == VALIDATED for e in learner.enrolments)
        )
        total = shape.enrolments - len(scripted)
        validated = shape.validated - sum(1 for e in scripted if e.result == VALIDATED)
        successful = shape.successful - scripted_successful
        pending = shape.pending - sum(1 for e in scripted if e.result == PENDING)
        n = len(learners)
        chosen = set(rng.sample(range(n), successful))
        winners = [i in chosen for i in range(n)]
        wins = _distribute(
            rng, validated, [1 if w else 0 for w in winners], [4 if w else 0 for w in winners]
        )
        others = _distribute(
            rng,
            total - validated,
            [0 if w else 1 for w in winners],
            [self.MAX_UNITS - v for v in wins],
        )
        slots = [(i, j) for i in range(n) for j in range(others[i])]
        pending_slots = set(rng.sample(slots, pending))
        early = shape.pending > 0  # only the first semester is graded
        for i, learner in enumerate(learners):
            year = learner.year(shape.year)
            assert year is not None
            taken: list[str] = []
            for unit in self._pick(learner, wins[i], taken, validated=True):
                learner.enrolments.append(self._enrolment(learner, year, unit, VALIDATED, early))
            for j, unit in enumerate(self._pick(learner, others[i], taken, validated=False)):
                if (i, j) in pending_slots:
                    result = PENDING
                else:
                    result = rng.choices((FAILED, ABSENT, ABANDONED), weights=(55, 25, 20))[0]
                learner.enrolments.append(self._enrolment(learner, year, unit, result, early))
        for i in sorted(rng.sample(range(n), shape.cancelled)):
            learner = learners[i]
            year = learner.year(shape.year)
            assert year is not None
            taken = [e.unit for e in learner.enrolments if e.year == shape.year]
            (unit,) = self._pick(learner, 1, taken, validated=False)
            learner.enrolments.append(self._enrolment(learner, year, unit, CANCELLED, early))

    def _enrolment(
        self, learner: PlannedLearner, year: LearnerYear, unit: str, result: str, early: bool
    ) -> PlannedEnrolment:
        reason = AbandonReason.OTHER.value if result == ABANDONED else ""
        on = self._result_on(year.year, result, early=early)
        if result == ABANDONED:
            on = _between(self.rng, date(_end(year.year), 1, 5), date(_end(year.year), 3, 31))
        return PlannedEnrolment(
            year.year,
            unit,
            year.establishment,
            year.enrolled_on,
            year.funding,
            result,
            self._grade(result),
            reason,
            on,
        )

    def _pick(
        self, learner: PlannedLearner, count: int, taken: list[str], *, validated: bool
    ) -> list[str]:
        """`count` UEs for this year, mostly from the learner's project; validated ones never
        complete a formation (only the scripted learners are certified)."""
        rng = self.rng
        done = learner.validated_units()
        track = formation_units(learner.track)
        picks: list[str] = []
        for _ in range(count):
            own = [u for u in track if _eligible(u, taken, done, validated=validated)]
            general = [u for u in GENERAL_UNITS if _eligible(u, taken, done, validated=validated)]
            pool = own if own and (rng.random() < 0.75 or not general) else general
            unit = rng.choice(pool)
            picks.append(unit)
            taken.append(unit)
            if validated:
                done = done | {unit}
        return picks

    def _end_paths(self, learners: list[PlannedLearner]) -> None:
        """What becomes of the learners who do not come back: most are released."""
        rng = self.rng
        for learner in learners:
            if learner.ended:
                continue
            learner.ended = True
            last = learner.years[-1]
            end = _end(last.year)
            long_sentence = learner.establishment.startswith(LONG_SENTENCE_PREFIXES)
            if last.year != HISTORY_YEARS[-1] and rng.random() < 0.12:
                on = _between(rng, date(end, 3, 16), date(end, 5, 29))
                self._release(learner, on)
                for enrolment in learner.enrolments:
                    if enrolment.year != last.year or enrolment.result == CANCELLED:
                        continue
                    if enrolment.result == VALIDATED:
                        enrolment.result_on = _between(rng, date(end, 2, 8), date(end, 2, 26))
                    else:
                        enrolment.result = ABANDONED
                        enrolment.abandon_reason = AbandonReason.RELEASE.value
                        enrolment.grade = None
                        enrolment.result_on = on
                continue
            if rng.random() < (0.6 if long_sentence else 0.88):
                low = date(end, 7, 3) if end < _end(HISTORY_YEARS[-1]) else date(2021, 7, 5)
                self._release(learner, _between(rng, low, low + timedelta(days=540)))

    # -- follow-up -----------------------------------------------------------------------------

    def add_interviews(self) -> None:
        rng = self.rng
        alerts = self._alerts_2020_2021()
        for shape in YEARS:
            new_share, returning_share, followup_share = INTERVIEW_SHARES[shape.year]
            start, _ = year_bounds(shape.year)
            end = _end(shape.year)
            for learner in self.learners:
                year = learner.year(shape.year)
                if year is None or year.establishment not in PARIS:
                    continue
                returning = learner.year(previous_year(shape.year)) is not None
                info_share = returning_share if returning else new_share
                info_on: date | None = None
                if info_share == 1.0 or rng.random() < info_share:
                    arrived = learner.arrived_at(year.establishment, year.enrolled_on)
                    low = max(date(start.year, 9, 2), arrived + timedelta(days=2))
                    info_on = _between(rng, low, year.enrolled_on - timedelta(days=10))
                    learner.interviews.append(self._interview(learner, info_on, info=True))
                if not (followup_share == 1.0 or rng.random() < followup_share):
                    continue
                if shape.year == "2019-2020":
                    window = (date(end, 1, 6), date(end, 3, 13))
                elif shape.year == HISTORY_YEARS[-1]:
                    if learner in alerts:
                        window = (date(end, 1, 11), date(end, 3, 31))
                    else:
                        window = (date(end, 5, 3), date(end, 6, 25))
                else:
                    window = (date(end, 1, 6), date(end, 5, 29))
                low, high = window
                if info_on is not None:
                    low = max(low, info_on + timedelta(days=14))
                released = learner.released_on
                if released is not None and released <= high + timedelta(days=3):
                    high = released - timedelta(days=3)
                if high < low:
                    continue
                learner.interviews.append(self._interview(learner, _between(rng, low, high)))

    def _alerts_2020_2021(self) -> list[PlannedLearner]:
        year = HISTORY_YEARS[-1]
        forced = [learner for learner in self.learners if learner.alert]
        candidates = [
            learner
            for learner in self.learners
            if not learner.scripted
            and (y := learner.year(year)) is not None
            and y.establishment in PARIS
            and (learner.released_on is None or learner.released_on > HISTORY_END)
        ]
        return forced + self.rng.sample(candidates, ALERTS_2020_2021 - len(forced))

    def _interview(
        self, learner: PlannedLearner, on: date, *, info: bool = False
    ) -> PlannedInterview:
        rng = self.rng
        track = FORMATIONS[learner.track]["title"]
        if info:
            return PlannedInterview(
                on,
                Interview.Kind.INFORMATION_ORIENTATION.value,
                rng.choice((45, 60, 60, 75, 90)),
                rng.choice(INFO_NOTES).format(track=track),
                rng.choice(INFO_NEXT_STEPS),
            )
        return PlannedInterview(
            on,
            Interview.Kind.TRAINING_FOLLOWUP.value,
            rng.choice((30, 45, 45, 60)),
            rng.choice(FOLLOWUP_NOTES),
            rng.choice(FOLLOWUP_NEXT_STEPS),
        )

    # -- applications --------------------------------------------------------------------------

    def _submitter(self, label: str) -> str:
        return REFERENT if label in PARIS else COORDINATION

    def _application(
        self,
        learner: PlannedLearner,
        year: str,
        units: list[str],
        funding: str,
        submitted: datetime,
        statuses: Sequence[tuple[str, datetime]],
        *,
        formation: str | None = None,
        enrolled: bool = False,
    ) -> PlannedApplication:
        rng = self.rng
        label = learner.where(submitted.date()) or learner.establishment
        if formation is None:
            formation = learner.track if set(units) & set(formation_units(learner.track)) else None
        title = FORMATIONS[formation]["title"] if formation else "des UE du catalogue"
        S = Application.Status
        application = PlannedApplication(
            year=year,
            units=units,
            formation=formation,
            funding=funding,
            status=statuses[-1][0] if statuses else S.SUBMITTED.value,
            created_by=self._submitter(label),
            steps=[
                PlannedStep(
                    S.SUBMITTED.value,
                    submitted,
                    self._submitter(label),
                    STEP_NOTES[S.SUBMITTED.value],
                )
            ],
            motivation=rng.choice(MOTIVATIONS).format(formation=title),
            enrolled=enrolled,
        )
        for status, at in statuses:
            if status == S.REVIEWED.value:
                opinion, comment = rng.choice(RLE_COMMENTS)
                application.rle_opinion = opinion
                application.rle_comment = comment
                application.steps.append(PlannedStep(status, at, RLE_MELUN, comment))
            elif status == S.REFUSED.value:
                application.reason = REFUSAL.format(formation=title)
                application.steps.append(PlannedStep(status, at, COORDINATION, application.reason))
            elif status == S.WITHDRAWN.value:
                application.reason = WITHDRAWAL
                application.steps.append(
                    PlannedStep(status, at, self._submitter(label), WITHDRAWAL)
                )
            else:
                application.steps.append(PlannedStep(status, at, COORDINATION, STEP_NOTES[status]))
        learner.applications.append(application)
        return application

    def _enrolled_application(self, learner: PlannedLearner, year: str) -> None:
        """The application behind a year's enrolments: submitted after the information interview,
        the RLE's opinion at CD MELUN, validated by the coordination, enrolled on the day."""
        rng = self.rng
        S = Application.Status
        learner_year = learner.year(year)
        assert learner_year is not None
        enrolled_on = learner_year.enrolled_on
        infos = [
            i.on
            for i in learner.interviews
            if i.kind == Interview.Kind.INFORMATION_ORIENTATION
            and i.on <= enrolled_on
            and year_bounds(year)[0] <= i.on
        ]
        submitted = infos[-1] + timedelta(days=rng.randint(1, 3)) if infos else None
        if submitted is None or submitted > enrolled_on - timedelta(days=6):
            submitted = enrolled_on - timedelta(days=rng.randint(8, 21))
        statuses: list[tuple[str, datetime]] = []
        day = submitted
        if learner_year.establishment == MELUN:
            day = day + timedelta(days=rng.randint(1, 2))
            statuses.append((S.REVIEWED.value, _at(day, 16, rng.randint(0, 59))))
        day = _between(rng, day + timedelta(days=1), enrolled_on - timedelta(days=1))
        statuses.append((S.VALIDATED.value, _at(day, 11, rng.randint(0, 59))))
        statuses.append((S.ENROLLED.value, _at(enrolled_on, 15, rng.randint(0, 59))))
        units = [e.unit for e in learner.enrolments if e.year == year]
        self._application(
            learner,
            year,
            units,
            learner_year.funding,
            _at(submitted, 10, rng.randint(0, 59)),
            statuses,
            enrolled=True,
        )

    def _next_units(self, learner: PlannedLearner, count: int) -> list[str]:
        taken = {e.unit for e in learner.enrolments if e.result in (VALIDATED, PENDING)}
        own = [u for u in formation_units(learner.track) if u not in taken]
        rest = [u for u in GENERAL_UNITS if u not in taken and u not in own]
        return (own + rest)[:count]

    def add_applications(self) -> None:
        rng = self.rng
        S = Application.Status
        year = HISTORY_YEARS[-1]
        next_year = "2021-2022"
        cohort = [learner for learner in self.learners if learner.year(year) is not None]
        for learner in cohort:
            self._enrolled_application(learner, year)
        paris = [
            learner
            for learner in cohort
            if learner.establishment in PARIS
            and (learner.released_on is None or learner.released_on > HISTORY_END)
        ]
        # 2020-2021: two refused and two withdrawn applications for another formation.
        others = [learner for learner in paris if not learner.scripted]
        for i, learner in enumerate(rng.sample(others, 4)):
            formation = "CRN0200" if learner.track != "CRN0200" else "DIE3100"
            submitted = _between(rng, date(2020, 11, 2), date(2020, 12, 11))
            status = S.REFUSED.value if i < 2 else S.WITHDRAWN.value
            self._application(
                learner,
                year,
                list(formation_units(formation)[:2]),
                Funding.DAP.value,
                _at(submitted, 10, rng.randint(0, 59)),
                [(status, _at(submitted + timedelta(days=rng.randint(5, 15)), 14))],
                formation=formation,
            )
        # 2021-2022, in May and June 2021: every state before enrolment.
        at_melun = [learner for learner in paris if learner.establishment == MELUN]
        other_at_melun = next(learner for learner in at_melun if not learner.scripted)
        reviewed = [self.by_key["transfer-2021"], other_at_melun]
        rest = [learner for learner in paris if learner not in reviewed]
        plan = [S.REVIEWED.value] * 2 + [S.SUBMITTED.value] * 3 + [S.VALIDATED.value] * 3
        plan += [S.REFUSED.value, S.WITHDRAWN.value]
        chosen = reviewed + rng.sample(rest, len(plan) - len(reviewed))
        for learner, final in zip(chosen, plan, strict=True):
            submitted = _between(rng, date(2021, 6, 15), date(2021, 6, 22))
            if final in (S.VALIDATED.value, S.REFUSED.value, S.WITHDRAWN.value):
                submitted = _between(rng, date(2021, 5, 10), date(2021, 6, 4))
            statuses: list[tuple[str, datetime]] = []
            if final == S.REVIEWED.value:
                statuses.append((final, _at(submitted + timedelta(days=rng.randint(2, 6)), 16)))
            elif final != S.SUBMITTED.value:
                statuses.append((final, _at(submitted + timedelta(days=rng.randint(6, 20)), 11)))
            self._application(
                learner,
                next_year,
                self._next_units(learner, rng.randint(2, 3)),
                _weighted(rng, FUNDING_WEIGHTS),
                _at(submitted, 10, rng.randint(0, 59)),
                statuses,
            )

    # -- the current cohort --------------------------------------------------------------------

    def add_current_cohort(self) -> None:
        rng = self.rng
        start, _ = year_bounds(CURRENT_YEAR)
        S = Application.Status
        scripted: dict[str, list[tuple[str, date, date, tuple[str, ...]]]] = {
            label: [] for label, _ in CURRENT_SLOTS
        }
        for key, label, arrival, enrolled_on, units in CURRENT_SCRIPTS:
            scripted[label].append((key, arrival, enrolled_on, units))
        cohort: list[PlannedLearner] = []
        for label, count in CURRENT_SLOTS:
            paths = list(scripted[label])
            for _ in range(count - len(paths)):
                enrolled_on = _between(rng, date(2026, 9, 14), date(2026, 10, 9))
                arrival = enrolled_on - timedelta(days=rng.randint(90, 700))
                picks = tuple(rng.sample(GENERAL_UNITS, rng.randint(2, 3)))
                paths.append(("", arrival, enrolled_on, picks))
            for key, arrival, enrolled_on, units in paths:
                learner = self._new(start.year, label)
                learner.placements.append(PlannedPlacement(ARRIVAL, arrival, label))
                funding = _weighted(rng, FUNDING_WEIGHTS)
                learner.years.append(LearnerYear(CURRENT_YEAR, label, enrolled_on, funding))
                for unit in units:
                    learner.enrolments.append(
                        PlannedEnrolment(CURRENT_YEAR, unit, label, enrolled_on, funding)
                    )
                if key:
                    learner.scripted = True
                    self.by_key[key] = learner
                cohort.append(learner)
        transferred = self.by_key["current-transfer"]
        transferred.placements.append(PlannedPlacement(TRANSFER, *CURRENT_TRANSFER))
        self._release(self.by_key["current-release"], CURRENT_RELEASE)
        for learner in cohort:
            year = learner.year(CURRENT_YEAR)
            assert year is not None
            if learner is self.by_key["current-alert"]:
                learner.interviews.append(
                    self._interview(learner, CURRENT_ALERT_INTERVIEW, info=True)
                )
            else:
                info_on = _between(rng, date(2026, 9, 2), year.enrolled_on - timedelta(days=10))
                learner.interviews.append(self._interview(learner, info_on, info=True))
                high = date(2026, 11, 19)
                if learner.released_on is not None:
                    high = learner.released_on - timedelta(days=3)
                low = date(2026, 10, 5)
                if learner is transferred:
                    low = CURRENT_TRANSFER[0] + timedelta(days=3)
                learner.interviews.append(self._interview(learner, _between(rng, low, high)))
            self._enrolled_application(learner, CURRENT_YEAR)
        # Two second-semester applications under way.
        at_fleury = next(learner for learner in cohort if learner.establishment == FLEURY)
        at_melun = next(
            learner for learner in cohort if learner.establishment == MELUN and not learner.scripted
        )
        self._application(
            at_fleury,
            CURRENT_YEAR,
            self._next_units(at_fleury, 1),
            Funding.DAP.value,
            _at(date(2026, 11, 16), 10, 20),
            [],
        )
        self._application(
            at_melun,
            CURRENT_YEAR,
            self._next_units(at_melun, 2),
            Funding.DAP.value,
            _at(date(2026, 11, 6), 9, 40),
            [(S.REVIEWED.value, _at(date(2026, 11, 12), 16, 5))],
        )

    # -- certifications --------------------------------------------------------------------

    def check(self) -> None:
        """Only the scripted certifications may be reached; paths stay consistent."""
        for learner in self.learners:
            certified = {c.formation for c in learner.certifications}
            for code in FORMATIONS:
                if code not in certified and meets_requirements(code, learner.validated_units()):
                    raise PlanError(f"{learner.reference} remplit {code} sans certification")
            for enrolment in learner.enrolments:
                if learner.where(enrolment.enrolled_on) != enrolment.establishment:
                    raise PlanError(f"{learner.reference} : {enrolment.unit} hors établissement")

    def add_dgc_candidate(self) -> None:
        """The "current-alert" learner validated most of the DGC in 2025-2026 at Melun: grading
        his two pending UEs (CCG101, CCG109) completes it, and Tremplin proposes the award."""
        learner = self.by_key["current-alert"]
        enrolled_on = date(2025, 9, 22)
        funding = Funding.DAP.value
        learner.years.append(LearnerYear(DGC_CANDIDATE_YEAR, MELUN, enrolled_on, funding))
        for unit, grade in DGC_CANDIDATE_GRADES:
            learner.enrolments.append(
                PlannedEnrolment(
                    DGC_CANDIDATE_YEAR,
                    unit,
                    MELUN,
                    enrolled_on,
                    funding,
                    result=VALIDATED,
                    grade=Decimal(grade),
                    result_on=date(2026, 6, 26),
                )
            )

    def build(self) -> list[PlannedLearner]:
        self.add_scripts()
        self.add_years()
        self.add_interviews()
        self.add_applications()
        self.add_current_cohort()
        self.add_dgc_candidate()
        self.check()
        return self.learners


previous_year = previous_academic_year


def plan(release_communes: Mapping[str, Sequence[str]]) -> list[PlannedLearner]:
    """The demo learners, as plain data (no database access)."""
    return Builder(release_communes).build()


def _labels() -> list[str]:
    labels: list[str] = []
    for shape in YEARS:
        labels += [label for label, _ in shape.slots if label not in labels]
    labels += [label for label, _ in CURRENT_SLOTS if label not in labels]
    return labels


def release_communes(labels: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """For each establishment (those of the demo's history by default), the communes (5,000
    inhabitants or more) of its department, in code order: where its learners may be
    released."""
    departments = dict(
        Establishment.objects.filter(
            label__in=list(labels) if labels is not None else _labels()
        ).values_list("label", "commune__department_id")
    )
    communes: dict[str, list[str]] = {}
    for code, department in (
        Commune.objects.filter(
            department_id__in=sorted(set(departments.values())),
            kind=Commune.Kind.COMMUNE,
            population__gte=5_000,
        )
        .order_by("code")
        .values_list("code", "department_id")
    ):
        communes.setdefault(department, []).append(code)
    return {label: tuple(communes.get(departments[label], ())) for label in sorted(departments)}


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class DemoDataMissing(Exception):
    """Something the demo learners rely on is not loaded."""


def _require(kind: str, wanted: Iterable[str], found: Mapping[str, object]) -> None:
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise DemoDataMissing(f"{kind} introuvable(s) : {', '.join(missing)}")


@transaction.atomic
def load_learners() -> list[str]:
    """Create the demo learners and their history; a second call changes nothing."""
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    _require("Compte de démonstration (chargez d'abord les comptes)", USERNAMES, users)
    labels = _labels()
    establishments = {e.label: e for e in Establishment.objects.filter(label__in=labels)}
    _require("Établissement", labels, establishments)
    learners = plan(release_communes())
    references = [learner.reference for learner in learners]
    existing = set(
        Learner.objects.filter(reference__in=references).values_list("reference", flat=True)
    )
    todo = [learner for learner in learners if learner.reference not in existing]
    if not todo:
        return [
            f"Apprenants de démonstration : les {len(learners)} apprenants sont déjà là, "
            "rien n'a changé."
        ]
    codes = sorted(
        {e.unit for lr in todo for e in lr.enrolments}
        | {u for lr in todo for a in lr.applications for u in a.units}
    )
    units = {u.code: u for u in TeachingUnit.objects.filter(code__in=codes)}
    _require("UE (chargez d'abord le catalogue)", codes, units)
    formations = {f.code: f for f in Formation.objects.filter(code__in=list(FORMATIONS))}
    _require("Formation (chargez d'abord le catalogue)", FORMATIONS, formations)
    commune_codes = sorted(
        {p.release_commune for lr in todo for p in lr.placements if p.release_commune}
    )
    communes = {c.code: c for c in Commune.objects.filter(code__in=commune_codes)}
    teacher_units = set(users[TEACHER].teaching_units.values_list("code", flat=True))
    counts = _write(todo, users, establishments, units, formations, communes, teacher_units)
    lines = [
        f"Apprenants de démonstration : {counts['learners']} apprenants fictifs, "
        f"{counts['placements']} étapes de parcours, {counts['enrolments']} inscriptions aux UE, "
        f"{counts['applications']} candidatures, {counts['interviews']} entretiens, "
        f"{counts['certifications']} certifications.",
        f"Historique de {HISTORY_YEARS[0]} à {HISTORY_YEARS[-1]} et cohorte {CURRENT_YEAR}.",
    ]
    if existing:
        lines.append(f"{len(existing)} apprenants de démonstration existaient déjà : conservés.")
    return lines


def _write(
    learners: list[PlannedLearner],
    users: Mapping[str, User],
    establishments: Mapping[str, Establishment],
    units: Mapping[str, TeachingUnit],
    formations: Mapping[str, Formation],
    communes: Mapping[str, Commune],
    teacher_units: set[str],
) -> dict[str, int]:
    coordination = users[COORDINATION]

    def recorder(label: str | None) -> User:
        return users[REFERENT] if label in PARIS else coordination

    rows = [
        Learner(
            reference=p.reference,
            last_name=p.last_name,
            first_name=p.first_name,
            birth_date=p.birth_date,
            kind=Kind.DETAINED,
            education_level=p.education_level,
            status=Status.RELEASED if p.released_on else Status.PLACED,
            establishment=establishments[p.establishment],
        )
        for p in learners
    ]
    for row, p in zip(rows, learners, strict=True):
        first = min(
            [p.placements[0].on + timedelta(days=20)]
            + [e.enrolled_on for e in p.enrolments]
            + [i.on for i in p.interviews]
            + [s.at.date() for a in p.applications for s in a.steps]
        )
        last = max(
            [pl.on for pl in p.placements]
            + [e.result_on or e.enrolled_on for e in p.enrolments]
            + [i.on for i in p.interviews]
            + [s.at.date() for a in p.applications for s in a.steps]
        )
        row.created_at = _at(first - timedelta(days=2), 9)
        row.updated_at = _at(last, 17)
    insert_learners_history(rows)

    placements = [
        Placement(
            learner=row,
            kind=pl.kind,
            date=pl.on,
            establishment=establishments[pl.establishment] if pl.establishment else None,
            release_commune=communes[pl.release_commune] if pl.release_commune else None,
            recorded_by=recorder(pl.establishment or p.where(pl.on - timedelta(days=1))),
            recorded_at=_at(pl.on, 14),
        )
        for row, p in zip(rows, learners, strict=True)
        for pl in p.placements
    ]
    insert_placements_history(placements)

    applications: list[Application] = []
    application_plans: list[tuple[Learner, PlannedApplication]] = []
    for row, p in zip(rows, learners, strict=True):
        for a in p.applications:
            applications.append(
                Application(
                    learner=row,
                    academic_year=a.year,
                    formation=formations[a.formation] if a.formation else None,
                    funding=a.funding,
                    motivation=a.motivation,
                    status=a.status,
                    rle_opinion=a.rle_opinion,
                    rle_comment=a.rle_comment,
                    reason=a.reason,
                    created_by=users[a.created_by],
                    created_at=a.steps[0].at,
                )
            )
            application_plans.append((row, a))
    steps: list[list[StepSpec]] = []
    for _, a in application_plans:
        previous = ""
        steps.append([])
        for s in a.steps:
            steps[-1].append((previous, s.to_status, users[s.by], s.note, s.at))
            previous = s.to_status
    insert_applications_history(
        applications, [[units[code].pk for code in a.units] for _, a in application_plans], steps
    )
    enrolled_application = {
        (row.pk, a.year): application
        for application, (row, a) in zip(applications, application_plans, strict=True)
        if a.enrolled
    }

    enrolments = [
        Enrolment(
            learner=row,
            academic_year=e.year,
            unit=units[e.unit],
            establishment=establishments[e.establishment],
            application=enrolled_application.get((row.pk, e.year)),
            funding=e.funding,
            result=e.result,
            grade=e.grade,
            abandon_reason=e.abandon_reason,
            result_by=(users[TEACHER] if e.unit in teacher_units else coordination)
            if e.result != PENDING
            else None,
            result_at=_at(e.result_on, 18) if e.result_on else None,
        )
        for row, p in zip(rows, learners, strict=True)
        for e in p.enrolments
    ]
    for enrolment, e in zip(enrolments, [e for p in learners for e in p.enrolments], strict=True):
        if e.result == CANCELLED:
            enrolment.result_at = _at(e.enrolled_on + timedelta(days=12), 10)
    insert_enrolments_history(enrolments)

    interviews = [
        Interview(
            learner=row,
            date=i.on,
            duration_minutes=i.minutes,
            kind=i.kind,
            referent=users[REFERENT],
            notes=i.notes,
            next_steps=i.next_steps,
            created_at=_at(i.on, 17, 30),
        )
        for row, p in zip(rows, learners, strict=True)
        for i in p.interviews
    ]
    insert_interviews_history(interviews)

    existing_numbers = set(
        Certification.objects.filter(
            number__in=[c.number for p in learners for c in p.certifications]
        ).values_list("number", flat=True)
    )
    certifications: list[Certification] = []
    certification_plans: list[PlannedCertification] = []
    for row, p in zip(rows, learners, strict=True):
        for c in p.certifications:
            if c.number in existing_numbers:
                continue
            certifications.append(
                Certification(
                    learner=row,
                    formation=formations[c.formation],
                    status=Certification.Status.AWARDED,
                    number=c.number,
                    awarded_on=c.awarded_on,
                    academic_year=c.year,
                    establishment=establishments[c.establishment],
                    credits=Decimal(c.credits),
                )
            )
            certification_plans.append(c)
    for certification, c in zip(certifications, certification_plans, strict=True):
        certification.proposed_at = _at(c.proposed_on, 8, 30)
    insert_certifications_history(
        certifications,
        [
            [
                (
                    Certification.Status.PROPOSED,
                    None,
                    "Exigences de la formation remplies : proposition automatique.",
                    _at(c.proposed_on, 8, 30),
                ),
                (
                    Certification.Status.AWARDED,
                    coordination,
                    f"Délivrance confirmée, certificat n° {c.number}.",
                    _at(c.awarded_on, 11),
                ),
            ]
            for c in certification_plans
        ],
    )
    return {
        "learners": len(rows),
        "placements": len(placements),
        "enrolments": len(enrolments),
        "applications": len(applications),
        "interviews": len(interviews),
        "certifications": len(certifications),
    }
