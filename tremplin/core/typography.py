"""French typography for the messages Tremplin writes: a non-breaking space before « : ; ! ? % »
and the closing guillemet, after the opening one."""

from __future__ import annotations

import re

NBSP = "\u00a0"
_BEFORE = re.compile(r"[ \u00a0\u202f]*([:;!?%»])(?=\s|$|[.,)\]])")
_AFTER = re.compile(r"«[ \u00a0\u202f]*")


def french_spacing(text: str) -> str:
    """`"Paramètre « page » : invalide ?"` with non-breaking spaces where French puts them."""
    text = _BEFORE.sub(lambda m: NBSP + m[1], text)
    return _AFTER.sub("«" + NBSP, text)
