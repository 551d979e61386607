"""The names the demonstration gives its fictitious people, read from `data/names.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

NAMES: Final[dict[str, list[str]]] = json.loads(
    (Path(__file__).parent / "data" / "names.json").read_text(encoding="utf-8")
)
