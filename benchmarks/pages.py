"""The learner list (search + filter + pagination) and a learner's record under load, on
loopback, against `tremplin serve` (gunicorn): p50 / p99 ms and requests/s measured by wrk, and
the same for a minimal Django view returning a constant on the same server
(`/bench/constant/`, routed only with TREMPLIN_BENCH_VIEWS=1).

    python benchmarks/pages.py [--existing] [--learners 100000] [--duration 15] [--workers 3]
        [--connections 3]

Without `--existing` it first loads a national demo of `--learners` learners (tremplin/core/
national.py, proportionally smaller volumes). It needs `wrk` (Debian: `apt-get install wrk`);
without it, a small Python load generator (threads, keep-alive) does the same measures.

Targets: p99 under 100 ms, and at least 10 % of the minimal view's throughput (aim: 30 %). A
third page is measured beside them for what the share means: the accessibility statement, a
signed-in page that reads nothing but its session, user and second factor and renders the DSFR
layout (its share is what any page could reach).

Then each of the four requests in process (Django's test client, median of 30), split into its
SQL, the ORM compiling the queries, the templates and the rest of Python, beside the CPU per
request that 10 % of the minimal view's throughput allows on the machine's cores: the measured
reason of a missed share.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    emit,
    plain_static_settings,
    print_plans,
    setup,
    vendor,
    verified_client,
)

LIST_URL = "/apprenants/?q=martin&status=placed&page=3"
#: A signed-in page that reads no data: the DSFR layout, the session, the user, the second factor.
STATIC_URL = "/accessibilite/"
P99_TARGET_MS = 100.0
SHARE_TARGET = 0.10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_wrk(output: str) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) from `wrk --latency`."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    p50 = ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk: {errors.group(1)} responses in error\n{output}")
    return p50, p99, rps


def python_load(
    port: int, path: str, cookie: str, connections: int, duration: float
) -> tuple[float, float, float]:
    """wrk's measure with threads: `connections` keep-alive clients for `duration` seconds."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return (
        statistics.median(latencies),
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        len(latencies) / elapsed,
    )


def measure(
    port: int, path: str, cookie: str, connections: int, duration: float
) -> tuple[float, float, float]:
    url = f"http://127.0.0.1:{port}{path}"
    # Warm up each worker (imports, first queries, caches).
    for _ in range(connections * 3):
        request = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        request.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = request.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {response.getheader('Location')}")
    if shutil.which("wrk"):
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration:.0f}s",
                "--latency",
                *(["-H", f"Cookie: {cookie}"] if cookie else []),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return parse_wrk(out)
    return python_load(port, path, cookie, connections, duration)


class Split(NamedTuple):
    """Where one request of a page goes, in process (Django's test client, no network), ms."""

    total: float
    sql: float  # in the database driver: the queries' execution and their rows fetched
    compiling: float  # the ORM writing each query's SQL from its queryset
    templates: float  # rendering the templates, but the SQL and compiling of what they read
    queries: int

    @property
    def python(self) -> float:
        """The rest: the middleware (session, user, second factor), the view, its forms, the
        ORM's model instances, the audit row, the test client."""
        return self.total - self.sql - self.compiling - self.templates


