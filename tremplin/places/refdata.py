"""Load the real French reference data shipped in ``tremplin/places/data`` (see its README).

Idempotent: every table is synchronised on its natural key, so a second run changes nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from tremplin.core.csvimport import synchronise

from .models import Commune, Department, Disp, Establishment, EstablishmentType, Region, Upr

DATA = Path(__file__).resolve().parent / "data"
COMMUNES = DATA / "communes_2026_population_coords.csv"
ESTABLISHMENTS = DATA / "etablissements_penitentiaires_2026-07.csv"
CORRECTIONS = DATA / "etablissements_corrections.csv"

TYPES = {label: code for code, label in EstablishmentType.choices}
TYPES["Établissement pénitentiaire pour mineurs"] = EstablishmentType.EPM
_NAME_PREFIX = re.compile(
    r"^(Centre pénitentiaire|Centre de détention|Maison d'arrêt|Maison centrale|"
    r"Centre de semi-liberté|Etablissement pénitentiaire spécialisé pour mineurs)\s+"
    r"(de la |de l'|d'|de |du |des )?"
)


@dataclass
class LoadReport:
    tables: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(created or updated for created, updated, _ in self.tables.values())

    def lines(self) -> Iterator[str]:
        for table, (created, updated, unchanged) in self.tables.items():
            yield (f"{table} : {created} créé(s), {updated} mis à jour, {unchanged} inchangé(s)")
        if not self.changed:
            yield "Aucune modification : les données de référence étaient déjà à jour."

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "tables": {
                t: {"created": c, "updated": u, "unchanged": n}
                for t, (c, u, n) in self.tables.items()
            },
        }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _float(value: str) -> float | None:
    return float(value) if value else None


def _int(value: str) -> int | None:
    return int(value) if value else None


def short_name(name: str) -> str:
    """ "Centre pénitentiaire de Bois-d'Arcy" -> "Bois-d'Arcy"."""
    return _NAME_PREFIX.sub("", name, count=1) or name


def upr_name(disp_code: str) -> str:
    if not disp_code.startswith("DISP "):
        return "UPR outre-mer"
    return "UPR de " + disp_code.removeprefix("DISP ").title()


def _sync(report: LoadReport, label: str, model: Any, key: str, rows: list[dict[str, Any]]) -> None:
    existing = {(getattr(o, key),): o for o in model._default_manager.all()}
    report.tables[label] = synchronise(
        model, rows, key=lambda values: (values[key],), existing=existing
    )


@transaction.atomic
def load_reference_data() -> LoadReport:
    report = LoadReport()
    regions = [{"code": r["code"], "name": r["nom"]} for r in _rows(DATA / "regions_2026.csv")]
    _sync(report, "Régions", Region, "code", regions)
    communes = _rows(COMMUNES)
    region_of_department = {r["departement"]: r["region"] for r in communes}
    _sync(
        report,
        "Départements",
        Department,
        "code",
        [
            {"code": r["code"], "name": r["nom"], "region_id": region_of_department[r["code"]]}
            for r in _rows(DATA / "departements_2026.csv")
        ],
    )
    # Communes before the arrondissements that point at them.
    communes.sort(key=lambda r: r["type"] != "commune-actuelle")
    _sync(
        report,
        "Communes",
        Commune,
        "code",
        [
            {
                "code": r["code_insee"],
                "name": r["nom"],
                "kind": Commune.Kind.COMMUNE
                if r["type"] == "commune-actuelle"
                else Commune.Kind.ARRONDISSEMENT,
                "department_id": r["departement"],
                "region_id": r["region"],
                "population": _int(r["population"]),
                "postal_codes": r["codes_postaux"].replace("|", " ")[:120],
                "latitude": _float(r["latitude"]),
                "longitude": _float(r["longitude"]),
                "parent_id": r["commune_parente"] or None,
            }
            for r in communes
        ],
    )
    disps = _rows(DATA / "disp_2026.csv")
    _sync(
        report,
        "Directions interrégionales",
        Disp,
        "code",
        [
            {
                "code": r["code"],
                "name": r["libelle"],
                "seat_id": r["siege_code_insee"] or None,
                "seat_to_check": "vérifier" in r["siege_ville"],
                "is_overseas": not r["code"].startswith("DISP "),
            }
            for r in disps
        ],
    )
    disp_ids = dict(Disp.objects.values_list("code", "id"))
    links = Disp.departments.through
    wanted = {
        (disp_ids[r["code"]], code)
        for r in disps
        for code in r["departements_des_etablissements"].split()
    }
    present = set(links.objects.values_list("disp_id", "department_id"))
    links.objects.bulk_create([links(disp_id=d, department_id=c) for d, c in wanted - present])
    report.tables["Départements des DISP"] = (len(wanted - present), 0, len(wanted & present))
    _sync(
        report,
        "Unités pédagogiques régionales",
        Upr,
        "disp_id",
        [{"disp_id": disp_ids[r["code"]], "name": upr_name(r["code"])} for r in disps],
    )
    corrections = {r["etablissement"]: r for r in _rows(CORRECTIONS)}
    rows = []
    for r in _rows(ESTABLISHMENTS):
        fix = corrections.get(r["etablissement"], {})
        manual = r["rattachement_commune"] == "manuel"
        name = fix.get("nom") or r["nom_annuaire"].replace(" (annuaire)", "")
        rows.append(
            {
                "label": r["etablissement"],
                "name": name,
                "short_name": fix.get("nom_court") or short_name(name),
                "type": TYPES[r["type"]],
                "disp_id": disp_ids[r["disp"]],
                "commune_id": r["code_commune_insee"],
                "quarters": r["quartiers"].replace("|", ", "),
                "capacity": _int(r["capacite_operationnelle"]),
                "detainees": _int(r["ecroues_detenus"]),
                "attached_by_hand": manual,
                "directory_remark": r["nom_annuaire"][:200] if manual else "",
            }
        )
    _sync(report, "Établissements pénitentiaires", Establishment, "label", rows)
    from .communes import forget_index

    forget_index()  # the communes may have changed
    return report
