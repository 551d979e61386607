"""The OpenAPI schema is committed (docs/openapi.yaml), valid, and up to date."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tremplin.api.openapi import COMMITTED, REGENERATE, build_schema


def test_the_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.exists(), f"docs/openapi.yaml manque : lancez `{REGENERATE}`."
    assert COMMITTED.read_bytes() == build_schema(), (
        f"docs/openapi.yaml n'est plus à jour : lancez `{REGENERATE}` et committez-le."
    )


def test_the_schema_command_checks_the_file(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "openapi.yaml"  # type: ignore[operator]
    with pytest.raises(CommandError, match="n'est pas à jour"):
        call_command("api", "schema", "--check", "--file", str(path))
    call_command("api", "schema", "--file", str(path))
    call_command("api", "schema", "--check", "--file", str(path))
