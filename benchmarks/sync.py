"""The establishment copy (issue 14): seconds and bytes of a copy with 300 learners and a year of
activity, both ways.

    python benchmarks/sync.py [--existing] [--learners 300] [--establishment "CD MELUN"] [--profile]

The centre is this process (SQLite under a temporary TREMPLIN_HOME, or the database DATABASE_URL
names); the copy is a real installation on SQLite in its own temporary TREMPLIN_HOME, driven
through the `tremplin` command as in an establishment (`env -u DATABASE_URL`). The centre's
steps are timed in process (the services the commands call, and the file written or read); the
copy's steps are the wall time of each `tremplin` command, its start-up included, which is
measured apart (a `tremplin sync` that stops at its arguments).

1. The centre: without `--existing` the ordinary demo (migrate, refdata, demo); with it the
   database already loaded (the national demo in `make bench`). One establishment (CD MELUN, or
   with `--existing` the one with the fewest placed learners if CD MELUN has many) is topped up
   to 300 placed learners (`SYNC-…`) with a year of activity, 2025-2026, written by the
   services' history variants: per learner an arrival, one application with its four steps,
   3 or 4 UE enrolments with their results, 4 to 6 interviews; 1 in 6 learners in the
   establishment's Émergence cohort (20 sessions with their attendance); the course material
   of the distance UEs (booklet, media, assignment: sent, handed, returned and graded); two
   exam sessions with a registration per enrolment.
2. `site create` (in process: seconds, file size), `site install` on an empty TREMPLIN_HOME.
3. A year of work on the copy (not timed here): a new result for every enrolment (one results
   grid), an interview per learner, a 2026-2027 Émergence cohort of 50 with 10 sessions and
   their attendance.
4. Copy → centre: `tremplin sync export` on the copy, `sync import` at the centre.
5. Centre → copy: `sync export --site` at the centre (the certifications the results led to,
   the merged values), `tremplin sync import` on the copy.

Target (the issue's): under 5 s for each export and each import. `--profile` runs the centre's
steps under cProfile and the copy's commands under `python -m cProfile` and prints where the
time goes (it makes every step slower: the figures of a profiled run are not the benchmark's).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, setup, vendor

TREMPLIN = str(Path(sys.executable).with_name("tremplin"))
TARGET = 5.0
PREFIX = "SYNC-"
YEAR = "2025-2026"
COPY_YEAR = "2026-2027"
TEACHER = "bench-sync-enseignant"
REFERENT = "bench-sync-referent"
RLE = "bench-sync-rle"
SEED = 20261204


# --- the copy: a `tremplin` command in its own TREMPLIN_HOME -------------------------------


def copy_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TREMPLIN_BENCH_RESULTS")
    }
    env["TREMPLIN_HOME"] = str(home)
    return env


def tremplin(home: Path, *args: str, profile: bool = False) -> tuple[float, str]:
    """Run `tremplin ARGS` in the copy: its wall time and its output."""
    command = [TREMPLIN, *args]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-s", "cumulative", *command]
    started = time.perf_counter()
    done = subprocess.run(command, env=copy_env(home), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tremplin {' '.join(args)} failed:\n{done.stderr}")
    if profile:
        print(f"--- profile of tremplin {' '.join(args)} (copy) ---")
        lines = done.stdout.splitlines()
        first = next(n for n, line in enumerate(lines) if "function calls" in line)
        print("\n".join(lines[first : first + 45]))
    return elapsed, done.stdout


def startup(home: Path) -> float:
    """A `tremplin sync` that stops at its arguments: Python, Django and the command, no work."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [TREMPLIN, "sync", "export"], env=copy_env(home), capture_output=True, check=False
        )
        times.append(time.perf_counter() - started)
    return min(times)


def summary_of(output: str) -> dict[str, Any]:
    """The JSON summary a command printed (`--format json`), before any profile."""
    document, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    return dict(document)


# --- the centre's establishment and its year ------------------------------------------------


def pick_establishment(existing: bool, wanted: str, learners: int) -> Any:
    from django.db.models import Count, Q

    from tremplin.learners.models import Learner
    from tremplin.places.models import Establishment

    ours = Learner.objects.filter(reference__startswith=PREFIX).values("establishment").first()
    if ours is not None:  # a second run on the same database: the same establishment
        return Establishment.objects.get(pk=ours["establishment"])
    establishment = Establishment.objects.get(label=wanted)
    placed = Learner.objects.filter(establishment=establishment, status="placed").count()
    if existing and placed > learners // 2:
        fewest = (
            Establishment.objects.annotate(
                placed=Count("learners", filter=Q(learners__status="placed"))
            )
            .order_by("placed", "label")
            .first()
        )
        assert fewest is not None
        return fewest
    return establishment


