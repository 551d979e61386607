"""Webhooks, received by a small HTTP server on the loopback as a partner's would be: the
events of the services, HMAC-SHA256 signatures, retries with backoff, the delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.personal_world import Record
from tremplin.accounts.models import User
from tremplin.api.models import Event, WebhookDelivery, WebhookEndpoint
from tremplin.api.webhooks import RETRY_DELAYS, deliver_due, new_secret
from tremplin.catalog.models import Formation
from tremplin.core.models import DomainEvent
from tremplin.enrolment.certifications import award
from tremplin.enrolment.models import Certification
from tremplin.learners.services import release
from tremplin.orientation.models import Referral
from tremplin.orientation.services import move_referral
from tremplin.places.models import Commune

from .test_bulk import young_person  # noqa: F401  (fixture)
from .test_referral_moves import referral  # noqa: F401  (fixture)

Capture = Callable[..., Any]


class Receiver:
    """What the partner's server saw, and what it answers (a status per request, then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []

    def verify(self, secret: str, request: dict[str, Any]) -> bool:
        """The partner's check, as in docs/api.md."""
        timestamp = request["headers"]["X-Tremplin-Timestamp"]
        if abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest("sha256=" + expected, request["headers"]["X-Tremplin-Signature"])


@pytest.fixture(autouse=True)
def _local_partner(settings: Any) -> None:
    """The partner's server of these tests listens on 127.0.0.1 (refused unless allowed: see
    test_webhook_addresses.py)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
            status = seen.answers.pop(0) if seen.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}/hooks/tremplin"
    finally:
        server.shutdown()
        server.server_close()


def endpoint_for(url: str, *events: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=url, secret=new_secret(), events=list(events or Event.values)
    )


def test_a_referral_move_is_delivered_signed_and_the_partner_verifies_it(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint = endpoint_for(url, Event.REFERRAL_STATUS_CHANGED)
    staff = User.objects.get(username="centre-rennes")
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=staff)
    report = deliver_due()
    assert report.as_dict() == {"attempted": 1, "delivered": 1, "retried": 0, "failed": 0}
    [request] = seen.requests
    assert request["path"] == "/hooks/tremplin"
    assert request["headers"]["X-Tremplin-Event"] == "referral.status_changed"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert seen.verify(endpoint.secret, request)
    assert not seen.verify("whsec_another", request)
    payload = json.loads(request["body"])
    assert payload["event"] == "referral.status_changed"
    assert payload["id"] == request["headers"]["X-Tremplin-Delivery"]
    assert payload["data"] | {"at": None} == {
        "referral": referral.pk,
        "learner": "API-TJ-0001",
        "mission_locale": "DEMO-ML-STMALO",
        "centre": "DEMO-BRE",
        "formation": "CPN58",
        "from_status": "sent",
        "to_status": "contacted",
        "close_reason": "",
        "version": 2,
        "at": None,
        "by": "centre-rennes",
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "delivered",
        1,
        200,
    )
    assert [a.response_code for a in delivery.log.all()] == [200]


def test_a_process_killed_between_the_commit_and_its_callbacks_loses_no_event(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint_for(url, Event.REFERRAL_STATUS_CHANGED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    # The process dies here: the callbacks queued for after the commit never run.
    assert callbacks == []  # the webhook needs none: its event committed with the change
    assert WebhookDelivery.objects.count() == 0
    assert deliver_due().delivered == 1  # the next run (another process) reads the journal
    [request] = seen.requests
    assert json.loads(request["body"])["data"]["to_status"] == "contacted"
    assert deliver_due().attempted == 0  # and sends it once


def test_a_change_rolled_back_sends_nothing_nor_does_an_unsubscribed_event(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
) -> None:
    _, url = receiver
    endpoint_for(url, Event.CERTIFICATION_AWARDED)
    staff = User.objects.get(username="centre-rennes")
    before = DomainEvent.objects.count()  # the referral's own sending
    with pytest.raises(RuntimeError), transaction.atomic():
        move_referral(referral, "contact", by=staff)
        raise RuntimeError("the transaction fails after the move")
    assert DomainEvent.objects.count() == before
    move_referral(Referral.objects.get(pk=referral.pk), "contact", by=staff)
    assert DomainEvent.objects.count() == before + 1
    assert DomainEvent.objects.latest("sequence").kind == Event.REFERRAL_STATUS_CHANGED
    assert deliver_due().attempted == 0  # not subscribed
    assert WebhookDelivery.objects.count() == 0


def test_a_failed_delivery_is_retried_with_backoff_then_delivered(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint_for(url)
    seen.answers = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    start = timezone.now()
    assert deliver_due(now=start).retried == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_attempt_at == start + timedelta(minutes=1)
    assert delivery.last_response_code == 500
    assert deliver_due(now=start + timedelta(seconds=30)).attempted == 0  # not yet due
    assert deliver_due(now=start + timedelta(minutes=1)).retried == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + timedelta(minutes=6)
    assert deliver_due(now=start + timedelta(minutes=6)).delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [a.response_code for a in delivery.log.all()] == [500, 503, 200]
    assert len(seen.requests) == 3


def test_after_six_failed_attempts_a_delivery_fails(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint_for(url)
    seen.answers = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    now = timezone.now()
    waits = []
    for _ in range(6):
        deliver_due(now=now)
        delivery = WebhookDelivery.objects.get()
        if delivery.next_attempt_at is not None:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert waits == list(RETRY_DELAYS)
    assert delivery.status == "failed" and delivery.attempts == 6
    assert deliver_due(now=now + timedelta(days=1)).attempted == 0


def test_an_unreachable_endpoint_is_logged_and_retried(
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint_for("http://127.0.0.1:9/nobody")  # the discard port: nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    assert deliver_due().retried == 1
    attempt = WebhookDelivery.objects.get().log.get()
    assert attempt.response_code is None and attempt.error


def test_a_paused_endpoint_keeps_its_deliveries_waiting(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _, url = receiver
    endpoint = endpoint_for(url)
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert deliver_due().attempted == 0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True)
    assert deliver_due().delivered == 1


def test_an_awarded_certification_is_an_event(
    receiver: tuple[Receiver, str],
    world: dict[str, Record],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint_for(url, Event.CERTIFICATION_AWARDED)
    proposed = Certification.objects.create(
        learner=world["melun"].learner,
        formation=Formation.objects.get(code="CPN58"),
        academic_year="2025-2026",
        establishment=world["melun"].learner.establishment,
        credits=Decimal(30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        awarded = award(proposed, by=User.objects.get(username="coordination"))
    deliver_due()
    data = json.loads(seen.requests[0]["body"])["data"]
    assert data == {
        "certification": awarded.pk,
        "number": awarded.number,
        "learner": "API-MELUN-0001",
        "formation": "CPN58",
        "awarded_on": timezone.localdate().isoformat(),
        "academic_year": "2025-2026",
        "establishment": "CD MELUN",
        "credits": "30.0",
    }


def test_a_release_is_an_event_with_its_hand_over(
    receiver: tuple[Receiver, str],
    world: dict[str, Record],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seen, url = receiver
    endpoint_for(url, Event.LEARNER_RELEASED)
    learner = world["melun"].learner  # a pending enrolment: training in progress
    with django_capture_on_commit_callbacks(execute=True):
        release(
            learner,
            on=date.today(),
            commune=Commune.objects.get(code="35238"),  # Rennes
            by=User.objects.get(username="coordination"),
        )
    deliver_due()
    data = json.loads(seen.requests[0]["body"])["data"]
    assert data["learner"] == "API-MELUN-0001"
    assert data["establishment"] == "CD MELUN"
    assert data["release_commune"] == "35238"
    assert data["hand_over"]["centre"].startswith("DEMO-BRE")
    assert data["hand_over"]["status"] == "pending"


def test_the_command_delivers_and_says_what_it_did(
    receiver: tuple[Receiver, str],
    referral: Referral,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen, url = receiver
    endpoint_for(url)
    with django_capture_on_commit_callbacks(execute=True):
        move_referral(referral, "contact", by=User.objects.get(username="centre-rennes"))
    call_command("webhooks", "deliver", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {
        "attempted": 1,
        "delivered": 1,
        "retried": 0,
        "failed": 0,
    }
    assert len(seen.requests) == 1
