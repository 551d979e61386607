"""Sending webhooks: each POST is signed with HMAC-SHA256 over "<timestamp>.<body>" with the
endpoint's secret (`X-Tremplin-Signature: sha256=<hex>`, `X-Tremplin-Timestamp: <unix
seconds>`). A 2xx answer delivers it; anything else is retried after 1 min, 5 min, 30 min, 2 h
and 12 h, then the delivery is marked failed. Every attempt is logged.

The deliveries come from the domain event journal (`core.DomainEvent`, the transactional
outbox): each run first turns the journal's events that an endpoint subscribed to into that
endpoint's deliveries (once each: a unique constraint), then sends what is due. An event that
committed is therefore delivered even if the process died right after the commit."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tremplin.core.models import DomainEvent

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
#: The whole delivery (connect, send, answer) must not take longer.
TIMEOUT_SECONDS = 5.0
#: While one `deliver` holds a delivery, another run leaves it alone this long.
LEASE = timedelta(minutes=2)
USER_AGENT = "Tremplin-Webhooks/1"
#: A transaction commits within this delay: the journal's events older than it all committed, so
#: an endpoint's cursor may pass them (a newer gap may still be filled by a slower transaction).
SETTLE = timedelta(minutes=10)
Status = WebhookDelivery.Status


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def body_of(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (also in docs/api.md): recompute, compare in constant time, and
    refuse a timestamp more than `tolerance` seconds away."""
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return skew <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer like another: not followed, not a success


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Outcome:
    code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
    body = body_of(delivery.payload)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (http or https: checked by the form)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Tremplin-Event": delivery.event,
            "X-Tremplin-Delivery": str(delivery.event_id),
            "X-Tremplin-Timestamp": timestamp,
            "X-Tremplin-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    code: int | None = None
    error = ""
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            code = answer.status
            answer.read(1024)
    except urllib.error.HTTPError as exc:
        code = exc.code
        error = f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        error = f"{type(exc).__name__} : {reason}"[:300]
    return Outcome(code, error, int((time.monotonic() - started) * 1000))


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for this run (two concurrent runs never send it twice)."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


@dataclass
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "attempted": self.attempted,
            "delivered": self.delivered,
            "retried": self.retried,
            "failed": self.failed,
        }


def attempt(delivery: WebhookDelivery, *, now: datetime | None = None) -> Outcome:
    """Send one delivery now and record the outcome."""
    outcome = post(delivery.endpoint, delivery)
    at = now or timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=at,
            response_code=outcome.code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        delivery.attempts += 1
        delivery.last_response_code = outcome.code
        if outcome.ok:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = at
            delivery.next_attempt_at = None
        elif delivery.attempts > len(RETRY_DELAYS):
            delivery.status = Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = at + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save(
            update_fields=[
                "attempts",
                "last_response_code",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    return outcome


def payload_of(event: DomainEvent) -> dict[str, Any]:
    return {
        "id": str(event.uid),
        "event": event.kind,
        "created_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }


def fan_out(endpoint: WebhookEndpoint, *, now: datetime, limit: int = 5_000) -> int:
    """Create the endpoint's deliveries for the journal's events it subscribed to and has not
    received yet (those recorded since it was created); returns how many were created."""
    already = WebhookDelivery.objects.filter(endpoint=endpoint, journal_event__isnull=False).values(
        "journal_event_id"
    )
    events = list(
        DomainEvent.objects.filter(
            sequence__gt=endpoint.journal_cursor,
            kind__in=list(endpoint.events),
            occurred_at__gte=endpoint.created_at,
        )
        .exclude(sequence__in=already)
        .order_by("sequence")[:limit]
    )
    created = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                journal_event=event,
                event=event.kind,
                event_id=event.uid,
                payload=payload_of(event),
                next_attempt_at=event.occurred_at,
            )
            for event in events
        ],
        ignore_conflicts=True,  # another run created it meanwhile: once is enough
    )
    settled = DomainEvent.objects.filter(
        sequence__gt=endpoint.journal_cursor, occurred_at__lt=now - SETTLE
    )
    if len(events) == limit:
        settled = settled.filter(sequence__lte=events[-1].sequence)
    cursor = max(settled.values_list("sequence", flat=True).order_by("-sequence")[:1], default=0)
    if cursor > endpoint.journal_cursor:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, journal_cursor__lt=cursor).update(
            journal_cursor=cursor
        )
    return len(created)


def fan_out_all(*, now: datetime) -> int:
    return sum(fan_out(e, now=now) for e in WebhookEndpoint.objects.filter(active=True))


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> DeliveryReport:
    """Turn the journal's new events into deliveries, then send those that are due, oldest
    first. Those of a paused endpoint wait (and so do its new events, in the journal)."""
    now = now or timezone.now()
    report = DeliveryReport()
    fan_out_all(now=now)
    due = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        if not _claim(pk, now):
            continue
        delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
        report.attempted += 1
        attempt(delivery, now=now)
        if delivery.status == Status.DELIVERED:
            report.delivered += 1
        elif delivery.status == Status.FAILED:
            report.failed += 1
        else:
            report.retried += 1
    return report


def retry(delivery: WebhookDelivery) -> None:
    """The coordinator sends a failed delivery again: a new series of attempts."""
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
