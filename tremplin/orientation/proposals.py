"""Which Cnam offers to propose to a young person living in a commune.

The rules (`propose`):

- **Sectors**: the formations of the chosen sectors; every sector when none is chosen.
- **Level**: formations whose level is post-baccalauréat are always proposed (the convention of
  9 June 2021 aims at short post-bac training); formations open without the baccalauréat
  (``pre_bac``) are added when the young person's highest qualification is below the bac
  (``below_bac``), or when no qualification is given (a counselor exploring the offer).
- **Next session**: an offer whose next start is already past on `today` is left out; an offer
  with no known next start is kept (the date is to be announced).
- **On site and hybrid** offers are proposed at centres within `radius_km` of the commune's centre,
  ranked by geodesic distance (WGS84, geopy) between the two communes' centres, then by next
  start, centre name and formation code. Centres are first narrowed in SQL by a
  latitude/longitude bounding box of the radius, so the geodesic is computed for few centres.
  Without a radius, the offers of the `NEAREST_CENTRES` nearest centres that have one are
  proposed (a list of every offer of 500 centres helps nobody): the centres are ranked first on
  the sphere (haversine, a few microseconds each), those within 1 % of the last one kept are
  measured on the ellipsoid, and the nearest by geodesic distance are kept; centres whose commune
  has no coordinates are then left out.
- **Distance learning** offers are always proposed, after the near ones, ranked the same way: the
  distance to the centre is shown but never limits.
- A commune with no coordinates gets the distance offers only, with a message saying so.

The size class of the centre's town follows DOMAIN.md: rural below 2,500 inhabitants, small
from 2,500 to 20,000, medium from 20,000 to 100,000, large from 100,000 (legal population; a
boundary belongs to the upper class).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from geopy.distance import geodesic

from tremplin.catalog.models import Formation, FormationKind, Level, Modality, Sector
from tremplin.places.models import CnamCentre, Commune, SizeClass, size_class

from .models import CentreOffer, Qualification

NEAR_MODALITIES = (Modality.ON_SITE.value, Modality.HYBRID.value)
NO_COORDINATES_MESSAGE = (
    "La commune n'a pas de coordonnées : seules les formations à distance sont proposées."
)
UNKNOWN_SIZE_LABEL = "Taille inconnue"

#: A degree of latitude is at least 110.57 km on WGS84, a degree of longitude at latitude φ at
#: least 111.32·cos φ km: dividing by slightly smaller figures gives a box that always contains
#: the circle.
_KM_PER_DEGREE_LATITUDE = 110.5
_KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.0

#: One geodesic object for every measure: building it computes the ellipsoid's coefficients,
#: which costs as much as a measure.
_WGS84 = geodesic()


@lru_cache(maxsize=65_536)
def _geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(_WGS84.measure((lat1, lon1), (lat2, lon2)))


def geodesic_km(
    a: tuple[float | None, float | None], b: tuple[float | None, float | None]
) -> float | None:
    """Geodesic distance in kilometres between two (latitude, longitude) points; None when a
    coordinate is missing."""
    if a[0] is None or a[1] is None or b[0] is None or b[1] is None:
        return None
    return _geodesic_km(a[0], a[1], b[0], b[1])


def distance_between(a: Commune, b: Commune) -> Decimal | None:
    """Distance between two communes' centres, kilometres with one decimal; None without
    coordinates."""
    km = geodesic_km((a.latitude, a.longitude), (b.latitude, b.longitude))
    return None if km is None else Decimal(f"{km:.1f}")


def bounding_box(
    latitude: float, longitude: float, radius_km: float
) -> tuple[float, float, float | None, float | None]:
    """(lat_min, lat_max, lon_min, lon_max) of a box that contains every point within
    `radius_km`; no longitude bounds when the box reaches a pole or the antimeridian."""
    radius = radius_km * 1.01 + 0.1  # a margin for rounding
    dlat = radius / _KM_PER_DEGREE_LATITUDE
    lat_min, lat_max = latitude - dlat, latitude + dlat
    widest = max(abs(lat_min), abs(lat_max))
    if widest >= 89.0:
        return lat_min, lat_max, None, None
    dlon = radius / (_KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(math.radians(widest)))
    lon_min, lon_max = longitude - dlon, longitude + dlon
    if lon_min < -180.0 or lon_max > 180.0:
        return lat_min, lat_max, None, None
    return lat_min, lat_max, lon_min, lon_max


def levels_for(qualification: str | None) -> tuple[str, ...]:
    """The formation levels proposed to a young person of this qualification."""
    if qualification is None or qualification == Qualification.BELOW_BAC:
        return (Level.POST_BAC.value, Level.PRE_BAC.value)
    return (Level.POST_BAC.value,)


def size_class_label(code: str | None) -> str:
    return SizeClass(code).label if code else UNKNOWN_SIZE_LABEL


class Proposal(NamedTuple):
    """One offer proposed: where, how far, what, how, when. (A named tuple: immutable, and
    several times cheaper to build than a frozen dataclass, which counts for thousands.)"""

    offer_id: int
    centre_id: int
    centre_code: str
    centre_name: str
    commune_code: str
    commune_name: str
    department_code: str
    department_name: str
    #: "rural", "small", "medium", "large", or None when the population is unknown.
    size_class: str | None
    size_class_label: str
    #: Kilometres, one decimal, between the communes' centres; None without coordinates.
    distance_km: float | None
    formation_id: int
    formation_code: str
    formation_title: str
    formation_kind: str
    formation_level: str
    modality: str
    next_start: date | None

    @property
    def formation_kind_label(self) -> str:
        return str(FormationKind(self.formation_kind).label)

    @property
    def modality_label(self) -> str:
        return str(Modality(self.modality).label)

    @property
    def is_distance(self) -> bool:
        return self.modality == Modality.DISTANCE

    @property
    def in_small_or_medium_town(self) -> bool:
        return self.size_class in (SizeClass.SMALL, SizeClass.MEDIUM)

    def as_dict(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "centre": {
                "code": self.centre_code,
                "name": self.centre_name,
                "commune": self.commune_name,
                "commune_code": self.commune_code,
                "department": self.department_code,
                "department_name": self.department_name,
            },
            "commune": self.commune_name,
            "size_class": self.size_class,
            "size_class_label": self.size_class_label,
            "distance_km": self.distance_km,
            "formation": {
                "code": self.formation_code,
                "title": self.formation_title,
                "kind": self.formation_kind,
                "kind_label": self.formation_kind_label,
                "level": self.formation_level,
            },
            "modality": self.modality,
            "modality_label": self.modality_label,
            "next_start": self.next_start.isoformat() if self.next_start else None,
        }


@dataclass(frozen=True)
class ProposalResult:
    commune_code: str
    commune_name: str
    department_code: str
    has_coordinates: bool
    #: Sector codes asked for; empty for every sector.
    sectors: tuple[str, ...]
    radius_km: float | None
    qualification: str | None
    #: Formation levels proposed (see `levels_for`).
    levels: tuple[str, ...]
    #: On-site and hybrid offers, nearest first.
    near: tuple[Proposal, ...] = ()
    #: Distance-learning offers, after the near ones.
    remote: tuple[Proposal, ...] = ()
    message: str = ""
    today: date = field(default_factory=date.today)

    @property
    def proposals(self) -> tuple[Proposal, ...]:
        """Every proposal, in rank order: the near ones, then the distance ones."""
        return self.near + self.remote

    def as_dict(self) -> dict[str, Any]:
        return {
            "commune": {
                "code": self.commune_code,
                "name": self.commune_name,
                "department": self.department_code,
                "has_coordinates": self.has_coordinates,
            },
            "criteria": {
                "sectors": list(self.sectors),
                "radius_km": self.radius_km,
                "qualification": self.qualification,
                "levels": list(self.levels),
                "today": self.today.isoformat(),
            },
            "message": self.message,
            "count": len(self.proposals),
            "proposals": [
                {"rank": rank, **proposal.as_dict()}
                for rank, proposal in enumerate(self.proposals, start=1)
            ],
        }


def resolve_sectors(sectors: Iterable[Sector | str]) -> list[Sector]:
    """Sectors given as objects or codes (or names); ValidationError naming the unknown ones."""
    wanted = list(sectors)
    objects = [s for s in wanted if isinstance(s, Sector)]
    names = [s for s in wanted if isinstance(s, str)]
    if names:
        known = {s.code: s for s in Sector.objects.all()}
        by_name = {s.name.casefold(): s for s in known.values()}
        unknown = []
        for name in names:
            found = known.get(name.strip()) or by_name.get(name.strip().casefold())
            if found is None:
                unknown.append(name)
            else:
                objects.append(found)
        if unknown:
            shown = ", ".join(f"« {name} »" for name in unknown)
            raise ValidationError(
                {"sectors": f"Secteur inconnu : {shown} (secteurs : {', '.join(sorted(known))})."}
            )
    return objects


@dataclass(frozen=True)
class _Centre:
    code: str
    name: str
    commune_code: str
    commune_name: str
    department_code: str
    department_name: str
    size_class: str | None
    size_class_label: str
    distance_km: float | None


#: Without a radius, the near offers of this many centres (the nearest ones) are proposed.
NEAREST_CENTRES = 25
_EARTH_MEAN_RADIUS_KM = 6371.0088


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on the mean sphere: within 0.5 % of the geodesic one."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _nearest(
    origin: tuple[float, float], coordinates: dict[int, tuple[float, float]], count: int
) -> set[int]:
    """The `count` centres nearest to `origin` by geodesic distance, measuring on the ellipsoid
    only those whose spherical distance is within 1 % of the count-th one's (the sphere is
    within 0.5 % of the ellipsoid, so none of the nearest is missed)."""
    if len(coordinates) <= count:
        return set(coordinates)
    spherical = sorted((_haversine_km(origin, point), pk) for pk, point in coordinates.items())
    limit = spherical[count - 1][0] * 1.01 + 0.01
    candidates = [pk for km, pk in spherical if km <= limit]
    measured = sorted((_geodesic_km(*origin, *coordinates[pk]), pk) for pk in candidates)
    return {pk for _, pk in measured[:count]}


def _centres(origin: tuple[float | None, float | None], ids: Iterable[int]) -> dict[int, _Centre]:
    """The centres named, with their distance from `origin`: one query, one geodesic each."""
    found: dict[int, _Centre] = {}
    for row in (
        CnamCentre.objects.order_by()
        .filter(pk__in=sorted(set(ids)))
        .values_list(
            "pk",
            "code",
            "name",
            "commune_id",
            "commune__name",
            "commune__department_id",
            "commune__department__name",
            "commune__population",
            "commune__latitude",
            "commune__longitude",
        )
    ):
        pk, code, name, commune_code, commune_name, dep, dep_name, population, lat, lon = row
        km = geodesic_km(origin, (lat, lon))
        size = size_class(population)
        found[pk] = _Centre(
            code,
            name,
            commune_code,
            commune_name,
            dep,
            dep_name,
            size.value if size else None,
            size.label if size else UNKNOWN_SIZE_LABEL,
            km,
        )
    return found


def propose(
    commune: Commune,
    *,
    sectors: Iterable[Sector | str] = (),
    radius_km: float | None = None,
    qualification: str | None = None,
    today: date | None = None,
) -> ProposalResult:
    """The centres' offers that fit a young person living in `commune` (rules in the module's
    docstring). A few small queries whatever the number of centres: the formations that fit,
    (without a radius, the located centres with a fitting near offer), the offers as plain rows
    (the near ones only at centres in the radius's bounding box, or at the nearest centres), and
    the centres of those offers, with one geodesic per centre."""
    today = today or timezone.localdate()
    if radius_km is not None and radius_km < 0:
        raise ValidationError({"radius_km": "Le rayon est un nombre de kilomètres positif."})
    if qualification is not None and qualification not in Qualification.values:
        raise ValidationError(
            {
                "qualification": f"Diplôme inconnu : {qualification} "
                f"({', '.join(Qualification.values)})."
            }
        )
    chosen = resolve_sectors(sectors)
    levels = levels_for(qualification)
    formation_qs = Formation.objects.filter(level__in=levels).order_by()
    if chosen:
        formation_qs = formation_qs.filter(sector__in=[s.pk for s in chosen])
    formations = {
        pk: (code, title, kind, level)
        for pk, code, title, kind, level in formation_qs.values_list(
            "pk", "code", "title", "kind", "level"
        )
    }
    origin = (commune.latitude, commune.longitude)
    has_coordinates = commune.has_coordinates
    fitting = (
        CentreOffer.objects.order_by()
        .filter(Q(next_start__isnull=True) | Q(next_start__gte=today))
        .filter(formation_id__in=list(formations))
    )
    wanted = Q(modality=Modality.DISTANCE)
    if has_coordinates and radius_km is None:
        assert commune.latitude is not None and commune.longitude is not None
        # The centres with a fitting near offer (one row each), then the nearest of them.
        located: dict[int, tuple[float, float]] = {
            pk: (lat, lon)
            for pk, lat, lon in CnamCentre.objects.order_by()
            .filter(
                pk__in=fitting.filter(modality__in=NEAR_MODALITIES).values("centre_id"),
                commune__latitude__isnull=False,
                commune__longitude__isnull=False,
            )
            .values_list("pk", "commune__latitude", "commune__longitude")
            if lat is not None and lon is not None
        }
        kept = _nearest((commune.latitude, commune.longitude), located, NEAREST_CENTRES)
        wanted |= Q(modality__in=NEAR_MODALITIES, centre_id__in=sorted(kept))
    elif has_coordinates:
        assert commune.latitude is not None and commune.longitude is not None
        lat_min, lat_max, lon_min, lon_max = bounding_box(
            commune.latitude, commune.longitude, radius_km or 0.0
        )
        box = CnamCentre.objects.filter(
            commune__latitude__gte=lat_min, commune__latitude__lte=lat_max
        )
        if lon_min is not None:
            box = box.filter(commune__longitude__gte=lon_min, commune__longitude__lte=lon_max)
        wanted |= Q(modality__in=NEAR_MODALITIES, centre_id__in=box.values("pk"))
    rows = list(
        fitting.filter(wanted).values_list(
            "pk", "modality", "next_start", "centre_id", "formation_id"
        )
    )
    centres = _centres(origin, (row[3] for row in rows))
    near: list[tuple[tuple[Any, ...], Proposal]] = []
    remote: list[tuple[tuple[Any, ...], Proposal]] = []
    for offer_id, modality, next_start, centre_id, formation_id in rows:
        c = centres[centre_id]
        is_remote = modality == Modality.DISTANCE
        if (
            not is_remote
            and radius_km is not None
            and (c.distance_km is None or c.distance_km > radius_km)
        ):
            continue
        code, title, kind, level = formations[formation_id]
        proposal = Proposal(
            offer_id,
            centre_id,
            c.code,
            c.name,
            c.commune_code,
            c.commune_name,
            c.department_code,
            c.department_name,
            c.size_class,
            c.size_class_label,
            None if c.distance_km is None else round(c.distance_km, 1),
            formation_id,
            code,
            title,
            kind,
            level,
            modality,
            next_start,
        )
        rank = (
            c.distance_km is None,
            c.distance_km or 0.0,
            next_start or date.max,
            c.name,
            code,
            offer_id,
        )
        (remote if is_remote else near).append((rank, proposal))
    near.sort(key=lambda pair: pair[0])
    remote.sort(key=lambda pair: pair[0])
    return ProposalResult(
        commune_code=commune.code,
        commune_name=commune.name,
        department_code=commune.department_id,
        has_coordinates=has_coordinates,
        sectors=tuple(s.code for s in chosen),
        radius_km=radius_km,
        qualification=qualification,
        levels=levels,
        near=tuple(p for _, p in near),
        remote=tuple(p for _, p in remote),
        message="" if has_coordinates else NO_COORDINATES_MESSAGE,
        today=today,
    )


def nearest_per_formation(proposals: Sequence[Proposal]) -> list[tuple[Proposal, int]]:
    """Each formation once, at the first centre that offers it (the proposals are ranked, the
    nearest first), with the number of other centres that offer it too: a distance formation
    is the same course from any centre, and the national offer repeats each at up to twenty."""
    first: dict[int, Proposal] = {}
    others: Counter[int] = Counter()
    for proposal in proposals:
        if proposal.formation_id in first:
            others[proposal.formation_id] += 1
        else:
            first[proposal.formation_id] = proposal
    return [(proposal, others[formation]) for formation, proposal in first.items()]


def propose_for(profile: Any, *, today: date | None = None) -> ProposalResult:
    """The proposals for a young person's orientation profile: their commune, sectors and
    qualification; the radius is their maximum distance when they can travel, and 0 when they
    cannot (only the offers of their own commune, and the distance ones)."""
    radius: float | None = (
        float(profile.max_distance_km)
        if profile.can_travel and profile.max_distance_km is not None
        else (None if profile.can_travel else 0.0)
    )
    return propose(
        profile.commune,
        sectors=list(profile.sectors.all()),
        radius_km=radius,
        qualification=profile.qualification,
        today=today,
    )
