"""French typography for the messages Tremplin writes: a non-breaking space before « : ; ! ? % »
and the closing guillemet, after the opening one."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import timezone

NBSP = "\u00a0"
_BEFORE = re.compile(r"[ \u00a0\u202f]*([:;!?%»])(?=\s|$|[.,)\]])")
_AFTER = re.compile(r"«[ \u00a0\u202f]*")


def french_spacing(text: str) -> str:
    """`"Paramètre « page » : invalide ?"` with non-breaking spaces where French puts them."""
    text = _BEFORE.sub(lambda m: NBSP + m[1], text)
    return _AFTER.sub("«" + NBSP, text)


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date(day: date) -> str:
    """« 1er décembre 2026 », « 14 juillet 2026 »."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(moment: datetime) -> str:
    """« 1er décembre 2026 à 14 h 05 », in local time."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{long_date(local.date())} à {local.hour} h {local.minute:02d}"


def thousands(number: int) -> str:
    """1234567 -> "1 234 567" (narrow no-break spaces, French typography)."""
    return f"{number:,}".replace(",", "\u202f")
