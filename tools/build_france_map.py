"""Build approximate department outlines for the offline map of France.

Dev-time script (needs shapely==2.2.0, which is *not* a runtime dependency):

    .venv/bin/python tools/build_france_map.py

There is no shipped department geometry, only the centre of every commune.
The outlines are therefore derived from those points:

1. every commune centre is projected with a local equirectangular projection
   (kilometres, y pointing down);
2. a Voronoi tessellation of the points gives one cell per commune, and the
   cells are dissolved per department;
3. the result is clipped to a "land mask": in metropolitan France, the union
   of the Delaunay triangles whose edges are all short (an alpha-shape like
   hull, which leaves the sea out but keeps islands separate); overseas, where
   there are only a few dozen communes, one concave hull per island; either
   is grown by a few kilometres, because the centre of a coastal commune lies
   inland, then smoothed;
4. the department polygons form a polygonal coverage, simplified with
   ``shapely.coverage_simplify`` so that shared borders stay shared (Paris and
   its inner suburbs with a finer tolerance), and specks are dropped.

The script finally reports how many commune centres fall outside their
department's outline (a few dozen of ~35,000, along simplified borders).

Metropolitan France (including Corsica) is drawn to scale; the five overseas
departments are drawn in inset frames, each with its own scale, in a column on
the left, as on official French maps. The output is
``tremplin/places/data/france_map.json``, read at runtime by
``tremplin/places/maps.py`` (standard library only).
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tremplin" / "places" / "data"
COMMUNES_CSV = DATA / "communes_2026_population_coords.csv"
OUTPUT = DATA / "france_map.json"

SOURCE = (
    "Contours approximatifs calculés à partir des centres des communes "
    "(COG 2026 / La Poste, base officielle des codes postaux, ODbL)"
)

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
METRO_REFERENCE_LATITUDE = 46.5

DEPARTMENT_NAMES: dict[str, str] = {
    "01": "Ain",
    "02": "Aisne",
    "03": "Allier",
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "07": "Ardèche",
    "08": "Ardennes",
    "09": "Ariège",
    "10": "Aube",
    "11": "Aude",
    "12": "Aveyron",
    "13": "Bouches-du-Rhône",
    "14": "Calvados",
    "15": "Cantal",
    "16": "Charente",
    "17": "Charente-Maritime",
    "18": "Cher",
    "19": "Corrèze",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "21": "Côte-d'Or",
    "22": "Côtes-d'Armor",
    "23": "Creuse",
    "24": "Dordogne",
    "25": "Doubs",
    "26": "Drôme",
    "27": "Eure",
    "28": "Eure-et-Loir",
    "29": "Finistère",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "33": "Gironde",
    "34": "Hérault",
    "35": "Ille-et-Vilaine",
    "36": "Indre",
    "37": "Indre-et-Loire",
    "38": "Isère",
    "39": "Jura",
    "40": "Landes",
    "41": "Loir-et-Cher",
    "42": "Loire",
    "43": "Haute-Loire",
    "44": "Loire-Atlantique",
    "45": "Loiret",
    "46": "Lot",
    "47": "Lot-et-Garonne",
    "48": "Lozère",
    "49": "Maine-et-Loire",
    "50": "Manche",
    "51": "Marne",
    "52": "Haute-Marne",
    "53": "Mayenne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "56": "Morbihan",
    "57": "Moselle",
    "58": "Nièvre",
    "59": "Nord",
    "60": "Oise",
    "61": "Orne",
    "62": "Pas-de-Calais",
    "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "69": "Rhône",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "72": "Sarthe",
    "73": "Savoie",
    "74": "Haute-Savoie",
    "75": "Paris",
    "76": "Seine-Maritime",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "79": "Deux-Sèvres",
    "80": "Somme",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
    "83": "Var",
    "84": "Vaucluse",
    "85": "Vendée",
    "86": "Vienne",
    "87": "Haute-Vienne",
    "88": "Vosges",
    "89": "Yonne",
    "90": "Territoire de Belfort",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}

OVERSEAS = ("971", "972", "973", "974", "976")


@dataclass(frozen=True)
class EdgeOverride:
    """A box (degrees) where Delaunay triangles may have longer edges.

    Used where communes are very large and the sea is not in between, e.g. the
    Camargue (Arles, Saintes-Maries-de-la-Mer), which would otherwise be taken
    for a bay.
    """

    name: str
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float
    max_edge_km: float


@dataclass(frozen=True)
class MaskSettings:
    """How the land mask of a territory is derived from its commune centres.

    Two strategies:

    * ``hull_ratio is None`` (dense points, metropolitan France): union of the
      Delaunay triangles whose edges are all shorter than ``max_edge_km``
      (an alpha-shape like hull: bays and straits stay open, islands stay
      separate), plus a disc around every point;
    * otherwise (a few dozen points, overseas): one ``shapely.concave_hull``
      per island (``islands`` lists the commune codes of the islands that must
      stay separate; the remaining communes form the main island).

    coast_km: how far the mask is grown (coastal commune centres lie inland).
    smooth_km: radius of a morphological closing that rounds off notches.
    round_km: radius of a morphological opening that rounds off corners (the
        hulls of a few points are angular); the discs around the points are
        added back afterwards so that no commune centre ends in the sea.
    simplify_px: coverage simplification tolerance, in output units.
    """

    coast_km: float
    smooth_km: float
    simplify_px: float
    max_edge_km: float = 0.0
    overrides: tuple[EdgeOverride, ...] = ()
    hull_ratio: float | None = None
    islands: tuple[frozenset[str], ...] = ()
    round_km: float = 0.0


METRO_MASK = MaskSettings(
    coast_km=2.5,
    smooth_km=3.0,
    simplify_px=1.6,
    max_edge_km=14.0,
    overrides=(EdgeOverride("Camargue", 43.3, 43.75, 4.1, 4.95, 42.0),),
)
OVERSEAS_MASKS: dict[str, MaskSettings] = {
    "971": MaskSettings(
        coast_km=2.0,
        smooth_km=1.5,
        simplify_px=0.8,
        hull_ratio=1.0,
        islands=(
            # Grande-Terre (Basse-Terre is the main island).
            frozenset(
                {
                    "97101",
                    "97102",
                    "97113",
                    "97116",
                    "97117",
                    "97119",
                    "97120",
                    "97122",
                    "97125",
                    "97128",
                }
            ),
            frozenset({"97108", "97112", "97126"}),  # Marie-Galante
            frozenset({"97130", "97131"}),  # Les Saintes
            frozenset({"97110"}),  # La Désirade
        ),
    ),
    "972": MaskSettings(coast_km=2.0, smooth_km=1.5, simplify_px=0.8, hull_ratio=0.3),
    "973": MaskSettings(
        coast_km=15.0, smooth_km=10.0, simplify_px=0.8, hull_ratio=1.0, round_km=40.0
    ),
    "974": MaskSettings(
        coast_km=6.0, smooth_km=6.0, simplify_px=0.8, hull_ratio=1.0, round_km=12.0
    ),
    "976": MaskSettings(
        coast_km=1.5,
        smooth_km=1.0,
        simplify_px=0.8,
        hull_ratio=0.3,
        islands=(frozenset({"97608", "97615"}),),  # Petite-Terre
    ),
}

# Paris and the inner suburbs are only a few units wide: simplify them less.
DETAILED_GROUPS: dict[str, tuple[tuple[str, ...], float]] = {
    "petite couronne": (("75", "92", "93", "94"), 0.3),
}

# Polygons and holes smaller than this (square output units) are dropped.
MIN_AREA = 3.0

# Layout of the SVG coordinate space.
VIEW_WIDTH = 1000.0
MARGIN = 8.0
INSET_WIDTH = 150.0
INSET_GAP = 8.0
INSET_LABEL_HEIGHT = 18.0
INSET_PADDING = 6.0
METRO_LEFT = MARGIN + INSET_WIDTH + 16.0


@dataclass(frozen=True)
class Commune:
    code: str
    department: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection to kilometres around a reference point, y down."""

    lon0: float
    lat0: float
    cos_lat: float

    def to_km(self, longitude: float, latitude: float) -> tuple[float, float]:
        x = (longitude - self.lon0) * KM_PER_DEGREE * self.cos_lat
        y = (self.lat0 - latitude) * KM_PER_DEGREE
        return x, y


