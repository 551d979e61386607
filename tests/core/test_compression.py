"""What goes over the wire: pages compressed with gzip, files that are compressed already sent as
they are, static files under hashed names cached for good (docs/security.md, « Compression and
BREACH »)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tremplin.accounts.models import User
from tremplin.core.http import is_compressed_already

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_learner_list_is_sent_compressed(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    plain = client.get("/apprenants/")
    compressed = client.get("/apprenants/", headers=GZIP)
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content) / 3
    assert "Apprenants" in gzip.decompress(compressed.content).decode()


def test_the_csrf_token_of_a_compressed_page_is_masked_anew_at_every_answer(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    """BREACH needs the secret to be the same bytes in every answer: Django's masked token is
    not (its secret, in the cookie or the session, never is in a body)."""
    client = client_as(coordinator)
    tokens = [
        re.findall(
            r'name="csrfmiddlewaretoken" value="([^"]+)"',
            gzip.decompress(client.get("/apprenants/nouveau/", headers=GZIP).content).decode(),
        )
        for _ in range(2)
    ]
    assert tokens[0] and tokens[1] and tokens[0][0] != tokens[1][0]


def test_pdf_and_xlsx_files_are_sent_as_they_are(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    pdf = client.get("/catalogue/2020-2021/catalogue.pdf", headers=GZIP)
    xlsx = client.get("/rapports/export/xlsx/?year=2019-2020", headers=GZIP)
    csv = client.get("/rapports/export/csv/?year=2019-2020", headers=GZIP)
    assert pdf.status_code == xlsx.status_code == csv.status_code == 200
    assert "Content-Encoding" not in pdf and pdf.content.startswith(b"%PDF")
    assert "Content-Encoding" not in xlsx and xlsx.content.startswith(b"PK")
    assert csv["Content-Encoding"] == "gzip"  # text: compressed


def test_the_pages_that_show_a_secret_at_every_request_are_never_compressed(
    client_as: Callable[[User], Client], coordinator: User, referent: User
) -> None:
    """The authenticator's seed (the same at every reload of the enrolment, next to the
    reflected `next`) and a webhook's signing secret: no compression, no oracle."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tremplin.api.models import WebhookEndpoint

    TOTPDevice.objects.filter(user=referent).delete()
    client = Client()
    client.force_login(referent)  # password only, no authenticator: the enrolment comes first
    enrol = client.get("/compte/double-authentification/activation/?next=/suivi/", headers=GZIP)
    assert enrol.status_code == 200
    assert "Content-Encoding" not in enrol and "tr-secret" in enrol.content.decode()
    endpoint = WebhookEndpoint.objects.create(
        url="https://partenaire.example/hooks", secret="whsec_x", events=["learner.released"]
    )
    national = client_as(coordinator)
    page = national.get(f"/integrations/webhooks/{endpoint.pk}/", headers=GZIP)
    assert page.status_code == 200
    assert "Content-Encoding" not in page and "whsec_x" in page.content.decode()
    tokens = national.get("/integrations/jetons/", headers=GZIP)
    assert tokens.status_code == 200 and "Content-Encoding" not in tokens
    # Their neighbours are compressed.
    assert national.get("/integrations/webhooks/", headers=GZIP)["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("content_type", "already"),
    [
        ("application/pdf", True),
        ("application/zip", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
        ("application/vnd.oasis.opendocument.text", True),
        ("image/png", True),
        ("audio/mpeg", True),
        ("video/mp4", True),
        ("image/svg+xml", False),
        ("text/html; charset=utf-8", False),
        ("application/json", False),
        ("text/csv; charset=utf-8", False),
        ("", False),
    ],
)
def test_what_counts_as_compressed_already(content_type: str, already: bool) -> None:
    assert is_compressed_already(content_type) is already


def test_static_files_get_hashed_names_cached_for_good(tmp_path: Path) -> None:
    """`collectstatic` with Tremplin's storage (the one `make demo` and `tremplin serve` use),
    on one style sheet: its hashed name is cached for ten years and immutable, its plain name
    only a minute; the browser gets the precompressed copy."""
    source, root = tmp_path / "src", tmp_path / "root"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text(
        "".join(f".rule-{i} {{ margin: {i}px; }}\n" for i in range(200)), encoding="utf-8"
    )
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "tremplin.core.storage.StaticStorage"},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.templatetags.static import static

        hashed = static("css/site.css")
        assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", hashed)
        client = Client()
        forever = client.get(hashed, headers=GZIP)
        plain = client.get("/static/css/site.css")
    assert forever.status_code == 200
    assert forever["Cache-Control"] == "max-age=315360000, public, immutable"
    assert forever["Content-Encoding"] in {"br", "gzip"}
    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=60, public"
