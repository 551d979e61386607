from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.reporting.formats import render_bilan
from tremplin.reporting.stored import stored_bilan

BINARY_FORMATS = ("xlsx", "pdf")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename: never a half-written file."""
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(TremplinCommand):
    help = (
        "Bilan chiffré d'une année universitaire : "
        "`tremplin bilan 2019-2020 --format json|text|csv|xlsx|pdf [-o FICHIER] "
        '[--disp "DISP PARIS"] [--establishment "CD MELUN"] [--sector informatique] '
        "[--publication]`."
    )
    formats = ("text", "json", "csv", "xlsx", "pdf")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="année universitaire, ex. 2019-2020")
        self.add_format_argument(parser)
        parser.add_argument(
            "-o",
            "--output",
            help="fichier à écrire (obligatoire pour xlsx et pdf ; « - » : la sortie standard)",
        )
        parser.add_argument("--disp", help='restreindre à une DISP, ex. "DISP PARIS"')
        parser.add_argument(
            "--establishment", help='restreindre à un établissement (libellé, ex. "CD MELUN")'
        )
        parser.add_argument("--sector", help="restreindre à un secteur (code, ex. informatique)")
        parser.add_argument(
            "--publication",
            action="store_true",
            help="chiffres diffusés hors du Cnam : effectifs de moins de 5 personnes masqués",
        )
        parser.add_argument(
            "--threshold",
            type=int,
            default=5,
            help="seuil du mode publication (5 par défaut)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt: str = options["format"]
        output: str | None = options["output"]
        threshold: int = options["threshold"]
        if fmt in BINARY_FORMATS and not output:
            raise CommandError(
                f"Le format {fmt} produit un fichier : indiquez-le avec -o bilan.{fmt} "
                "(ou -o - pour l'écrire sur la sortie standard)."
            )
        if threshold < 1:
            raise CommandError("Le seuil de publication (--threshold) doit être au moins 1.")
        path = None if output in (None, "-") else Path(output)
        if path is not None:
            if path.is_dir():
                raise CommandError(f"{path} est un dossier : indiquez un nom de fichier.")
            if not path.parent.is_dir():
                raise CommandError(f"{path} : le dossier {path.parent} n'existe pas.")

        try:
            bilan = stored_bilan(
                options["year"],
                disp=options["disp"],
                establishment=options["establishment"],
                sector=options["sector"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        data = render_bilan(fmt, bilan, publication=options["publication"], threshold=threshold)

        if path is None:
            if fmt == "csv" and isinstance(data, bytes):
                data = data.decode("utf-8")  # text, BOM included, like the file
            self._to_stdout(data)
            return
        payload = data.encode("utf-8") if isinstance(data, str) else data
        try:
            write_atomically(path, payload)
        except OSError as exc:
            raise CommandError(f"{path} : écriture impossible ({exc.strerror}).") from exc
        size = f"{len(payload) // 1024} Ko" if len(payload) >= 1024 else f"{len(payload)} octets"
        self.stderr.write(f"Bilan {bilan.academic_year} ({fmt}) écrit dans {path} ({size}).")

    def _to_stdout(self, data: bytes | str) -> None:
        if isinstance(data, str):
            self.stdout.write(data, ending="" if data.endswith("\n") else "\n")
            return
        buffer = getattr(self.stdout._out, "buffer", None)
        if buffer is None:  # a text-only stream
            raise CommandError("La sortie standard n'accepte pas de données binaires.")
        self.stdout.flush()
        buffer.write(data)
        buffer.flush()
