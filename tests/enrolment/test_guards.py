"""Guards found by looking at the pages as users would."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.enrolment import services
from tremplin.enrolment.models import Application, Enrolment

pytestmark = pytest.mark.django_db


def test_an_application_for_a_validated_or_running_unit_is_refused(referent: User) -> None:
    record = make_record("G-0001", establishment="CD MELUN")  # pending in CCG101 this year
    Enrolment.objects.create(
        learner=record.learner,
        academic_year="2024-2025",
        unit=TeachingUnit.objects.get(code="CCG102"),
        result="validated",
        grade=Decimal(12),
    )
    with pytest.raises(ValidationError) as info:
        services.submit(
            record.learner,
            academic_year="2026-2027",
            formation=None,
            unit_codes=["CCG101", "CCG102", "CCG103"],
            funding="dap",
            by=referent,
        )
    assert "déjà validée(s) : CCG102" in str(info.value)
    assert "déjà en cours : CCG101" in str(info.value)


def test_enrolling_a_formation_skips_its_units_already_validated(
    coordinator: User, referent: User
) -> None:
    from tremplin.catalog.models import Formation

    record = make_record("G-0002", establishment="CD MELUN")
    Enrolment.objects.create(
        learner=record.learner,
        academic_year="2024-2025",
        unit=TeachingUnit.objects.get(code="CCG103"),
        result="validated",
        grade=Decimal(15),
    )
    application = services.submit(
        record.learner,
        academic_year="2027-2028",
        formation=Formation.objects.get(code="DIE3100"),
        unit_codes=[],
        funding="dap",
        by=referent,
    )
    application = services.move(application, "validate", by=coordinator)
    services.move(application, "enrol", by=coordinator)
    codes = set(
        Enrolment.objects.filter(learner=record.learner, academic_year="2027-2028").values_list(
            "unit__code", flat=True
        )
    )
    assert "CCG103" not in codes and "CCG104" in codes


def test_a_grid_whose_learners_changed_saves_nothing_and_says_why(
    client_as: Callable[[User], Client],
) -> None:
    record = make_record("G-0003", establishment="CD MELUN")
    teacher = client_as(User.objects.get(username="enseignant"))
    url = "/resultats/CCG101/2026-2027/"
    page = teacher.get(url)
    assert page.status_code == 200
    # Somebody enrols another learner meanwhile; the teacher posts the grid as it was.
    make_record("G-0004", establishment="CD MELUN")
    response = teacher.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-enrolment": str(record.enrolment.pk),
            "form-0-version": "1",
            "form-0-result": "validated",
            "form-0-grade": "15",
            "form-0-abandon_reason": "",
        },
    )
    assert response.status_code == 409
    assert "La liste des inscrits a changé" in response.content.decode()
    assert Enrolment.objects.get(pk=record.enrolment.pk).result == "pending"


def test_each_move_of_an_application_has_its_own_labelled_fields(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    record = make_record("G-0005", establishment="CD MELUN")
    page = client_as(coordinator).get(f"/candidatures/{record.application.pk}/").content.decode()
    for move in ("review", "refuse", "withdraw"):
        assert f'id="id_{move}-reason"' in page
    assert page.count('id="id_refuse-reason"') == 1


def test_the_application_move_uses_its_own_form(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    record = make_record("G-0006", establishment="CD MELUN")
    client_as(coordinator).post(
        f"/candidatures/{record.application.pk}/refuse/",
        {"refuse-reason": "Prérequis non remplis", "refuse-version": "1"},
    )
    application = Application.objects.get(pk=record.application.pk)
    assert application.status == "refused" and application.reason == "Prérequis non remplis"


def _pending_files() -> list[Path]:
    return sorted((Path(settings.TREMPLIN_HOME) / "imports").glob("*.csv"))


def test_a_preview_that_changes_nothing_keeps_no_file_and_a_kept_one_is_private(
    client_as: Callable[[User], Client], coordinator: User, tmp_path: Path, settings: object
) -> None:
    settings.TREMPLIN_HOME = tmp_path  # type: ignore[attr-defined]
    client = client_as(coordinator)
    header = "code,title,ects,modality,sector\n"
    same = (
        header
        + "CFA120,Comptabilité approfondie de l'entreprise,8,on_site,Comptabilité et gestion\n"
    )
    existing = TeachingUnit.objects.get(code="CFA120")
    same = (
        header
        + f"CFA120,{existing.title},{existing.ects},{existing.modality},{existing.sector.name}\n"
    )
    client.post("/imports/", {"kind": "teaching-units", "file": _upload(tmp_path, same)})
    assert _pending_files() == []
    new = header + "NFE301,Nouvelle UE,6,distance,Informatique\n"
    page = client.post(
        "/imports/", {"kind": "teaching-units", "file": _upload(tmp_path, new)}
    ).content.decode()
    (kept,) = _pending_files()
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post("/imports/", {"cancel": token})
    assert _pending_files() == []
    assert not TeachingUnit.objects.filter(code="NFE301").exists()


def _upload(folder: Path, content: str) -> object:
    path = folder / "fichier.csv"
    path.write_text(content, encoding="utf-8")
    return path.open("rb")
