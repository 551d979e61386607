from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.core import import_templates
from tremplin.core.csvimport import ImportRejected
from tremplin.core.management.base import TremplinCommand
from tremplin.core.registry import importers

TEMPLATE = "template"


class Command(TremplinCommand):
    help = (
        "Importe un fichier CSV ou XLSX (tout ou rien) : tremplin import KIND FILE [--sheet "
        "FEUILLE] [--dry-run] ; son modèle : tremplin import template KIND -o modele.xlsx|.csv."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*importers(), TEMPLATE])
        parser.add_argument(
            "file", help="le fichier à importer (CSV ou XLSX) ; après template : la nature"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer"
        )
        parser.add_argument("--sheet", help="la feuille du classeur XLSX (par défaut la première)")
        parser.add_argument(
            "-o", "--output", type=Path, help="template : le modèle à écrire (.csv ou .xlsx)"
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == TEMPLATE:
            self.template(options["file"], options["output"], options["format"])
            return
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} : lecture impossible ({exc.strerror}).") from exc
        importer = importers()[options["kind"]]()
        try:
            report = importer.run(data, dry_run=options["dry_run"], sheet=options["sheet"])
        except ImportRejected as exc:
            lines = "\n".join(f"  {path.name}, {error}" for error in exc.errors)
            raise CommandError(f"{exc}\n{lines}") from exc
        if options["format"] == "json":
            self.emit_json(report.as_dict())
        else:
            self.stdout.write(f"{importer.title.capitalize()} ({path.name}) : {report.summary()}")

    def template(self, kind: str, output: Path | None, fmt: str) -> None:
        known = importers()
        if kind not in known:
            raise CommandError(f"Import inconnu : « {kind} ». Imports : {', '.join(known)}.")
        importer = known[kind]
        if output is None:
            self.describe(importer, fmt)
            return
        extension = output.suffix.lower().removeprefix(".")
        if extension not in import_templates.FORMATS:
            raise CommandError(
                f"{output} : le modèle s'écrit en .csv ou en .xlsx (ex. -o modele-{kind}.xlsx)."
            )
        try:
            output.write_bytes(import_templates.render(importer, extension))
        except OSError as exc:
            raise CommandError(f"{output} : écriture impossible ({exc.strerror}).") from exc
        if fmt == "json":
            self.emit_json({"kind": kind, "format": extension, "file": str(output)})
        else:
            self.stdout.write(f"Modèle d'import des {importer.title} écrit dans {output}.")

    def describe(self, importer: Any, fmt: str) -> None:
        columns = import_templates.describe(importer)
        if fmt == "json":
            self.emit_json(
                {
                    "kind": importer.kind,
                    "title": importer.title,
                    "columns": [
                        {
                            "label": c.label,
                            "name": c.name,
                            "required": c.required,
                            "note": c.note,
                            "allowed": list(c.allowed),
                            "example": c.example,
                        }
                        for c in columns
                    ],
                }
            )
            return
        lines = [f"Import des {importer.title} ({importer.kind}) : colonnes du fichier"]
        for c in columns:
            what = ["obligatoire" if c.required else "facultative"]
            if c.note:
                what.append(c.note)
            if c.allowed:
                what.append("valeurs : " + ", ".join(f"« {a} »" for a in c.allowed))
            if c.example:
                what.append(f"ex. {c.example}")
            lines.append(f"  {c.label} ({c.name}) : {' ; '.join(what)}")
        lines.append(
            "Modèle à remplir : tremplin import template " + importer.kind + " -o modele.xlsx"
        )
        self.stdout.write("\n".join(lines))
