"""Shared wording of the formats: French plurals, lists of names, the headline figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tremplin.core.text import sort_key as sort_key
from tremplin.core.typography import NBSP, french_spacing, thousands

from ..tables import DispRow, Table, Tables, graduates_count

#: The directorate where the programme started (June 2015 convention): the text names it first.
HOME_DISP = "DISP PARIS"
#: Written in place of a result withheld in publication mode.
WITHHELD = "non publié"


@dataclass(frozen=True)
class Report:
    """A document of figures for the spreadsheet formats: a title, its scope, an optional note,
    the headline figures as (label, value), then the detail tables. The bilan and the
    orientation statistics are both written through it."""

    title: str
    scope: str
    note: str | None
    headline: Sequence[tuple[str, Any]]
    sheets: Sequence[Table]


def bilan_report(bilan: dict[str, Any], tables: Tables) -> Report:
    return Report(
        title=document_title(tables),
        scope=tables.scope,
        note=publication_note(tables),
        headline=headline_rows(bilan, tables),
        sheets=tables.sheets(),
    )


def is_plural(value: object) -> bool:
    """French: 0 and 1 take the singular; a masked count ("< 5") reads as a plural."""
    return not isinstance(value, int) or value >= 2


def count(value: object, singular: str, plural: str) -> str:
    """ "64 personnes inscrites", "1 personne inscrite", "< 5 personnes inscrites",
    "33 403 personnes inscrites" (thousands apart, by a narrow no-break space)."""
    shown = thousands(value) if isinstance(value, int) else value
    return f"{shown} {plural if is_plural(value) else singular}"


def enumerate_fr(names: Iterable[str], last: str = ", ") -> str:
    """ "A, B, C" (or "A, B et C" with last=" et ")."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def academic_year_slash(year: str) -> str:
    return year.replace("-", "/")


def disp_display(row: DispRow) -> str:
    """ "DISP de Rennes", or the overseas directorate."""
    if row.is_overseas:
        return f"{row.code} (outre-mer)"
    return f"DISP de {row.short_name}"


def upr_phrase(row: DispRow) -> str:
    """The seed's wording for the education unit of a directorate."""
    if row.is_overseas:
        return "de l'unité pénitentiaire régionale (UPR) d'outre-mer"
    return f"de l'unité pénitentiaire régionale (UPR) de {row.short_name}"


def short_names(labels: Iterable[str], tables: Tables) -> list[str]:
    return [tables.short_names.get(label, label) for label in labels]


def sorted_short_names(labels: Iterable[str], tables: Tables) -> list[str]:
    return sorted(short_names(labels, tables), key=sort_key)


def fr_decimal(value: float) -> str:
    """56.25 -> "56,25"."""
    return f"{value:.2f}".replace(".", ",")


def fr_int(value: int) -> str:
    """1234567 -> "1 234 567" (narrow no-break spaces)."""
    return thousands(value)


def headline_rows(bilan: dict[str, Any], tables: Tables) -> list[tuple[str, Any]]:
    """The key figures as (label, value): values are ints, floats (percentages), "< 5" strings
    or None (withheld in publication mode)."""
    followup = bilan["followup"]
    emergence = bilan["emergence"]
    years = emergence["years"]
    window = f"{years[0]} à {years[-1]}" if years else ""
    return [
        ("Personnes inscrites", bilan["enrolled_learners"]),
        ("Établissements pénitentiaires partenaires", bilan["partner_establishments"]),
        ("Directions interrégionales", len(bilan["by_disp"])),
        ("Inscriptions aux UE", bilan["ue_enrollments"]),
        ("UE validées", bilan["ue_validated"]),
        ("Élèves reçus (%)", bilan["learner_success_rate"]),
        ("UE validées (%)", bilan["ue_validation_rate"]),
        ("Diplômés", graduates_count(bilan)),
        ("Personnes suivies par un référent", followup["people_followed"]),
        ("Entretiens menés", followup["interviews"]),
        (
            "Entretiens d'information et d'orientation",
            followup["by_kind"].get("information_orientation", 0),
        ),
        ("Entretiens de suivi de formation", followup["by_kind"].get("training_followup", 0)),
        (f"Participants Émergence ({window})", emergence["participants"]),
        ("Établissements Émergence", len(emergence["establishments"])),
        *orientation_rows(tables),
    ]


def orientation_rows(tables: Tables) -> list[tuple[str, Any]]:
    """The missions locales' referrals of the year, when the bilan covers them."""
    if not tables.orientation:
        return []
    whole = tables.orientation[-1]
    return [
        ("Orientations des missions locales vers le Cnam", whole.sent),
        ("Orientations entrées en formation", whole.enrolled),
        ("Orientations entrées en formation (%)", whole.enrolment_rate),
        ("Délai médian du premier contact (jours)", whole.median_days_to_first_contact),
    ]


def document_title(tables: Tables) -> str:
    return f"Bilan chiffré {tables.academic_year}"


def publication_note(tables: Tables) -> str | None:
    if tables.masked_below is None:
        return None
    t = tables.masked_below
    # The guillemets and the signs kept with their words: « < 5 » was broken after « at 1024 px.
    return french_spacing(
        f"Publication : les effectifs de 1 à {t - 1} personnes sont remplacés par « <{NBSP}{t} » ; "
        "« n.c. » (non communiqué) masque aussi un effectif qui permettrait de retrouver un "
        "effectif masqué à partir d'un total ; les diplômés ne sont détaillés par formation "
        f"qu'à partir de {t} ; les résultats calculés sur moins de {t} personnes ne sont pas "
        "publiés."
    )
