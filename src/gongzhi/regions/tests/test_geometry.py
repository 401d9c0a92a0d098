"""Boundary parsing and the demo district tiling (pure geometry, no database)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gongzhi.regions.geometry import (
    GeometryError,
    TileNode,
    centroid_lonlat,
    demo_tiling,
    parse_boundary,
    random_points_in,
    to_geojson,
)


def ring(*points: tuple[float, ...]) -> list[list[float]]:
    """A closed GeoJSON ring through ``points``."""
    return [list(p) for p in (*points, points[0])]


def polygon(*points: tuple[float, ...]) -> dict:
    """A GeoJSON Polygon with one ring through ``points``."""
    return {"type": "Polygon", "coordinates": [ring(*points)]}


SQUARE = polygon((116.47, 39.91), (116.48, 39.91), (116.48, 39.92), (116.47, 39.92))
NAN = float("nan")


# -- parse_boundary ---------------------------------------------------------------------------------


def test_parses_polygon_in_lon_lat_order():
    geom = parse_boundary(SQUARE)
    assert isinstance(geom, Polygon)
    assert geom.bounds == (116.47, 39.91, 116.48, 39.92)


def test_parses_multipolygon_and_drops_z():
    geojson = {
        "type": "MultiPolygon",
        "coordinates": [
            [ring((116.0, 39.0, 50.0), (116.1, 39.0, 50.0), (116.1, 39.1, 50.0))],
            [ring((116.2, 39.0, 50.0), (116.3, 39.0, 50.0), (116.3, 39.1, 50.0))],
        ],
    }
    geom = parse_boundary(geojson)
    assert isinstance(geom, MultiPolygon)
    assert not geom.has_z


def test_rejects_bow_tie_polygon_with_chinese_message():
    bow_tie = {
        "type": "Polygon",
        "coordinates": [ring((116.0, 39.0), (116.1, 39.1), (116.1, 39.0), (116.0, 39.1))],
    }
    with pytest.raises(GeometryError) as caught:
        parse_boundary(bow_tie)
    assert caught.value.code == "geometry.self_intersection"
    assert caught.value.message == "边界多边形自相交，请修正后重新导入。"
    assert "Self-intersection" in caught.value.detail


def test_rejects_line_string():
    line = {"type": "LineString", "coordinates": [[116.0, 39.0], [116.1, 39.1]]}
    with pytest.raises(GeometryError) as caught:
        parse_boundary(line)
    assert caught.value.code == "geometry.unsupported_type"
    assert caught.value.message == "仅支持 Polygon 或 MultiPolygon 几何类型。"


@pytest.mark.parametrize(
    "coordinates",
    [
        [ring((39.9, 116.4), (39.95, 116.4), (39.95, 116.5))],  # lat/lon swapped: latitude 116
        [ring((181.0, 10.0), (182.0, 10.0), (182.0, 11.0))],
        [ring((10.0, -91.0), (11.0, -91.0), (11.0, -90.0))],
    ],
)
def test_rejects_coordinates_outside_lon_lat_range(coordinates):
    with pytest.raises(GeometryError) as caught:
        parse_boundary({"type": "Polygon", "coordinates": coordinates})
    assert caught.value.code == "geometry.out_of_range"
    assert "经纬度" in caught.value.message


@pytest.mark.parametrize(
    ("geojson", "code"),
    [
        ({"type": "Polygon", "coordinates": []}, "geometry.empty"),
        ({"type": "MultiPolygon", "coordinates": []}, "geometry.empty"),
        (
            {"type": "Polygon", "coordinates": [[[116.0, 39.0], [116.1, 39.0], [116.0, 39.0]]]},
            "geometry.too_few_points",
        ),
        (polygon((116.0, 39.0), (116.1, 39.0), (116.2, 39.0)), "geometry.zero_area"),
        ({"type": "Polygon", "coordinates": [[["116", "x"], [1, 2], [3, 4], [5, 6]]]}, "geometry.malformed"),
        (polygon((116.0, 39.0), (NAN, 39.0), (116.1, 39.1)), "geometry.not_finite"),
        ({"type": "Feature", "geometry": SQUARE}, "geometry.unsupported_type"),
        ({"coordinates": SQUARE["coordinates"]}, "geometry.unsupported_type"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0))", "geometry.not_geojson"),
    ],
)
def test_rejects_malformed_input(geojson, code):
    with pytest.raises(GeometryError) as caught:
        parse_boundary(geojson)
    assert caught.value.code == code
    assert caught.value.message.endswith("。")


def test_rejects_overlapping_multipolygon_parts():
    geojson = {
        "type": "MultiPolygon",
        "coordinates": [
            [ring((116.0, 39.0), (116.2, 39.0), (116.2, 39.2), (116.0, 39.2))],
            [ring((116.1, 39.1), (116.3, 39.1), (116.3, 39.3), (116.1, 39.3))],
        ],
    }
    with pytest.raises(GeometryError) as caught:
        parse_boundary(geojson)
    assert caught.value.code == "geometry.overlapping_parts"


def test_rejects_hole_outside_shell():
    geojson = {
        "type": "Polygon",
        "coordinates": [
            ring((116.0, 39.0), (116.1, 39.0), (116.1, 39.1), (116.0, 39.1)),
            ring((116.5, 39.5), (116.6, 39.5), (116.6, 39.6)),
        ],
    }
    with pytest.raises(GeometryError) as caught:
        parse_boundary(geojson)
    assert caught.value.code == "geometry.hole_outside_shell"


def test_geometry_error_is_a_value_error():
    assert issubclass(GeometryError, ValueError)


def test_to_geojson_round_trips_through_json():
    geom = parse_boundary(SQUARE)
    geojson = to_geojson(geom)
    assert geojson == json.loads(json.dumps(geojson))  # lists, not tuples
    assert parse_boundary(geojson).equals(geom)


def test_centroid_lonlat():
    assert centroid_lonlat(parse_boundary(SQUARE)) == pytest.approx((116.475, 39.915))


# -- demo_tiling ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def district() -> TileNode:
    return demo_tiling(seed=20240601)


def test_demo_tiling_has_the_planned_counts(district):
    assert district.level == "district"
    assert [s.level for s in district.streets] == ["street"] * 3
    assert [len(s.children) for s in district.streets] == [5, 4, 4]
    assert len(district.communities) == 13
    assert len(district.grids) == 71
    assert all(g.level == "grid" and g.children == () for g in district.grids)
    assert [s.name_index for s in district.streets] == [1, 2, 3]
    assert district.grids[0].path == (1, 1, 1)


def test_demo_tiling_lies_around_the_demo_centre(district):
    lon, lat = centroid_lonlat(district.geometry)
    assert lon == pytest.approx(116.48, abs=0.01)
    assert lat == pytest.approx(39.92, abs=0.01)
    minx, miny, maxx, maxy = district.geometry.bounds
    width_km = (maxx - minx) * 111.32 * np.cos(np.radians(39.92))
    height_km = (maxy - miny) * 110.574
    assert 5.0 < width_km < 7.5
    assert 4.0 < height_km < 6.5
    assert len(district.geometry.exterior.coords) > 20  # an irregular outline, not a box


def test_demo_tiling_is_deterministic_for_a_seed(district):
    again = demo_tiling(seed=20240601)
    other = demo_tiling(seed=20240602)
    assert [g.geometry.wkb for g in again.grids] == [g.geometry.wkb for g in district.grids]
    assert other.geometry.wkb != district.geometry.wkb


def test_demo_tiling_coordinates_have_six_decimals(district):
    coords = shapely.get_coordinates([g.geometry for g in district.grids])
    assert (np.round(coords, 6) == coords).all()


def test_every_level_tiles_its_parent_without_gaps_or_overlaps(district):
    parents = [district, *district.streets, *district.communities]
    for parent in parents:
        children = [child.geometry for child in parent.children]
        assert all(isinstance(c, Polygon) and c.is_valid for c in children)
        union = shapely.union_all(children)
        area = parent.geometry.area
        assert union.symmetric_difference(parent.geometry).area <= 1e-9 * area
        assert abs(sum(c.area for c in children) - area) <= 1e-9 * area  # no overlaps
        tree = shapely.STRtree(children)
        left, right = tree.query(children, predicate="intersects")
        pairs = left < right
        overlaps = shapely.intersection(np.array(children)[left[pairs]], np.array(children)[right[pairs]])
        assert shapely.area(overlaps).sum() <= 1e-12 * area


def test_grids_survive_a_geojson_round_trip(district):
    for grid in district.grids[:10]:
        assert parse_boundary(json.loads(json.dumps(to_geojson(grid.geometry)))).equals_exact(
            grid.geometry, tolerance=0
        )


def test_demo_tiling_accepts_one_count_for_all():
    small = demo_tiling(seed=3, streets=2, communities_per_street=2, grids_per_community=3)
    assert len(small.streets) == 2
    assert len(small.communities) == 4
    assert len(small.grids) == 12


def test_demo_tiling_rejects_inconsistent_counts():
    with pytest.raises(ValueError):
        demo_tiling(seed=1, streets=3, communities_per_street=[4, 5])
    with pytest.raises(ValueError):
        demo_tiling(seed=1, streets=2, communities_per_street=[2, 2], grids_per_community=[[3, 3], [3]])


# -- random_points_in -------------------------------------------------------------------------------


def test_random_points_lie_strictly_inside_and_repeat_for_a_seed(district):
    grid = district.grids[5].geometry
    points = random_points_in(grid, 25, np.random.default_rng(9))
    assert len(points) == 25
    assert all(grid.contains(shapely.Point(p)) for p in points)
    assert all(round(x, 6) == x and round(y, 6) == y for x, y in points)
    assert points == random_points_in(grid, 25, np.random.default_rng(9))


def test_random_points_accept_a_stdlib_random(district):
    grid = district.grids[0].geometry
    points = random_points_in(grid, 5, random.Random(4))
    assert len(points) == 5
    assert all(grid.contains(shapely.Point(p)) for p in points)
