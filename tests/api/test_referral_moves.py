"""A write on one record: moving a referral along its pipeline, with If-Match."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, Referral
from tremplin.orientation.services import send_referral

from .conftest import Api
from .test_bulk import young_person  # noqa: F401  (fixture)


@pytest.fixture
def referral(young_person: Learner) -> Referral:  # noqa: F811
    counselor = User.objects.get(username="conseil-ml")
    offer = CentreOffer.objects.get(centre__code="DEMO-BRE", formation__code="CPN58")
    return send_referral(
        young_person,
        offer=offer,
        message="",
        by=counselor,
        now=timezone.now() - timezone.timedelta(days=2),
    )


def move(client: Any, referral: Referral, body: dict[str, str], **headers: str) -> Any:
    return client.post(
        f"/api/v1/referrals/{referral.pk}/move/",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_the_centre_moves_a_referral_with_the_etag_it_read(api: Api, referral: Referral) -> None:
    client = api("centre-rennes", read_only=False)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    response = move(client, referral, {"move": "contact"}, **{"If-Match": etag})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "contacted"
    assert response["ETag"] != etag
    assert client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"] == response["ETag"]
    event = AuditEvent.objects.filter(action="transition").order_by("-id").first()
    assert event is not None and event.object_id == str(referral.pk)
    assert event.summary.endswith("Envoyée → Jeune contacté par le centre")


def test_a_stale_if_match_is_a_412_and_changes_nothing(api: Api, referral: Referral) -> None:
    client = api("centre-rennes", read_only=False)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    assert move(client, referral, {"move": "contact"}).status_code == 200  # someone else moved
    stale = move(client, referral, {"move": "meet"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Referral.objects.get(pk=referral.pk).status == "contacted"


def test_an_impossible_move_is_a_400_in_french(api: Api, referral: Referral) -> None:
    response = move(api("centre-rennes", read_only=False), referral, {"move": "enrol"})
    assert response.status_code == 400
    assert "Impossible de passer" in response.json()["detail"]


def test_a_body_in_error_names_its_fields_in_the_shape_of_every_error(
    api: Api, referral: Referral
) -> None:
    response = move(api("centre-rennes", read_only=False), referral, {"move": "fly"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["move"]
    assert body["detail"].startswith("move\u00a0:")


def test_closing_needs_a_reason(api: Api, referral: Referral) -> None:
    client = api("conseil-ml", read_only=False)
    assert move(client, referral, {"move": "close"}).status_code == 400
    closed = move(client, referral, {"move": "close", "reason": "other_path"})
    assert closed.json()["status"] == "closed"


def test_a_move_outside_the_scope_is_a_404_and_a_role_without_the_move_a_403(
    api: Api, referral: Referral
) -> None:
    assert move(api("rle-melun", read_only=False), referral, {"move": "contact"}).status_code == 404
    refused = move(api("conseil-ml", read_only=False), referral, {"move": "contact"})
    assert refused.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_a_read_only_token_cannot_move_a_referral(api: Api, referral: Referral) -> None:
    assert move(api("centre-rennes"), referral, {"move": "contact"}).status_code == 403


def test_the_weak_etag_of_a_compressed_read_is_the_tag_read(
    api: Api, referral: Referral, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that accepts gzip reads `W/"…"` (the compression middleware weakens the tag of
    a compressed answer): sending it back in If-Match moves the referral, a stale one does not."""
    from tremplin.core.http import CompressionMiddleware

    # The referral's 345 bytes compress to 246 plus up to 100 random bytes (Django's padding
    # against BREACH): one read in six or so came out no smaller, hence sent uncompressed.
    monkeypatch.setattr(CompressionMiddleware, "max_random_bytes", 0)
    client = api("centre-rennes", read_only=False)
    read = client.get(f"/api/v1/referrals/{referral.pk}/", headers={"Accept-Encoding": "gzip"})
    assert read["Content-Encoding"] == "gzip"
    weak = read["ETag"]
    assert weak.startswith('W/"')
    assert (
        client.get(f"/api/v1/referrals/{referral.pk}/", headers={"If-None-Match": weak}).status_code
        == 304
    )
    moved = move(client, referral, {"move": "contact"}, **{"If-Match": weak})
    assert moved.status_code == 200, moved.json()
    assert move(client, referral, {"move": "meet"}, **{"If-Match": weak}).status_code == 412
