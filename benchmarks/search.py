"""The searches by name or reference over the national demo (300,000 people), as the national
coordinator's lists run them, in process: the first page of matches and their count. The
learners (`tremplin.learners.selectors.search_learners`, paged like `/apprenants/`), then the
same words among the referrals (`orientation.selectors.search_referrals` and
`count_referrals`, `/orientation/`: a million referrals) and the young people
(`orientation.selectors.young_people`, `/orientation/jeunes/`: 200,000).

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, print_plans, setup, vendor

TARGET_MS = 50.0
PAGE = 50
#: What people type: the most frequent name (in capitals too), names without their accents
#: (Rivière, Naïma), two words of a compound first name (Jean-Baptiste), a first name and a
#: name, a name of two words, a first name with its accent, the first letters of many names;
#: then (the learners only) the start of a reference.
TYPED = (
    "martin",
    "MARTIN",
    "riviere",
    "jean baptiste",
    "naima",
    "celine traore",
    "le gall",
    "zoé",
    "ma",
)


def measure(
    title: str, typed: tuple[str, ...], search: Callable[[str], tuple[int, list[Any]]], runs: int
) -> None:
    """The median time of each search, one row of the suite for the slowest."""
    print(f"| {title}: typed | matches | first match | median ms | p95 ms |  ({vendor()})")
    print("|---|---|---|---|---|")
    rows = []
    for text in typed:
        count, page = search(text)  # warm
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            search(text)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        first = page[0] if page else None
        person = getattr(first, "learner", first)
        shown = f"{person.last_name} {person.first_name}" if person else "—"
        rows.append((text, median))
        print(f"| {text} | {count:,} | {shown} | {median:.1f} | {max(times):.1f} |", flush=True)
    slow = [row for row in rows if row[1] >= TARGET_MS]
    worst = max(rows, key=lambda row: row[1])
    emit(
        f"{title}: slowest of {len(rows)}",
        worst[1],
        "ms",
        ratio=f"« {worst[0]} »; median of the searches "
        f"{statistics.median(r[1] for r in rows):.0f} ms",
        target=f"each < {TARGET_MS:.0f} ms",
        met=not slow,
        why="; ".join(f"« {text} » {ms:.0f} ms" for text, ms in slow),
    )
    for text, _ in slow[:2]:
        print_plans(f"{title}, « {text} »", lambda t=text: search(t))


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
    from tremplin.orientation.selectors import (
        ReferralFilters,
        count_referrals,
        search_referrals,
        young_people,
    )

    user = User.objects.get(username="coordination")
    reference = (
        Learner.objects.filter(kind="detained")
        .order_by("-pk")
        .values_list("reference", flat=True)[0]
    )

    def learners(text: str) -> tuple[int, list[Any]]:
        count = search_learners(user, LearnerFilters(q=text)).count()  # as the page
        return count, list(search_learners(user, LearnerFilters(q=text), matches=count)[:PAGE])

    def referrals(text: str) -> tuple[int, list[Any]]:
        filters = ReferralFilters(q=text)
        count = count_referrals(user, filters)  # as the page: the count chooses the way
        return count, list(search_referrals(user, filters, matches=count)[:PAGE])

    def youth(text: str) -> tuple[int, list[Any]]:
        count = young_people(user, q=text).count()  # as the page
        return count, list(young_people(user, q=text, matches=count)[:PAGE])

    measure(
        "Learner search by name or reference, 300,000 people",
        (*TYPED, reference[:-1]),
        learners,
        args.runs,
    )
    measure("Referrals searched by name, a million referrals", TYPED, referrals, args.runs)
    measure("Young people searched by name, 200,000 of them", TYPED, youth, args.runs)


if __name__ == "__main__":
    main()
