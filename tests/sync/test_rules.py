"""The bundles' rules at their edges: the same record made on both sides is kept once, a copy
touches nothing outside its scope even with its own valid key, a bundle this version cannot
read is refused in French, a lost bundle is written again on request."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.personal_world import make_record
from tremplin.catalog.models import TeachingUnit
from tremplin.delivery.exams import add_candidates, create_session, remove_candidate
from tremplin.delivery.models import ExamRegistration
from tremplin.enrolment.models import Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment
from tremplin.sync import bundle, crypto, services
from tremplin.sync.models import Conflict, Node, Peer

from .conftest import Copy, centre_export, centre_scope

pytestmark = pytest.mark.django_db


def world() -> None:
    make_record("D26-0001", establishment="CD MELUN")
    make_record("D26-0002", establishment="CD MELUN")
    make_record("D26-0003", establishment="CP FRESNES")


def round_trip(peer: Peer, copy: Copy, work: Path, n: int) -> None:
    services.import_bundle(copy.export(f"up{n}.json").read_bytes())
    copy.import_(centre_export(peer, work, f"down{n}.json"))


def test_a_record_made_on_both_sides_is_kept_once_on_both_sides(
    make_copy: Any, tmp_path: Path
) -> None:
    world()
    starts = timezone.make_aware(datetime(2027, 1, 15, 9, 0))
    session = create_session(
        Establishment.objects.get(label="CD MELUN"),
        starts_at=starts,
        room="Salle 2",
        invigilator="M. Martin",
        units=[TeachingUnit.objects.get(code="CCG101")],
    )
    enrolment = Enrolment.objects.get(learner__reference="D26-0001")
    remove_candidate(ExamRegistration.objects.get(session=session, enrolment=enrolment))
    peer, copy = make_copy()
    # The same candidate registered on both sides before the next round trip.
    copy.python(
        "from tremplin.delivery.exams import add_candidates\n"
        "from tremplin.delivery.models import ExamSession\n"
        "from tremplin.enrolment.models import Enrolment\n"
        "add_candidates(ExamSession.objects.get(), "
        "[Enrolment.objects.get(learner__reference='D26-0001')])\n"
    )
    add_candidates(session, [enrolment])
    for n in range(2):
        round_trip(Peer.objects.get(pk=peer.pk), copy, tmp_path, n)
    assert ExamRegistration.objects.filter(session=session, enrolment=enrolment).count() == 1
    assert (
        copy.python(
            "from tremplin.delivery.models import ExamRegistration\n"
            "result = ExamRegistration.objects.filter(enrolment__learner__reference='D26-0001')"
            ".count()"
        )
        == 1
    )
    assert copy.scope() == centre_scope(Peer.objects.get(pk=peer.pk))
    assert Conflict.objects.filter(rule__startswith="en double").exists()


def _forged(copy: Copy, peer: Peer, payload: dict[str, Any], seq: int = 1) -> bytes:
    """A bundle signed with the copy's own key (a copy's key in the wrong hands)."""
    keys = copy.python(
        "from tremplin.sync.models import Node\n"
        "n = Node.objects.get()\nresult = [n.sign_key, n.box_key]"
    )
    centre = Node.objects.get()
    header = {
        "kind": "bundle",
        "from": peer.code,
        "to": "centre",
        "site": peer.code,
        "seq": seq,
        "ack": 0,
        "created_at": "2026-12-04T10:00:00+00:00",
    }
    sealed = bundle.seal_to(
        header,
        payload,
        crypto.KeyPair(*keys),
        crypto.KeyPair(centre.sign_key, centre.box_key).public,
    )
    return sealed.to_bytes()


def test_a_copy_key_touches_nothing_outside_the_copys_scope(make_copy: Any) -> None:
    world()
    peer, copy = make_copy()
    outsider = Learner.objects.get(reference="D26-0003")
    their_enrolment = Enrolment.objects.get(learner=outsider)
    [interview] = Interview.objects.filter(learner=outsider)
    before = (Interview.objects.count(), list(Enrolment.objects.values("grade", "result")))
    payload = {
        "rows": [
            [
                "followup.interview",
                "cd-melun:1000000000001",
                {
                    "learner": f"c:{outsider.pk}",
                    "date": "2026-11-30",
                    "kind": "training_followup",
                    "notes": "Forgé",
                    "next_steps": "",
                    "duration_minutes": None,
                    "referent": None,
                    "created_at": "2026-11-30T10:00:00+00:00",
                },
            ],
            [
                "enrolment.enrolment",
                f"c:{their_enrolment.pk}",
                {"result": "validated", "grade": "19.00"},
            ],
        ],
        "deleted": [["followup.interview", f"c:{interview.pk}"]],
    }
    summary = services.import_bundle(_forged(copy, peer, payload))
    assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0)
    assert (Interview.objects.count(), list(Enrolment.objects.values("grade", "result"))) == before
    assert (
        Conflict.objects.filter(
            peer=peer, rule="hors du périmètre de la copie : non retenu"
        ).count()
        == 2
    )


def test_a_bundle_this_version_cannot_read_is_refused_in_french_and_changes_nothing(
    make_copy: Any,
) -> None:
    world()
    peer, copy = make_copy()
    data = _forged(copy, peer, {"rows": [["nowhere.model", "c:1", {}]], "deleted": []})
    with pytest.raises(services.SyncRefused, match="ne correspond pas à cette version"):
        services.import_bundle(data)
    assert Peer.objects.get(pk=peer.pk).received_seq == 0


def test_a_lost_bundle_is_written_again_with_every_change_not_yet_acknowledged(
    make_copy: Any,
) -> None:
    world()
    _, copy = make_copy()
    script = (
        "from datetime import date\n"
        "from tremplin.accounts.models import User\n"
        "from tremplin.followup.services import record_interview\n"
        "from tremplin.learners.models import Learner\n"
        "record_interview(Learner.objects.get(reference='D26-0001'), on=date(2026, 11, {day}),"
        " kind='training_followup', by=User.objects.get(username='rle-melun'),"
        " notes='Entretien du {day}')\n"
    )
    copy.python(script.format(day=2))
    copy.export("lost.json")
    copy.python(script.format(day=3))
    second = copy.export("second.json")
    with pytest.raises(services.SyncRefused, match="envoi n° 1 attendu"):
        services.import_bundle(second.read_bytes())
    again = copy.work / "again.json"
    done = json.loads(
        copy.run("sync", "export", "--number", "1", "-o", str(again), "--format", "json").stdout
    )
    assert done["bundle"] == 1
    assert services.import_bundle(again.read_bytes()).created == 2
    assert set(
        Interview.objects.filter(notes__startswith="Entretien du").values_list("notes", flat=True)
    ) == {"Entretien du 2", "Entretien du 3"}
    refused = copy.run("sync", "export", "--number", "5", "-o", str(again), check=False)
    assert "ne peut pas être refait" in refused.stderr


def test_the_centre_names_a_copy_by_its_code_or_its_establishment(tmp_path: Path) -> None:
    world()
    peer = services.create_site(Establishment.objects.get(label="CD MELUN")).peer
    _, summary = services.export_bundle("CD MELUN")
    assert summary.site == peer.code == "cd-melun"
    services.revoke_site("CD MELUN")
    assert Peer.objects.get(pk=peer.pk).revoked_at is not None
