"""The national-scale demo: `tremplin demo load --scale national`.

Fictitious people in real places, at the size of the whole programme: every one of the 186
penitentiary establishments active in each of the six academic years 2015-2016 to 2020-2021,
436 missions locales and 500 Cnam centres in real communes (named "(démo)", `is_demo`),
100,000 detained learners with their placement histories (arrivals, transfers, releases),
1,000,000 UE enrolments, 1,000,000 follow-up interviews, 20,000 certifications, and 1,000,000
referrals of 200,000 young people by the missions locales.

Deterministic: one seeded `random.Random` walked in a fixed order over rows read in a fixed
order; every date derives from fixed days, never from today. The rows are written by the
database's bulk path (COPY on PostgreSQL, `executemany` on SQLite), in batches, in one
transaction: an interrupted load leaves nothing behind. A second load finds the national
learners (references `NAT-…`) and writes nothing.

Consistency (checked by tests/core/test_national.py):

- a learner's placement history is an arrival, then transfers, then possibly a release; the
  learner's `establishment` is the last establishment of it, `status` is `released` after a
  release and `placed` otherwise;
- an enrolment of the year `Y-(Y+1)` is made on 1 October Y (`ENROLMENT_DAY`), at the
  establishment where the history places the learner on that day;
- an interview is dated on a day when the learner is placed, and its referent is the national
  demo referent of that establishment's DISP;
- a certification is awarded (or proposed) to a learner with a validated enrolment of its
  year, at that enrolment's establishment, on a day of that year when the learner is still
  placed there; an awarded one has a number `CNAM-NAT-<year>-<n>`;
- a referral goes to a centre offering its formation, with the offer's modality; `sent_month`
  is the local month of `sent_at` and `first_contact_days` the whole days to `first_contact_at`
  (as `Referral.save` and the orientation statistics expect); the young person is 16 to 25 on
  the sending date and has at most one referral per centre and formation.
"""

from __future__ import annotations

import math
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.utils.text import slugify

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.core import journal
from tremplin.core.roles import Role
from tremplin.demo.learners import FEMALE_FIRST_NAMES, HISTORY_YEARS, MALE_FIRST_NAMES, SURNAMES
from tremplin.enrolment.models import Certification, Enrolment, Funding, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import EducationLevel, Learner, Placement, search_key
from tremplin.orientation.models import (
    CentreOffer,
    CloseReason,
    Qualification,
    Referral,
    Rhythm,
    YouthProfile,
)
from tremplin.places.models import (
    CnamCentre,
    Commune,
    Disp,
    Establishment,
    MissionLocale,
    Region,
)
from tremplin.places.models import size_class as town_size_class

__all__ = [
    "NATIONAL",
    "SEED",
    "Progress",
    "Scale",
    "already_loaded",
    "default_progress",
    "enrolment_day",
    "load_national",
]

SEED = 20260522
TZ = ZoneInfo("Europe/Paris")

LEARNER_PREFIX = "NAT-"
YOUNG_PREFIX = "NATJ-"
ML_PREFIX = "NAT-ML-"
CENTRE_PREFIX = "NAT-CNAM-"
NUMBER_PREFIX = "CNAM-NAT"
REFERENT_PREFIX = "nat-referent-"

#: The history: the six academic years 2015-2016 to 2020-2021.
YEARS = HISTORY_YEARS
WINDOW_START = date(2015, 9, 1)
HISTORY_END = date(2021, 6, 30)
#: The orientation: referrals sent from the convention of June 2021 to the demo's "today".
REFERRALS_FROM = date(2021, 9, 1)
REFERRALS_NOW = date(2026, 11, 22)

BATCH = 50_000


def enrolment_day(year: str) -> date:
    """The day an enrolment of `year` is made: 1 October of its first calendar year."""
    return date(int(year[:4]), 10, 1)


@dataclass(frozen=True)
class Scale:
    """How many of each; `NATIONAL` is the issue's, tests use tiny ones."""

    learners: int
    enrolments: int
    interviews: int
    certifications: int
    young: int
    referrals: int
    missions_locales: int
    centres: int
    offers_per_centre: int = 10


NATIONAL = Scale(
    learners=100_000,
    enrolments=1_000_000,
    interviews=1_000_000,
    certifications=20_000,
    young=200_000,
    referrals=1_000_000,
    missions_locales=436,
    centres=500,
)


