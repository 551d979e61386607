"""The `tremplin` console script: every Django management command, plus Tremplin's verbs.

Every failure prints a French message on stderr and exits non-zero, handled here once for all
commands: a command's `CommandError` without Django's `CommandError:` prefix, the arguments'
errors (argparse) in French, an unknown command with the closest names, a database that refuses
and an unexpected error in one line (`--traceback` shows the Python traceback instead)."""

from __future__ import annotations

import argparse
import difflib
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

#: argparse's messages (its gettext ids), in French. `%(…)s` and `%s` are argparse's.
ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choisir parmi %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "au plus une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "show this help message and exit": "afficher cette aide et quitter",
    "positional arguments": "arguments",
    "options": "options",
}
ARGPARSE_PLURAL_FR = {"expected %s argument": ("%s valeur attendue", "%s valeurs attendues")}


def _argparse_gettext(message: str) -> str:
    from tremplin.core.typography import french_spacing

    return french_spacing(ARGPARSE_FR[message]) if message in ARGPARSE_FR else message


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    french = ARGPARSE_PLURAL_FR.get(singular)
    if french is None:
        return singular if n == 1 else plural
    return french[0] if n == 1 else french[1]


def fail(message: str, code: int = 1) -> NoReturn:
    from tremplin.core.typography import french_spacing

    sys.stderr.write(f"{french_spacing(message)}\n")
    sys.exit(code)


def _french_errors(execute: Callable[..., Any]) -> Callable[..., Any]:
    """A command's `execute`: its `CommandError` printed as it is (French), exit non-zero."""
    from django.core.management.base import CommandError, SystemCheckError
    from django.db import DatabaseError

    @functools.wraps(execute)
    def run(*args: Any, **options: Any) -> Any:
        try:
            return execute(*args, **options)
        except CommandError as exc:
            if options.get("traceback") or isinstance(exc, SystemCheckError):
                raise  # asked for, or Django's own report of its checks
            fail(str(exc), exc.returncode or 1)
        except DatabaseError as exc:
            if options.get("traceback"):
                raise
            fail(f"La base de données est injoignable ou a refusé l'opération : {exc}".strip())
        except KeyboardInterrupt:
            fail("Interrompu.", 130)
        except Exception as exc:
            if options.get("traceback"):
                raise
            fail(
                f"Erreur inattendue ({type(exc).__name__}) : {exc}. "
                "Relancez avec --traceback pour le détail, à joindre à un signalement."
            )

    return run


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    from django.core.management import ManagementUtility, get_commands
    from django.core.management.base import BaseCommand

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand: str) -> BaseCommand:
            if subcommand not in get_commands():
                close = difflib.get_close_matches(subcommand, get_commands(), n=3)
                fail(
                    f"Commande inconnue : « {subcommand} »."
                    + (f" Vouliez-vous dire : {', '.join(close)} ?" if close else "")
                    + " La liste : tremplin help."
                )
            command = super().fetch_command(subcommand)
            command.execute = _french_errors(command.execute)  # type: ignore[method-assign]
            return command

    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]
    args = list(sys.argv[1:] if argv is None else argv)
    Utility(["tremplin", *args]).execute()


if __name__ == "__main__":
    main()
