"""The learner list (search + filter + pagination) and a learner's record with N learners:
milliseconds per request through Django's full stack (test client, no network).

    python benchmarks/learner_list.py [--learners 100000] [--requests 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup, verified_client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    from tremplin.demo.accounts import load_accounts
    from tremplin.demo.catalog import load_catalogue
    from tremplin.demo.places import load_partners
    from tremplin.learners.models import Learner, Placement
    from tremplin.places.models import Establishment
    from tremplin.places.refdata import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data()
    load_partners()
    load_catalogue()
    load_accounts()
    rng = random.Random(7)
    establishments = list(Establishment.objects.values_list("id", flat=True))
    surnames = [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
        "Lefebvre",
        "Michel",
        "Garcia",
        "Diallo",
    ]
    firsts = ["Karim", "Julien", "Thomas", "Mehdi", "Kevin", "Nicolas", "Moussa", "Lucas"]
    Learner.objects.filter(reference__startswith="BL-").delete()
    started = time.perf_counter()
    Learner.objects.bulk_create(
        [
            Learner(
                reference=f"BL-{i:06d}",
                last_name=f"{rng.choice(surnames)}{i % 997}",
                first_name=rng.choice(firsts),
                birth_date=date(1970 + i % 35, 1 + i % 12, 1 + i % 28),
                kind="detained",
                status="placed" if i % 5 else "released",
                establishment_id=rng.choice(establishments),
            )
            for i in range(args.learners)
        ],
        batch_size=5_000,
    )
    ids = list(
        Learner.objects.filter(reference__startswith="BL-").values_list("id", "establishment_id")
    )
    Placement.objects.bulk_create(
        [
            Placement(learner_id=pk, kind="arrival", date=date(2024, 1, 1), establishment_id=e)
            for pk, e in ids
        ],
        batch_size=5_000,
    )
    print(
        f"{args.learners} learners loaded in {time.perf_counter() - started:.1f} s ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
    )

    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        rows = []
        some = ids[len(ids) // 2][0]
        for username, label, url in (
            ("coordination", "list, national, no filter", "/apprenants/"),
            ("coordination", "list, national, page 500", "/apprenants/?page=500"),
            ("coordination", "list, national, search 'Martin1'", "/apprenants/?q=Martin1"),
            ("coord-paris", "list, regional (DISP PARIS) + status", "/apprenants/?status=placed"),
            ("referent", "list, referent (9 establishments)", "/apprenants/"),
            ("coordination", "a learner's record", f"/apprenants/{some}/"),
        ):
            client = verified_client(username)  # second factor verified
            client.get(url)  # warm up
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times.sort()
            rows.append((label, statistics.median(times), times[int(len(times) * 0.99) - 1]))
    print(f"{'page':<44}{'p50 ms':>10}{'p99 ms':>10}")
    for label, p50, p99 in rows:
        print(f"{label:<44}{p50:>10.1f}{p99:>10.1f}")


if __name__ == "__main__":
    main()
