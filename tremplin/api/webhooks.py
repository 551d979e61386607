"""Sending webhooks: each POST is signed with HMAC-SHA256 over "<timestamp>.<body>" with the
endpoint's secret (`X-Tremplin-Signature: sha256=<hex>`, `X-Tremplin-Timestamp: <unix
seconds>`). A 2xx answer delivers it; anything else is retried after 1 min, 5 min, 30 min, 2 h
and 12 h, then the delivery is marked failed. Every attempt is logged.

The deliveries come from the domain event journal (`core.DomainEvent`, the transactional
outbox): each run first turns the journal's events that an endpoint subscribed to into that
endpoint's deliveries (once each: a unique constraint), then sends what is due. An event that
committed is therefore delivered even if the process died right after the commit.

A webhook never reaches the inside of the network: an endpoint whose name resolves to a loopback,
private, link-local, shared, multicast or reserved address is refused when it is saved
(`address_problem`, from the form) and again at each delivery, where the connection itself goes
to the address that was checked (no second resolution a DNS rebinding could change), through no
proxy. `WEBHOOK_ALLOW_PRIVATE_ADDRESSES=1` lifts the rule (a partner inside the same network)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tremplin.core import journal
from tremplin.core.models import DomainEvent

from .models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

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


class UnsafeAddress(OSError):
    """The endpoint's name leads to an address a webhook may not reach."""


def _kind_of(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public one (None when it is)."""
    if ip.is_loopback:
        return "une adresse de bouclage (la machine elle-même)"
    if ip.is_link_local:
        return "une adresse de lien local"
    if ip.is_private:
        return "une adresse de réseau privé"
    if ip.is_multicast:
        return "une adresse de multidiffusion"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "une adresse réservée"
    return None


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _checked_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, every one of them allowed; UnsafeAddress otherwise."""
    addresses = _resolve(host, port)
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return addresses
    for address in addresses:
        kind = _kind_of(ipaddress.ip_address(address.split("%")[0]))
        if kind is not None:
            shown = host if host == address else f"{host} ({address})"
            raise UnsafeAddress(
                f"{shown} est {kind} : un webhook ne peut viser que des adresses publiques "
                "(réglage WEBHOOK_ALLOW_PRIVATE_ADDRESSES pour un partenaire du même réseau)"
            )
    return addresses


def address_problem(url: str) -> str | None:
    """Why a webhook URL is refused when it is saved, or None. A name that does not resolve
    now is accepted: the check made at each delivery decides then."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "l'adresse ne contient pas de nom d'hôte"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        _checked_addresses(parts.hostname, port)
    except UnsafeAddress as exc:
        return str(exc)
    except (OSError, ValueError):
        return None
    return None


def _safe_connection(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None, **kwargs: Any
) -> socket.socket:
    """`socket.create_connection` to an address checked just now (the one connected to)."""
    host, port = address
    error: OSError | None = None
    for checked in _checked_addresses(host, port):
        try:
            return socket.create_connection((checked, port), timeout, source_address, **kwargs)
        except OSError as exc:
            error = exc
    raise error or OSError(f"aucune adresse pour {host}")


class _SafeHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _safe_connection


class _SafeHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _safe_connection


class _SafeHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_SafeHTTPConnection, req)


class _SafeHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_SafeHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer like another: not followed, not a success


_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _SafeHTTPHandler, _SafeHTTPSHandler, _NoRedirect
)


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
        if isinstance(reason, UnsafeAddress):
            error = f"adresse refusée : {reason}"[:300]
        else:
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
        "data": _data_of(event),
    }


def _data_of(event: DomainEvent) -> dict[str, Any]:
    """The event's payload as partners receive it. A release carries the hand-over that its
    consequence made in the same transaction (the `handover.created` event of the placement,
    as it was then), and not the placement's internal number."""
    if event.kind != Event.LEARNER_RELEASED or "placement" not in event.payload:
        return dict(event.payload)
    data = {k: v for k, v in event.payload.items() if k != "placement"}
    handed = (
        DomainEvent.objects.filter(
            kind=journal.Kind.HANDOVER_CREATED, payload__placement=event.payload["placement"]
        )
        .order_by("sequence")
        .first()
    )
    data["hand_over"] = (
        None
        if handed is None
        else {
            k: handed.payload[k] for k in ("id", "centre", "centre_name", "distance_km", "status")
        }
    )
    return data


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
