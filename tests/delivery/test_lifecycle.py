"""The lifecycle consequences (docs/lifecycle.md) are the same whatever the origin of the
event: each event is driven through every channel that can make it (the form, the CSV import,
the API) and must leave the same state and the same journal events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import token_for
from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.core.models import DomainEvent
from tremplin.delivery.exams import create_session
from tremplin.delivery.lifecycle import LIFECYCLE
from tremplin.delivery.models import ExamRegistration, ExamSession
from tremplin.delivery.selectors import waiting_handout
from tremplin.delivery.services import create_package, send_packages
from tremplin.enrolment.importers import EnrolmentImporter
from tremplin.enrolment.models import Application
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Learner
from tremplin.learners.movements import MovementImporter
from tremplin.places.models import Establishment

from ..conftest import login_verified

YEAR = "2026-2027"


@dataclass
class Scene:
    record: Record
    coordinator: User
    here: ExamSession
    there: ExamSession
    destination: Establishment

    @property
    def learner_row(self) -> str:
        learner = self.record.learner
        return (
            "reference,last_name,first_name,birth_date,kind,establishment,mission_locale\n"
            f"{learner.reference},{learner.last_name},{learner.first_name},"
            f"{learner.birth_date:%Y-%m-%d},detained,{self.destination.label},\n"
        )


@pytest.fixture
def scene(db: None) -> Scene:
    """A learner at CD MELUN, registered in a session there in 10 days (CCG101, pending); a
    session at MA ST MALO two days later covers the same UE; a course sent to CD MELUN waits to
    be handed out."""
    record = make_record("LIFE-0001", establishment="CD MELUN")
    unit = record.enrolment.unit
    soon = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    here = create_session(
        record.learner.establishment,
        starts_at=soon + timedelta(days=10),
        room="Salle 1",
        invigilator="M. Surveillant",
        units=[unit],
    )
    destination = Establishment.objects.get(label="MA ST MALO")
    there = create_session(
        destination,
        starts_at=soon + timedelta(days=12),
        room="Salle B",
        invigilator="Mme Surveillante",
        units=[unit],
    )
    assert here.registrations.count() == 1
    package = create_package(unit, title="Cours 1", kind="booklet", position=1, file=None)
    send_packages(record.learner.establishment, unit, [package], on=date.today(), by=None)
    return Scene(record, User.objects.get(username="coordination"), here, there, destination)


def web(scene: Scene) -> Client:
    return login_verified(Client(), scene.coordinator)


def transfer_by_form(scene: Scene) -> None:
    response = web(scene).post(
        reverse("learners:transfer", args=[scene.record.learner.pk]),
        {"establishment": scene.destination.pk, "date": date.today().isoformat()},
    )
    assert response.status_code == 302


def transfer_by_import(scene: Scene) -> None:
    LearnerImporter(user=scene.coordinator).run(scene.learner_row.encode())


def move_by_import(scene: Scene, movement: str, to: str) -> None:
    """The custody movements import (tremplin import movements)."""
    learner = scene.record.learner
    row = f";{learner.reference};{date.today():%d/%m/%Y};{movement};{learner.establishment.label};{to}"
    MovementImporter(user=scene.coordinator).run(
        ("Numéro d'écrou;Référence;Date;Mouvement;Depuis;Vers\n" + row + "\n").encode()
    )


def transfer_by_movements(scene: Scene) -> None:
    move_by_import(scene, "transfert", scene.destination.label)


def release_by_movements(scene: Scene) -> None:
    move_by_import(scene, "libération", "")


def release_by_form(scene: Scene) -> None:
    response = web(scene).post(
        reverse("learners:release", args=[scene.record.learner.pk]),
        {"date": date.today().isoformat(), "commune": ""},
    )
    assert response.status_code == 302


def result_row(scene: Scene) -> dict[str, str]:
    return {
        "learner": scene.record.learner.reference,
        "academic_year": YEAR,
        "teaching_unit": scene.record.enrolment.unit.code,
        "establishment": "CD MELUN",
        "result": "validated",
        "grade": "14",
    }


def validate_by_form(scene: Scene) -> None:
    enrolment = scene.record.enrolment
    url = reverse("enrolment:grid", args=[enrolment.unit.code, YEAR])
    response = web(scene).post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-enrolment": enrolment.pk,
            "form-0-version": enrolment.version,
            "form-0-result": "validated",
            "form-0-grade": "14",
            "form-0-abandon_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def validate_by_import(scene: Scene) -> None:
    row = result_row(scene)
    data = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    EnrolmentImporter(user=scene.coordinator).run(data.encode())


def validate_by_api(scene: Scene) -> None:
    token = token_for(scene.coordinator, read_only=False)
    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/results/bulk/", [result_row(scene)], content_type="application/json"
    )
    assert response.status_code == 200, response.json()


def registrations(scene: Scene) -> list[tuple[str, bool]]:
    return [
        (r.session.establishment.label, bool(r.flag))
        for r in ExamRegistration.objects.filter(enrolment=scene.record.enrolment)
    ]


def transferred(scene: Scene) -> dict[str, Any]:
    learner = scene.record.learner
    learner.refresh_from_db()
    return {
        "establishment": learner.establishment.label,
        "registrations": registrations(scene),  # moved to MA ST MALO, flagged as following
        "material at the new establishment": waiting_handout(
            scene.coordinator, scene.destination
        ).count(),
    }


def released(scene: Scene) -> dict[str, Any]:
    application = Application.objects.get(pk=scene.record.application.pk)
    return {
        "registrations": registrations(scene),
        "application": (application.status, application.reason),
        "material to hand out": waiting_handout(
            scene.coordinator, scene.record.learner.establishment
        ).count(),
    }


def validated(scene: Scene) -> dict[str, Any]:
    enrolment = scene.record.enrolment
    enrolment.refresh_from_db()
    return {"result": (enrolment.result, enrolment.grade), "registrations": registrations(scene)}


def merge_by_form(scene: Scene) -> None:
    """A second file of the same person (an application on it) merged into the scene's."""
    learner = scene.record.learner
    twin = Learner.objects.create(
        reference="LIFE-0002",
        last_name=learner.last_name.lower(),
        first_name=learner.first_name.upper(),
        birth_date=learner.birth_date,
        kind=learner.kind,
        status=learner.status,
        establishment=learner.establishment,
    )
    Application.objects.create(learner=twin, academic_year=YEAR, funding="dap")
    response = web(scene).post(
        reverse("learners:merge", args=[learner.pk]),
        {"other": twin.reference, "confirm": twin.reference},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def merged(scene: Scene) -> dict[str, Any]:
    learner = scene.record.learner
    return {
        "the other file": Learner.objects.get(reference="LIFE-0002").status,
        "applications": Application.objects.filter(learner=learner).count(),
    }


Driver = Callable[[Scene], None]
CASES: dict[str, tuple[str, Callable[[Scene], dict[str, Any]], dict[str, Driver]]] = {
    "learner.transferred": (
        "learners.learner",
        transferred,
        {
            "form": transfer_by_form,
            "import": transfer_by_import,
            "movements import": transfer_by_movements,
        },
    ),
    "learner.released": (
        "learners.learner",
        released,
        {"form": release_by_form, "movements import": release_by_movements},
    ),
    "enrolment.result_recorded": (
        "enrolment.enrolment",
        validated,
        {"form": validate_by_form, "import": validate_by_import, "api": validate_by_api},
    ),
    "learner.merged": ("learners.learner", merged, {"form": merge_by_form}),
}
EXPECTED: dict[str, dict[str, Any]] = {
    "learner.transferred": {
        "establishment": "MA ST MALO",
        "registrations": [("MA ST MALO", True)],
        "material at the new establishment": 1,
    },
    "learner.released": {
        "registrations": [],
        "application": ("withdrawn", "libération"),
        "material to hand out": 0,
    },
    "enrolment.result_recorded": {"result": ("validated", 14), "registrations": []},
    "learner.merged": {"the other file": "merged", "applications": 2},
}


@pytest.mark.parametrize(
    ("kind", "origin"),
    [(kind, origin) for kind, (_, _, drivers) in CASES.items() for origin in drivers],
)
def test_an_event_has_the_same_consequences_and_the_same_journal_whatever_its_origin(
    scene: Scene, kind: str, origin: str
) -> None:
    label, state, drivers = CASES[kind]
    drivers[origin](scene)
    assert state(scene) == EXPECTED[kind]
    journal = [
        (e.kind, e.model, e.origin, e.actor_id) for e in DomainEvent.objects.filter(kind__in=CASES)
    ]
    # "movements import" is an import: the journal's origin is the channel's last word.
    assert journal == [(kind, label, origin.split()[-1], scene.coordinator.pk)]


def test_every_declared_consequence_is_driven_by_the_lifecycle_test() -> None:
    assert {str(c.event) for c in LIFECYCLE} <= set(CASES)
