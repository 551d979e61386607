"""Every page of the navigation, for every role, one request at a time (the national demo with
`--existing`, as the suite runs it; otherwise the ordinary demo in a scratch database), in process (Django's
test client, no network): median and p95 milliseconds, queries and bytes per page, against the
minimal view (`/bench/constant/`).

    python benchmarks/navigation.py [--existing] [--runs 7] [--users statistique ...]

Each list page is followed by its last page (its « Dernière page » link). Target: every page's
median under 150 ms, on SQLite and on PostgreSQL. The plans of the slowest queries are printed
for the pages that miss it.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, plain_static_settings, print_plans, setup, vendor, verified_client

TARGET_MS = 150.0
#: A page whose first request takes longer is reported as such and not timed further.
LIMIT_S = 60
USERNAMES = (
    "coordination",
    "coord-paris",
    "referent",
    "rle-melun",
    "enseignant",
    "conseil-ml",
    "centre-rennes",
    "statistique",
)


def timed(client: object, url: str, runs: int) -> tuple[list[float], int, int]:
    """Times of `runs` requests after a warm-up one, the queries and bytes of the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(path: str) -> object:
        return client.get(path, follow=True)  # type: ignore[attr-defined]

    stopped = []

    def too_long(signum: int, frame: object) -> None:
        stopped.append(url)
        raise TimeoutError(url)

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(LIMIT_S)
    try:
        response = get(url)
    except TimeoutError:
        pass
    finally:
        signal.alarm(0)
    if stopped:  # raised inside the view: Django may have turned it into a 500
        raise TimeoutError(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = get(url)
    return times, len(queries), len(response.content)


def navigation_links(page: str) -> list[str]:
    """The links of the main navigation (`#navigation-principale`) of a page, in order."""
    start = page.index('id="navigation-principale"')
    menu = page[start : page.index("</nav>", start)]
    return list(dict.fromkeys(re.findall(r'href="(/[^"]*)"', menu)))


def with_last_pages(client: object, urls: list[str]) -> list[str]:
    """The pages, each followed by its list's last page when it has more than one (the
    « Dernière page » link: the database skipped every row before it, 2-3.6 s for the
    million referrals, before core.paging.Pages read it from the end)."""
    found = []
    for url in urls:
        found.append(url)
        page = client.get(url, follow=True).content.decode()  # type: ignore[attr-defined]
        last = re.search(r'fr-pagination__link--last" href="([^"]+)"', page)
        if last:
            found.append(url.split("?")[0] + html.unescape(last.group(1)))
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="measure the database there")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--users", nargs="*", default=USERNAMES, help="these roles only")
    args = parser.parse_args()
    os.environ["TREMPLIN_BENCH_VIEWS"] = "1"
    setup(args.existing)
    if not args.existing:  # the ordinary demo, in a scratch database
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("demo", "load")

    with plain_static_settings():
        from django.test import Client

        constant, _, _ = timed(Client(), "/bench/constant/", args.runs * 3)
        reference = statistics.median(constant)
        print(f"minimal view: median {reference:.2f} ms")
        print("| role | page | median ms | p95 ms | queries | KB |")
        print("|---|---|---|---|---|---|")
        rows = []
        for username in args.users:
            client = verified_client(username)
            for url in with_last_pages(client, navigation_links(client.get("/").content.decode())):
                try:
                    times, queries, size = timed(client, url, args.runs)
                except TimeoutError:
                    print(f"| {username} | {url} | over {LIMIT_S} s: stopped | | | |", flush=True)
                    rows.append((username, url, LIMIT_S * 1000.0, LIMIT_S * 1000.0, 0, 0, None))
                    continue
                median = statistics.median(times)
                rows.append((username, url, median, p95(times), queries, size, client))
                print(
                    f"| {username} | {url} | {median:.0f} | {p95(times):.0f} | {queries} "
                    f"| {size / 1024:.0f} |",
                    flush=True,
                )

    medians = sorted(row[2] for row in rows)
    slow = sorted((row for row in rows if row[2] >= TARGET_MS), key=lambda row: -row[2])
    worst = max(rows, key=lambda row: row[2])
    emit(
        f"Navigation pages, every role, single user: slowest median ({len(rows)} pages)",
        worst[2],
        "ms",
        reference="minimal view",
        reference_value=reference,
        ratio=f"median of the pages {statistics.median(medians):.0f} ms; "
        f"{len(rows) - len(slow)} of {len(rows)} under {TARGET_MS:.0f} ms",
        target=f"every page < {TARGET_MS:.0f} ms",
        met=not slow,
        why="; ".join(f"{row[0]} {row[1]} {row[2]:.0f} ms" for row in slow[:8]),
    )
    with plain_static_settings():
        for username, url, median, _, _, _, client in [row for row in slow if row[6]][:3]:
            print_plans(f"{url} as {username} ({median:.0f} ms)", lambda c=client, u=url: c.get(u))
    print(f"({vendor()})")


if __name__ == "__main__":
    main()
