"""Point-in-grid correctness, including points exactly on edges and vertices (no database needed)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, box

from gongzhi.regions.locator import GridLocator, get_cached_locator


def four_squares() -> GridLocator:
    # 1 | 2      keys by position; a point on a shared edge goes to the earlier one
    # -----
    # 3 | 4
    return GridLocator(
        [(1, box(0, 1, 1, 2)), (2, box(1, 1, 2, 2)), (3, box(0, 0, 1, 1)), (4, box(1, 0, 2, 1))]
    )


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (0.5, 1.5, 1),
        (1.5, 0.5, 4),
        (1.0, 1.5, 1),  # edge shared by 1 and 2
        (1.5, 1.0, 2),  # edge shared by 2 and 4
        (1.0, 1.0, 1),  # vertex shared by all four
        (0.0, 0.5, 3),  # outer boundary counts as inside
        (2.0, 2.0, 2),  # outer corner
        (2.0001, 1.0, None),
        (-5.0, -5.0, None),
    ],
)
def test_edges_vertices_and_outside(lon, lat, expected):
    assert four_squares().locate(lon, lat) == expected


def test_order_decides_shared_edges():
    reversed_order = GridLocator([(4, box(1, 0, 2, 1)), (3, box(0, 0, 1, 1))])
    assert reversed_order.locate(1.0, 0.5) == 4


def test_multipolygon_grid():
    locator = GridLocator([(7, MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])), (8, box(2, 0, 3, 1))])
    assert locator.locate(5.5, 5.5) == 7
    assert locator.locate(2.5, 0.5) == 8
    assert locator.locate(3.5, 3.5) is None


def test_polygon_with_hole():
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]])
    locator = GridLocator([(1, ring), (2, box(1, 1, 3, 3))])
    assert locator.locate(2, 2) == 2
    assert locator.locate(0.5, 0.5) == 1
    assert locator.locate(1, 2) == 1  # on the hole's edge: both cover it, the first wins


def test_raster_answers_equal_exact_answers():
    rng = np.random.default_rng(7)
    seeds = rng.uniform(0, 10, (300, 2))
    frame = box(0, 0, 10, 10)
    cells = [
        c.intersection(frame)
        for c in shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    ]
    fast = GridLocator(enumerate(cells, 100))
    exact = GridLocator(enumerate(cells, 100), raster=False)
    lons = np.concatenate(
        [rng.uniform(-1, 11, 20000), shapely.get_coordinates(shapely.boundary(cells[:50]))[:, 0]]
    )
    lats = np.concatenate(
        [rng.uniform(-1, 11, 20000), shapely.get_coordinates(shapely.boundary(cells[:50]))[:, 1]]
    )
    assert (fast.locate_many(lons, lats) == exact.locate_many(lons, lats)).all()
    one = [fast.locate(float(x), float(y)) for x, y in zip(lons[:200], lats[:200], strict=True)]
    assert [v if v is not None else -1 for v in one] == exact.locate_many(lons[:200], lats[:200]).tolist()


def test_nan_and_empty():
    locator = four_squares()
    assert locator.locate_many(np.array([np.nan, 0.5]), np.array([0.5, 0.5])).tolist() == [-1, 3]
    assert GridLocator([]).locate(0, 0) is None


def test_cache_rebuilds_only_on_new_version():
    calls = []

    def loader():
        calls.append(1)
        return [(1, box(0, 0, 1, 1))]

    first = get_cached_locator("test-v1", loader)
    assert get_cached_locator("test-v1", loader) is first
    assert get_cached_locator("test-v2", loader) is not first
    assert len(calls) == 2
