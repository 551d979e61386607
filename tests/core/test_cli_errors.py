"""Every failure of `tremplin …` prints a French message on stderr, without Django's
`CommandError:` prefix nor argparse's English, and exits non-zero."""

from __future__ import annotations

import argparse

import pytest

from tremplin.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    code = stopped.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


@pytest.fixture(autouse=True)
def _argparse_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main` puts argparse in French for the process: undone after each test."""
    monkeypatch.setattr(argparse, "_", argparse._)  # type: ignore[attr-defined]
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)


@pytest.mark.django_db
def test_a_command_error_is_its_french_message_alone(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "bilan", "2019-2025")
    assert code == 1
    assert err == (
        "L'année universitaire «\u00a02019-2025\u00a0» n'est pas valide\u00a0: "
        "écrivez-la par exemple 2019-2020.\n"
    )


def test_a_file_command_that_fails_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: pytest.TempPathFactory
) -> None:
    code, err = run(capsys, "api", "schema", "--check", "--file", f"{tmp_path}/openapi.yaml")
    assert code == 1
    assert "n'est pas à jour" in err
    assert "CommandError" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["bilan"],
            "tremplin bilan\u00a0: erreur\u00a0: arguments obligatoires manquants\u00a0: year",
        ),
        (["bilan", "2019-2020", "--format", "xml"], "choix invalide\u00a0: 'xml' (choisir parmi"),
        (["bilan", "2019-2020", "--nope"], "arguments non reconnus\u00a0: --nope"),
        (["bilan", "2019-2020", "--threshold", "five"], "valeur invalide (int)\u00a0: 'five'"),
    ],
)
def test_a_wrong_argument_is_explained_in_french(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, err = run(capsys, *args)
    assert code == 2
    assert err.startswith("utilisation\u00a0: tremplin bilan")
    assert expected in err
    assert "error" not in err and "usage" not in err


def test_an_unknown_command_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "biln", "2019-2020")
    assert code == 1
    assert err == (
        "Commande inconnue\u00a0: «\u00a0biln\u00a0». Vouliez-vous dire\u00a0: bilan\u00a0? "
        "La liste\u00a0: tremplin help.\n"
    )


def test_an_unexpected_error_is_one_french_line_and_traceback_shows_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tremplin.api.management.commands.api import Command

    def broken(*args: object, **options: object) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr(Command, "handle", broken)
    code, err = run(capsys, "api", "schema")
    assert code == 1
    assert err.startswith("Erreur inattendue (OSError)\u00a0: disque plein. Relancez avec")
    with pytest.raises(OSError, match="disque plein"):
        main(["api", "schema", "--traceback"])
