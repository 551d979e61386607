"""Issue 17, item 8: what is made for a signed-in user (personal pages and files: the learner's
record, the transcript PDF, the privacy export, the audit CSV, the lists; the offline pack in
tests/delivery) is `Cache-Control: no-store, private`, from one middleware
(tremplin/core/http.py); public pages are left to their own headers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.core.test_access_matrix import PERSONAL_LISTS, RECORD_PAGES
from tests.personal_world import Record, make_record
from tremplin.accounts.models import User

pytestmark = pytest.mark.django_db

PRIVATE = "no-store, private"


@pytest.fixture
def record(db: None) -> Record:
    return make_record("T-CACHE-0001", establishment="CD MELUN")


def test_every_personal_page_and_file_is_never_stored(
    client_as: Callable[[User], Client], coordinator: User, record: Record
) -> None:
    client = client_as(coordinator)
    urls = [reverse(name, args=build(record)) for name, build in RECORD_PAGES.items()]
    urls += [reverse(name) for name in PERSONAL_LISTS]
    urls += [
        reverse("privacy:subject", args=[record.learner.pk]),
        reverse("privacy:export_json", args=[record.learner.pk]),
        reverse("privacy:export_pdf", args=[record.learner.pk]),
        reverse("core:audit"),
        reverse("core:audit") + "?format=csv",
        reverse("site:home"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url


def test_an_error_page_for_a_signed_in_user_is_never_stored_either(
    client_as: Callable[[User], Client], referent: User
) -> None:
    other = make_record("T-CACHE-0002", establishment="MA ST MALO")
    response = client_as(referent).get(reverse("learners:detail", args=[other.learner.pk]))
    assert response.status_code == 404
    assert response["Cache-Control"] == PRIVATE


def test_an_answer_that_chose_its_own_header_keeps_it(referent: User) -> None:
    """The API's reads carry an ETag to be revalidated (tremplin/api/conditional.py)."""
    from tests.api.conftest import token_for

    client = Client(headers={"Authorization": f"Bearer {token_for(referent)}"})
    assert client.get("/api/v1/learners/")["Cache-Control"] == "private, no-cache"
    refused = client.post("/api/v1/results/bulk/", [], content_type="application/json")
    assert refused.status_code == 403 and refused["Cache-Control"] == PRIVATE  # the token's user


def test_a_public_page_seen_signed_out_is_left_alone(db: None) -> None:
    response = Client().get(reverse("site:sources"))
    assert response.status_code == 200
    assert "Cache-Control" not in response
