"""Towns as people write them: one resolver for every commune field (forms, imports, the command
line). It takes a name in any usual spelling (« saint malo », « St-Malo », « ST MALO »,
« Plouer sur Rance » without its diaeresis), a postal code (35800) or an INSEE code (35288, or
5288 when a spreadsheet dropped the leading zero), optionally followed by the department
(« Saint-Malo (35) »); it asks to choose when a name or a postal code is ambiguous."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .models import Commune

#: Abbreviations expanded before comparing names.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "s": "sur", "ss": "sous"}
#: How many candidates a list of suggestions or an ambiguity shows at most.
MAX_CANDIDATES = 10


def name_key(text: str) -> str:
    """« Saint-Malo », « ST MALO », « st malo » → "saint malo"; accents, case, hyphens,
    apostrophes and repeated spaces do not count."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class _Index:
    by_name: dict[str, tuple[str, ...]]
    by_postal_code: dict[str, tuple[str, ...]]
    names: tuple[str, ...]  # every name key, sorted, for suggestions by prefix


@lru_cache(maxsize=1)
def _index() -> _Index:
    by_name: dict[str, list[str]] = defaultdict(list)
    by_postal_code: dict[str, list[str]] = defaultdict(list)
    rows = Commune.objects.filter(kind=Commune.Kind.COMMUNE).values_list(
        "code", "name", "postal_codes"
    )
    for code, name, postal_codes in rows.order_by("code"):
        by_name[name_key(name)].append(code)
        for postal_code in re.findall(r"\d{5}", postal_codes):
            by_postal_code[postal_code].append(code)
    return _Index(
        {key: tuple(codes) for key, codes in by_name.items()},
        {key: tuple(codes) for key, codes in by_postal_code.items()},
        tuple(sorted(by_name)),
    )


def forget_index() -> None:
    """After the reference data changed (refdata load, tests)."""
    _index.cache_clear()


def _split_department(text: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*(.*?)\s*\(\s*(\w{2,3})\s*\)\s*", text)
    return (match.group(1), match.group(2).upper()) if match else (text.strip(), "")


def _communes(codes: tuple[str, ...] | list[str]) -> list[Commune]:
    found = {c.code: c for c in Commune.objects.select_related("department").filter(code__in=codes)}
    return sorted(
        (found[code] for code in codes if code in found),
        key=lambda c: (-(c.population or 0), c.name, c.code),
    )


def candidates(text: str) -> list[Commune]:
    """Every commune the text may designate, the most populated first."""
    name, department = _split_department(text)
    if not name:
        return []
    index = _index()
    codes: list[str] = []
    if name.isdigit() and len(name) in (4, 5):
        code = name.zfill(5)
        if Commune.objects.filter(code=code, kind=Commune.Kind.COMMUNE).exists():
            codes = [code]
        else:
            codes = list(index.by_postal_code.get(code, ()))
    elif re.fullmatch(r"2[ABab]\d{3}", name):
        codes = [name.upper()]
    else:
        codes = list(index.by_name.get(name_key(name), ()))
    communes = _communes(codes)
    if department:
        communes = [c for c in communes if c.department_id == department]
    return communes


def suggestions(text: str, limit: int = MAX_CANDIDATES) -> list[Commune]:
    """Communes whose name starts with what was typed (or matching a code), for the suggestions
    shown as the user types."""
    exact = candidates(text)
    if exact or text.strip().isdigit():
        return exact[:limit]
    key = name_key(text)
    if len(key) < 2:
        return []
    index = _index()
    names = index.names
    # the sorted keys starting with `key` are contiguous
    from bisect import bisect_left

    start = bisect_left(names, key)
    codes: list[str] = []
    for name in names[start:]:
        if not name.startswith(key) or len(codes) >= limit * 3:
            break
        codes += index.by_name[name]
    return _communes(codes)[:limit]


def label(commune: Commune) -> str:
    """« Saint-Malo (35) », as the resolver reads it back."""
    return f"{commune.name} ({commune.department_id})"


class CommuneChoice(ValidationError):
    """The text designates several communes, or none but near ones: the candidates to choose
    from (the form lists them as radio buttons, which works without JavaScript)."""

    def __init__(self, message: str, candidates: list[Commune]) -> None:
        super().__init__(message)
        self.candidates = candidates


def resolve_commune(text: str, *, field: str = "commune") -> Commune:
    """The one commune the text designates, or a French error saying why: unknown, or several
    (listed, to choose from by adding the department or typing the INSEE code)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Indiquez la commune : son nom, son code postal ou son code INSEE.")
    found = candidates(text)
    if len(found) == 1:
        return found[0]
    if not found:
        near = suggestions(text, 5)
        hint = f" Vouliez-vous dire : {', '.join(label(c) for c in near)} ?" if near else ""
        raise CommuneChoice(
            f"Aucune commune ne correspond à « {text} » (nom, code postal ou code INSEE).{hint}",
            near,
        )
    listed = ", ".join(f"{label(c)} [{c.code}]" for c in found[:MAX_CANDIDATES])
    more = f" (et {len(found) - MAX_CANDIDATES} autres)" if len(found) > MAX_CANDIDATES else ""
    raise CommuneChoice(
        f"« {text} » désigne plusieurs communes : {listed}{more}. Choisissez-en une, par exemple "
        f"« {label(found[0])} » ou son code INSEE {found[0].code}.",
        found[:MAX_CANDIDATES],
    )


class CommuneInput(forms.TextInput):
    """The text input of a commune field: core/tremplin.js offers suggestions as the user types
    (from places:commune_suggestions); when the text designates several communes (or none but
    near ones), the candidates follow as radio buttons (`<name>-choix`), no JavaScript needed."""

    template_name = "places/widgets/commune.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"data-tr-commune": "", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )
        self.candidates: list[Commune] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        chosen = data.get(f"{name}-choix")
        return chosen if chosen else super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["candidates"] = [(c.code, label(c)) for c in self.candidates]
        return context


class CommuneField(forms.CharField):
    """A commune as people write it; cleaned to the Commune (None when empty and optional)."""

    widget = CommuneInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Commune | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return resolve_commune(text)
        except CommuneChoice as exc:
            assert isinstance(self.widget, CommuneInput)
            self.widget.candidates = exc.candidates
            raise


def communes_widget() -> CommuneInput:
    return CommuneInput()
