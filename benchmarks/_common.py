"""What the benchmark scripts share: the database they run on, the rows they hand to the suite
(benchmarks/suite.py), a verified session for the pages, and the query plans of the slowest
queries.

Each script stays runnable alone. Without `--existing` it builds what it measures in a throwaway
SQLite database under a temporary TREMPLIN_HOME, or in the database DATABASE_URL names (a scratch
one: the scripts write to it). With `--existing` it measures the database already there (the
national demo that the suite loads first) and writes only what it must (sessions, audit rows,
the import's own rows).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(existing: bool = False) -> None:
    """Point Tremplin at its database and start Django."""
    if "DATABASE_URL" not in os.environ and not (existing and "TREMPLIN_HOME" in os.environ):
        os.environ["TREMPLIN_HOME"] = tempfile.mkdtemp(prefix="tremplin-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def emit(
    what: str,
    value: float,
    unit: str,
    *,
    reference: str = "",
    reference_value: float | None = None,
    ratio: str = "",
    target: str = "",
    met: bool | None = None,
    why: str = "",
) -> None:
    """One row of the suite's table: appended (JSON lines) to $TREMPLIN_BENCH_RESULTS when the
    suite runs the script; printed otherwise, after the script's own table."""
    row = {
        "what": what,
        "value": value,
        "unit": unit,
        "reference": reference,
        "reference_value": reference_value,
        "ratio": ratio,
        "target": target,
        "met": met,
        "why": why,
        "database": vendor(),
    }
    path = os.environ.get("TREMPLIN_BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    verdict = "" if met is None else (" — target met" if met else " — TARGET MISSED")
    print(
        f"> {what}: {value:,.2f} {unit}"
        + (f" (reference {reference}: {reference_value:,.3f}; {ratio})" if reference else "")
        + (f" [target: {target}]" if target else "")
        + verdict
    )
    if met is False and why:
        print(f"  why: {why}")


def explain(sql: str, params: Any = None) -> str:
    """EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of one query."""
    from django.db import connection

    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        # The captured SQL has its values inlined: run it as it is, without placeholders.
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(str(r[0]) for r in rows)
    return "\n".join(f"{'  ' * 0}{r[-1]}" for r in rows)


def slowest_queries(call: Callable[[], object], n: int = 2) -> list[tuple[float, str]]:
    """Run `call` once, recording its queries; the n slowest with their time in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    timed = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries),
        reverse=True,
    )
    return timed[:n]


def print_plans(title: str, call: Callable[[], object], n: int = 2) -> None:
    """Print the plans of the n slowest queries of `call` (their SQL as Django ran it)."""
    print(f"--- query plans: {title} ({vendor()}) ---")
    selects = [(ms, sql) for ms, sql in slowest_queries(call, n + 10) if sql.startswith("SELECT")]
    for ms, sql in selects[:n]:
        print(f"[{ms:.1f} ms] {sql[:600]}{' …' if len(sql) > 600 else ''}")
        try:
            print(explain(sql))
        except Exception as exc:
            print(f"(no plan: {exc})")
        print()


def verified_client(username: str) -> Any:
    """A test client logged in as `username` with its second factor verified."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tremplin.accounts.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["tremplin_login_at"] = int(time.time())
    session.save()
    return client


def plain_static_settings() -> Any:
    """Settings for the in-process pages: any host, static names unhashed."""
    from django.conf import settings
    from django.test.utils import override_settings

    return override_settings(
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
