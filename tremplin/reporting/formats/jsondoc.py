"""The bilan as one JSON document (the exact shape of `Bilan.as_dict`)."""

from __future__ import annotations

import json
from typing import Any

from ..tables import Tables

__all__ = ["json_format"]


def json_format(bilan: dict[str, Any], tables: Tables | None = None) -> str:
    return json.dumps(bilan, ensure_ascii=False, indent=2)
