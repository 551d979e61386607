"""CSV imports of the partners' sites: Cnam centres and missions locales."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tremplin.core.csvimport import Column, Importer, Row, choices_from, parse_choice, parse_text
from tremplin.core.registry import register

from .models import CnamCentre, Commune, MissionLocale


class _SiteImporter(Importer[Any]):
    def prepare(self, rows: Sequence[Row]) -> None:
        self.communes: dict[str, str] = dict(Commune.objects.values_list("code", "region_id"))

    def commune(self, row: Row) -> str | None:
        code = row.get("commune")
        if not code:
            row.error("commune", "code INSEE de la commune obligatoire (ex. 35238).")
            return None
        if code.isdigit() and len(code) == 4:
            code = "0" + code  # a spreadsheet dropped the leading zero
        if code.upper() not in self.communes:
            row.error("commune", f"« {code} » n'est pas un code INSEE de commune connu.")
            return None
        return code.upper()

    def contact(self, row: Row) -> dict[str, str]:
        email = parse_text(row, "email", required=False, max_length=254)
        if email and ("@" not in email or " " in email):
            row.error("email", f"« {email} » n'est pas une adresse électronique.")
        return {"email": email, "phone": parse_text(row, "phone", required=False, max_length=30)}


@register
class CentreImporter(_SiteImporter):
    kind = "centres"
    title = "centres Cnam"
    model = CnamCentre
    spec = (
        Column("code", "Code", "DEMO-BRE"),
        Column("name", "Nom", "Cnam Bretagne"),
        Column(
            "kind",
            "Type",
            "centre régional",
            choices=choices_from(
                CnamCentre.Kind.choices,
                {"regional": "centre régional", "teaching": "centre d'enseignement"},
            ),
        ),
        Column("commune", "Commune", "35238", "code INSEE"),
        Column("email", "Courriel", "contact@example.org"),
        Column("phone", "Téléphone", "02 99 00 00 00"),
    )
    required = ("code", "name", "kind", "commune")
    key_fields = ("code",)

    def parse(self, row: Row) -> dict[str, Any] | None:
        code = parse_text(row, "code", max_length=30).upper()
        name = parse_text(row, "name", max_length=150)
        kind = parse_choice(row, "kind", {k: k for k in CnamCentre.Kind.values})
        commune = self.commune(row)
        contact = self.contact(row)
        if row.errors or commune is None:
            return None
        return {
            "code": code,
            "name": name,
            "kind": kind,
            "commune_id": commune,
            "region_id": self.communes[commune],
            **contact,
        }


@register
class MissionLocaleImporter(_SiteImporter):
    kind = "missions-locales"
    title = "missions locales"
    model = MissionLocale
    spec = (
        Column("code", "Code", "DEMO-ML-STMALO"),
        Column("name", "Nom", "Mission locale du Pays de Saint-Malo"),
        Column("commune", "Commune", "35288", "code INSEE"),
        Column("email", "Courriel", "contact@example.org"),
        Column("phone", "Téléphone", "02 99 00 00 00"),
    )
    required = ("code", "name", "commune")
    key_fields = ("code",)

    def parse(self, row: Row) -> dict[str, Any] | None:
        code = parse_text(row, "code", max_length=30).upper()
        name = parse_text(row, "name", max_length=150)
        commune = self.commune(row)
        contact = self.contact(row)
        if row.errors or commune is None:
            return None
        return {"code": code, "name": name, "commune_id": commune, **contact}
