"""`tremplin demo load --scale national`: minutes to load the national demo (186 establishments,
100,000 learners, 1,000,000 enrolments, interviews and referrals, 20,000 certifications) into an
empty database, as a user runs it (its progress bars on stderr).

    python benchmarks/national_load.py [--existing]

Without `--existing`: a throwaway SQLite database under a temporary TREMPLIN_HOME, or the
database DATABASE_URL names, which must hold no national demo yet (use a scratch database).
With `--existing`: the database of the environment (the suite's), migrated here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, emit, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true")
    args = parser.parse_args()
    setup(existing=args.existing)
    from django.core.management import call_command

    from tremplin.demo.national import already_loaded

    call_command("migrate", verbosity=0)
    if already_loaded():
        raise SystemExit("The national demo is already in this database: use a scratch one.")
    command = [sys.executable, "-m", "tremplin.cli", "demo", "load"]
    with open(os.devnull, "w") as devnull:
        subprocess.run(command, cwd=ROOT, check=True, stdout=devnull)  # the normal demo first
    started = time.perf_counter()
    out = subprocess.run(
        [*command, "--scale", "national"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    minutes = (time.perf_counter() - started) / 60
    sys.stderr.write(out.stderr)
    for line in out.stdout.splitlines():
        if line.startswith("Jeu national"):
            print(line)
    from tremplin.enrolment.models import Certification, Enrolment
    from tremplin.followup.models import Interview
    from tremplin.learners.models import Learner, Placement
    from tremplin.orientation.models import Referral, YouthProfile

    rows = sum(
        model.objects.count()
        for model in (
            Learner,
            Placement,
            Enrolment,
            Interview,
            Certification,
            YouthProfile,
            Referral,
        )
    )
    emit(
        "national demo load (tremplin demo load --scale national)",
        minutes,
        "min",
        reference="rows written",
        reference_value=rows,
        ratio=f"{rows / (minutes * 60):,.0f} rows/s",
        target="minutes, not hours",
        met=minutes < 30,
        why="",
    )


if __name__ == "__main__":
    main()
