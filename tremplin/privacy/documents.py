"""The person's data as a readable French PDF (right of access), built from the same document as
the JSON export: every field with its French label."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from tremplin.core.pdf import render_pdf
from tremplin.learners.models import Learner

from .selectors import PARTS, labels_of


@dataclass(frozen=True)
class Item:
    """One record: its lines (label, value) and its nested records under a title."""

    lines: list[tuple[str, str]]
    children_title: str = ""
    children: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]


def readable(value: Any) -> str:
    """A JSON value as a French reader expects it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value)
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            if len(value) > 10 and value[10] == "T":
                return datetime.fromisoformat(value).strftime("%d/%m/%Y à %H:%M")
        except ValueError:
            pass
        return value
    return str(value)


def _lines(data: dict[str, Any], labels: dict[str, str], nested: str = "") -> list[tuple[str, str]]:
    lines = []
    for name, value in data.items():
        if name == nested:
            continue
        label = labels.get(name, name.replace("_", " "))
        lines.append((label[:1].upper() + label[1:], readable(value)))
    return lines


def sections(document: dict[str, Any]) -> list[Section]:
    result = [Section("Identité", [Item(_lines(document["identity"], labels_of(Learner)))])]
    for part in PARTS:
        found = document.get(part.key)
        records = [] if found is None else [found] if isinstance(found, dict) else found
        labels = labels_of(part.model)
        child_labels = labels_of(part.child_model) if part.child_model else {}
        items = [
            Item(
                _lines(record, labels, part.children),
                part.child_title,
                [_lines(child, child_labels) for child in record.get(part.children, [])]
                if part.children
                else [],
            )
            for record in records
        ]
        result.append(Section(part.title, items))
    return result


def subject_pdf(learner: Learner, document: dict[str, Any]) -> bytes:
    return render_pdf(
        "privacy/pdf/subject.html",
        {
            "learner": learner,
            "sections": sections(document),
            "issued_on": timezone.localdate(),
        },
    )
