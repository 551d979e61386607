"""Simple bar charts as inline SVG, drawn on the server (no JavaScript, no network). Readable in
black and white: every bar carries its value, and the two series of a paired chart differ by
their fill (solid and hatched), not by colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .common import fr_decimal, fr_int

__all__ = ["Bar", "PairedBar", "hbar_chart", "paired_hbar_chart", "vbar_chart"]

INK = "#000091"  # the State's blue: prints as a dark grey
GRID = "#999999"
FONT = "Marianne, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | str  # a str is a masked count ("< 5"): no bar, the text only
    note: str = ""


@dataclass(frozen=True)
class PairedBar:
    label: str
    total: int | str
    part: int | str | None
    note: str = ""


def _text(value: int | float | str, percent: bool = False) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) or percent:
        return fr_decimal(float(value)) + "\u00a0%"
    return fr_int(value)


def _defs(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(45)">'
        '<rect width="5" height="5" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{INK}" stroke-width="2"/>'
        "</pattern></defs>"
    )


def _svg(uid: str, width: float, height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{uid}-title" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="{FONT}">'
        f'<title id="{uid}-title">{escape(title)}</title>{_defs(uid)}{"".join(body)}</svg>'
    )


def _scale(values: Sequence[int | float | str]) -> float:
    numbers = [float(v) for v in values if not isinstance(v, str)]
    return max(numbers, default=0.0) or 1.0


def hbar_chart(
    uid: str,
    title: str,
    bars: Sequence[Bar],
    *,
    width: float = 480,
    label_width: float = 150,
    percent: bool = False,
    maximum: float | None = None,
) -> str:
    """One horizontal bar per item, its value written at its end."""
    row, gap, top = 16.0, 6.0, 4.0
    value_width = 70.0
    plot = width - label_width - value_width
    top_value = maximum or _scale([b.value for b in bars])
    height = top + len(bars) * (row + gap) + 2
    body = [
        f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{height - 2}" '
        f'stroke="{GRID}" stroke-width="0.8"/>'
    ]
    for i, bar in enumerate(bars):
        y = top + i * (row + gap)
        body.append(
            f'<text x="{label_width - 6}" y="{y + row * 0.72:.1f}" font-size="10" '
            f'text-anchor="end">{escape(bar.label)}</text>'
        )
        length = 0.0
        if not isinstance(bar.value, str):
            length = max(plot * float(bar.value) / top_value, 1.5 if bar.value else 0)
            body.append(
                f'<rect x="{label_width}" y="{y:.1f}" width="{length:.1f}" height="{row}" '
                f'fill="{INK}"/>'
            )
        text = _text(bar.value, percent) + (f" {bar.note}" if bar.note else "")
        body.append(
            f'<text x="{label_width + length + 5:.1f}" y="{y + row * 0.72:.1f}" '
            f'font-size="10" font-weight="700">{escape(text)}</text>'
        )
    return _svg(uid, width, height, body, title)


def paired_hbar_chart(
    uid: str,
    title: str,
    bars: Sequence[PairedBar],
    *,
    total_label: str,
    part_label: str,
    width: float = 480,
    label_width: float = 170,
) -> str:
    """Per item, a hatched bar (the total) with a solid bar inside it (the part)."""
    row, gap, top = 16.0, 7.0, 26.0
    value_width = 110.0
    plot = width - label_width - value_width
    top_value = _scale([b.total for b in bars])
    height = top + len(bars) * (row + gap) + 2
    body = [
        # legend
        f'<rect x="{label_width}" y="4" width="14" height="10" fill="url(#{uid}-hatch)" '
        f'stroke="{INK}" stroke-width="0.8"/>',
        f'<text x="{label_width + 19}" y="13" font-size="9.5">{escape(total_label)}</text>',
        f'<rect x="{label_width + 150}" y="4" width="14" height="10" fill="{INK}"/>',
        f'<text x="{label_width + 169}" y="13" font-size="9.5">{escape(part_label)}</text>',
        f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{height - 2}" '
        f'stroke="{GRID}" stroke-width="0.8"/>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * (row + gap)
        body.append(
            f'<text x="{label_width - 6}" y="{y + row * 0.72:.1f}" font-size="10" '
            f'text-anchor="end">{escape(bar.label)}</text>'
        )
        end = label_width
        if not isinstance(bar.total, str):
            total = max(plot * bar.total / top_value, 1.5 if bar.total else 0)
            body.append(
                f'<rect x="{label_width}" y="{y:.1f}" width="{total:.1f}" height="{row}" '
                f'fill="url(#{uid}-hatch)" stroke="{INK}" stroke-width="0.8"/>'
            )
            end += total
            if isinstance(bar.part, int) and bar.part:
                part = plot * bar.part / top_value
                body.append(
                    f'<rect x="{label_width}" y="{y + 3:.1f}" width="{part:.1f}" '
                    f'height="{row - 6}" fill="{INK}"/>'
                )
        part_text = "–" if bar.part is None else _text(bar.part)
        text = f"{part_text} / {_text(bar.total)}" + (f"  {bar.note}" if bar.note else "")
        body.append(
            f'<text x="{end + 5:.1f}" y="{y + row * 0.72:.1f}" font-size="10" '
            f'font-weight="700">{escape(text)}</text>'
        )
    return _svg(uid, width, height, body, title)


def vbar_chart(
    uid: str,
    title: str,
    bars: Sequence[Bar],
    *,
    width: float = 480,
    height: float = 170,
    highlight: str | None = None,
) -> str:
    """One vertical bar per item (years), its value above it; the highlighted one is solid,
    the others hatched."""
    bottom, top = 22.0, 16.0
    plot = height - bottom - top
    slot = width / max(len(bars), 1)
    bar_width = min(slot * 0.6, 56)
    top_value = _scale([b.value for b in bars])
    body = [
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        f'stroke="{GRID}" stroke-width="0.8"/>'
    ]
    for i, bar in enumerate(bars):
        x = i * slot + (slot - bar_width) / 2
        length = 0.0
        if not isinstance(bar.value, str):
            length = max(plot * float(bar.value) / top_value, 1.5 if bar.value else 0)
            fill = INK if bar.label == highlight else f"url(#{uid}-hatch)"
            body.append(
                f'<rect x="{x:.1f}" y="{height - bottom - length:.1f}" width="{bar_width:.1f}" '
                f'height="{length:.1f}" fill="{fill}" stroke="{INK}" stroke-width="0.8"/>'
            )
        body.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{height - bottom - length - 4:.1f}" '
            f'font-size="10" font-weight="700" text-anchor="middle">'
            f"{escape(_text(bar.value))}</text>"
        )
        weight = ' font-weight="700"' if bar.label == highlight else ""
        body.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{height - 7:.1f}" font-size="9.5"{weight} '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
    return _svg(uid, width, height, body, title)
