"""The orientation at national scale: 436 missions locales, 500 Cnam centres and 1,000,000
referrals over two years; seconds for the figures (`referral_stats`) and for the coordinators'
statistics page through Django's full stack, national and narrowed, against the bare SQL count
of the same referrals.

    python benchmarks/orientation_stats.py [--referrals 1000000] [--young 200000] [--runs 5]

The referrals are spread over two years with every status, from each mission locale mostly to its
nearest centres (one in ten at distance), first contacts after about six days on average; a young
person is referred five times on average (the learners table is not what is measured here).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, setup, verified_client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--young", type=int, default=200_000)
    parser.add_argument("--missions-locales", type=int, default=436)
    parser.add_argument("--centres", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--existing", action="store_true", help="the loaded referrals")
    args = parser.parse_args()
    setup(existing=args.existing)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tremplin.accounts.models import User
    from tremplin.catalog.models import Formation
    from tremplin.core.roles import Role
    from tremplin.core.rows import fast_insert
    from tremplin.demo.catalog import load_catalogue
    from tremplin.learners.models import Learner
    from tremplin.orientation.models import CloseReason, Referral, month_of
    from tremplin.orientation.proposals import _haversine_km
    from tremplin.orientation.stats import referral_stats
    from tremplin.places.models import CnamCentre, Commune, MissionLocale, size_class

    settings.ALLOWED_HOSTS = ["testserver"]
    # The pages render without collected static files (their URLs only are written).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if args.existing:
        missions = list(MissionLocale.objects.order_by("code").values_list("id", flat=True))
        centres = [
            (pk, "", None)
            for pk in CnamCentre.objects.order_by("code").values_list("id", flat=True)
        ]
        print(
            f"{connection.vendor}: {len(missions)} missions locales, {len(centres)} centres, "
            f"{Referral.objects.count():,} referrals (the loaded ones)"
        )
    else:
        call_command("migrate", verbosity=0)
        from tremplin.places.refdata import load_reference_data

        load_reference_data()
        load_catalogue()
        rng = random.Random(11)
        started = time.perf_counter()
        communes = list(
            Commune.objects.filter(kind="commune", latitude__isnull=False, population__gte=2_000)
            .order_by("code")
            .values_list("code", "region_id", "population")
        )
        Referral.objects.filter(centre__code__startswith="NB-").delete()
        Learner.objects.filter(reference__startswith="NBY-").delete()
        CnamCentre.objects.filter(code__startswith="NB-").delete()
        MissionLocale.objects.filter(code__startswith="NB-").delete()
        MissionLocale.objects.bulk_create(
            [
                MissionLocale(
                    code=f"NB-ML-{i:03d}", name=f"Mission locale de test {i}", commune_id=c
                )
                for i, (c, _, _) in enumerate(rng.sample(communes, args.missions_locales))
            ]
        )
        CnamCentre.objects.bulk_create(
            [
                CnamCentre(
                    code=f"NB-{i:04d}",
                    name=f"Centre de test {i}",
                    kind="teaching",
                    commune_id=c,
                    region_id=region,
                )
                for i, (c, region, _) in enumerate(rng.sample(communes, args.centres))
            ]
        )
        missions = list(
            MissionLocale.objects.filter(code__startswith="NB-").values_list("id", flat=True)
        )
        centres = [
            (pk, size_class(population) or "", (lat, lon))
            for pk, population, lat, lon in CnamCentre.objects.filter(
                code__startswith="NB-"
            ).values_list("id", "commune__population", "commune__latitude", "commune__longitude")
        ]
        # As in life, a mission locale refers its young people to the centres within reach: mostly
        # to its 12 nearest centres (the nearest most often), one referral in ten at distance to one
        # of the centres that teach at distance (one centre in ten).
        ml_points = {
            pk: (lat, lon)
            for pk, lat, lon in MissionLocale.objects.filter(code__startswith="NB-").values_list(
                "id", "commune__latitude", "commune__longitude"
            )
        }
        remote_centres = centres[::10]
        reachable = {
            ml: sorted(centres, key=lambda c: _haversine_km(point, c[2]))[:12]
            for ml, point in ml_points.items()
        }
        weights = [1 / (rank + 1) for rank in range(12)]
        Learner.objects.bulk_create(
            [
                Learner(
                    reference=f"NBY-{i:07d}",
                    last_name=f"Nom{i}",
                    first_name="Prénom",
                    birth_date=date(2004, 1, 1),
                    kind="youth",
                    status="placed",
                    mission_locale_id=rng.choice(missions),
                )
                for i in range(args.young)
            ],
            batch_size=10_000,
        )
        young = list(
            Learner.objects.filter(reference__startswith="NBY-").values_list(
                "id", "mission_locale_id"
            )
        )
        formations = list(Formation.objects.values_list("id", flat=True))
        first_day = timezone.make_aware(datetime(2024, 11, 1, 9))
        statuses = ["sent", "contacted", "information_meeting", "enrolled", "closed", "closed"]
        reasons = [c.value for c in CloseReason]
        batch: list[Referral] = []
        for _ in range(args.referrals):
            learner, mission = rng.choice(young)
            if rng.random() < 0.1:
                centre, town_size, _ = rng.choice(remote_centres)
            else:
                centre, town_size, _ = rng.choices(reachable[mission], weights)[0]
            sent_at = first_day + timedelta(minutes=rng.randrange(730 * 24 * 60))
            status = rng.choice(statuses)
            contacted = status != "sent" and not (status == "closed" and rng.random() < 0.4)
            # Most centres answer within days, some after weeks.
            days = min(int(rng.expovariate(1 / 6)), 90) if contacted else None
            batch.append(
                Referral(
                    learner_id=learner,
                    mission_locale_id=mission,
                    centre_id=centre,
                    formation_id=rng.choice(formations),
                    modality=rng.choice(("on_site", "hybrid", "distance")),
                    size_class=town_size,
                    status=status,
                    close_reason=rng.choice(reasons) if status == "closed" else "",
                    sent_at=sent_at,
                    sent_month=month_of(sent_at),
                    first_contact_at=sent_at + timedelta(days=days) if days is not None else None,
                    first_contact_days=days,
                )
            )
            if len(batch) == 50_000:
                fast_insert(Referral, batch)
                batch = []
        fast_insert(Referral, batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.missions_locales} missions locales, {args.centres} centres, "
            f"{Referral.objects.count():,} referrals, loaded in {time.perf_counter() - started:.0f} s"
        )

    def timed(label: str, call: Callable[[], object]) -> float:
        call()  # warm the caches
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            call()
            times.append(time.perf_counter() - begin)
        median = statistics.median(times)
        print(f"{label:<58} {median:6.3f} s (min {min(times):.3f}, max {max(times):.3f})")
        return median

    def bare_count() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT mission_locale_id, centre_id, COUNT(*) FROM orientation_referral "
                "GROUP BY mission_locale_id, centre_id"
            )
            return cursor.fetchall()

    region = CnamCentre.objects.filter(pk=centres[0][0]).values_list("region_id", flat=True)[0]
    coordinator, _ = User.objects.get_or_create(
        username="bench-coordination", defaults={"role": Role.NATIONAL_COORDINATOR}
    )
    client = verified_client(coordinator.username)

    def page(query: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(f"/orientation/statistiques/?{query}")
            assert response.status_code == 200, response.status_code
            return response

        return get

    bare = timed("bare SQL: count per (mission locale, centre), all time", bare_count)
    whole = timed("figures, all time, whole country", lambda: referral_stats())
    timed("figures, calendar year 2025, whole country", lambda: referral_stats(year=2025))
    timed("figures, 2025-2026, one region", lambda: referral_stats(year="2025-2026", region=region))
    timed(
        "figures, 2025-2026, one mission locale",
        lambda: referral_stats(year="2025-2026", mission_locale=missions[0]),
    )
    timed(
        "figures, 2025-2026, one centre",
        lambda: referral_stats(year="2025-2026", centre=centres[0][0]),
    )
    timed("statistics page, 2025, whole country (full stack)", page("period=2025"))
    timed("statistics page, all time, whole country", page("period="))
    timed("statistics page, 2025, one region", page(f"period=2025&region={region}"))
    # What the statistician's first page after a write to the year waits for: the masks of
    # every published page of the year, decided again (stored per state of the year's data).
    from tremplin.orientation.publication import decide

    masks = timed(
        "published masks of 2025-2026, decided (after a write)", lambda: decide(5, "2025-2026")
    )
    print(f"figures / bare SQL count: {whole / bare:.1f}x")
    emit(
        "published orientation masks of a year, decided after a write to it",
        masks,
        "s",
        ratio="once per change of the year's data; every page then reads them stored",
    )
    emit(
        "orientation statistics, all time, whole country",
        whole,
        "s",
        reference="bare SQL count per (mission locale, centre)",
        reference_value=bare,
        ratio=f"{whole / bare:.1f}x the bare count",
    )


if __name__ == "__main__":
    main()