def read_communes() -> list[Commune]:
    """Commune centres with coordinates.

    Paris, Lyon and Marseille are represented by their municipal districts
    (arrondissements) instead of the single city centre: the points spread over
    the city give a better Voronoi shape (this matters for Paris, which is a
    department of its own). Every other arrondissement row is skipped.
    """
    rows: list[dict[str, str]]
    with COMMUNES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cities_with_districts = {
        row["commune_parente"]
        for row in rows
        if row["type"] == "arrondissement-municipal" and row["latitude"] and row["longitude"]
    }
    communes: list[Commune] = []
    seen: set[tuple[float, float]] = set()
    for row in rows:
        if not row["latitude"] or not row["longitude"]:
            continue
        if row["code_insee"] in cities_with_districts:
            continue
        department = row["departement"]
        if department not in DEPARTMENT_NAMES:
            continue
        latitude = float(row["latitude"])
        longitude = float(row["longitude"])
        if (latitude, longitude) in seen:
            continue
        seen.add((latitude, longitude))
        communes.append(Commune(row["code_insee"], department, latitude, longitude))
    return communes


def land_mask(
    communes: list[Commune], projection: LocalProjection, settings: MaskSettings
) -> BaseGeometry:
    """Approximate land area around the commune centres, in kilometres."""
    points_km = [projection.to_km(c.longitude, c.latitude) for c in communes]
    if settings.hull_ratio is not None:
        mask = island_hulls(communes, points_km, settings)
    else:
        mask = short_edge_triangles(points_km, projection, settings)
    mask = mask.buffer(settings.coast_km, quad_segs=4)
    if settings.round_km:
        mask = mask.buffer(-settings.round_km, quad_segs=8).buffer(settings.round_km, quad_segs=8)
        # The opening cuts the corners of the hull: keep every commune centre on land.
        discs = shapely.buffer(shapely.points(points_km), settings.coast_km, quad_segs=8)
        mask = shapely.unary_union([mask, *discs])
    mask = mask.buffer(settings.smooth_km, quad_segs=4).buffer(-settings.smooth_km, quad_segs=4)
    return drop_holes(mask)


def short_edge_triangles(
    points_km: list[tuple[float, float]], projection: LocalProjection, settings: MaskSettings
) -> BaseGeometry:
    overrides = [
        (
            box(
                *projection.to_km(override.lon_min, override.lat_max),
                *projection.to_km(override.lon_max, override.lat_min),
            ),
            override.max_edge_km,
        )
        for override in settings.overrides
    ]
    triangles = shapely.get_parts(shapely.delaunay_triangles(shapely.MultiPoint(points_km)))
    kept: list[BaseGeometry] = []
    for triangle in triangles:
        coordinates = list(triangle.exterior.coords)[:3]
        longest = max(
            math.dist(coordinates[index], coordinates[(index + 1) % 3]) for index in range(3)
        )
        limit = settings.max_edge_km
        for area, max_edge_km in overrides:
            if area.contains(triangle.centroid):
                limit = max(limit, max_edge_km)
        if longest <= limit:
            kept.append(triangle)
    discs = shapely.buffer(shapely.points(points_km), settings.coast_km, quad_segs=4)
    return shapely.unary_union([*kept, *discs])


def island_hulls(
    communes: list[Commune], points_km: list[tuple[float, float]], settings: MaskSettings
) -> BaseGeometry:
    assert settings.hull_ratio is not None
    islands = [
        *settings.islands,
        frozenset(c.code for c in communes) - frozenset().union(*settings.islands),
    ]
    hulls: list[BaseGeometry] = []
    for island in islands:
        points = [
            point
            for commune, point in zip(communes, points_km, strict=True)
            if commune.code in island
        ]
        if not points:
            raise RuntimeError(f"no commune for island {sorted(island)}")
        hulls.append(shapely.concave_hull(shapely.MultiPoint(points), ratio=settings.hull_ratio))
    return shapely.unary_union(hulls)


def drop_holes(geometry: BaseGeometry) -> BaseGeometry:
    polygons = [Polygon(part.exterior) for part in shapely.get_parts(geometry) if not part.is_empty]
    return shapely.unary_union(polygons)


@dataclass(frozen=True)
class Tessellation:
    """Department polygons of one territory, in kilometres.

    points: commune centres per department;
    departments: Voronoi cells dissolved per department, clipped to the land mask.
    """

    points: dict[str, list[tuple[float, float]]]
    departments: dict[str, BaseGeometry]
    mask: BaseGeometry

    def transformed(self, scale: float, x0: float, y0: float) -> Tessellation:
        def affine(geometry: BaseGeometry) -> BaseGeometry:
            return shapely.transform(geometry, lambda xy: xy * scale + [x0, y0])

        return Tessellation(
            points={
                code: [(x * scale + x0, y * scale + y0) for x, y in points]
                for code, points in self.points.items()
            },
            departments={code: affine(geometry) for code, geometry in self.departments.items()},
            mask=affine(self.mask),
        )


def tessellate(
    communes: list[Commune], projection: LocalProjection, settings: MaskSettings
) -> Tessellation:
    """Voronoi cells dissolved per department and clipped to the land mask (km)."""
    points_km = [projection.to_km(c.longitude, c.latitude) for c in communes]
    mask = land_mask(communes, projection, settings)
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune, point in zip(communes, points_km, strict=True):
        points[commune.department].append(point)
    if len(points) == 1:
        return Tessellation(dict(points), {communes[0].department: mask}, mask)
    extent = box(*mask.bounds).buffer(100.0)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.MultiPoint(points_km), extend_to=extent, ordered=True)
    )
    if len(cells) != len(communes):
        raise RuntimeError(f"{len(cells)} Voronoi cells for {len(communes)} points")
    by_department: dict[str, list[BaseGeometry]] = defaultdict(list)
    for commune, cell in zip(communes, cells, strict=True):
        by_department[commune.department].append(cell)
    departments = {
        department: shapely.set_precision(shapely.unary_union(cells).intersection(mask), 0.001)
        for department, cells in sorted(by_department.items())
    }
    return Tessellation(dict(points), departments, mask)


def simplify(tessellation: Tessellation, tolerance: float) -> dict[str, BaseGeometry]:
    """Simplify the department coverage; shared borders stay shared.

    The departments listed in ``DETAILED_GROUPS`` are too small for the common
    tolerance: each group is simplified as a single polygon with the others,
    then cut again along the borders of a Voronoi tessellation of the group's
    own communes (the same borders as before inside the group, and it covers
    the whole simplified outline) and simplified with a finer tolerance.
    Finally, specks (tiny exclaves left by the tessellation) and the matching
    holes are dropped.
    """
    groups = {code: name for name, (codes, _) in DETAILED_GROUPS.items() for code in codes}
    pieces: dict[str, BaseGeometry] = {}
    merged: dict[str, list[BaseGeometry]] = defaultdict(list)
    for code, geometry in tessellation.departments.items():
        if code in groups:
            merged[groups[code]].append(geometry)
        else:
            pieces[code] = geometry
    for name, parts in merged.items():
        pieces[name] = shapely.unary_union(parts)
    simplified = coverage_simplify(pieces, tolerance)
    for name in merged:
        codes, fine_tolerance = DETAILED_GROUPS[name]
        outline = simplified.pop(name)
        communes = [(code, point) for code in codes for point in tessellation.points[code]]
        cells = shapely.get_parts(
            shapely.voronoi_polygons(
                shapely.MultiPoint([point for _, point in communes]),
                extend_to=box(*outline.bounds).buffer(10.0),
                ordered=True,
            )
        )
        regions: dict[str, list[BaseGeometry]] = defaultdict(list)
        for (code, _), cell in zip(communes, cells, strict=True):
            regions[code].append(cell)
        inner = {
            code: shapely.set_precision(
                outline.intersection(shapely.unary_union(regions[code])), 0.001
            )
            for code in codes
        }
        simplified.update(coverage_simplify(inner, fine_tolerance, simplify_boundary=False))
    return {code: drop_specks(geometry) for code, geometry in simplified.items()}


def drop_specks(geometry: BaseGeometry) -> BaseGeometry:
    """Drop polygons and holes smaller than ``MIN_AREA`` (square output units)."""
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if not isinstance(part, Polygon) or part.area < MIN_AREA:
            continue
        holes = [ring for ring in part.interiors if Polygon(ring).area >= MIN_AREA]
        polygons.append(Polygon(part.exterior, holes))
    return MultiPolygon(polygons)


def coverage_simplify(
    geometries: dict[str, BaseGeometry], tolerance: float, *, simplify_boundary: bool = True
) -> dict[str, BaseGeometry]:
    codes = list(geometries)
    simplified = shapely.coverage_simplify(
        [geometries[code] for code in codes], tolerance, simplify_boundary=simplify_boundary
    )
    return {
        code: shapely.make_valid(geometry) for code, geometry in zip(codes, simplified, strict=True)
    }


def format_number(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def ring_path(coordinates: list[tuple[float, float]]) -> str:
    points: list[str] = []
    for x, y in coordinates[:-1]:
        point = f"{format_number(x)},{format_number(y)}"
        if not points or points[-1] != point:
            points.append(point)
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    if len(points) < 3:
        return ""
    return "M" + " ".join(points) + "Z"


def svg_path(geometry: BaseGeometry) -> str:
    parts: list[str] = []
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, Polygon):
            continue
        polygon = shapely.orient_polygons(polygon)
        for ring in [polygon.exterior, *polygon.interiors]:
            path = ring_path([(float(x), float(y)) for x, y in ring.coords])
            if path:
                parts.append(path)
    return "".join(parts)


def projection_parameters(
    projection: LocalProjection, scale: float, x0: float, y0: float
) -> dict[str, Any]:
    """Parameters for x = x0 + (lon - lon0) * kx, y = y0 + (lat0 - lat) * ky."""
    return {
        "lon0": projection.lon0,
        "lat0": projection.lat0,
        "cos_lat": round(projection.cos_lat, 6),
        "x0": round(x0, 4),
        "y0": round(y0, 4),
        "kx": round(scale * KM_PER_DEGREE * projection.cos_lat, 6),
        "ky": round(scale * KM_PER_DEGREE, 6),
    }


def geographic_bounds(communes: list[Commune], margin: float) -> dict[str, float]:
    return {
        "lat_min": round(min(c.latitude for c in communes) - margin, 3),
        "lat_max": round(max(c.latitude for c in communes) + margin, 3),
        "lon_min": round(min(c.longitude for c in communes) - margin, 3),
        "lon_max": round(max(c.longitude for c in communes) + margin, 3),
    }


def build() -> dict[str, Any]:
    communes = read_communes()
    metro = [c for c in communes if c.department not in OVERSEAS]
    overseas = {code: [c for c in communes if c.department == code] for code in OVERSEAS}

    # Metropolitan France, to scale, on the right.
    metro_projection = LocalProjection(
        lon0=2.5,
        lat0=METRO_REFERENCE_LATITUDE,
        cos_lat=math.cos(math.radians(METRO_REFERENCE_LATITUDE)),
    )
    metro_km = tessellate(metro, metro_projection, METRO_MASK)
    min_x, min_y, max_x, max_y = metro_km.mask.bounds
    metro_width = VIEW_WIDTH - MARGIN - METRO_LEFT
    scale = metro_width / (max_x - min_x)
    metro_height = (max_y - min_y) * scale
    x0 = METRO_LEFT - min_x * scale
    y0 = MARGIN - min_y * scale
    view_height = math.ceil(metro_height + 2 * MARGIN)
    departments_px = simplify(metro_km.transformed(scale, x0, y0), METRO_MASK.simplify_px)
    projection = projection_parameters(metro_projection, scale, x0, y0)
    projection["frame"] = [
        round(METRO_LEFT, 1),
        MARGIN,
        round(metro_width, 1),
        round(metro_height, 1),
    ]
    projection.update(geographic_bounds(metro, 0.3))

    # Overseas departments, each in its own frame, stacked on the left.
    inset_height = (view_height - 2 * MARGIN - (len(OVERSEAS) - 1) * INSET_GAP) / len(OVERSEAS)
    insets: list[dict[str, Any]] = []
    for index, code in enumerate(OVERSEAS):
        points = overseas[code]
        latitude = sum(c.latitude for c in points) / len(points)
        longitude = sum(c.longitude for c in points) / len(points)
        inset_projection = LocalProjection(
            lon0=round(longitude, 3),
            lat0=round(latitude, 3),
            cos_lat=math.cos(math.radians(latitude)),
        )
        settings = OVERSEAS_MASKS[code]
        inset_km = tessellate(points, inset_projection, settings)
        frame_x = MARGIN
        frame_y = MARGIN + index * (inset_height + INSET_GAP)
        area_x = frame_x + INSET_PADDING
        area_y = frame_y + INSET_LABEL_HEIGHT
        area_w = INSET_WIDTH - 2 * INSET_PADDING
        area_h = inset_height - INSET_LABEL_HEIGHT - INSET_PADDING
        min_x, min_y, max_x, max_y = inset_km.mask.bounds
        inset_scale = min(area_w / (max_x - min_x), area_h / (max_y - min_y))
        inset_x0 = area_x + (area_w - (max_x - min_x) * inset_scale) / 2 - min_x * inset_scale
        inset_y0 = area_y + (area_h - (max_y - min_y) * inset_scale) / 2 - min_y * inset_scale
        departments_px.update(
            simplify(inset_km.transformed(inset_scale, inset_x0, inset_y0), settings.simplify_px)
        )
        inset: dict[str, Any] = {
            "code": code,
            "name": DEPARTMENT_NAMES[code],
            "frame": [frame_x, round(frame_y, 1), INSET_WIDTH, round(inset_height, 1)],
            "projection": projection_parameters(inset_projection, inset_scale, inset_x0, inset_y0),
        }
        inset["projection"].update(geographic_bounds(points, 0.3))
        insets.append(inset)

    departments = [
        {"code": code, "name": DEPARTMENT_NAMES[code], "path": svg_path(departments_px[code])}
        for code in DEPARTMENT_NAMES
    ]
    return {
        "source": SOURCE,
        "view_box": [0, 0, VIEW_WIDTH, view_height],
        "projection": projection,
        "insets": insets,
        "departments": departments,
    }


def path_rings(path: str) -> list[Polygon]:
    rings: list[Polygon] = []
    for ring in path.split("M")[1:]:
        pairs = ring.rstrip("Z").split()
        rings.append(Polygon([tuple(float(v) for v in pair.split(",")) for pair in pairs]))
    return rings


def report_misplaced(data: dict[str, Any]) -> None:
    """Print how many commune centres fall outside their department's outline.

    Uses the JSON projection parameters, as the runtime does.
    """
    rings = {d["code"]: path_rings(d["path"]) for d in data["departments"]}
    projections = {i["code"]: i["projection"] for i in data["insets"]}
    outside: dict[str, int] = defaultdict(int)
    total = 0
    for commune in read_communes():
        p = projections.get(commune.department, data["projection"])
        x = p["x0"] + (commune.longitude - p["lon0"]) * p["kx"]
        y = p["y0"] + (p["lat0"] - commune.latitude) * p["ky"]
        point = shapely.Point(x, y)
        inside = sum(1 for ring in rings[commune.department] if ring.covers(point)) % 2 == 1
        if not inside:
            outside[commune.department] += 1
        total += 1
    misplaced = sum(outside.values())
    worst = sorted(outside.items(), key=lambda item: -item[1])[:8]
    print(f"{misplaced} of {total} commune centres outside their department outline: {worst}")


def main() -> None:
    data = build()
    missing = [d["code"] for d in data["departments"] if not d["path"]]
    if missing:
        raise SystemExit(f"departments without outline: {missing}")
    report_misplaced(data)
    OUTPUT.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
