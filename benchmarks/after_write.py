"""The reports' first request after a write in the year they show, on the national demo: what a
coordinator or the statistician waits for when they open the bilan dashboard while the year's
enrolments, results and interviews keep coming. The stored figures (tremplin/reporting/
stamps.py) are computed once per state of the year's data: a write gives the year a new state,
and the next request computes its figures again; the requests after it read them.

    python benchmarks/after_write.py --existing [--rounds 3]

For a full national year (2020-2021: about 180,000 enrolments) and the current one, as the
national coordinator and as the statistician (published figures: every count below five masked
across every scope, reporting/publication.py): one enrolment of the year updated (the database's
triggers give the year its new state, as any write does), then the dashboard's first request,
then its second; the median of `--rounds` writes. No target in issue 15 (its targets are the
pages' medians, met by the stored figures); printed beside the warm page for what a write costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, plain_static_settings, setup, vendor, verified_client

FULL_YEAR = "2020-2021"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="measure the database there")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.existing:
        raise SystemExit("Run it on the national demo: --existing (benchmarks/suite.py).")
    setup(args.existing)
    from django.db.models import F
    from django.utils import timezone

    from tremplin.catalog.academic import academic_year_of
    from tremplin.enrolment.models import Enrolment

    def write(year: str) -> None:
        """One enrolment of `year` updated in place: its year gets a new state."""
        pk = Enrolment.objects.filter(academic_year=year).order_by("pk").values("pk")[:1]
        if not Enrolment.objects.filter(pk__in=pk).update(version=F("version")):
            raise SystemExit(f"No enrolment in {year}: load the national demo.")

    with plain_static_settings():
        measure(write, academic_year_of(timezone.localdate()), args.rounds)


def measure(write: Callable[[str], None], current: str, rounds: int) -> None:
    print(f"| dashboard ({vendor()}) | as | first request after a write, ms | then, ms |")
    print("|---|---|---|---|")
    for year, url in ((FULL_YEAR, f"/rapports/?year={FULL_YEAR}"), (current, "/rapports/")):
        for username, role in (("coordination", "coordinator"), ("statistique", "statistician")):
            client = verified_client(username)
            client.get(url)  # the process warm, the other years' figures stored
            firsts, thens = [], []
            for _ in range(rounds):
                write(year)
                for times in (firsts, thens):
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
            first, then = statistics.median(firsts), statistics.median(thens)
            print(f"| {year} | {role} | {first:.0f} | {then:.0f} |", flush=True)
            emit(
                f"bilan dashboard {year}, {role}: first request after a write",
                first,
                "ms",
                reference="the request after it",
                reference_value=then,
                ratio=f"median of {rounds} writes",
            )


if __name__ == "__main__":
    main()