def split(client: Any, path: str, runs: int = 30) -> Split:
    """The request of median total of `path`, split into its SQL, the ORM's compiling, its
    templates and the rest of Python (each run's parts measured together)."""
    from django.db import connection
    from django.db.models.sql import compiler
    from django.template.backends import django as backend

    keys = ("sql", "compiling", "templates", "in_templates")
    spent = dict.fromkeys(keys, 0.0)
    queries = 0
    depth = {"templates": 0, "compiling": 0}

    def timed(part: str, function: Any) -> Any:
        """`function` timed into `part` when not nested in itself (a subquery, an include)."""

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            depth[part] += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[part] -= 1
                if depth[part] == 0:
                    took = time.perf_counter() - started
                    spent[part] += took
                    if part == "compiling" and depth["templates"]:
                        spent["in_templates"] += took

        return wrapper

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent["sql"] += took
            queries += 1
            if depth["templates"]:
                spent["in_templates"] += took

    # Each compiler class that writes its own SQL, and the template a page renders.
    patched = [
        (cls, "as_sql", cls.__dict__["as_sql"], "compiling")
        for cls in vars(compiler).values()
        if isinstance(cls, type)
        and issubclass(cls, compiler.SQLCompiler)
        and "as_sql" in cls.__dict__
    ]
    patched.append((backend.Template, "render", backend.Template.render, "templates"))
    measured: list[Split] = []
    try:
        for cls, name, function, part in patched:
            setattr(cls, name, timed(part, function))
        with plain_static_settings(), connection.execute_wrapper(timed_sql):
            for _ in range(5):  # warm: the process's first requests read what it keeps
                client.get(path)
            for _ in range(runs):
                spent.update(dict.fromkeys(keys, 0.0))
                queries = 0
                started = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
                measured.append(
                    Split(
                        total * 1000,
                        spent["sql"] * 1000,
                        spent["compiling"] * 1000,
                        (spent["templates"] - spent["in_templates"]) * 1000,
                        queries,
                    )
                )
    finally:
        for cls, name, function, _ in patched:
            setattr(cls, name, function)
    measured.sort(key=lambda s: s.total)
    return measured[len(measured) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="measure the loaded database")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=3)
    args = parser.parse_args()
    # The minimal view in process too (where each page's time goes, below).
    os.environ["TREMPLIN_BENCH_VIEWS"] = "1"
    setup(existing=args.existing)
    from django.core.management import call_command

    from tremplin.learners.models import Learner

    if not args.existing:
        from tremplin.demo.national import NATIONAL, Progress, Scale, load_national

        call_command("migrate", verbosity=0)
        call_command("demo", "load", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        share = args.learners / NATIONAL.learners
        scale = Scale(
            **{
                k: max(1, int(v * share)) if k not in {"missions_locales", "centres"} else v
                for k, v in NATIONAL.__dict__.items()
            }
        )
        load_national(scale, progress=Progress(sys.stderr))
    call_command("collectstatic", interactive=False, verbosity=0)
    some = (
        Learner.objects.filter(reference__startswith="NAT-", enrolments__isnull=False)
        .order_by("reference")
        .values_list("pk", flat=True)[500]
    )
    record_url = f"/apprenants/{some}/"
    client = verified_client("coordination")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    learners = Learner.objects.count()

    env = {**os.environ, "TREMPLIN_BENCH_VIEWS": "1", "PYTHONUNBUFFERED": "1"}
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tremplin.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request(
                    "GET", "/bench/constant/"
                )
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("tremplin serve did not start") from None
                time.sleep(0.5)
        tool = "wrk" if shutil.which("wrk") else "Python threads"
        print(
            f"{vendor()}: {learners:,} learners; "
            f"gunicorn {args.workers} workers, {tool}, {args.connections} connections, "
            f"{args.duration:.0f} s per page, {os.cpu_count()} cores"
        )
        results = {}
        for label, path, session in (
            # The reference: Django's whole stack and middleware, no session, no query.
            ("minimal view (constant)", "/bench/constant/", ""),
            ("signed-in page reading nothing", STATIC_URL, cookie),
            ("learner list (search + filter + page 3)", LIST_URL, cookie),
            ("learner record", record_url, cookie),
        ):
            results[label] = measure(port, path, session, args.connections, args.duration)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'page':<44}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
    for label, (p50, p99, rps) in results.items():
        print(f"{label:<44}{p50:>10.1f}{p99:>10.1f}{rps:>10.1f}")
    base = results["minimal view (constant)"][2]
    emit(
        "minimal Django view, same server",
        base,
        "req/s",
        reference="",
        target="",
    )
    signed_in = results["signed-in page reading nothing"][2]
    emit(
        "signed-in page reading nothing (/accessibilite/), same server",
        signed_in,
        "req/s",
        reference="minimal view",
        reference_value=base,
        ratio=f"{signed_in / base:.0%} of the minimal view: what any page could reach",
        target="",
    )
    from django.test import Client

    # Where each page's time goes in process, beside what the throughput target allows.
    splits = {
        # As wrk asks for it: no session.
        "minimal view (constant)": split(Client(), "/bench/constant/"),
        "signed-in page reading nothing": split(client, STATIC_URL),
        "learner list (search + filter + page 3)": split(client, LIST_URL),
        "learner record": split(client, record_url),
    }
    record_queries = splits["learner record"].queries
    cores = os.cpu_count() or 1
    allowed = cores * 1000 / (SHARE_TARGET * base)
    print(
        f"\nIn process, median of 30 requests (ms): {SHARE_TARGET:.0%} of the minimal view is "
        f"{SHARE_TARGET * base:,.0f} requests/s, i.e. at most {allowed:.1f} ms of CPU per request "
        f"on {cores} cores for the worker, wrk and the database together"
    )
    print(
        f"{'page':<44}{'total':>8}{'SQL':>8}{'queries':>9}{'compiling':>11}{'templates':>11}"
        f"{'Python':>8}"
    )
    for label, part in splits.items():
        print(
            f"{label:<44}{part.total:>8.1f}{part.sql:>8.1f}{part.queries:>9}"
            f"{part.compiling:>11.1f}{part.templates:>11.1f}{part.python:>8.1f}"
        )

    def spent(key: str) -> str:
        part = splits[key]
        return (
            f"in process {part.total:.1f} ms: SQL {part.sql:.1f} ms in {part.queries} queries, "
            f"the ORM compiling them {part.compiling:.1f} ms, templates {part.templates:.1f} ms, "
            f"the rest of Python {part.python:.1f} ms (middleware, session, forms, model "
            "instances, the audit row)"
        )

    for label, key in (
        ("learner list page", "learner list (search + filter + page 3)"),
        ("learner record page", "learner record"),
    ):
        p50, p99, rps = results[key]
        share = rps / base
        emit(
            f"{label} p50 / p99 under load",
            p99,
            "ms p99",
            reference="p50",
            reference_value=p50,
            ratio=f"p50 {p50:.0f} ms",
            target="p99 < 100 ms",
            met=p99 < P99_TARGET_MS,
            why=(
                "3 workers, wrk and the database share 2 cores: p99 is when all want the "
                "CPU at once; the search's count and page, the DSFR page and its filter form "
                "(plans below, benchmarks/README.md)"
                if key.startswith("learner list")
                else "3 workers, wrk and the database share 2 cores; rendering the record and "
                f"its {record_queries} queries (the session, the user, the second factor and "
                "the audit row of the visit included; plans below, benchmarks/README.md)"
            ),
        )
        emit(
            f"{label} throughput",
            rps,
            "req/s",
            reference="minimal view",
            reference_value=base,
            ratio=f"{share:.0%} of the minimal view",
            target=">= 10 % of the minimal view (aim 30 %)",
            met=share >= SHARE_TARGET,
            why=(
                f"{SHARE_TARGET:.0%} of the minimal view allows at most {allowed:.1f} ms of CPU per "
                f"request for the worker, wrk and the database; the page takes {spent(key)}; "
                "the signed-in page that reads no data takes "
                f"{splits['signed-in page reading nothing'].total:.1f} ms in process and reaches "
                f"{signed_in / base:.0%} of the minimal view (each page runs its queries, "
                "renders a DSFR template and writes the audit row of the visit)"
            ),
        )
        if p99 >= P99_TARGET_MS or share < SHARE_TARGET:
            path = LIST_URL if key.startswith("learner list") else record_url
            with plain_static_settings():
                print_plans(label, lambda path=path: client.get(path))


if __name__ == "__main__":
    main()
