"""Whole cycles between the centre and an establishment copy: the copy holds its scope, edits on
both sides converge, a learner who leaves the establishment leaves its copy, and every bundle
that should not be applied is refused whole with a French reason, changing nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent, DomainEvent
from tremplin.enrolment.models import Application, Certification, Enrolment
from tremplin.enrolment.services import ResultEntry, move, record_results
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.learners.services import transfer
from tremplin.places.models import Establishment
from tremplin.sync import services
from tremplin.sync.apply import Applier
from tremplin.sync.models import Conflict, Peer, Shared

from .conftest import Copy, centre_export, centre_scope

pytestmark = pytest.mark.django_db

COPY_WORK = """
from datetime import date
from decimal import Decimal
from tremplin.accounts.models import User
from tremplin.enrolment.models import Application, Enrolment
from tremplin.enrolment.services import ResultEntry, move, record_results
from tremplin.followup.services import record_interview
from tremplin.learners.models import Learner
rle = User.objects.get(username="rle-melun")
teacher = User.objects.get(username="enseignant")
"""


def world() -> None:
    make_record("D26-0001", establishment="CD MELUN")
    make_record("D26-0002", establishment="CD MELUN")
    make_record("D26-0003", establishment="CP FRESNES")


def references(copy: Copy) -> list[str]:
    return list(
        copy.python(
            "from tremplin.learners.models import Learner\n"
            "result = sorted(Learner.objects.values_list('reference', flat=True))"
        )
    )


def state() -> dict[str, Any]:
    """What an import must not change when it refuses a bundle."""
    return {
        "learners": list(Learner.objects.order_by("pk").values()),
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "interviews": Interview.objects.count(),
        "events": DomainEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
        "peers": list(Peer.objects.order_by("pk").values()),
        "shared": Shared.objects.count(),
    }


def test_a_copy_holds_its_establishments_scope_and_nothing_else(make_copy: Any) -> None:
    world()
    peer, copy = make_copy()
    assert references(copy) == ["D26-0001", "D26-0002"]
    assert copy.scope() == centre_scope(peer)
    accounts = copy.python(
        "from tremplin.accounts.models import User\n"
        "result = sorted(User.objects.filter(is_active=True).values_list('username', flat=True))"
    )
    assert "rle-melun" in accounts and "enseignant" in accounts
    assert "rle-fresnes" not in accounts and "coordination" not in accounts
    assert copy.run("sync", "export", "-o", str(copy.work / "b.json")).stdout.startswith(
        "Envoi n° 1 pour cd-melun"
    )


def test_a_round_trip_brings_each_side_the_others_changes(make_copy: Any, tmp_path: Path) -> None:
    world()
    peer, copy = make_copy()
    copy.python(
        COPY_WORK
        + """
learner = Learner.objects.get(reference="D26-0001")
record_interview(learner, on=date(2026, 11, 30), kind="training_followup", by=rle,
                 notes="Vu en salle de cours")
enrolment = Enrolment.objects.get(learner=learner)
record_results([ResultEntry(enrolment.pk, "validated", Decimal("14.5"))], by=teacher)
move(Application.objects.get(learner=learner), "review", by=rle, opinion="favourable")
"""
    )
    summary = services.import_bundle(copy.export("b1.json").read_bytes())
    assert (summary.created, summary.updated, summary.conflicts) == (2, 2, 0)  # interview, step
    learner = Learner.objects.get(reference="D26-0001")
    assert Interview.objects.get(learner=learner, notes="Vu en salle de cours").referent is not None
    enrolment = Enrolment.objects.get(learner=learner)
    assert (enrolment.result, enrolment.grade) == ("validated", Decimal("14.50"))
    assert Application.objects.get(learner=learner).status == "reviewed"
    # Applied with the origin « sync », audited at the centre.
    assert AuditEvent.objects.filter(origin="sync", model="followup.Interview").exists()

    # The centre decides: the application validated, a learner transferred out, another in.
    coordinator = User.objects.get(username="coordination")
    move(Application.objects.get(learner=learner), "validate", by=coordinator)
    transfer(
        Learner.objects.get(reference="D26-0002"),
        to=Establishment.objects.get(label="CP FRESNES"),
        on=date(2026, 12, 1),
        by=coordinator,
    )
    transfer(
        Learner.objects.get(reference="D26-0003"),
        to=Establishment.objects.get(label="CD MELUN"),
        on=date(2026, 12, 1),
        by=coordinator,
    )
    done = json.loads(copy.import_(centre_export(peer, tmp_path, "r1.json")).stdout)
    assert done["bundle"] == 1 and done["conflicts"] == 0
    assert references(copy) == ["D26-0001", "D26-0003"]
    assert (
        copy.python(
            "from tremplin.enrolment.models import Application\n"
            "result = Application.objects.get(learner__reference='D26-0001').status"
        )
        == "validated"
    )
    assert copy.scope() == centre_scope(Peer.objects.get(pk=peer.pk))
    # Nothing left to send either way.
    assert (
        json.loads(
            copy.run("sync", "export", "-o", str(tmp_path / "b2.json"), "--format", "json").stdout
        )["records"]
        == 0
    )


def test_conflicting_edits_follow_the_written_rules_and_are_listed(
    make_copy: Any, tmp_path: Path
) -> None:
    world()
    peer, copy = make_copy()
    learner = Learner.objects.get(reference="D26-0001")
    enrolment = Enrolment.objects.get(learner=learner)
    # Both sides grade the same UE; the copy also renames the learner (the centre's field).
    copy.python(
        COPY_WORK
        + """
