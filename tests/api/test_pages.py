"""The French pages: each user's tokens; the national coordinator's webhooks and delivery log;
the documentation page and the schema."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from tremplin.accounts.models import User
from tremplin.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from tremplin.api.tokens import digest_of
from tremplin.demo.accounts import DEMO_PASSWORD

from .conftest import Api

Login = Callable[[User], Client]


def test_a_user_creates_a_token_seen_once_and_revokes_it(client_as: Login, referent: User) -> None:
    client = client_as(referent)
    page = client.get("/integrations/jetons/")
    assert page.status_code == 200
    assert "Jetons d’accès à l’API" in page.content.decode()
    created = client.post(
        "/integrations/jetons/",
        {"name": "Scolarité UPR", "lifetime": "90", "read_only": "on", "password": DEMO_PASSWORD},
    )
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store, private"
    secret = re.search(r"trm_[\w-]+", created.content.decode())
    assert secret is not None
    token = ApiToken.objects.get(user=referent)
    assert token.digest == digest_of(secret[0]) and token.read_only
    assert secret[0] not in client.get("/integrations/jetons/").content.decode()
    api = Client(headers={"Authorization": f"Bearer {secret[0]}"})
    assert api.get("/api/v1/learners/").status_code == 200
    client.post(f"/integrations/jetons/{token.pk}/revoquer/")
    assert api.get("/api/v1/learners/").json()["code"] == "token_revoked"


def test_a_user_cannot_revoke_the_token_of_another(client_as: Login, referent: User) -> None:
    from .conftest import token_for

    token_for(User.objects.get(username="coordination"))
    other = ApiToken.objects.get()
    assert client_as(referent).post(f"/integrations/jetons/{other.pk}/revoquer/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_token_lives_one_year_at_most_on_the_page(client_as: Login, referent: User) -> None:
    response = client_as(referent).post("/integrations/jetons/", {"name": "x", "lifetime": "800"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_webhooks_page_is_for_the_national_coordinator(
    client_as: Login, coordinator: User, referent: User
) -> None:
    assert client_as(referent).get("/integrations/webhooks/").status_code == 403
    client = client_as(coordinator)
    assert client.get("/integrations/webhooks/").status_code == 200
    response = client.post(
        "/integrations/webhooks/",
        {
            "url": "https://partenaire.example/hooks",
            "description": "Logiciel de la DISP",
            "events": ["referral.status_changed", "learner.released"],
            "active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert endpoint.events == ["referral.status_changed", "learner.released"]
    assert endpoint.secret.startswith("whsec_")
    detail = client.get(f"/integrations/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret in detail
    old = endpoint.secret
    client.post(f"/integrations/webhooks/{endpoint.pk}/", {"new_secret": "1"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old


def test_a_webhook_url_is_http_or_https(client_as: Login, coordinator: User) -> None:
    response = client_as(coordinator).post(
        "/integrations/webhooks/", {"url": "ftp://x.example/", "events": ["learner.released"]}
    )
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_every_attempt_and_a_failed_delivery_can_be_sent_again(
    client_as: Login, coordinator: User
) -> None:
    endpoint = WebhookEndpoint.objects.create(
        url="https://partenaire.example/hooks", secret="whsec_x", events=["learner.released"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="learner.released",
        payload={"data": {"learner": "T-1"}},
        status="failed",
        attempts=6,
        last_response_code=500,
    )
    delivery.log.create(at=delivery.created_at, response_code=500, error="HTTP 500")
    client = client_as(coordinator)
    listing = client.get("/integrations/webhooks/?etat=failed").content.decode()
    assert "Échec définitif" in listing
    page = client.get(f"/integrations/webhooks/envois/{delivery.pk}/").content.decode()
    assert "HTTP 500" in page and "T-1" in page
    client.post(f"/integrations/webhooks/envois/{delivery.pk}/")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_the_documentation_page_is_served_without_any_cdn(client_as: Login, referent: User) -> None:
    client = client_as(referent)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_the_documentation_page_asks_to_sign_in(db: None) -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def test_the_schema_is_served_to_a_token(api: Api) -> None:
    response = api("statistique").get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
    assert b"/api/v1/results/bulk/" in response.content