def accounts(establishment: Any, unit_ids: set[int]) -> dict[str, Any]:
    """The people who work there, the benchmark's own: a teacher of every UE of its learners
    (the demo's teacher grades only some), a referent and an RLE."""
    from tremplin.accounts.models import User
    from tremplin.core.roles import Role

    made = {}
    for username, role, last in (
        (TEACHER, Role.TEACHER, "Enseignant"),
        (REFERENT, Role.REFERENT, "Référent"),
        (RLE, Role.RLE, "RLE"),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, password=None, first_name="Banc", last_name=last, role=role
            )
        if role == Role.TEACHER:
            user.teaching_units.add(*unit_ids)
        else:
            user.establishments.add(establishment)
        made[username] = user
    return made


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def build_year(establishment: Any, count: int) -> dict[str, int]:
    """`count` placed learners at `establishment` with their year 2025-2026 (see the module's
    docstring), through the services' history variants."""
    from django.db import transaction

    from tremplin.accounts.models import User
    from tremplin.catalog.models import Modality, TeachingUnit
    from tremplin.core.roles import Role
    from tremplin.delivery.models import (
        Delivery,
        ExamRegistration,
        ExamSession,
        MaterialPackage,
    )
    from tremplin.delivery.services import ensure_package, insert_deliveries_history
    from tremplin.demo.learners import FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, SURNAMES
    from tremplin.emergence import services as emergence
    from tremplin.emergence.models import Attendance, Participant, Session
    from tremplin.enrolment.models import AbandonReason, Application, Enrolment, Result
    from tremplin.enrolment.services import (
        insert_applications_history,
        insert_enrolments_history,
    )
    from tremplin.followup.models import Interview
    from tremplin.followup.services import insert_interviews_history
    from tremplin.learners.models import Learner, Placement
    from tremplin.learners.services import insert_learners_history, insert_placements_history

    rng = random.Random(SEED)
    units = list(TeachingUnit.objects.order_by("code"))
    users = accounts(establishment, {u.pk for u in units})
    teacher, referent, rle = users[TEACHER], users[REFERENT], users[RLE]
    coordinator = User.objects.filter(role=Role.NATIONAL_COORDINATOR).order_by("pk").first()
    start = date(2025, 9, 1)

    with transaction.atomic():
        people = []
        for i in range(count):
            woman = rng.random() < 0.1
            first = rng.choice(FEMALE_FIRST_NAMES if woman else MALE_FIRST_NAMES)
            learner = Learner(
                reference=f"{PREFIX}{i:05d}",
                last_name=rng.choice(SURNAMES).upper(),
                first_name=first,
                birth_date=date(
                    1975 + rng.randrange(30), rng.randrange(1, 13), rng.randrange(1, 29)
                ),
                kind="detained",
                education_level=rng.choice(["none", "level_3", "level_3", "level_4", "level_5"]),
                status="placed",
                establishment=establishment,
            )
            learner.search_key = learner.compute_search_key()
            learner.created_at = learner.updated_at = at(date(2024, 6, 1))
            people.append(learner)
        insert_learners_history(people)
        arrivals = []
        for n, learner in enumerate(people):
            day = date(2024, 6, 1) + timedelta(days=rng.randrange(450))
            arrivals.append(
                Placement(
                    learner=learner,
                    kind="arrival",
                    date=day,
                    establishment=establishment,
                    numero_ecrou=f"{70000 + n}",
                    recorded_at=at(day),
                )
            )
        insert_placements_history(arrivals)

        # One application each, for 3 or 4 UEs, then the enrolments it made and their results.
        chosen = [rng.sample(units, rng.choice((3, 3, 4))) for _ in people]
        applications = []
        steps = []
        for learner in people:
            filed = start + timedelta(days=rng.randrange(20))
            applications.append(
                Application(
                    learner=learner,
                    academic_year=YEAR,
                    funding=rng.choice(["dap", "dap", "dap", "region", "cnam"]),
                    motivation="Reprendre une formation qualifiante pour préparer la sortie.",
                    status="enrolled",
                    rle_opinion="favourable",
                    rle_comment="Assidu aux cours de l'unité locale d'enseignement.",
                    created_by=rle,
                    created_at=at(filed),
                )
            )
            steps.append(
                [
                    ("", "submitted", rle, "", at(filed)),
                    ("submitted", "reviewed", rle, "Avis favorable", at(filed, 14)),
                    ("reviewed", "validated", coordinator, "", at(filed + timedelta(days=7))),
                    ("validated", "enrolled", coordinator, "", at(filed + timedelta(days=8))),
                ]
            )
        insert_applications_history(applications, [[u.pk for u in its] for its in chosen], steps)
        enrolments = []
        for learner, application, its_units in zip(people, applications, chosen, strict=True):
            for unit in its_units:
                roll = rng.random()
                grade: Decimal | None = None
                reason = ""
                if roll < 0.55:
                    result, grade = Result.VALIDATED, Decimal(rng.randrange(1000, 1900)) / 100
                elif roll < 0.75:
                    result, grade = Result.FAILED, Decimal(rng.randrange(200, 999)) / 100
                elif roll < 0.88:
                    result = Result.ABSENT
                else:
                    result, reason = Result.ABANDONED, AbandonReason.OTHER
                enrolments.append(
                    Enrolment(
                        learner=learner,
                        academic_year=YEAR,
                        unit=unit,
                        establishment=establishment,
                        application=application,
                        funding=application.funding,
                        result=result,
                        grade=grade,
                        abandon_reason=reason,
                        result_by=teacher,
                        result_at=at(date(2026, 6, 20)),
                    )
                )
        insert_enrolments_history(enrolments)

        interviews = []
        for learner in people:
            for _ in range(rng.randrange(4, 7)):
                day = start + timedelta(days=rng.randrange(300))
                interviews.append(
                    Interview(
                        learner=learner,
                        date=day,
                        duration_minutes=rng.choice((30, 45, 60)),
                        kind=rng.choice(["information_orientation", "training_followup"]),
                        referent=referent,
                        notes="Point sur le parcours et le projet de sortie.",
                        next_steps="Revoir le projet au prochain entretien.",
                        created_at=at(day),
                    )
                )
        insert_interviews_history(interviews)

        cohort, _ = emergence.ensure_cohort(
            establishment, YEAR, start_date=date(2025, 10, 6), facilitator="Banc Émergence"
        )
        participants = [Participant(cohort=cohort, learner=p) for p in people[::6]]
        sessions = [
            Session(
                cohort=cohort,
                date=date(2025, 10, 6) + timedelta(weeks=w),
                modality="on_site",
                topic=f"Atelier n° {w + 1}",
            )
            for w in range(20)
        ]
        Participant.objects.bulk_create(participants)  # their ids, for the attendance
        attendances = [
            Attendance(session=s, participant=p, present=rng.random() < 0.85)
            for s in sessions
            for p in participants
        ]
        emergence.insert_history((), sessions, attendances)

        distance = [
            e for e in enrolments if e.unit.modality in (Modality.DISTANCE, Modality.HYBRID)
        ]
        kits: dict[int, list[MaterialPackage]] = {}
        for unit in {e.unit for e in distance}:
            kits[unit.pk] = [
                ensure_package(unit, title=title, kind=kind, position=n)[0]
                for n, (title, kind) in enumerate(
                    (
                        ("Livret de cours n° 1", "booklet"),
                        ("Clé USB : exercices", "media"),
                        ("Devoir n° 1", "assignment"),
                    ),
                    start=1,
                )
            ]
        deliveries = []
        for e in distance:
            for package in kits[e.unit_id]:
                assignment = package.kind == "assignment"
                deliveries.append(
                    Delivery(
                        enrolment=e,
                        package=package,
                        sent_to=establishment,
                        sent_on=date(2025, 10, 13),
                        handed_on=date(2025, 10, 17),
                        returned_on=date(2025, 11, 14) if assignment else None,
                        grade=Decimal(rng.randrange(6, 19)) if assignment else None,
                        feedback="Travail sérieux." if assignment else "",
                        recorded_by=rle,
                    )
                )
        insert_deliveries_history(deliveries)

        exam_sessions = []
        for day in (date(2026, 1, 20), date(2026, 6, 9)):
            session = ExamSession.objects.create(
                establishment=establishment,
                starts_at=at(day, 8),
                room="Salle d'enseignement",
                invigilator="Banc Surveillance",
                created_by=rle,
            )
            session.units.set({e.unit_id for e in enrolments})
            exam_sessions.append(session)
        registrations = [
            ExamRegistration(
                session=exam_sessions[n % 2],
                enrolment=e,
                present=e.result != Result.ABSENT,
                extra_time_minutes=60 if n % 25 == 0 else 0,
            )
            for n, e in enumerate(enrolments)
            if e.result != Result.ABANDONED
        ]
        ExamRegistration.objects.bulk_create(registrations, batch_size=500)
    return {
        "learners": len(people),
        "applications": len(applications),
        "application steps": 4 * len(applications),
        "enrolments": len(enrolments),
        "interviews": len(interviews),
        "Émergence participants": len(participants),
        "Émergence sessions": len(sessions),
        "attendance lines": len(attendances),
        "deliveries": len(deliveries),
        "exam registrations": len(registrations),
    }


