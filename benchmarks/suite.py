"""`make bench`: load the national demo once, measure everything against it, and print one table
of figures and ratios, each measured in the same run against its reference.

    python benchmarks/suite.py [--duration 15] [--requests 300] [--keep]

On SQLite (no DATABASE_URL) the database is a throwaway one under a temporary TREMPLIN_HOME.
With DATABASE_URL, the database it names is emptied first (every table dropped): its name must
contain "bench" (e.g. postgres://postgres@127.0.0.1:5432/tremplin_bench), or the suite refuses.

Each step is one of the scripts of this directory, run with `--existing`; each one is also
runnable alone (see benchmarks/README.md). The machine's load is printed with the figures: a
figure measured while other processes use the cores says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def reset_postgresql(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = unquote(parts.path.lstrip("/"))
    if "bench" not in name:
        raise SystemExit(
            f"DATABASE_URL names the database {name!r}: the suite empties its database, so its "
            "name must contain 'bench' (e.g. tremplin_bench; made when it does not exist)."
        )
    # A fresh machine has no scratch database: made through the server's own `postgres`.
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"== database {name} created", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3f}"


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    cores = os.cpu_count() or 1
    busy = " — the machine is shared: figures measured under contention" if one > cores else ""
    return f"load average {one:.1f} / {five:.1f} on {cores} cores{busy}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per page")
    parser.add_argument("--requests", type=int, default=300, help="orientation proposals")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database")
    args = parser.parse_args()

    env = dict(os.environ)
    url = env.get("DATABASE_URL", "")
    if url:
        reset_postgresql(url)
        database = f"PostgreSQL ({urlparse(url).path.lstrip('/')})"
    else:
        env["TREMPLIN_HOME"] = tempfile.mkdtemp(prefix="tremplin-bench-")
        database = f"SQLite ({env['TREMPLIN_HOME']})"
    results = Path(tempfile.mkstemp(prefix="tremplin-bench-", suffix=".jsonl")[1])
    env["TREMPLIN_BENCH_RESULTS"] = str(results)
    env["PYTHONUNBUFFERED"] = "1"

    steps = [
        ["national_load.py", "--existing"],
        ["bilan.py", "--existing"],
        ["after_write.py", "--existing"],
        ["navigation.py", "--existing"],
        ["search.py", "--existing"],
        ["compression.py", "--existing"],
        ["documents.py", "--existing"],
        ["first_page.py", "--existing"],
        ["pages.py", "--existing", "--duration", str(args.duration)],
        ["orientation_propose.py", "--existing", "--requests", str(args.requests)],
        ["orientation_stats.py", "--existing", "--runs", "3"],
        ["import_enrolments.py", "--existing"],
        ["sync.py", "--existing"],
    ]
    print(f"== Tremplin benchmarks on {database}; {load_average()}", flush=True)
    started = time.monotonic()
    loads = []
    for script, *options in steps:
        print(f"\n== {script} {' '.join(options)}", flush=True)
        step = subprocess.run([sys.executable, str(HERE / script), *options], env=env, cwd=ROOT)
        loads.append(f"{script}: {load_average()}")
        if step.returncode:
            print(f"!! {script} failed (exit {step.returncode})", flush=True)

    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    results.unlink()
    print(f"\n== Summary ({database}, {(time.monotonic() - started) / 60:.0f} min)")
    print("| what | figure | reference | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        reference = (
            f"{row['reference']}: {number(row['reference_value'])}"
            if row["reference_value"] is not None
            else row["reference"]
        )
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        print(
            f"| {row['what']} | {number(row['value'])} {row['unit']} | {reference} | {row['ratio']} "
            f"| {row['target']} | {met} |"
        )
    missed = [row for row in rows if row["met"] is False]
    if missed:
        print("\nTargets missed (the query plans are printed above, by each script):")
        for row in missed:
            print(f"- {row['what']}: {row['why']}")
    print("\nLoad after each step: " + "; ".join(loads))
    if not url and not args.keep:
        import shutil

        shutil.rmtree(env["TREMPLIN_HOME"], ignore_errors=True)


if __name__ == "__main__":
    main()
