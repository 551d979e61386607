"""CSV import of the Cnam's list of teaching units (`tremplin import teaching-units FILE`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from tremplin.core.csvimport import (
    Column,
    Importer,
    Row,
    choices_from,
    parse_choice,
    parse_decimal,
    parse_text,
)
from tremplin.core.registry import register

from .models import UE_CODE, Modality, Sector, TeachingUnit
from .services import save_teaching_units


@register
class TeachingUnitImporter(Importer[TeachingUnit]):
    kind = "teaching-units"
    title = "unités d'enseignement"
    model = TeachingUnit
    spec = (
        Column("code", "Code", "CFA109", "code de l'UE : majuscules et chiffres"),
        Column("title", "Intitulé", "Comptabilité et gestion de l'entreprise"),
        Column("ects", "Crédits ECTS", "6", "nombre, de 0,5 à 60"),
        Column(
            "modality",
            "Modalité",
            "à distance",
            choices=choices_from(Modality.choices, {"distance": "à distance"}),
        ),
        Column("sector", "Secteur", "Informatique", "nom du secteur du catalogue"),
    )
    required = ("code", "title", "ects", "modality", "sector")
    key_fields = ("code",)

    def prepare(self, rows: Sequence[Row]) -> None:
        self.sectors = {s.name.casefold(): s for s in Sector.objects.all()}

    def parse(self, row: Row) -> dict[str, Any] | None:
        code = row.get("code").upper()
        try:
            UE_CODE(code)
        except ValidationError:
            row.error("code", f"« {row.get('code')} » n'est pas un code d'UE (ex. CFA109).")
        title = parse_text(row, "title", max_length=200)
        ects = parse_decimal(row, "ects", minimum=Decimal("0.5"), maximum=Decimal("60"))
        if ects is not None and ects != ects.quantize(Decimal("0.1")):
            row.error("ects", "au plus une décimale (ex. 4,5).")
        modality = parse_choice(row, "modality", {m: m for m in Modality.values})
        sector = self.sectors.get(row.get("sector").casefold())
        if sector is None:
            known = ", ".join(sorted(s.name for s in self.sectors.values())) or "aucun"
            row.error("sector", f"secteur inconnu : « {row.get('sector')} » (connus : {known}).")
        if row.errors:
            return None
        return {"code": code, "title": title, "ects": ects, "modality": modality, "sector": sector}

    def save(
        self, to_create: list[TeachingUnit], to_update: list[TeachingUnit], fields: list[str]
    ) -> None:
        save_teaching_units(to_create, to_update, fields)