e = Enrolment.objects.get(learner__reference="D26-0001")
record_results([ResultEntry(e.pk, "failed", Decimal("8"))], by=teacher)
Learner.objects.filter(reference="D26-0001").update(last_name="RENOMMÉ")
"""
    )
    teacher = User.objects.get(username="enseignant")
    record_results([ResultEntry(enrolment.pk, "validated", Decimal("12"))], by=teacher)
    summary = services.import_bundle(copy.export("b1.json").read_bytes())
    enrolment.refresh_from_db()
    learner.refresh_from_db()
    # The results are the establishment's: its grade wins; the name is the centre's.
    assert (enrolment.result, enrolment.grade) == ("failed", Decimal("8.00"))
    assert learner.last_name == "NomD26-0001"
    rules = set(Conflict.objects.filter(peer=peer).values_list("field", "rule"))
    assert (
        "grade",
        "modifié des deux côtés : la valeur de l'établissement est retenue "
        "(champ de l'établissement)",
    ) in rules
    assert (
        "last_name",
        "champ décidé par le centre : la modification de la copie n'est pas retenue",
    ) in rules
    assert summary.conflicts == len(rules) >= 2
    copy.import_(centre_export(peer, tmp_path, "r1.json"))
    assert copy.scope() == centre_scope(Peer.objects.get(pk=peer.pk))


def test_a_copy_never_proposes_certifications_the_centre_does_when_the_results_arrive(
    make_copy: Any,
) -> None:
    world()
    Certification.objects.all().delete()
    _, copy = make_copy()
    proposed = copy.python(
        COPY_WORK
        + """
from tremplin.enrolment.certifications import detect_for_learners
result = len(detect_for_learners(Learner.objects.values_list("pk", flat=True)))
"""
    )
    assert proposed == 0


def _bundles(copy: Copy, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        copy.python(
            COPY_WORK
            + f"""
record_interview(Learner.objects.get(reference="D26-0001"), on=date(2026, 11, {n + 1}),
                 kind="training_followup", by=rle, notes="Entretien {n}")
"""
        )
        paths.append(copy.export(f"b{n + 1}.json"))
    return paths


def _refused(data: bytes, reason: str) -> None:
    before = state()
    with pytest.raises(services.SyncRefused) as refused:
        services.import_bundle(data)
    assert reason in " ".join(refused.value.messages)
    assert state() == before


def test_tampered_replayed_out_of_order_and_revoked_bundles_are_refused_and_change_nothing(
    make_copy: Any,
) -> None:
    world()
    peer, copy = make_copy()
    first, second, third = _bundles(copy, 3)
    data = bytearray(first.read_bytes())
    document = json.loads(data)
    cipher = document["ciphertext"]
    document["ciphertext"] = ("B" if cipher[10] != "B" else "C").join([cipher[:10], cipher[11:]])
    _refused(json.dumps(document).encode(), "la signature ne correspond pas")
    _refused(b"not a bundle", "ce n'est pas un fichier de synchronisation Tremplin")
    _refused(second.read_bytes(), "envoi n° 1 attendu, celui-ci est le n° 2")
    services.import_bundle(first.read_bytes())
    _refused(first.read_bytes(), "l'envoi n° 1 a déjà été importé")
    services.import_bundle(second.read_bytes())
    assert Interview.objects.filter(notes__startswith="Entretien").count() == 2
    services.revoke_site(peer.code)
    _refused(third.read_bytes(), "a été révoquée")


def test_a_bundle_for_another_copy_is_refused_there(make_copy: Any, tmp_path: Path) -> None:
    world()
    _, melun = make_copy("CD MELUN")
    fresnes = services.create_site(Establishment.objects.get(label="CP FRESNES")).peer
    for_fresnes = centre_export(fresnes, tmp_path, "fresnes.json")
    before = melun.scope()
    done = melun.import_(for_fresnes, check=False)
    assert done.returncode == 1
    assert "il est destiné à « cp-fresnes », cette copie est « cd-melun »" in done.stderr.replace(
        "\xa0", " "
    )
    assert melun.scope() == before


def test_an_import_that_fails_halfway_leaves_nothing(
    make_copy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world()
    _, copy = make_copy()
    [bundle] = _bundles(copy, 1)

    def crash(*args: Any) -> None:
        raise RuntimeError("coupure de courant")

    before = state()
    monkeypatch.setattr(Applier, "_journal", crash)
    with pytest.raises(RuntimeError):
        services.import_bundle(bundle.read_bytes())
    assert state() == before
    monkeypatch.undo()
    assert services.import_bundle(bundle.read_bytes()).created == 1


def test_a_new_copy_can_replace_a_revoked_one_and_the_old_key_stays_refused(
    make_copy: Any, tmp_path: Path
) -> None:
    world()
    peer, copy = make_copy()
    [old] = _bundles(copy, 1)
    with pytest.raises(services.SyncRefused, match="déjà une copie en service"):
        services.create_site(Establishment.objects.get(label="CD MELUN"))
    services.revoke_site(peer.code)
    replacement = services.create_site(Establishment.objects.get(label="CD MELUN")).peer
    assert replacement.code == "cd-melun-2"
    _refused(old.read_bytes(), "a été révoquée")
