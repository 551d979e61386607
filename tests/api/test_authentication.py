"""Personal tokens: Bearer header, expiry, revocation, read-only."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.api.models import ApiToken
from tremplin.api.tokens import digest_of, revoke_token

from .conftest import Api, token_for


def test_a_valid_token_reads_the_api_as_its_owner(api: Api) -> None:
    response = api("coordination").get("/api/v1/regions/")
    assert response.status_code == 200
    assert response.json()["count"] >= 13
    assert response["Content-Type"] == "application/json"


def test_only_the_digest_and_a_short_prefix_of_a_token_are_stored(coordinator: User) -> None:
    secret = token_for(coordinator)
    stored = ApiToken.objects.get(user=coordinator)
    assert secret.startswith("trm_") and len(secret) > 40
    assert stored.prefix == secret[:12]
    assert stored.digest == digest_of(secret)
    assert secret not in {stored.prefix, stored.digest, stored.name}


def test_no_token_is_a_401_with_a_json_error_and_the_scheme_to_use(db: None) -> None:
    response = Client().get("/api/v1/learners/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_token_is_a_401(db: None) -> None:
    response = Client(headers={"Authorization": "Bearer trm_nope"}).get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton inconnu.", "code": "token_invalid"}


def test_an_expired_token_is_a_401_that_says_it_expired(api: Api, coordinator: User) -> None:
    secret = token_for(coordinator)
    ApiToken.objects.filter(user=coordinator).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = api(token=secret).get("/api/v1/regions/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_expired"
    assert "a expiré le" in body["detail"]


def test_a_revoked_token_is_a_401_that_says_it_was_revoked(api: Api, coordinator: User) -> None:
    secret = token_for(coordinator)
    revoke_token(ApiToken.objects.get(user=coordinator))
    response = api(token=secret).get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_the_token_of_a_deactivated_account_is_refused(api: Api, coordinator: User) -> None:
    secret = token_for(coordinator)
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    assert api(token=secret).get("/api/v1/regions/").status_code == 401


def test_a_read_only_token_cannot_write(api: Api) -> None:
    response = api("coordination", read_only=True).post(
        "/api/v1/results/bulk/", [], content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_a_read_write_token_may_write(api: Api) -> None:
    response = api("coordination", read_only=False).post(
        "/api/v1/results/bulk/", [], content_type="application/json"
    )
    assert response.status_code == 400  # an empty list: refused for what it is, not for the token
    assert response.json()["detail"] == "La liste est vide."


def test_the_use_of_a_token_is_dated(api: Api, coordinator: User) -> None:
    secret = token_for(coordinator)
    api(token=secret).get("/api/v1/regions/")
    assert ApiToken.objects.get(user=coordinator).last_used_at is not None


def test_a_token_lives_one_year_at_most(coordinator: User) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    from tremplin.api.tokens import create_token

    with pytest.raises(ValidationError):
        create_token(
            coordinator,
            name="trop long",
            expires_at=timezone.now() + timedelta(days=400),
            read_only=True,
        )
