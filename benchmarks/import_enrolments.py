"""Import of N enrolments: rows per second, and the ratio to the database's bare bulk insert.

python benchmarks/import_enrolments.py [--rows 100000] [--existing]

With `--existing`, in the database already loaded (its own learners `BENCH-…` and rows added).
Target: at least 20,000 rows/s. Beside it, the database's own share of the import (its statements
by the table they write, PostgreSQL's COPYs, the commit) and what remains for Python.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, setup

#: A statement that writes, and the table it writes.
WRITTEN = re.compile(r'\s*(INSERT INTO|UPDATE|DELETE FROM|COPY)\s+"?(\w+)"?', re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", action="store_true", help="in the loaded database")
    args = parser.parse_args()
    setup(existing=args.existing)
    from django.core.management import call_command
    from django.db import connection

    from tremplin.catalog.models import TeachingUnit
    from tremplin.core.registry import importers
    from tremplin.demo.catalog import load_catalogue
    from tremplin.learners.models import Learner
    from tremplin.places.models import Establishment
    from tremplin.places.refdata import load_reference_data

    if not args.existing:
        call_command("migrate", verbosity=0)
        load_reference_data()
        load_catalogue()
    rng = random.Random(2026)
    labels = list(Establishment.objects.values_list("label", flat=True))
    units = list(TeachingUnit.objects.values_list("code", flat=True))
    n_learners = max(1, args.rows // 10)
    # A run before this one left its learners, their enrolments and the certifications the
    # rules proposed from them: removed first, so that the script runs again on the same data.
    from tremplin.enrolment.models import Certification, CertificationEvent, Enrolment

    earlier = {"learner__reference__startswith": "BENCH-"}
    CertificationEvent.objects.filter(
        certification__learner__reference__startswith="BENCH-"
    ).delete()
    Certification.objects.filter(**earlier).delete()
    Enrolment.objects.filter(**earlier).delete()
    Learner.objects.filter(reference__startswith="BENCH-").delete()
    Learner.objects.bulk_create(
        [
            Learner(
                reference=f"BENCH-{i:06d}",
                last_name=f"Nom{i}",
                first_name="Prénom",
                birth_date=date(1990, 1, 1),
                kind="detained",
                status="placed",
                establishment_id=None,
            )
            for i in range(n_learners)
        ],
        batch_size=5_000,
    )
    lines = ["learner,academic_year,teaching_unit,establishment,result,grade"]
    seen: set[tuple[int, str, str]] = set()
    while len(lines) <= args.rows:
        learner = rng.randrange(n_learners)
        year = f"{(start := rng.randrange(2015, 2026))}-{start + 1}"
        unit = rng.choice(units)
        if (learner, year, unit) in seen:
            continue
        seen.add((learner, year, unit))
        grade = rng.randrange(0, 2001) / 100
        result = "validated" if grade >= 10 else "failed"
        lines.append(f"BENCH-{learner:06d},{year},{unit},{rng.choice(labels)},{result},{grade:.2f}")
    data = ("\n".join(lines) + "\n").encode()
    importer = importers()["enrollments"]
    # The database's own share of the import: each statement's time in the driver, by the table
    # it writes (reads together), and the commit.
    spent: dict[str, float] = defaultdict(float)

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            written = WRITTEN.match(sql)
            spent[written.group(2) if written else "reads"] += time.perf_counter() - started

    commit = connection._commit

    def timed_commit() -> None:
        started = time.perf_counter()
        try:
            commit()
        finally:
            spent["commit"] += time.perf_counter() - started

    # PostgreSQL's bulk path (core.rows.insert_values) is a COPY, which no execute wrapper
    # sees: timed whole, its rows' sending included, as the bare COPY below is.
    copying: Any = None
    if connection.vendor == "postgresql":
        import psycopg

        copying = psycopg.Cursor.copy

        @contextlib.contextmanager
        def timed_copy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            started = time.perf_counter()
            try:
                with copying(self, statement, *args, **kwargs) as copy:
                    yield copy
            finally:
                written = WRITTEN.match(str(statement))
                spent[written.group(2) if written else "copy"] += time.perf_counter() - started

        psycopg.Cursor.copy = timed_copy  # type: ignore[assignment]
    connection._commit = timed_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            report = importer().run(data)
            first = time.perf_counter() - started
    finally:
        del connection._commit  # the class's own again
        if copying is not None:
            psycopg.Cursor.copy = copying
    started = time.perf_counter()
    again = importer().run(data)
    second = time.perf_counter() - started

    # The reference: the same rows inserted by the database's bare bulk path, in a scratch table.
    rows = [line.split(",") for line in lines[1:]]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_enrolment")
        cursor.execute(
            "CREATE TABLE bench_enrolment (learner varchar(40), academic_year varchar(9), "
            "unit varchar(10), establishment varchar(60), result varchar(10), grade numeric(4,2))"
        )
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with cursor.copy("COPY bench_enrolment FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            method = "COPY"
        else:
            cursor.executemany("INSERT INTO bench_enrolment VALUES (%s, %s, %s, %s, %s, %s)", rows)
            method = "executemany"
        bare = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_enrolment")

    n = report.rows
    print(
        f"database: {connection.vendor}; rows: {n}; created {report.created}, then unchanged {again.unchanged}"
    )
    print(f"{'what':<44}{'seconds':>10}{'rows/s':>12}")
    print(f"{'tremplin import enrollments (new rows)':<44}{first:>10.2f}{n / first:>12,.0f}")
    print(f"{'same file again (nothing to change)':<44}{second:>10.2f}{n / second:>12,.0f}")
    print(f"{'bare ' + method + ' of the same rows':<44}{bare:>10.2f}{n / bare:>12,.0f}")
    print(
        f"ratio import / bare insert: {first / bare:.1f}x slower (target: at least 20,000 rows/s)"
    )
    rate = n / first
    database = sum(spent.values())
    print(
        f"the database's share of the import: {database:.2f} s of {first:.2f} "
        f"({n / database:,.0f} rows/s before any Python); Python {first - database:.2f} s"
    )
    for part, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {part:<42}{seconds:>10.2f}")
    parts = ", ".join(
        f"{part} {seconds:.2f} s"
        for part, seconds in sorted(spent.items(), key=lambda item: -item[1])
        if seconds >= 0.05 * database
    )
    emit(
        f"import of {n:,} enrolments (new rows)",
        rate,
        "rows/s",
        reference=f"bare {method}",
        reference_value=n / bare,
        ratio=f"{first / bare:.1f}x slower than the bare {method}",
        target=">= 20,000 rows/s",
        met=rate >= 20_000,
        why=(
            "each new row with a result writes four rows into tables of millions of rows (the "
            "enrolment, its audit entry, its creation and result events): in this run the "
            f"database's statements and commit alone took {database:.2f} s of the "
            f"{first:.2f} s ({parts}), a cap of {n / database:,.0f} rows/s before any Python; "
            f"Python checked, built and journaled the rows in {first - database:.2f} s "
            "(benchmarks/README.md, « Why the missed targets are missed »)"
        ),
    )


if __name__ == "__main__":
    main()
