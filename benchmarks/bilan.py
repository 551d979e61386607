"""The bilan of a year at national scale: seconds for `compute_bilan`, against the bare SQL
aggregate that computes the same headline counts.

    python benchmarks/bilan.py [--learners 100000] [--enrolments 1000000] [--existing]

With `--existing`, the database already loaded (the national demo, benchmarks/suite.py).
Target: the stored bilan of a closed year (what every request after the first reads) under
100 ms and within 3x of the bare aggregate; the first request and the computation without the
store are printed beside it.
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
    from tremplin.core.rows import fast_insert
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
    from django.core.cache import caches
    from django.db import connection

    from tremplin.reporting.bilan import compute_bilan
    from tremplin.reporting.formats import render_bilan
    from tremplin.reporting.stamps import CACHE
    from tremplin.reporting.stored import stored_bilan

    year = "2019-2020"  # a closed academic year

    def computed_json() -> object:
        """The figures computed and their JSON document (what the first request costs)."""
        return render_bilan("json", compute_bilan(year))

    def stored_json(**scope: str) -> object:
        """What `GET /rapports/export/json/?year=…` and `tremplin bilan --format json` do: the
        stored figures of the year (computed once per state of its data) as JSON."""
        return render_bilan("json", stored_bilan(year, **scope))

    bare_sql = """
        SELECT COUNT(DISTINCT learner_id), COUNT(DISTINCT establishment_id), COUNT(*),
               SUM(CASE WHEN result = 'validated' THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN result = 'validated' THEN learner_id END)
        FROM enrolment_enrolment WHERE academic_year = %s AND result <> 'cancelled'"""

    def timed(fn: object, n: int = runs) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [year])
            cursor.fetchone()

    bare()
    caches[CACHE].clear()
    first = timed(lambda: stored_json(), 1)  # computed and stored
    stored = timed(stored_json)
    paris_first = timed(lambda: stored_json(disp="DISP PARIS"), 1)
    paris = timed(lambda: stored_json(disp="DISP PARIS"))
    computed = timed(computed_json, max(1, runs // 2))
    aggregate = timed(bare)
    figures = compute_bilan(year).as_dict()
    print(
        f"bilan {year}: {figures['enrolled_learners']} learners, {figures['ue_enrollments']} enrolments"
    )
    print(f"{'what':<52}{'seconds':>10}")
    print(f"{'bilan JSON, whole country, stored (every request)':<52}{stored:>10.3f}")
    print(f"{'bilan JSON, whole country, first request (computed)':<52}{first:>10.3f}")
    print(f"{'bilan JSON, DISP PARIS, stored / first':<52}{paris:>10.3f} / {paris_first:.3f}")
    print(f"{'bilan JSON computed without the store':<52}{computed:>10.3f}")
    print(f"{'bare SQL aggregate (headline counts)':<52}{aggregate:>10.3f}")
    ratio = stored / aggregate
    met = stored < 0.1 and ratio <= 3
    emit(
        f"bilan JSON {year} (closed year), whole country, stored",
        stored,
        "s",
        reference="bare SQL aggregate",
        reference_value=aggregate,
        ratio=f"{ratio:.2f}x the bare aggregate; DISP PARIS {paris * 1000:.0f} ms; "
        f"first request {first:.2f} s, computed without the store {computed:.2f} s",
        target="< 0.1 s and <= 3x",
        met=met,
        why=(
            "the stored figures are read, then their JSON document is built and rendered; "
            "see the plans below and benchmarks/README.md"
        ),
    )
    if not met:
        print_plans("bilan JSON", stored_json, n=3)


if __name__ == "__main__":
    main()