# --------------------------------------------------------------------------------------------
# Progress on stderr
# --------------------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar per phase on a terminal; one line per finished phase otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.label = ""
        self.total = 0
        self.done = 0
        self.started = self.drawn = time.monotonic()

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.drawn = time.monotonic()
        self._draw()

    def advance(self, n: int) -> None:
        self.done += n
        if self.tty and time.monotonic() - self.drawn > 0.2:
            self._draw()

    def finish(self) -> None:
        self.done = self.total
        self._draw(end=True)

    def _draw(self, end: bool = False) -> None:
        if self.stream is None or (not self.tty and not end):
            return
        self.drawn = time.monotonic()
        share = min(self.done / self.total, 1.0)
        bar = "#" * round(share * self.width)
        line = (
            f"{self.label:<28} [{bar:<{self.width}}] {share:4.0%} "
            f"{self.done:>10,}/{self.total:,} {self.drawn - self.started:6.1f} s"
        )
        self.stream.write(("\r" if self.tty else "") + line + ("\n" if end else ""))
        self.stream.flush()


# --------------------------------------------------------------------------------------------
# Bulk writes
# --------------------------------------------------------------------------------------------


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    progress: Progress | None = None,
) -> None:
    """Insert plain tuples (values in the order of `columns`, attribute names) by the
    database's bulk path, as `core.rows.fast_insert` does for model instances: COPY on
    PostgreSQL, `executemany` on SQLite (dates and aware datetimes written as Django stores
    them there)."""
    if not rows:
        return
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            kinds = [f.get_internal_type() for f in fields]
            moments = [i for i, k in enumerate(kinds) if k == "DateTimeField"]
            days = [i for i, k in enumerate(kinds) if k == "DateField"]
            if moments or days:
                rows = [_for_sqlite(row, moments, days) for row in rows]
            marks = ", ".join(["%s"] * len(fields))
            # Table and column names come from the model, quoted; values are parameters.
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 # nosec B608
    if progress is not None:
        progress.advance(len(rows))


def _for_sqlite(row: Sequence[Any], moments: list[int], days: list[int]) -> list[Any]:
    values = list(row)
    for i in moments:
        if values[i] is not None:
            values[i] = values[i].astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    for i in days:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    return values


