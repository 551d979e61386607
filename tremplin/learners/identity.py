"""The person, once: the files that may already be this person's (the same names however they
are written, in either order, and the same birth date), and the references given to new files.
The form, the learners import and the API ask the same questions here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from tremplin.core.csvimport import Choice, Row

from .models import Kind, Learner, Status, search_key

#: "D26-0100": the public (détenu, jeune, autre), the year's two digits, a number.
PREFIXES: dict[str, str] = {Kind.DETAINED: "D", Kind.YOUTH: "J", Kind.OTHER: "A"}
#: Birth dates looked up per query (SQLite's bound parameters stay well below their limit).
CHUNK = 500


def compact(text: str) -> str:
    """A name with no accent, case, space, hyphen or apostrophe: "Jean-Baptiste" and "JEAN
    BAPTISTE" are "JEANBAPTISTE"."""
    return search_key(text).replace(" ", "")


def identity_keys(last_name: str, first_name: str) -> frozenset[str]:
    """The names read in both orders (a first name typed as the last name is common)."""
    last, first = compact(last_name), compact(first_name)
    return frozenset({f"{last}|{first}", f"{first}|{last}"})


def _live(queryset: Any) -> Any:
    return queryset.exclude(status=Status.MERGED)


def same_person(
    last_name: str, first_name: str, birth_date: date, *, exclude: Iterable[int] = ()
) -> list[Learner]:
    """The files (not merged away) of a person with these names and this birth date. The
    names of those born that day are read first (a dozen at national scale, most often none of
    them the same person), the files themselves only when one is."""
    keys = identity_keys(last_name, first_name)
    candidates = _live(Learner.objects.filter(birth_date=birth_date).exclude(pk__in=list(exclude)))
    found = [
        pk
        for pk, last, first in candidates.values_list("pk", "last_name", "first_name")
        if identity_keys(last, first) & keys
    ]
    if not found:
        return []
    return list(
        Learner.objects.filter(pk__in=found)
        .select_related("establishment", "mission_locale")
        .order_by("pk")
    )


def same_people(people: Sequence[tuple[str, str, date]]) -> dict[int, list[Learner]]:
    """For many people at once (an import): their position -> the files that may be theirs."""
    wanted: dict[date, list[int]] = defaultdict(list)
    for position, (_, _, born) in enumerate(people):
        wanted[born].append(position)
    found: dict[int, list[Learner]] = defaultdict(list)
    dates = list(wanted)
    for start in range(0, len(dates), CHUNK):
        chunk = dates[start : start + CHUNK]
        for learner in _live(Learner.objects.filter(birth_date__in=chunk)).order_by("pk"):
            keys = identity_keys(learner.last_name, learner.first_name)
            for position in wanted[learner.birth_date]:
                last, first, _ = people[position]
                if identity_keys(last, first) & keys:
                    found[position].append(learner)
    return dict(found)


class PossibleDuplicate(ValidationError):
    """A new file whose person may already have one: nothing is created unless the user says
    it is another person."""

    def __init__(self, matches: list[Learner]) -> None:
        self.matches = matches
        references = ", ".join(learner.reference for learner in self.matches)
        super().__init__(
            {
                "last_name": (
                    "Un dossier existe déjà pour une personne de même nom et de même date de "
                    f"naissance ({references}) : ouvrez-le plutôt que d'en créer un second, ou "
                    "confirmez qu'il s'agit d'une autre personne."
                )
            }
        )


#: Said next to the confirmation asked when a file may already exist (every creation form).
CONFIRM_OTHER_PERSON = (
    "Un dossier existe déjà pour une personne de même nom et de même date de naissance : "
    "ouvrez-le, ou cochez cette case s'il s'agit d'une autre personne."
)


def check_new_person(
    last_name: str, first_name: str, birth_date: date, *, other_person: bool
) -> None:
    """Raise PossibleDuplicate when the person may already have a file (unless confirmed)."""
    if other_person:
        return
    matches = same_person(last_name, first_name, birth_date)
    if matches:
        raise PossibleDuplicate(matches)


#: The « Autre personne » column of the imports that create files.
OTHER_PERSON_CHOICES = (Choice("yes", "oui"), Choice("no", "non"))
OTHER_PERSON_NOTE = (
    "« oui » quand une personne de même nom et de même date de naissance a déjà un dossier et "
    "qu'il ne s'agit pas d'elle"
)


def check_rows(
    parsed: Sequence[tuple[Row, dict[str, Any]]], *, known: set[str], other_person: set[str]
) -> None:
    """An import's new files (references not `known`) whose person may already have one, in
    the database or on another line of the file: an error on the line naming that file or
    line, unless its reference is in `other_person` (the line says « oui » in « Autre
    personne »). The rows' values name `reference`, `last_name`, `first_name`, `birth_date`."""
    new = [
        (row, values)
        for row, values in parsed
        if values["reference"] not in known and values["reference"] not in other_person
    ]
    matches = same_people([(v["last_name"], v["first_name"], v["birth_date"]) for _, v in new])
    first_line: dict[tuple[str, date], int] = {}
    for position, (row, values) in enumerate(new):
        if position in matches:
            references = ", ".join(learner.reference for learner in matches[position])
            row.error(
                "last_name",
                f"même personne que le dossier {references} (même nom et même date de "
                "naissance) : utilisez sa référence, ou indiquez « oui » dans la colonne "
                "« Autre personne ».",
            )
            continue
        key = (min(identity_keys(values["last_name"], values["first_name"])), values["birth_date"])
        if key in first_line:
            row.error(
                "last_name",
                f"même personne que la ligne {first_line[key]} (même nom et même date de "
                "naissance) : une seule ligne par personne, ou « oui » dans la colonne "
                "« Autre personne ».",
            )
        else:
            first_line[key] = row.line


def new_reference(kind: str, on: date, *, taken: Iterable[str] = ()) -> str:
    """The next free reference of the public and the year: "D26-0142"."""
    prefix = f"{PREFIXES.get(kind, 'A')}{on:%y}-"
    used = set(
        Learner.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    ) | set(taken)
    numbers = [int(ref[len(prefix) :]) for ref in used if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


__all__ = [
    "OTHER_PERSON_CHOICES",
    "OTHER_PERSON_NOTE",
    "PossibleDuplicate",
    "check_new_person",
    "check_rows",
    "compact",
    "identity_keys",
    "new_reference",
    "same_people",
    "same_person",
]
