"""Production settings: `tremplin check --deploy` finds nothing, every page carries a
Content-Security-Policy without inline script, and no template has an inline script, style or
event handler left."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key
from django.test import Client

from tremplin.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


def test_the_deploy_check_reports_nothing_with_the_production_settings(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text(get_random_secret_key(), encoding="utf-8")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE_HTTPS": "1",
        "SECRET_KEY_FILE": str(key),
        "ALLOWED_HOSTS": "tremplin.example.org",
        "TREMPLIN_HOME": str(tmp_path),
    }
    env.pop("SECRET_KEY", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "tremplin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.django_db
def test_a_page_carries_a_content_security_policy_without_inline_script(
    client_as: Callable[[User], Client], referent: User
) -> None:
    response = client_as(referent).get("/catalogue/")
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_login_page_carries_the_policy_too(client: Client) -> None:
    assert "script-src 'self'" in client.get("/connexion/")["Content-Security-Policy"]


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_no_served_template_has_inline_script_style_or_event_handler() -> None:
    offenders = []
    for template in (ROOT / "tremplin").rglob("templates/**/*.html"):
        if "pdf" in template.parts:  # rendered to PDF by WeasyPrint, never served as HTML
            continue
        text = re.sub(
            r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template.read_text(), flags=re.S
        )
        for match in INLINE.finditer(text):
            if 'type="application/json"' in match.group(0):
                continue
            offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []
