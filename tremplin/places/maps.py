"""Offline map of France, rendered server-side as inline SVG.

The department outlines are shipped as data (``data/france_map.json``, built by
``tools/build_france_map.py`` from the commune centres: they are approximate).
This module only needs the standard library: it projects latitude/longitude
to the SVG coordinate space of that file and prepares what the template
``places/includes/france_map.html`` draws.

Metropolitan France (with Corsica) is drawn to scale with an equirectangular
projection; Guadeloupe, Martinique, Guyane, La Réunion and Mayotte are drawn
in inset frames, each with its own scale. Other overseas collectivities (Saint-
Pierre-et-Miquelon, New Caledonia, French Polynesia...) have no frame: their
markers end in ``FranceMap.unplaced`` so that the page can list them.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

DATA_PATH = Path(__file__).resolve().parent / "data" / "france_map.json"

MARKER_KINDS = ("establishment", "centre", "mission_locale")


@dataclass(frozen=True)
class Marker:
    label: str
    kind: str  # "establishment" | "centre" | "mission_locale"
    department: str  # department code, e.g. "75", "2A", "974"
    latitude: float | None
    longitude: float | None
    url: str = ""
    emphasis: bool = False  # e.g. establishment with learners: drawn bigger/filled


@dataclass(frozen=True)
class PlacedMarker:
    marker: Marker
    x: float
    y: float


@dataclass(frozen=True)
class DepartmentShape:
    code: str
    name: str
    path: str  # SVG path data
    css_class: str = ""


@dataclass(frozen=True)
class Inset:
    """Frame of an overseas department drawn at its own scale."""

    code: str
    name: str
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return round(self.x + 4, 1)

    @property
    def label_y(self) -> float:
        return round(self.y + 13, 1)


@dataclass(frozen=True)  # frozen: its fingerprint cannot go stale
class FranceMap:
    view_box: str
    departments: list[DepartmentShape]
    insets: list[Inset]
    markers: list[PlacedMarker]
    unplaced: list[Marker]  # without coordinates, or outside every frame
    source: str

    @property
    def kinds(self) -> list[str]:
        """Kinds of the placed markers, in a stable order, for the legend."""
        present = {placed.marker.kind for placed in self.markers}
        known = [kind for kind in MARKER_KINDS if kind in present]
        return known + sorted(present - set(MARKER_KINDS))

    @property
    def has_emphasis(self) -> bool:
        return any(placed.marker.emphasis for placed in self.markers)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything the map draws: the key of its rendered SVG in the cache
        (rendering a thousand markers and a hundred departments costs about 150 ms)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()


@dataclass(frozen=True)
class _Projection:
    """x = x0 + (lon - lon0) * kx, y = y0 + (lat0 - lat) * ky (y points down)."""

    lon0: float
    lat0: float
    x0: float
    y0: float
    kx: float
    ky: float
    frame: tuple[float, float, float, float]
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any], frame: Iterable[float]) -> _Projection:
        x, y, width, height = (float(value) for value in frame)
        return cls(
            lon0=float(data["lon0"]),
            lat0=float(data["lat0"]),
            x0=float(data["x0"]),
            y0=float(data["y0"]),
            kx=float(data["kx"]),
            ky=float(data["ky"]),
            frame=(x, y, width, height),
            lat_min=float(data["lat_min"]),
            lat_max=float(data["lat_max"]),
            lon_min=float(data["lon_min"]),
            lon_max=float(data["lon_max"]),
        )

    def covers(self, latitude: float, longitude: float) -> bool:
        """Whether the point lies in the territory's geographic bounding box."""
        return (
            self.lat_min <= latitude <= self.lat_max and self.lon_min <= longitude <= self.lon_max
        )

    def project(self, latitude: float, longitude: float) -> tuple[float, float] | None:
        x = self.x0 + (longitude - self.lon0) * self.kx
        y = self.y0 + (self.lat0 - latitude) * self.ky
        left, top, width, height = self.frame
        if not (left <= x <= left + width and top <= y <= top + height):
            return None
        return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class _MapData:
    view_box: str
    source: str
    departments: tuple[DepartmentShape, ...]
    insets: tuple[Inset, ...]
    metropolitan: _Projection
    overseas: Mapping[str, _Projection]


@cache
def _load() -> _MapData:
    with DATA_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    metropolitan = data["projection"]
    return _MapData(
        view_box=" ".join(_format_number(float(value)) for value in data["view_box"]),
        source=str(data["source"]),
        departments=tuple(
            DepartmentShape(code=str(item["code"]), name=str(item["name"]), path=str(item["path"]))
            for item in data["departments"]
        ),
        insets=tuple(
            Inset(
                code=str(item["code"]),
                name=str(item["name"]),
                x=float(item["frame"][0]),
                y=float(item["frame"][1]),
                width=float(item["frame"][2]),
                height=float(item["frame"][3]),
            )
            for item in data["insets"]
        ),
        metropolitan=_Projection.from_json(metropolitan, metropolitan["frame"]),
        overseas={
            str(item["code"]): _Projection.from_json(item["projection"], item["frame"])
            for item in data["insets"]
        },
    )


def _format_number(value: float) -> str:
    return f"{value:g}"


def _normalise_department(department: str) -> str:
    code = department.strip().upper()
    if code.isdigit() and len(code) == 1:
        return code.zfill(2)
    return code


def project(latitude: float, longitude: float, department: str) -> tuple[float, float] | None:
    """SVG coordinates of a point, or None when it falls outside every frame.

    The department chooses the frame: an overseas department with an inset
    (971, 972, 973, 974, 976) is projected into its inset, a metropolitan
    department onto the main map. Any other code (empty, unknown, or an overseas
    collectivity such as 975 or 988) is located by its coordinates alone.
    """
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    data = _load()
    code = _normalise_department(department)
    if code in data.overseas:
        return data.overseas[code].project(latitude, longitude)
    if code in _metropolitan_codes():
        return data.metropolitan.project(latitude, longitude)
    for projection in (data.metropolitan, *data.overseas.values()):
        if projection.covers(latitude, longitude):
            return projection.project(latitude, longitude)
    return None


@cache
def _metropolitan_codes() -> frozenset[str]:
    data = _load()
    return frozenset(d.code for d in data.departments) - frozenset(data.overseas)


def build_map(
    markers: Iterable[Marker], department_classes: Mapping[str, str] | None = None
) -> FranceMap:
    """Everything the ``places/includes/france_map.html`` template draws.

    department_classes maps department codes to extra CSS classes (for
    instance one tone per DISP, see ``places/map.css``).
    """
    data = _load()
    classes = {_normalise_department(code): css for code, css in (department_classes or {}).items()}
    placed: list[PlacedMarker] = []
    unplaced: list[Marker] = []
    for marker in markers:
        position = None
        if marker.latitude is not None and marker.longitude is not None:
            position = project(marker.latitude, marker.longitude, marker.department)
        if position is None:
            unplaced.append(marker)
        else:
            placed.append(PlacedMarker(marker=marker, x=position[0], y=position[1]))
    # Bigger (emphasised) markers first, so that the smaller ones stay visible on top.
    placed.sort(key=lambda item: not item.marker.emphasis)
    return FranceMap(
        view_box=data.view_box,
        departments=[
            DepartmentShape(
                code=d.code, name=d.name, path=d.path, css_class=classes.get(d.code, "")
            )
            for d in data.departments
        ],
        insets=list(data.insets),
        markers=placed,
        unplaced=unplaced,
        source=data.source,
    )