def batched_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
) -> int:
    """Insert rows from a generator, BATCH at a time; return how many."""
    batch: list[Sequence[Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            insert_rows(model, columns, batch, progress)
            count += len(batch)
            batch = []
    insert_rows(model, columns, batch, progress)
    return count + len(batch)


def _local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _allocate(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), each at most its cap."""
    weight_sum = sum(weights) or 1.0
    quotas = [total * w / weight_sum for w in weights]
    counts = [min(int(q), c) for q, c in zip(quotas, caps, strict=True)]
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    while left > 0:
        moved = 0
        for i in order:
            if left == 0:
                break
            if counts[i] < caps[i]:
                counts[i] += 1
                left -= 1
                moved += 1
        if not moved:
            break
    return counts


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------------
# The plan of a learner's path
# --------------------------------------------------------------------------------------------


@dataclass
class Stay:
    start: date
    end: date | None  # the day of the next step (transfer or release); None: still there
    establishment: int

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class Path:
    stays: list[Stay] = field(default_factory=list)
    released_on: date | None = None
    release_commune: str | None = None

    def stay_on(self, day: date) -> Stay | None:
        for stay in self.stays:
            if stay.holds(day):
                return stay
        return None


@dataclass
class Places:
    establishments: list[tuple[int, int, int]]  # (id, disp id, weight)
    communes: list[tuple[str, str, int, float, float]]  # code, region, population, lat, lon
    units: list[int]
    formations: list[tuple[int, int]]  # (id, credits)
    by_disp: dict[int, list[int]] = field(default_factory=dict)
    disp_of: dict[int, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # commune code -> name
    regions: dict[str, str] = field(default_factory=dict)  # region code -> name


def _path(rng: random.Random, places: Places, index: int, pick: Callable[[], int]) -> Path:
    by_disp = places.by_disp
    path = Path()
    if index < len(places.establishments):
        # One learner per establishment there for the whole history: each one active each year.
        arrival = WINDOW_START - timedelta(days=rng.randint(1, 600))
        path.stays.append(Stay(arrival, None, places.establishments[index][0]))
        return path
    day = date(2013, 9, 1) + timedelta(days=rng.randint(0, 2_770))
    establishment = places.establishments[pick()][0]
    while True:
        end = day + timedelta(days=rng.randint(120, 1_100))
        if end > HISTORY_END:
            path.stays.append(Stay(day, None, establishment))
            return path
        path.stays.append(Stay(day, end, establishment))
        if rng.random() < 0.35:
            disp = places.disp_of[establishment]
            pool = by_disp[disp] if rng.random() < 0.7 and len(by_disp[disp]) > 1 else None
            following = establishment
            while following == establishment:
                following = rng.choice(pool) if pool else places.establishments[pick()][0]
            establishment, day = following, end
            continue
        path.released_on = end
        path.release_commune = rng.choice(places.communes)[0]
        return path


# --------------------------------------------------------------------------------------------
# The load
# --------------------------------------------------------------------------------------------


def already_loaded() -> int:
    return Learner.objects.filter(reference__startswith=LEARNER_PREFIX).count()


def load_national(
    scale: Scale = NATIONAL, *, seed: int = SEED, progress: Progress | None = None
) -> list[str]:
    """Write the national data set (see the module's docstring); return the log lines. The
    reference data, the demo catalogue and accounts must be loaded."""
    found = already_loaded()
    if found:
        return [
            f"Jeu national déjà chargé ({found:,} apprenants {LEARNER_PREFIX}…) : rien n'a été "
            "écrit. Pour le recharger, partez d'une base neuve."
        ]
    started = time.monotonic()
    progress = progress or Progress(None)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A page cache of 256 MB for the load: the indexes of a million rows stay in memory.
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        with transaction.atomic():
            before = _last_ids()
            lines = _load(scale, random.Random(seed), progress)  # noqa: S311 - fictitious data
            lines.append(_journal(before))
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    with connection.cursor() as cursor:
        # The planner's statistics for the reports' first queries; on PostgreSQL, outside a
        # transaction, VACUUM too: the visibility map lets the covering indexes answer alone.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    lines.append(f"Jeu national chargé en {(time.monotonic() - started) / 60:.1f} min.")
    return lines


#: The tables whose new rows get their events, and how: (model, kind, condition, the model
#: and column the events name, the payload's key). The same events as the services' bulk
#: variants for a history (learners.services.insert_learners_history, …).
JOURNALLED: tuple[
    tuple[type[models.Model], str, str, tuple[type[models.Model], str] | None, str], ...
] = (
    (Learner, journal.Kind.LEARNER_CREATED, "kind = 'detained'", None, "id"),
    (Learner, journal.Kind.YOUNG_PERSON_CREATED, "kind = 'youth'", None, "id"),
    *(
        (Placement, event, f"kind = '{kind}'", (Learner, "learner_id"), "placement")
        for kind, event in (
            ("arrival", journal.Kind.LEARNER_ARRIVED),
            ("transfer", journal.Kind.LEARNER_TRANSFERRED),
            ("release", journal.Kind.LEARNER_RELEASED),
        )
    ),
    (Enrolment, journal.Kind.ENROLMENT_CREATED, "", None, "id"),
    (Enrolment, journal.Kind.RESULT_RECORDED, "result <> 'pending'", None, "id"),
    (Certification, journal.Kind.CERTIFICATION_PROPOSED, "", None, "id"),
    (Certification, journal.Kind.CERTIFICATION_AWARDED, "status = 'awarded'", None, "id"),
    (Interview, journal.Kind.INTERVIEW_RECORDED, "", None, "id"),
    (CentreOffer, journal.Kind.CENTRE_OFFERS_SAVED, "", None, "id"),
    (Referral, journal.Kind.REFERRAL_SENT, "", None, "id"),
)


def _last_ids() -> dict[type[models.Model], int]:
    return {
        model: model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in {entry[0] for entry in JOURNALLED}
    }


def _journal(before: dict[type[models.Model], int]) -> str:
    """The events of everything the load wrote, written by the database in the load's
    transaction (core.journal.record_inserted), without consequences: a history."""
    written = sum(
        journal.record_inserted(kind, model, after=before[model], where=where, about=about, key=key)
        for model, kind, where, about, key in JOURNALLED
    )
    return f"Journal : {written:,} événements de l'historique national."


def _load(scale: Scale, rng: random.Random, progress: Progress) -> list[str]:
    establishments = list(
        Establishment.objects.order_by("label").values_list("id", "disp_id", "detainees")
    )
    communes = list(
        Commune.objects.filter(
            kind=Commune.Kind.COMMUNE, latitude__isnull=False, population__gte=5_000
        )
        .order_by("code")
        .values_list("code", "region_id", "population", "latitude", "longitude")
    )
    places = Places(
        establishments=[
            (pk, disp, max(detainees or 0, 60)) for pk, disp, detainees in establishments
        ],
        communes=communes,  # type: ignore[arg-type]
        units=list(TeachingUnit.objects.order_by("code").values_list("id", flat=True)),
        formations=list(Formation.objects.order_by("code").values_list("id", "min_credits")),
    )
    for pk, disp, _ in places.establishments:
        places.by_disp.setdefault(disp, []).append(pk)
        places.disp_of[pk] = disp
    places.names = dict(Commune.objects.values_list("code", "name"))
    places.regions = dict(Region.objects.values_list("code", "name"))

    lines: list[str] = []
    referents = _referents(places.by_disp)
    paths = _learners(scale, rng, places, progress)
    ids = dict(
        Learner.objects.filter(reference__startswith=LEARNER_PREFIX).values_list("reference", "id")
    )
    learner_ids = [ids[_reference(i)] for i in range(len(paths))]
    placements = _placements(paths, learner_ids, progress)
    enrolments, validated = _enrolments(scale, rng, places, paths, learner_ids, progress)
    certifications = _certifications(scale, rng, places, paths, learner_ids, validated, progress)
    interviews = _interviews(scale, rng, places, paths, learner_ids, referents, progress)
    lines.append(
        f"Jeu national : {len(paths):,} apprenants détenus, {placements:,} étapes de parcours, "
        f"{enrolments:,} inscriptions aux UE ({YEARS[0]} à {YEARS[-1]}), {interviews:,} "
        f"entretiens, {certifications:,} certifications, {len(referents)} référents de DISP."
    )
    lines += _orientation(scale, rng, places, progress)
    return lines


def _reference(index: int) -> str:
    return f"{LEARNER_PREFIX}{index + 1:06d}"


def _referents(by_disp: dict[int, list[int]]) -> dict[int, int]:
    """One demo referent per DISP, scoped to its establishments; {disp id: user id}."""
    referents = {}
    for disp in Disp.objects.filter(pk__in=by_disp).order_by("code"):
        user, created = User.objects.get_or_create(
            username=f"{REFERENT_PREFIX}{slugify(disp.code)}",
            defaults={
                "first_name": "Référent",
                "last_name": f"{disp.short_name} (démo)",
                "role": Role.REFERENT,
                "email": f"{REFERENT_PREFIX}{slugify(disp.code)}@demo.invalid",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.establishments.set(by_disp[disp.pk])
        referents[disp.pk] = user.pk
    return referents


def _learners(scale: Scale, rng: random.Random, places: Places, progress: Progress) -> list[Path]:
    weights = list(accumulate(w for _, _, w in places.establishments))
    total = weights[-1]
    count = len(places.establishments)

    def pick() -> int:
        return min(bisect_right(weights, rng.random() * total), count - 1)

    levels = [level.value for level in EducationLevel]
    paths: list[Path] = []
    rows = []
    for i in range(scale.learners):
        path = _path(rng, places, i, pick)
        paths.append(path)
        woman = rng.random() < 0.04
        first = rng.choice(FEMALE_FIRST_NAMES if woman else MALE_FIRST_NAMES)
        last = rng.choice(SURNAMES)
        arrival = path.stays[0].start
        born = arrival - timedelta(days=rng.randint(18 * 365, 60 * 365))
        stamp = _local(arrival)
        rows.append(
            (
                _reference(i),
                last,
                first,
                born,
                "detained",
                rng.choice(levels),
                "released" if path.released_on else "placed",
                path.stays[-1].establishment,
                None,
                search_key(last, first),
                stamp,
                _local(path.released_on or path.stays[-1].start),
            )
        )
    progress.start("apprenants détenus", len(rows))
    for start in range(0, len(rows), BATCH):
        insert_rows(Learner, LEARNER_COLUMNS, rows[start : start + BATCH], progress)
    progress.finish()
    return paths


LEARNER_COLUMNS = (
    "reference",
    "last_name",
    "first_name",
    "birth_date",
    "kind",
    "education_level",
    "status",
    "establishment_id",
    "mission_locale_id",
    "search_key",
    "created_at",
    "updated_at",
)


def _placements(paths: list[Path], learner_ids: list[int], progress: Progress) -> int:
    def rows() -> Iterator[tuple[Any, ...]]:
        for path, learner in zip(paths, learner_ids, strict=True):
            for n, stay in enumerate(path.stays):
                kind = Placement.Kind.ARRIVAL if n == 0 else Placement.Kind.TRANSFER
                yield (
                    learner,
                    kind.value,
                    stay.start,
                    stay.establishment,
                    None,
                    _local(stay.start),
                )
            if path.released_on:
                yield (
                    learner,
                    Placement.Kind.RELEASE.value,
                    path.released_on,
                    None,
                    path.release_commune,
                    _local(path.released_on),
                )

    total = sum(len(p.stays) + bool(p.released_on) for p in paths)
    progress.start("étapes de parcours", total)
    columns = (
        "learner_id",
        "kind",
        "date",
        "establishment_id",
        "release_commune_id",
        "recorded_at",
    )
    count = batched_insert(Placement, columns, rows(), progress)
    progress.finish()
    return count


RESULTS_PAST = (
    (Result.VALIDATED.value, 52),
    (Result.FAILED.value, 20),
    (Result.ABSENT.value, 10),
    (Result.ABANDONED.value, 10),
    (Result.CANCELLED.value, 3),
)
#: The last year of the history: the June session is not graded yet.
RESULTS_LAST = (
    (Result.VALIDATED.value, 30),
    (Result.FAILED.value, 12),
    (Result.ABSENT.value, 5),
    (Result.ABANDONED.value, 5),
    (Result.CANCELLED.value, 2),
    (Result.PENDING.value, 46),
)
FUNDINGS = ((Funding.DAP.value, 75), (Funding.REGION.value, 15), (Funding.CNAM.value, 10))

#: (learner index, year, establishment, end of the stay) of each learner placed on an
#: enrolment day.
Slot = tuple[int, str, int, "date | None"]


def _slots(paths: list[Path]) -> list[Slot]:
    slots = []
    for index, path in enumerate(paths):
        for year in YEARS:
            stay = path.stay_on(enrolment_day(year))
            if stay is not None:
                slots.append((index, year, stay.establishment, stay.end))
    return slots


def _enrolments(
    scale: Scale,
    rng: random.Random,
    places: Places,
    paths: list[Path],
    learner_ids: list[int],
    progress: Progress,
) -> tuple[int, list[Slot]]:
    slots = _slots(paths)
    units = places.units
    counts = _allocate(
        scale.enrolments, [rng.choice((1, 2, 3, 4, 5, 6)) for _ in slots], [len(units)] * len(slots)
    )
    validated: list[Slot] = []
    results_past = [r for r, _ in RESULTS_PAST], [w for _, w in RESULTS_PAST]
    results_last = [r for r, _ in RESULTS_LAST], [w for _, w in RESULTS_LAST]
    fundings = [f for f, _ in FUNDINGS], [w for _, w in FUNDINGS]

    def rows() -> Iterator[tuple[Any, ...]]:
        for slot, count in zip(slots, counts, strict=True):
            if not count:
                continue
            index, year, establishment, stay_end = slot
            last_day = date(int(year[:4]) + 1, 8, 31)
            leaves = stay_end is not None and stay_end <= last_day
            choices, weights = results_last if year == YEARS[-1] else results_past
            results = rng.choices(choices, weights, k=count)
            funding = rng.choices(*fundings)[0]
            graded_at = _local(date(int(year[:4]) + 1, 6, 30), 12)
            if Result.VALIDATED.value in results:
                validated.append(slot)
            for unit, result in zip(rng.sample(units, count), results, strict=True):
                if result == Result.VALIDATED.value:
                    grade: Decimal | None = Decimal(rng.randint(1000, 2000)) / 100
                elif result == Result.FAILED.value:
                    grade = Decimal(rng.randint(0, 999)) / 100
                else:
                    grade = None
                reason = ""
                if result == Result.ABANDONED.value:
                    reason = (
                        ("release" if paths[index].released_on == stay_end else "transfer")
                        if leaves
                        else "other"
                    )
                yield (
                    learner_ids[index],
                    year,
                    unit,
                    establishment,
                    funding,
                    result,
                    grade,
                    reason,
                    None if result == Result.PENDING.value else graded_at,
                    1,
                )

    progress.start("inscriptions aux UE", sum(counts))
    columns = (
        "learner_id",
        "academic_year",
        "unit_id",
        "establishment_id",
        "funding",
        "result",
        "grade",
        "abandon_reason",
        "result_at",
        "version",
    )
    count = batched_insert(Enrolment, columns, rows(), progress)
    progress.finish()
    return count, validated


def _certifications(
    scale: Scale,
    rng: random.Random,
    places: Places,
    paths: list[Path],
    learner_ids: list[int],
    validated: list[Slot],
    progress: Progress,
) -> int:
    order = list(range(len(validated)))
    rng.shuffle(order)
    given: set[tuple[int, int]] = set()
    numbers: dict[int, int] = {}
    rows: list[tuple[Any, ...]] = []
    for n in order:
        if len(rows) >= scale.certifications:
            break
        index, year, establishment, stay_end = validated[n]
        formation, credits = rng.choice(places.formations)
        if (index, formation) in given:
            continue
        given.add((index, formation))
        first = enrolment_day(year) + timedelta(days=30)
        last = min(date(int(year[:4]) + 1, 8, 31), HISTORY_END)
        if stay_end is not None:
            last = min(last, stay_end - timedelta(days=1))
        last = max(last, enrolment_day(year))
        first = min(first, last)
        awarded_on = first + timedelta(days=rng.randint(0, (last - first).days))
        awarded = rng.random() < 0.95
        number = None
        if awarded:
            numbers[awarded_on.year] = numbers.get(awarded_on.year, 0) + 1
            number = f"{NUMBER_PREFIX}-{awarded_on.year}-{numbers[awarded_on.year]:05d}"
        rows.append(
            (
                learner_ids[index],
                formation,
                Certification.Status.AWARDED.value if awarded else "proposed",
                number,
                awarded_on if awarded else None,
                year,
                establishment,
                Decimal(credits or 60),
                "",
                _local(awarded_on - timedelta(days=7), 11),
            )
        )
    progress.start("certifications", len(rows))
    columns = (
        "learner_id",
        "formation_id",
        "status",
        "number",
        "awarded_on",
        "academic_year",
        "establishment_id",
        "credits",
        "revoke_reason",
        "proposed_at",
    )
    insert_rows(Certification, columns, rows, progress)
    progress.finish()
    return len(rows)


INTERVIEW_KINDS = (
    Interview.Kind.INFORMATION_ORIENTATION.value,
    Interview.Kind.TRAINING_FOLLOWUP.value,
)


def _interviews(
    scale: Scale,
    rng: random.Random,
    places: Places,
    paths: list[Path],
    learner_ids: list[int],
    referents: dict[int, int],
    progress: Progress,
) -> int:
    """Interviews in proportion to the days each learner is placed within the history."""
    spans: list[list[tuple[date, int, int]]] = []  # (first day, days, establishment)
    for path in paths:
        spans.append([])
        for stay in path.stays:
            first = max(stay.start, WINDOW_START)
            after = min(
                stay.end or HISTORY_END + timedelta(days=1), HISTORY_END + timedelta(days=1)
            )
            if after > first:
                spans[-1].append((first, (after - first).days, stay.establishment))
    days = [sum(n for _, n, _ in s) for s in spans]
    counts = _allocate(scale.interviews, days, [2 * d for d in days])
    disp_of = places.disp_of

    def rows() -> Iterator[tuple[Any, ...]]:
        for index, count in enumerate(counts):
            if not count:
                continue
            seen: set[tuple[int, str]] = set()
            learner_spans = spans[index]
            while len(seen) < count:
                offset = rng.randrange(days[index])
                kind = rng.choice(INTERVIEW_KINDS)
                if (offset, kind) in seen:
                    continue
                seen.add((offset, kind))
                for first, n, establishment in learner_spans:  # noqa: B007 - used after the loop
                    if offset < n:
                        break
                    offset -= n
                day = first + timedelta(days=offset)
                yield (
                    learner_ids[index],
                    day,
                    rng.choice((30, 45, 60, 90)),
                    kind,
                    referents[disp_of[establishment]],
                    "",
                    "",
                    _local(day, 10),
                )

    progress.start("entretiens", sum(counts))
    columns = (
        "learner_id",
        "date",
        "duration_minutes",
        "kind",
        "referent_id",
        "notes",
        "next_steps",
        "created_at",
    )
    count = batched_insert(Interview, columns, rows(), progress)
    progress.finish()
    return count


REFERRAL_STATUSES = (
    ("sent", 8),
    ("contacted", 15),
    ("information_meeting", 15),
    ("enrolled", 25),
    ("closed", 37),
)


def _orientation(scale: Scale, rng: random.Random, places: Places, progress: Progress) -> list[str]:
    communes = places.communes
    chosen = rng.sample(communes, min(len(communes), scale.missions_locales + scale.centres))
    ml_communes, centre_communes = (
        chosen[: scale.missions_locales],
        chosen[scale.missions_locales :],
    )
    MissionLocale.objects.bulk_create(
        [
            MissionLocale(
                code=f"{ML_PREFIX}{i + 1:03d}",
                name=f"Mission locale de {places.names[code]} (démo)",
                commune_id=code,
                email=f"ml-{i + 1:03d}@demo.invalid",
                is_demo=True,
            )
            for i, (code, *_rest) in enumerate(ml_communes)
        ]
    )
    regions_seen: set[str] = set()
    centre_objects = []
    for i, (code, region, *_rest) in enumerate(centre_communes):
        regional = region not in regions_seen
        regions_seen.add(region)
        centre_objects.append(
            CnamCentre(
                code=f"{CENTRE_PREFIX}{i + 1:03d}",
                name=(
                    f"Cnam {places.regions[region]} — "
                    f"{'' if regional else 'centre de '}{places.names[code]} (démo)"
                ),
                kind="regional" if regional else "teaching",
                commune_id=code,
                region_id=region,
                email=f"cnam-{i + 1:03d}@demo.invalid",
                is_demo=True,
            )
        )
    CnamCentre.objects.bulk_create(centre_objects)
    missions = list(
        MissionLocale.objects.filter(code__startswith=ML_PREFIX)
        .order_by("code")
        .values_list(
            "id", "commune_id", "commune__region_id", "commune__latitude", "commune__longitude"
        )
    )
    centres = list(
        CnamCentre.objects.filter(code__startswith=CENTRE_PREFIX)
        .order_by("code")
        .values_list(
            "id", "region_id", "commune__population", "commune__latitude", "commune__longitude"
        )
    )
    formations = [pk for pk, _ in places.formations]
    offers: dict[int, list[tuple[int, str]]] = {}
    offer_objects = []
    for i, centre_row in enumerate(centres):
        centre = centre_row[0]
        picked = rng.sample(formations, min(len(formations), scale.offers_per_centre + 4))
        own = [(f, rng.choice(("on_site", "hybrid"))) for f in picked[: scale.offers_per_centre]]
        if i % 10 == 0:
            own += [(f, "distance") for f in picked[scale.offers_per_centre :]]
        offers[centre] = own
        offer_objects += [
            CentreOffer(
                centre_id=centre,
                formation_id=f,
                modality=m,
                next_start=date(2027, 1 + (i + f) % 12, 1),
            )
            for f, m in own
        ]
    CentreOffer.objects.bulk_create(offer_objects)
    by_region: dict[str, list[int]] = {}
    centre_info: dict[int, tuple[str, tuple[Any, Any]]] = {}
    for pk, region, population, lat, lon in centres:
        by_region.setdefault(region, []).append(pk)
        size = town_size_class(population)
        centre_info[pk] = (size.value if size else "", (lat, lon))

    # The young people, their profiles and their referrals.
    window = (REFERRALS_NOW - REFERRALS_FROM).days
    young_rows = []
    plans = []
    for i in range(scale.young):
        mission, commune, region, lat, lon = rng.choice(missions)
        first_sent = REFERRALS_FROM + timedelta(days=rng.randrange(window))
        born = first_sent - timedelta(days=rng.randint(16 * 366, 22 * 365))
        first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.45 else MALE_FIRST_NAMES)
        last = rng.choice(SURNAMES)
        young_rows.append(
            (
                f"{YOUNG_PREFIX}{i + 1:06d}",
                last,
                first,
                born,
                "youth",
                rng.choice(("none", "level_3", "level_4", "level_4", "level_5")),
                "followed",
                None,
                mission,
                search_key(last, first),
                _local(first_sent, 8),
                _local(first_sent, 8),
            )
        )
        plans.append((mission, commune, region, (lat, lon), first_sent))
    progress.start("jeunes des missions locales", len(young_rows))
    for start in range(0, len(young_rows), BATCH):
        insert_rows(Learner, LEARNER_COLUMNS, young_rows[start : start + BATCH], progress)
    progress.finish()
    young_ids = dict(
        Learner.objects.filter(reference__startswith=YOUNG_PREFIX).values_list("reference", "id")
    )
    ids = [young_ids[f"{YOUNG_PREFIX}{i + 1:06d}"] for i in range(scale.young)]
    qualifications = [q.value for q in Qualification]
    profile_rows = [
        (
            ids[i],
            commune,
            rng.choice(qualifications),
            True,
            rng.choice((None, 20, 30, 50, 80)),
            None,
            rng.choice((Rhythm.FULL_TIME.value, Rhythm.PART_TIME.value)),
            _local(first_sent, 8),
        )
        for i, (_, commune, _, _, first_sent) in enumerate(plans)
    ]
    progress.start("profils d'orientation", len(profile_rows))
    profile_columns = (
        "learner_id",
        "commune_id",
        "qualification",
        "can_travel",
        "max_distance_km",
        "available_from",
        "rhythm",
        "created_at",
    )
    for start in range(0, len(profile_rows), BATCH):
        insert_rows(YouthProfile, profile_columns, profile_rows[start : start + BATCH], progress)
    progress.finish()

    counts = _allocate(scale.referrals, [1.0] * scale.young, [25] * scale.young)
    statuses = [s for s, _ in REFERRAL_STATUSES], [w for _, w in REFERRAL_STATUSES]
    reasons = [r.value for r in CloseReason]
    all_centres = [pk for pk, *_ in centres]
    now = _local(REFERRALS_NOW, 0)

    def rows() -> Iterator[tuple[Any, ...]]:
        for i, count in enumerate(counts):
            mission, _, region, where, first_sent = plans[i]
            near = by_region.get(region) or all_centres
            used: set[tuple[int, int]] = set()
            last_day = min(REFERRALS_NOW - timedelta(days=1), first_sent + timedelta(days=540))
            for _ in range(count):
                for _attempt in range(20):
                    centre = rng.choice(near if rng.random() < 0.7 else all_centres)
                    formation, modality = rng.choice(offers[centre])
                    if (centre, formation) not in used:
                        break
                else:
                    continue
                used.add((centre, formation))
                day = first_sent + timedelta(days=rng.randint(0, (last_day - first_sent).days))
                sent_at = _local(day, rng.randint(8, 17), rng.randrange(60))
                status = rng.choices(*statuses)[0]
                contacted = status != "sent" and not (status == "closed" and rng.random() < 0.4)
                days = rng.choice((0, 1, 2, 3, 5, 7, 10, 14, 20, 30, 45)) if contacted else None
                first_contact = None
                if days is not None:
                    # In UTC: whole days of elapsed time, whatever the clocks' changes.
                    first_contact = sent_at.astimezone(UTC) + timedelta(
                        days=days, minutes=rng.randrange(600)
                    )
                    if first_contact >= now:
                        status, days, first_contact = "sent", None, None
                size, centre_at = centre_info[centre]
                distance = (
                    Decimal(f"{_haversine_km(where, centre_at):.1f}")  # type: ignore[arg-type]
                    if None not in where and None not in centre_at
                    else None
                )
                yield (
                    ids[i],
                    mission,
                    centre,
                    formation,
                    modality,
                    distance,
                    size,
                    "",
                    status,
                    rng.choice(reasons) if status == "closed" else "",
                    sent_at,
                    day.replace(day=1),
                    first_contact,
                    days,
                    first_contact or sent_at,
                    1,
                )

    progress.start("orientations", sum(counts))
    columns = (
        "learner_id",
        "mission_locale_id",
        "centre_id",
        "formation_id",
        "modality",
        "distance_km",
        "size_class",
        "message",
        "status",
        "close_reason",
        "sent_at",
        "sent_month",
        "first_contact_at",
        "first_contact_days",
        "updated_at",
        "version",
    )
    referrals = batched_insert(Referral, columns, rows(), progress)
    progress.finish()
    return [
        f"Jeu national : {len(missions)} missions locales et {len(centres)} centres Cnam de "
        f"démonstration ({len(offer_objects):,} offres), {len(ids):,} jeunes, {referrals:,} "
        f"orientations ({REFERRALS_FROM:%m/%Y} à {REFERRALS_NOW:%m/%Y})."
    ]


def default_progress() -> Progress:
    return Progress(sys.stderr)
