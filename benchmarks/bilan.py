"""The bilan of a year at national scale: seconds for `compute_bilan`, against the bare SQL
aggregate that computes the same headline counts.

    python benchmarks/bilan.py [--learners 100000] [--enrolments 1000000] [--existing]

With `--existing`, the database already loaded (the national demo, benchmarks/suite.py).
Target: under 1 s, and within 3x of the bare aggregate.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, print_plans, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--enrolments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--existing", action="store_true", help="measure the loaded database")
    args = parser.parse_args()
    setup(existing=args.existing)
    from django.core.management import call_command
    from django.db import connection

    from tremplin.catalog.models import TeachingUnit
    from tremplin.core.csvimport import fast_insert
    from tremplin.demo.catalog import load_catalogue
    from tremplin.enrolment.models import Enrolment
    from tremplin.learners.models import Learner
    from tremplin.places.models import Establishment
    from tremplin.places.refdata import load_reference_data

    if args.existing:
        measure(args.runs)
        return
    call_command("migrate", verbosity=0)
    load_reference_data()
    load_catalogue()
    rng = random.Random(4)
    establishments = list(Establishment.objects.values_list("id", flat=True))
    units = list(TeachingUnit.objects.values_list("id", flat=True))
    years = [f"{y}-{y + 1}" for y in range(2015, 2021)]
    started = time.perf_counter()
    Learner.objects.filter(reference__startswith="NB-").delete()
    Learner.objects.bulk_create(
        [
            Learner(
                reference=f"NB-{i:07d}",
                last_name=f"Nom{i}",
                first_name="Prénom",
                birth_date=date(1990, 1, 1),
                kind="detained",
                status="placed",
                establishment_id=rng.choice(establishments),
            )
            for i in range(args.learners)
        ],
        batch_size=10_000,
    )
    learner_ids = list(
        Learner.objects.filter(reference__startswith="NB-").values_list("id", flat=True)
    )
    seen: set[tuple[int, str, int]] = set()
    batch: list[Enrolment] = []
    results = ["validated", "validated", "failed", "absent", "abandoned", "cancelled"]
    while len(seen) < args.enrolments:
        key = (rng.choice(learner_ids), rng.choice(years), rng.choice(units))
        if key in seen:
            continue
        seen.add(key)
        result = rng.choice(results)
        batch.append(
            Enrolment(
                learner_id=key[0],
                academic_year=key[1],
                unit_id=key[2],
                establishment_id=rng.choice(establishments),
                result=result,
                grade=12 if result == "validated" else None,
                funding="dap",
            )
        )
        if len(batch) >= 50_000:
            fast_insert(Enrolment, batch)
            batch = []
    fast_insert(Enrolment, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {args.learners} learners, {args.enrolments} enrolments loaded in {time.perf_counter() - started:.0f} s"
    )

    measure(args.runs)


def measure(runs: int) -> None:
    from django.db import connection

    from tremplin.reporting.bilan import compute_bilan
    from tremplin.reporting.formats import render_bilan

    year = "2019-2020"

    def as_json() -> object:
        """What `GET /rapports/export/json/?year=…` and `tremplin bilan --format json`
        compute: the figures and their JSON document."""
        return render_bilan("json", compute_bilan(year))

    bare_sql = """
        SELECT COUNT(DISTINCT learner_id), COUNT(DISTINCT establishment_id), COUNT(*),
               SUM(CASE WHEN result = 'validated' THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN result = 'validated' THEN learner_id END)
        FROM enrolment_enrolment WHERE academic_year = %s AND result <> 'cancelled'"""

    def timed(fn: object) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [year])
            cursor.fetchone()

    as_json()  # warm the caches
    bare()
    full = timed(lambda: compute_bilan(year))
    json_export = timed(as_json)
    aggregate = timed(bare)
    paris = timed(lambda: compute_bilan(year, disp="DISP PARIS"))
    figures = compute_bilan(year).as_dict()
    print(
        f"bilan {year}: {figures['enrolled_learners']} learners, {figures['ue_enrollments']} enrolments"
    )
    print(f"{'what':<40}{'seconds':>10}")
    print(f"{'bilan JSON export (whole country)':<40}{json_export:>10.3f}")
    print(f"{'compute_bilan (whole country)':<40}{full:>10.3f}")
    print(f"{'compute_bilan (DISP PARIS)':<40}{paris:>10.3f}")
    print(f"{'bare SQL aggregate (headline counts)':<40}{aggregate:>10.3f}")
    print(
        f"ratio bilan / bare aggregate: {full / aggregate:.1f}x (target: under 1 s and within 3x)"
    )
    ratio = json_export / aggregate
    met = json_export < 1 and ratio <= 3
    emit(
        f"bilan JSON {year}, whole country",
        json_export,
        "s",
        reference="bare SQL aggregate",
        reference_value=aggregate,
        ratio=f"{ratio:.1f}x the bare aggregate",
        target="< 1 s and <= 3x",
        met=met,
        why=(
            "the bilan and its tables run about 25 aggregates (by DISP, establishment, sector, "
            "UE, follow-up with the placement in force, trends since 2015 over every year) where "
            "the reference runs one; see the plans below and benchmarks/README.md"
        ),
    )
    if not met:
        print_plans("bilan JSON", as_json, n=3)


if __name__ == "__main__":
    main()
