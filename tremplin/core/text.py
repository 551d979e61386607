"""French text helpers shared by the apps."""

from __future__ import annotations

import unicodedata


def sort_key(name: str) -> str:
    """Alphabetical order that ignores accents and case (Évry between Étampes and Fresnes)."""
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
