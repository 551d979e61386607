"""Issue 17, item 8: a webhook URL may not point inside the network (loopback, private,
link-local, shared or reserved addresses), checked when it is saved and again at each delivery,
on the very address connected to; a setting allows a partner on the same network."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tremplin.accounts.models import User
from tremplin.api import webhooks
from tremplin.api.models import WebhookDelivery, WebhookEndpoint

from .test_webhooks import Receiver, endpoint_for, receiver  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
PUBLIC = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Names resolved as the test says (IP literals and localhost as usual)."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            return real(names[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)
    return names


def save(client: Client, url: str) -> Any:
    return client.post("/integrations/webhooks/", {"url": url, "events": ["learner.released"]})


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:9/", "une adresse de bouclage"),
        ("http://localhost/hooks", "une adresse de bouclage"),
        ("http://[::1]/", "une adresse de bouclage"),
        ("http://10.1.2.3/", "une adresse de réseau privé"),
        ("https://192.168.0.10/", "une adresse de réseau privé"),
        ("http://169.254.169.254/latest/meta-data/", "une adresse de lien local"),
        ("http://100.64.0.1/", "une adresse réservée"),
        ("http://0.0.0.0/", "une adresse de réseau privé"),
        ("http://interne.partenaire.example/", "une adresse de réseau privé"),
    ],
)
def test_an_internal_address_is_refused_when_saved(
    client_as: Login, coordinator: User, dns: dict[str, str], url: str, kind: str
) -> None:
    dns["interne.partenaire.example"] = "172.16.5.4"
    response = save(client_as(coordinator), url)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Adresse refusée" in page and kind in page
    assert "adresses publiques" in page
    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_saved(
    client_as: Login, coordinator: User, dns: dict[str, str]
) -> None:
    dns["partenaire.example"] = PUBLIC
    client = client_as(coordinator)
    assert save(client, "https://partenaire.example/hooks").status_code == 302
    assert save(client, f"https://{PUBLIC}/hooks").status_code == 302
    assert WebhookEndpoint.objects.count() == 2


def test_the_setting_allows_a_partner_on_the_same_network(
    client_as: Login, coordinator: User, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert save(client_as(coordinator), "http://10.1.2.3/hooks").status_code == 302


def delivery_to(url: str) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint_for(url), event="learner.released", payload={"x": 1}
    )


def test_an_endpoint_stored_with_an_internal_address_is_not_sent_to(
    receiver: tuple[Receiver, str],  # noqa: F811
) -> None:
    seen, url = receiver
    delivery = delivery_to(url)  # saved before the rule, or while the setting was on
    outcome = webhooks.attempt(delivery)
    assert seen.requests == []
    assert outcome.code is None
    assert outcome.error.startswith("adresse refusée : 127.0.0.1 est une adresse de bouclage")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery.log.get().error == outcome.error


def test_a_name_that_resolves_inside_at_delivery_time_is_not_sent_to(
    receiver: tuple[Receiver, str],  # noqa: F811
    dns: dict[str, str],
) -> None:
    """DNS rebinding: public when saved, 127.0.0.1 when delivered."""
    seen, url = receiver
    dns["partenaire.example"] = PUBLIC
    assert webhooks.address_problem("http://partenaire.example/") is None
    dns["partenaire.example"] = "127.0.0.1"
    port = url.split(":")[2].split("/")[0]
    outcome = webhooks.attempt(delivery_to(f"http://partenaire.example:{port}/hooks/tremplin"))
    assert seen.requests == []
    assert "partenaire.example (127.0.0.1) est une adresse de bouclage" in outcome.error


def test_with_the_setting_an_internal_partner_receives_its_deliveries(
    receiver: tuple[Receiver, str],  # noqa: F811
    settings: Any,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    seen, url = receiver
    assert webhooks.attempt(delivery_to(url)).ok
    assert len(seen.requests) == 1
