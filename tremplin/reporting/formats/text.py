"""The bilan as a French summary, in the seed's own wording ("Bilan chiffré 2019/2020 en
quelques chiffres"), correct for any year and scope, singular or plural."""

from __future__ import annotations

from typing import Any

from tremplin.core.typography import thousands

from ..tables import DispRow, Tables, graduates_count
from .common import (
    HOME_DISP,
    academic_year_slash,
    count,
    disp_display,
    enumerate_fr,
    fr_decimal,
    publication_note,
    short_names,
    sort_key,
    sorted_short_names,
    upr_phrase,
)

__all__ = ["summary_lines", "text_format"]


def _establishments_lines(bilan: dict[str, Any], tables: Tables) -> list[str]:
    total = bilan["partner_establishments"]
    if not total:
        return ["Aucun centre pénitentiaire partenaire"]
    partners = count(total, "centre pénitentiaire partenaire", "centres pénitentiaires partenaires")
    by_code = {figures["disp"]: figures for figures in bilan["by_disp"]}
    rows = [row for row in tables.disps if row.code in by_code]

    def names_of(row: DispRow) -> str:
        return ", ".join(sorted_short_names(by_code[row.code]["establishment_names"], tables))

    if len(rows) == 1:
        return [f"{partners} {upr_phrase(rows[0])} : {names_of(rows[0])}."]
    home = next((row for row in rows if row.code == HOME_DISP), None)
    lines = [f"{partners} dont :"]
    if home is None:
        for row in rows:
            lines.append(f" {row.establishments} {upr_phrase(row)} : {names_of(row)}.")
        return lines
    others = sorted(
        (row for row in rows if row is not home), key=lambda r: (r.is_overseas, sort_key(r.code))
    )
    lines.append(f" {home.establishments} {upr_phrase(home)} : {names_of(home)}.")
    elsewhere = _elsewhere(bilan["enrolled_learners"], home.learners, tables.masked_below)
    directorates = count(
        len(others),
        "autre direction interrégionale",
        "autres directions interrégionales",
    )
    names = ", ".join(disp_display(row) for row in others)
    if elsewhere is None:
        lines.append(f" Des détenus inscrits sur {directorates} : {names}.")
    else:
        detainees = count(elsewhere, "détenu inscrit", "détenus inscrits")
        lines.append(f" {detainees} sur {directorates} : {names}.")
    return lines


def _elsewhere(total: object, home: object, threshold: int | None) -> int | str | None:
    """The learners enrolled only outside the home directorate (total minus home); masked
    like any learner count in publication mode, unknown when one of the two is masked."""
    if not isinstance(total, int) or not isinstance(home, int):
        return None
    value = total - home
    if threshold is not None and 0 < value < threshold:
        return f"< {threshold}"
    return value


#: The graduates' formations and places the summary names, the largest first when there are
#: more (a national year awards about 3,000 certifications in 2,000 formations and places: the
#: summary ran over four printed pages); the detail table lists them all.
GRADUATES_NAMED = 8


def _graduates_line(bilan: dict[str, Any], tables: Tables) -> str:
    rows = tables.graduates
    if not rows:
        return "Aucun diplômé"
    parts: dict[str, int | str] = {}
    for row in rows:
        what = row.title if row.kind in ("institution_diploma", "") else row.kind_label
        where = tables.short_names.get(row.establishment or "", row.short_name or "")
        label = f"{what} à {where}" if where else what
        before = parts.get(label, 0)
        both = isinstance(before, int) and isinstance(row.count, int)
        parts[label] = before + row.count if both else row.count  # type: ignore[operator]
    named = list(parts.items())
    rest = ""
    if len(named) > GRADUATES_NAMED:
        # The largest first (a masked count, "< 5", is small), in their order otherwise.
        named = sorted(named, key=lambda item: -item[1] if isinstance(item[1], int) else 0)
        others = len(named) - GRADUATES_NAMED
        named = named[:GRADUATES_NAMED]
        them = "l'autre" if others == 1 else f"les {thousands(others)} autres"
        rest = f" ; {them} dans le tableau « Certifications délivrées »"
    items = [label if n == 1 else f"{label} ({n})" for label, n in named]
    graduates = count(graduates_count(bilan), "diplômé", "diplômés")
    return f"{graduates} : {' ; '.join(items)}{rest}"


def _rates_line(bilan: dict[str, Any]) -> str:
    year = academic_year_slash(bilan["academic_year"])
    if bilan["ue_enrollments"] == 0:
        return f"Aucune inscription aux UE en {year}"
    success, validation = bilan["learner_success_rate"], bilan["ue_validation_rate"]
    if success is None or validation is None:
        return f"Taux de réussite de {year} non publiés : trop peu de personnes inscrites"
    return (
        f"{fr_decimal(success)}\u00a0% d'élèves reçus en {year} "
        f"et {fr_decimal(validation)}\u00a0% d'UE validées"
    )


def _followup_line(bilan: dict[str, Any]) -> str:
    followup = bilan["followup"]
    if not followup["interviews"]:
        return "Aucun entretien de suivi pédagogique dans l'année"
    people = followup["people_followed"]
    by_kind = followup["by_kind"]
    info = by_kind.get("information_orientation", 0)
    training = by_kind.get("training_followup", 0)
    return ", ".join(
        [
            count(people, "personne suivie", "personnes suivies")
            + " par un référent pédagogique pénitentiaire",
            count(followup["interviews"], "entretien mené", "entretiens menés"),
            count(
                info,
                "entretien d'information et d'orientation",
                "entretiens d'information et d'orientation",
            ),
            count(training, "entretien de suivi de formation", "entretiens de suivi de formation"),
        ]
    )


def _emergence_line(bilan: dict[str, Any], tables: Tables) -> str:
    emergence = bilan["emergence"]
    window = len(emergence["years"])
    span = f"sur les {window} dernières années"
    if not emergence["participants"]:
        return f"Aucun inscrit au dispositif Emergence {span}"
    ordered = tables.emergence_order or emergence["establishments"]
    places = enumerate_fr(short_names(ordered, tables), last=" et ")
    where = count(
        len(emergence["establishments"]),
        "établissement pénitentiaire",
        "établissements pénitentiaires",
    )
    inscrits = count(emergence["participants"], "inscrit", "inscrits")
    return f"{inscrits} au dispositif Emergence {span}, dans {where} : {places}."


def summary_lines(bilan: dict[str, Any], tables: Tables) -> list[str]:
    """The French summary, one sentence per line."""
    year = academic_year_slash(bilan["academic_year"])
    lines = [f"Bilan chiffré {year} en quelques chiffres"]
    if not tables.whole_programme:
        lines.append(f"Périmètre : {tables.scope}")
    note = publication_note(tables)
    if note:
        lines.append(note)
    lines.append("")
    enrolled = bilan["enrolled_learners"]
    if enrolled == 0:
        lines.append("Aucune personne inscrite")
    else:
        lines.append(count(enrolled, "personne inscrite au total", "personnes inscrites au total"))
    lines += _establishments_lines(bilan, tables)
    lines.append(_graduates_line(bilan, tables))
    lines.append(_rates_line(bilan))
    lines.append(_followup_line(bilan))
    lines.append(_emergence_line(bilan, tables))
    return lines


def text_format(bilan: dict[str, Any], tables: Tables) -> str:
    return "\n".join(summary_lines(bilan, tables)) + "\n"
