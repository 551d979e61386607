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
then its second; the median of `--rounds` writes. The same after an interview of 2020-2021 is
updated (the referents' everyday writes, of which the bilan reads only its follow-up figures),
and after a mission locale sends a referral (the orientation flow's everyday writes, of which
the bilan reads only its orientation rows): in 2020-2021, and in a full year of referrals
(2024-2025: about 190,000; the national demo sends them from 2021-2022). The referrals sent are
deleted at the end. No target in issue 15 (its targets are the pages' medians, met by the
stored figures); printed beside the warm page for what a write costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, plain_static_settings, setup, vendor, verified_client

FULL_YEAR = "2020-2021"
#: A full year of the missions locales' referrals (the national demo sends them from 2021).
REFERRALS_YEAR = "2024-2025"


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

    from tremplin.catalog.academic import academic_year_bounds, academic_year_of
    from tremplin.enrolment.models import Enrolment
    from tremplin.followup.models import Interview
    from tremplin.orientation.models import Referral

    def write(year: str) -> None:
        """One enrolment of `year` updated in place: its year gets a new state."""
        pk = Enrolment.objects.filter(academic_year=year).order_by("pk").values("pk")[:1]
        if not Enrolment.objects.filter(pk__in=pk).update(version=F("version")):
            raise SystemExit(f"No enrolment in {year}: load the national demo.")

    def meet(year: str) -> None:
        """One interview of `year` updated in place: its year's follow-up gets a new state."""
        start, end = academic_year_bounds(year)
        pk = Interview.objects.filter(date__range=(start, end)).order_by("date").values("pk")
        if not Interview.objects.filter(pk__in=pk[:1]).update(kind=F("kind")):
            raise SystemExit(f"No interview in {year}: load the national demo.")

    sent: list[int] = []

    def send(year: str) -> None:
        """A referral sent in `year` (a copy of the first one, sent on the year's 100th day):
        its year's referrals get a new state. The copies are deleted at the end."""
        model = Referral.objects.order_by("pk").first()
        if model is None:
            raise SystemExit("No referral: load the national demo.")
        day = academic_year_bounds(year)[0] + timedelta(days=100)
        model.pk = None
        model.sent_at = timezone.make_aware(datetime.combine(day, clock(10)))
        model.save()
        sent.append(model.pk)

    current = academic_year_of(timezone.localdate())
    with plain_static_settings():
        print(
            f"| dashboard ({vendor()}) | after | as | first request after a write, ms | then, ms |"
        )
        print("|---|---|---|---|---|")
        measure(write, "an enrolment", [FULL_YEAR, current], args.rounds)
        measure(meet, "an interview", [FULL_YEAR], args.rounds)
        try:
            measure(send, "a referral", [FULL_YEAR, REFERRALS_YEAR], args.rounds)
        finally:
            Referral.objects.filter(pk__in=sent).delete()


def measure(write: Callable[[str], None], what: str, years: list[str], rounds: int) -> None:
    for year in years:
        url = f"/rapports/?year={year}"
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
            print(f"| {year} | {what} | {role} | {first:.0f} | {then:.0f} |", flush=True)
            emit(
                f"bilan dashboard {year}, {role}: first request after {what} written",
                first,
                "ms",
                reference="the request after it",
                reference_value=then,
                ratio=f"median of {rounds} writes",
            )


if __name__ == "__main__":
    main()