# --- the year on the copy (run inside the copy: `sync.py --copy-work`) ----------------------


def copy_work() -> None:
    """A year of work on the copy, through the services as its users: results, interviews,
    Émergence attendance. Prints what it did (JSON)."""
    from tremplin.accounts.models import User
    from tremplin.emergence import services as emergence
    from tremplin.enrolment.models import Enrolment, Result
    from tremplin.enrolment.services import ResultEntry, record_results
    from tremplin.followup.services import record_interview
    from tremplin.learners.models import Learner
    from tremplin.sync.selectors import copy_of

    started = time.perf_counter()
    rng = random.Random(SEED + 1)
    establishment = copy_of()
    teacher = User.objects.get(username=TEACHER)
    referent = User.objects.get(username=REFERENT)
    learners = list(
        Learner.objects.filter(establishment=establishment, status="placed").order_by("reference")
    )
    entries = []
    for e in Enrolment.objects.filter(learner__in=learners).order_by("pk"):
        grade = Decimal(rng.randrange(400, 1900)) / 100
        if grade == e.grade:
            grade += Decimal("0.25")
        result = Result.VALIDATED if grade >= 10 else Result.FAILED
        entries.append(ResultEntry(e.pk, result, grade))
    results = record_results(entries, by=teacher)
    today = date.today()
    for n, learner in enumerate(learners):
        record_interview(
            learner,
            on=today - timedelta(days=1 + n % 60),
            kind="training_followup",
            by=referent,
            duration_minutes=45,
            notes="Entretien en détention : suivi de la formation.",
        )
    cohort, _ = emergence.ensure_cohort(
        establishment, COPY_YEAR, start_date=date(2026, 9, 14), facilitator="Banc Émergence"
    )
    participants = [emergence.add_participant(cohort, learner) for learner in learners[1::6][:50]]
    lines = 0
    for week in range(10):
        session = emergence.save_session(
            cohort,
            on=date(2026, 9, 14) + timedelta(weeks=week),
            modality="on_site",
            topic="Atelier",
        )
        entries_ = [
            emergence.AttendanceEntry(p.pk, present=rng.random() < 0.85) for p in participants
        ]
        lines += emergence.record_attendance(session, entries_).changed
    print(
        json.dumps(
            {
                "results": results,
                "interviews": len(learners),
                "participants": len(participants),
                "attendance": lines,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


# --- the centre's own changes for the return bundle -----------------------------------------


def centre_work(establishment: Any) -> dict[str, int]:
    """What the centre decides meanwhile for the establishment (the return bundle): learners
    transferred in (with their history) and out, and next year's enrolments it makes."""
    from tremplin.accounts.models import User
    from tremplin.catalog.models import TeachingUnit
    from tremplin.core.roles import Role
    from tremplin.enrolment.models import Enrolment
    from tremplin.enrolment.services import save_enrolments
    from tremplin.learners.models import Learner
    from tremplin.learners.services import transfer
    from tremplin.places.models import Establishment

    coordinator = User.objects.filter(role=Role.NATIONAL_COORDINATOR).order_by("pk").first()
    elsewhere = Establishment.objects.exclude(pk=establishment.pk).order_by("label").first()
    assert elsewhere is not None
    day = date.today() - timedelta(days=1)
    incoming = list(
        Learner.objects.filter(status="placed", kind="detained")
        .exclude(establishment=establishment)
        .exclude(establishment__isnull=True)
        .order_by("pk")[:15]
    )
    outgoing = list(
        Learner.objects.filter(
            establishment=establishment, status="placed", reference__startswith=PREFIX
        ).order_by("-reference")[:15]
    )
    for learner in incoming:
        transfer(learner, to=establishment, on=day, by=coordinator)
    for learner in outgoing:
        transfer(learner, to=elsewhere, on=day, by=coordinator)
    staying = list(
        Learner.objects.filter(
            establishment=establishment, status="placed", reference__startswith=PREFIX
        ).order_by("reference")[:100]
    )
    # One UE none of them follows yet this year, for each of them.
    unit = (
        TeachingUnit.objects.exclude(
            pk__in=Enrolment.objects.filter(learner__in=staying, academic_year=COPY_YEAR).values(
                "unit_id"
            )
        )
        .order_by("code")
        .first()
    )
    new = [
        Enrolment(
            learner=learner,
            academic_year=COPY_YEAR,
            unit=unit,
            establishment=establishment,
            funding="dap",
        )
        for learner in staying
    ]
    save_enrolments(new, [], [], by=coordinator)
    return {
        "transferred in": len(incoming),
        "transferred out": len(outgoing),
        "enrolments": len(new),
    }


# --- the benchmark -----------------------------------------------------------------------


def timed(what: str, call: Callable[[], Any], profile: bool) -> tuple[float, Any]:
    """Run `call` at the centre: its seconds (and its profile with --profile)."""
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    value = call()
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        print(f"--- profile of {what} (centre, {vendor()}) ---")
        print(out.getvalue())
    return elapsed, value


def kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="in the loaded database")
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--establishment", default="CD MELUN")
    parser.add_argument("--profile", action="store_true", help="where the time goes")
    parser.add_argument("--copy-work", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.copy_work:
        setup(existing=True)
        copy_work()
        return

    work = Path(tempfile.mkdtemp(prefix="tremplin-bench-sync-"))
    home = work / "copy"
    home.mkdir()
    # The copy's empty installation (migrated, reference data), made while the centre loads.
    template = subprocess.Popen(
        ["bash", "-c", f"'{TREMPLIN}' migrate -v0 && '{TREMPLIN}' refdata load"],
        env=copy_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    setup(existing=args.existing)
    from django.core.management import call_command
    from django.db import connection

    from tremplin.learners.models import Learner
    from tremplin.sync import services
    from tremplin.sync.models import Peer

    started = time.perf_counter()
    if not args.existing:
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as devnull:
            call_command("refdata", "load", stdout=devnull)
            call_command("demo", "load", stdout=devnull)
    establishment = pick_establishment(args.existing, args.establishment, args.learners)
    placed = Learner.objects.filter(establishment=establishment, status="placed")
    if Learner.objects.filter(reference__startswith=PREFIX).exists():
        built = {"learners": 0}
    else:
        built = build_year(establishment, max(0, args.learners - placed.count()))
    for peer in Peer.objects.filter(establishment=establishment, revoked_at__isnull=True):
        services.revoke_site(peer.code)  # a second run: the previous copy's key
    print(
        f"centre ({vendor()}): {establishment.label}, {placed.count()} placed learners; "
        f"the year written in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in built.items())
    )
    _, err = template.communicate()
    if template.returncode:
        raise SystemExit(f"the copy's empty installation failed:\n{err.decode()}")

    # The copy file.
    create_s, created = timed(
        "site create", lambda: services.create_site(establishment), args.profile
    )
    site_file = work / f"{created.peer.code}.tremplin-site"
    site_file.write_bytes(created.data)
    site = created.peer.code
    start_s = startup(home)
    install_s, out = tremplin(
        home,
        "site",
        "install",
        str(site_file),
        "--code",
        created.code,
        "--format",
        "json",
        profile=args.profile,
    )
    installed = summary_of(out)
    print(
        f"site create: {created.records:,} records, {kb(len(created.data))}, {create_s:.2f} s; "
        f"site install: {installed['created']:,} records, {installed['accounts']} accounts, "
        f"{install_s:.2f} s (tremplin start-up {start_s:.2f} s)"
    )

    # A year on the copy.
    work_s = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--copy-work"],
        env=copy_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the year on the copy failed:\n{done.stderr}")
    year = summary_of(done.stdout)
    print(
        f"on the copy: {year['results']:,} results, {year['interviews']:,} interviews, "
        f"{year['participants']} Émergence participants, {year['attendance']:,} attendance lines "
        f"({time.perf_counter() - work_s:.0f} s)"
    )

    # Copy → centre.
    bundle = work / "copy-1.bundle"
    up_export_s, out = tremplin(
        home, "sync", "export", "-o", str(bundle), "--format", "json", profile=args.profile
    )
    up = summary_of(out)
    up_size = bundle.stat().st_size
    up_import_s, imported = timed(
        "sync import (copy → centre)",
        lambda: services.import_bundle(bundle.read_bytes()),
        args.profile,
    )

    # Centre → copy.
    decided = centre_work(establishment)
    print("at the centre: " + ", ".join(f"{v} {k}" for k, v in decided.items()))
    back = work / "centre-1.bundle"

    def centre_export() -> Any:
        data, summary = services.export_bundle(site)
        back.write_bytes(data)
        return summary

    down_export_s, down = timed("sync export --site (centre → copy)", centre_export, args.profile)
    down_size = back.stat().st_size
    down_import_s, out = tremplin(
        home, "sync", "import", str(back), "--format", "json", profile=args.profile
    )
    applied = summary_of(out)

    print(f"\ndatabase: centre {connection.vendor}, copy sqlite; tremplin start-up {start_s:.2f} s")
    print(f"{'step':<52}{'seconds':>9}{'size':>11}  records")
    rows = [
        ("site create (centre, in process)", create_s, len(created.data), created.records),
        ("site install (copy, tremplin)", install_s, len(created.data), installed["created"]),
        (
            "copy → centre: sync export (copy, tremplin)",
            up_export_s,
            up_size,
            up["records"] + up["deleted"],
        ),
        ("copy → centre: sync import (centre, in process)", up_import_s, up_size, imported.records),
        (
            "centre → copy: sync export --site (centre, in process)",
            down_export_s,
            down_size,
            down.records + down.deleted,
        ),
        (
            "centre → copy: sync import (copy, tremplin)",
            down_import_s,
            down_size,
            applied["records"],
        ),
    ]
    for what, seconds, size, records in rows:
        print(f"{what:<52}{seconds:>9.2f}{kb(size):>11}  {records:,}")
    print(
        f"copy → centre import: {imported.created:,} created, {imported.updated:,} updated, "
        f"{imported.conflicts} conflicts; centre → copy: {down.records:,} records and "
        f"{down.deleted:,} removals; its import: {applied['created']:,} created, "
        f"{applied['updated']:,} updated, {applied['deleted']:,} deleted, "
        f"{applied['conflicts']} conflicts"
    )

    scope = f"{placed.count()} learners, {created.records:,} records"
    startup_note = f"of which tremplin start-up {start_s:.2f} s"
    emit(f"site create ({scope}): seconds", create_s, "s", ratio=f"file {kb(len(created.data))}")
    emit(
        "site install on an empty TREMPLIN_HOME: seconds",
        install_s,
        "s",
        reference="tremplin start-up",
        reference_value=start_s,
        ratio=startup_note,
    )
    why = (
        "at the centre, the results that come from the copy have their consequences there: "
        "the certification rules run once per learner (enrolment/certifications.py "
        "detect_for_learners -> detect_certifications -> learner_paths, a path read per "
        "learner), "
        "about 40 % of the import; then Django's bulk_update of the enrolments (a CASE WHEN per "
        "field and row, sync/apply.py _update) and the audit rows of every journal event "
        "(core/audit.py from_journal); see benchmarks/README.md"
    )
    for what, seconds, size, copy_side in (
        ("copy → centre: sync export on the copy", up_export_s, up_size, True),
        ("copy → centre: sync import at the centre", up_import_s, up_size, False),
        ("centre → copy: sync export --site at the centre", down_export_s, down_size, False),
        ("centre → copy: sync import on the copy", down_import_s, down_size, True),
    ):
        emit(
            f"{what} (bundle {kb(size)})",
            seconds,
            "s",
            reference="tremplin start-up" if copy_side else "",
            reference_value=start_s if copy_side else None,
            ratio=startup_note if copy_side else "in process",
            target="< 5 s",
            met=seconds < TARGET,
            why=why,
        )
    emit("copy → centre bundle size", up_size / 1024, "KB", ratio=f"{up['records']:,} records")
    emit("centre → copy bundle size", down_size / 1024, "KB", ratio=f"{down.records:,} records")
    shutil.rmtree(work, ignore_errors=True)
    if not args.existing and connection.vendor == "sqlite":  # the centre's scratch database
        connection.close()
        shutil.rmtree(os.environ["TREMPLIN_HOME"], ignore_errors=True)


if __name__ == "__main__":
    main()
