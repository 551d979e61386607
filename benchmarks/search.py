"""The search of learners by name or reference over the national demo (300,000 people), as the
national coordinator's list runs it: the first page of matches and their count
(`tremplin.learners.selectors.search_learners`, paged like `/apprenants/`), in process.

    python benchmarks/search.py --existing [--runs 7]

Target: each search under 50 ms, on SQLite (the FTS5 index `learner_search`) and PostgreSQL
(trigram indexes); accent- and case-insensitive, "jean baptiste" finding "Jean-Baptiste". The
plans of the slowest are printed when one misses.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, print_plans, setup, vendor

TARGET_MS = 50.0
PAGE = 50
#: What people type: the most frequent name (in capitals too), names without their accents
#: (Rivière, Naïma), two words of a compound first name (Jean-Baptiste), a first name and a
#: name, a name of two words, a first name with its accent; then the start of a reference.
TYPED = ("martin", "MARTIN", "riviere", "jean baptiste", "naima", "celine traore", "le gall", "zoé")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="measure the database there")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup(args.existing)
    if not args.existing:
        raise SystemExit("Run it on the national demo: --existing (benchmarks/suite.py).")
    from tremplin.accounts.models import User
    from tremplin.learners.models import Learner
    from tremplin.learners.selectors import LearnerFilters, search_learners

    user = User.objects.get(username="coordination")
    reference = (
        Learner.objects.filter(kind="detained")
        .order_by("-pk")
        .values_list("reference", flat=True)[0]
    )
    typed = (*TYPED, reference[:-1])

    def search(text: str) -> tuple[int, list[Learner]]:
        found = search_learners(user, LearnerFilters(q=text))
        return found.count(), list(found[:PAGE])

    print(f"| typed | matches | first match | median ms | p95 ms |  ({vendor()})")
    print("|---|---|---|---|---|")
    rows = []
    for text in typed:
        count, page = search(text)  # warm
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            search(text)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        first = f"{page[0].last_name} {page[0].first_name}" if page else "—"
        rows.append((text, median))
        print(f"| {text} | {count:,} | {first} | {median:.1f} | {max(times):.1f} |", flush=True)
    slow = [row for row in rows if row[1] >= TARGET_MS]
    worst = max(rows, key=lambda row: row[1])
    emit(
        f"Learner search by name or reference, 300,000 people: slowest of {len(rows)}",
        worst[1],
        "ms",
        ratio=f"« {worst[0]} »; median of the searches "
        f"{statistics.median(r[1] for r in rows):.0f} ms",
        target=f"each < {TARGET_MS:.0f} ms",
        met=not slow,
        why="; ".join(f"« {text} » {ms:.0f} ms" for text, ms in slow),
    )
    for text, _ in slow[:2]:
        print_plans(f"search « {text} »", lambda t=text: search(t))


if __name__ == "__main__":
    main()
