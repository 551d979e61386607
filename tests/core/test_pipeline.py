"""One pipeline mechanism: applications, referrals and certifications move through the same `advance()` (lock,
version, role and scope from the declared moves, the move as data, one history shape, one
signal); an illegal move is refused in French."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.api.test_bulk import young_person  # noqa: F401  (fixture)
from tests.api.test_referral_moves import referral  # noqa: F401  (fixture)
from tests.enrolment.test_applications import submitted, user
from tests.enrolment.test_certifications import dgc_graduate
from tremplin.core.pipeline import status_changed
from tremplin.enrolment import certifications
from tremplin.enrolment import services as applications
from tremplin.enrolment.certifications import detect_certifications
from tremplin.enrolment.models import Certification
from tremplin.orientation import services as referrals
from tremplin.orientation.models import Referral

Signals = list[tuple[str, str, str, Any]]


@pytest.fixture
def signals() -> Iterator[Signals]:
    seen: Signals = []

    def receiver(
        sender: Any, instance: Any, from_status: str, to_status: str, by: Any, **_: Any
    ) -> None:
        seen.append((sender._meta.label, from_status, to_status, by.username))

    status_changed.connect(receiver)
    try:
        yield seen
    finally:
        status_changed.disconnect(receiver)


Case = tuple[Callable[..., Any], Callable[[], Any], str, str, str, str]


def cases(referral: Referral) -> dict[str, Case]:  # noqa: F811
    """(move function, record, a legal move, its user, an illegal move, a user who reads the
    record but whose role may not make the legal move)."""
    return {
        "application": (applications.move, submitted, "review", "rle-melun", "enrol", "referent"),
        "referral": (
            referrals.move_referral,
            lambda: referral,
            "contact",
            "centre-rennes",
            "enrol",
            "conseil-ml",
        ),
    }


@pytest.mark.parametrize("kind", ["application", "referral"])
def test_a_move_is_one_step_one_signal_and_a_new_version(
    kind: str,
    referral: Referral,  # noqa: F811
    signals: Signals,
) -> None:
    move, make, legal, username, _, _ = cases(referral)[kind]
    record = make()
    extra = {"opinion": "favourable"} if kind == "application" else {}
    moved = move(record, legal, by=user(username), version=record.version, **extra)
    assert moved.version == record.version + 1
    [(label, from_status, to_status, by)] = signals
    assert label == type(record)._meta.label
    assert (from_status, to_status, by) == (record.status, moved.status, username)
    history = moved.steps if kind == "application" else moved.events
    last = history.order_by("id").last()
    assert (last.from_status, last.to_status, last.by.username) == (from_status, to_status, by)


@pytest.mark.parametrize("kind", ["application", "referral"])
def test_an_illegal_move_a_stale_version_and_a_role_without_the_move_are_refused_in_french(
    kind: str,
    referral: Referral,  # noqa: F811
    signals: Signals,
) -> None:
    move, make, legal, username, illegal, other_role = cases(referral)[kind]
    record = make()
    extra = {"opinion": "favourable"} if kind == "application" else {}
    with pytest.raises(ValidationError, match=r"^\['Impossible de passer de « .+ » à « .+ »\.'\]$"):
        move(record, illegal, by=user("coordination"))
    with pytest.raises(ValidationError, match="modifiée entre-temps"):
        move(record, legal, by=user(username), version=record.version + 1, **extra)
    with pytest.raises(PermissionDenied, match="Votre rôle ne permet pas de"):
        move(record, legal, by=user(other_role), **extra)
    assert signals == []


@pytest.mark.django_db
def test_a_certification_moves_through_the_same_mechanism(signals: Signals) -> None:
    """Awarded then revoked through `advance()`: one signal and one history row per move; an
    illegal move and a role without the move are refused in French, changing nothing."""
    proposed = detect_certifications(dgc_graduate())[0]
    with pytest.raises(PermissionDenied, match="Seule la coordination nationale ou régionale"):
        certifications.award(proposed, by=user("referent"))
    assert signals == []
    awarded = certifications.award(proposed, by=user("coordination"))
    with pytest.raises(ValidationError, match=r"déjà délivrée .* ne peut pas être délivrée"):
        certifications.award(awarded, by=user("coordination"))
    revoked = certifications.revoke(awarded, by=user("coordination"), reason="Erreur de saisie.")
    assert [s[1:] for s in signals] == [
        ("proposed", "awarded", "coordination"),
        ("awarded", "revoked", "coordination"),
    ]
    assert [(e.status, e.by.username if e.by else None) for e in revoked.events.all()][1:] == [
        ("awarded", "coordination"),
        ("revoked", "coordination"),
    ]
    assert certifications.PIPELINE.model is Certification
