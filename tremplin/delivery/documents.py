"""Printed documents of the distance teaching in detention: the weekly delivery slip of an
establishment, a learner's offline pack (the files of their packages in a ZIP, with its cover
sheet), the exam convocations and attendance sheet, and the "passeport formation" a released
learner takes to the Cnam centre."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO

from django.utils import timezone
from django.utils.text import slugify

from tremplin.catalog.models import TeachingUnit
from tremplin.core.pdf import render_pdf
from tremplin.enrolment.certifications import followed_paths, french_number, validated_units
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment

from .models import Delivery, ExamSession, HandOver, MaterialPackage
from .selectors import Candidate, PackUnit, week_of


def delivery_slip_pdf(establishment: Establishment, deliveries: list[Delivery], day: date) -> bytes:
    monday, sunday = week_of(day)
    return render_pdf(
        "delivery/pdf/slip.html",
        {
            "establishment": establishment,
            "deliveries": deliveries,
            "monday": monday,
            "sunday": sunday,
            "issued_on": timezone.localdate(),
        },
    )


# --------------------------------------------------------------------------------------------
# A learner's offline pack
# --------------------------------------------------------------------------------------------

#: The name of the cover sheet inside the pack.
COVER_SHEET = "00-page-de-garde.pdf"
#: Formats already compressed: stored as they are in the ZIP.
COMPRESSED = frozenset({".mp3", ".mp4", ".zip", ".epub", ".png", ".jpg", ".jpeg", ".docx", ".odt"})


@dataclass(frozen=True)
class PackEntry:
    """One package of the pack: where its file is in the ZIP, or why it is not there."""

    package: MaterialPackage
    path: str = ""
    missing: str = ""  # "fichier absent", "aucun fichier joint", or "" when in the ZIP


#: Per UE of the pack, its entries.
PackRows = list[tuple[TeachingUnit, list[PackEntry]]]


def _entry_path(package: MaterialPackage, taken: set[str]) -> str:
    suffix = PurePosixPath(package.file.name or "").suffix.lower()
    stem = f"{package.unit.code}/{package.position:02d}-{slugify(package.title) or 'support'}"
    path, n = f"{stem}{suffix}", 2
    while path in taken:
        path, n = f"{stem}-{n}{suffix}", n + 1
    taken.add(path)
    return path


def pack_rows(units: list[PackUnit]) -> PackRows:
    """The entries of the pack: a path in the ZIP for each file found in the storage; "fichier
    absent" for a file the storage lost, "aucun fichier joint" for a package without one."""
    taken = {COVER_SHEET}
    rows: PackRows = []
    for pack_unit in units:
        entries = []
        for package in pack_unit.packages:
            if not package.file:
                entries.append(PackEntry(package, missing="aucun fichier joint"))
            elif not package.file.storage.exists(package.file.name or ""):
                entries.append(PackEntry(package, missing="fichier absent"))
            else:
                entries.append(PackEntry(package, path=_entry_path(package, taken)))
        rows.append((pack_unit.unit, entries))
    return rows


def write_offline_pack(
    target: IO[bytes],
    learner: Learner,
    establishment: Establishment,
    units: list[PackUnit],
    *,
    digital_allowed: bool,
) -> PackRows:
    """Write the learner's pack into `target`: the file of each package, per UE, and the cover
    sheet listing them. Returns the rows the cover sheet lists."""
    rows = pack_rows(units)
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for _unit, entries in rows:
            for index, entry in enumerate(entries):
                if not entry.path:
                    continue
                info = zipfile.ZipInfo(entry.path, date_time=stamp)
                suffix = PurePosixPath(entry.path).suffix
                info.compress_type = (
                    zipfile.ZIP_STORED if suffix in COMPRESSED else zipfile.ZIP_DEFLATED
                )
                file = entry.package.file
                try:
                    with (
                        file.storage.open(file.name or "", "rb") as source,
                        archive.open(info, "w", force_zip64=True) as sink,
                    ):
                        shutil.copyfileobj(source, sink, 1024 * 1024)
                except OSError:  # lost between the check and the reading
                    entries[index] = PackEntry(entry.package, missing="fichier absent")
        info = zipfile.ZipInfo(COVER_SHEET, date_time=stamp)
        archive.writestr(
            info,
            pack_cover_pdf(learner, establishment, rows, digital_allowed=digital_allowed),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return rows


def pack_cover_pdf(
    learner: Learner, establishment: Establishment, rows: PackRows, *, digital_allowed: bool
) -> bytes:
    """The printable cover sheet of the pack: who, where, the UEs and, per UE, the packages
    with their kind and whether their file is in the pack."""
    return render_pdf(
        "delivery/pdf/pack_cover.html",
        {
            "learner": learner,
            "establishment": establishment,
            "rows": rows,
            "digital_allowed": digital_allowed,
            "issued_on": timezone.localdate(),
        },
    )


def _session_context(session: ExamSession) -> dict[str, object]:
    return {
        "session": session,
        "starts_at": timezone.localtime(session.starts_at),
        "units": list(session.units.order_by("code")),
        "issued_on": timezone.localdate(),
    }


def convocation_pdf(session: ExamSession, candidate: Candidate) -> bytes:
    return render_pdf(
        "delivery/pdf/convocation.html",
        {**_session_context(session), "candidate": candidate},
    )


def attendance_pdf(session: ExamSession, candidates: list[Candidate]) -> bytes:
    return render_pdf(
        "delivery/pdf/attendance.html",
        {**_session_context(session), "candidates": candidates},
    )


def passport_pdf(hand_over: HandOver | None, learner: object) -> bytes:
    """The "passeport formation": validated UEs, certifications, the formations in progress and
    what remains, the pending UEs, and the contact of the Cnam centre."""
    assert isinstance(learner, Learner)
    validated = (
        Enrolment.objects.filter(learner=learner, result=Result.VALIDATED)
        .select_related("unit")
        .order_by("academic_year", "unit__code")
    )
    pending = (
        Enrolment.objects.filter(learner=learner, result=Result.PENDING)
        .select_related("unit")
        .order_by("unit__code")
    )
    certifications = (
        Certification.objects.filter(learner=learner, status=Certification.Status.AWARDED)
        .select_related("formation")
        .order_by("awarded_on")
    )
    paths = [p for p in followed_paths(learner) if p.certification is None or not p.progress.met]
    return render_pdf(
        "delivery/pdf/passport.html",
        {
            "learner": learner,
            "validated": list(validated),
            "credits": french_number(sum(validated_units(learner).values(), Decimal(0))),
            "pending": list(pending),
            "certifications": list(certifications),
            "paths": paths,
            "hand_over": hand_over,
            "issued_on": timezone.localdate(),
        },
    )
