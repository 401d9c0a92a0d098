"""区划边界几何: parse, check and generate WGS-84 boundary polygons of regions and grids.

Pure shapely/numpy code without Django, so imports, jobs and benchmarks can use it directly.
Coordinates are always ``(lon, lat)`` in WGS-84 degrees, the order GeoJSON uses.

``GeometryError.message`` is a short Chinese sentence for the person who imported the boundary; the
service that calls :func:`parse_boundary` turns it into a ``ValidationFailed`` field error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "COORDINATE_DECIMALS",
    "GeometryError",
    "TileNode",
    "centroid_lonlat",
    "demo_tiling",
    "parse_boundary",
    "random_points_in",
    "to_geojson",
]

#: Stored boundaries keep 6 decimals (about 0.1 m), enough for grid boundaries drawn on a map.
COORDINATE_DECIMALS = 6
GRID_SIZE = 10.0**-COORDINATE_DECIMALS

SUPPORTED_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """边界几何无效: the boundary cannot be used as a region or grid polygon.

    ``code`` is a stable English identifier, ``message`` a Chinese sentence for the user and ``detail``
    the technical reason (for example GEOS ``explain_validity`` output) for the log only.
    """

    def __init__(self, message: str, *, code: str, detail: str = "") -> None:
        self.message = message
        self.code = code
        self.detail = detail
        super().__init__(message)


# --------------------------------------------------------------------------------------------------
# Parsing and conversion
# --------------------------------------------------------------------------------------------------


def parse_boundary(geojson: dict[str, Any]) -> Polygon | MultiPolygon:
    """解析边界: turn a GeoJSON Polygon or MultiPolygon (WGS-84 lon/lat) into a valid 2D shapely geometry.

    Raises :class:`GeometryError` when the input is not a polygon, is empty, has malformed or
    non-finite coordinates, lies outside lon [-180, 180] / lat [-90, 90], or is not a valid polygon
    (self-intersection, too few points, overlapping parts, holes outside the shell …).
    A GeoJSON ``Feature`` is not accepted; pass its ``geometry`` member.
    """
    if not isinstance(geojson, dict):
        raise GeometryError("边界数据格式不正确，请提供 GeoJSON 几何对象。", code="geometry.not_geojson")
    geom_type = geojson.get("type")
    if geom_type not in SUPPORTED_TYPES:
        raise GeometryError(
            "仅支持 Polygon 或 MultiPolygon 几何类型。",
            code="geometry.unsupported_type",
            detail=f"type={geom_type!r}",
        )
    coordinates = geojson.get("coordinates")
    if not coordinates:
        raise GeometryError("边界为空，请至少提供一个多边形。", code="geometry.empty")
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, shapely.errors.ShapelyError) as exc:
        if "at least 4 coordinates" in str(exc):
            raise GeometryError(
                "边界多边形的顶点太少，每个环至少需要三个不同的点。",
                code="geometry.too_few_points",
                detail=str(exc),
            )
        raise GeometryError(
            "边界坐标格式不正确，请检查后重新导入。", code="geometry.malformed", detail=str(exc)
        )
    if geom.is_empty:
        raise GeometryError("边界为空，请至少提供一个多边形。", code="geometry.empty")
    geom = shapely.force_2d(geom)

    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise GeometryError("边界坐标中有无效数值，请检查后重新导入。", code="geometry.not_finite")
    lons, lats = coords[:, 0], coords[:, 1]
    if (np.abs(lons) > 180).any() or (np.abs(lats) > 90).any():
        raise GeometryError(
            "边界坐标超出经纬度范围，请使用 WGS-84 经纬度（经度在前、纬度在后）。",
            code="geometry.out_of_range",
        )

    for ring in shapely.get_rings(shapely.get_parts(geom)):
        if len(np.unique(shapely.get_coordinates(ring), axis=0)) < 3:
            raise GeometryError(
                "边界多边形的顶点太少，每个环至少需要三个不同的点。", code="geometry.too_few_points"
            )
    if (shapely.area(shapely.convex_hull(shapely.get_parts(geom))) <= 0).any():
        # a part whose points all lie on one line: GEOS would call it a self-intersection
        raise GeometryError("边界多边形面积为零，请检查后重新导入。", code="geometry.zero_area")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        message, code = _explain_invalid(reason, geom_type)
        raise GeometryError(message, code=code, detail=reason)
    return geom


def _explain_invalid(reason: str, geom_type: str) -> tuple[str, str]:
    """Map a GEOS validity reason to a Chinese sentence and a stable code."""
    lowered = reason.lower()
    if "too few points" in lowered:
        return "边界多边形的顶点太少，每个环至少需要三个不同的点。", "geometry.too_few_points"
    if "hole lies outside shell" in lowered:
        return "边界中的内洞位于外边界之外，请修正后重新导入。", "geometry.hole_outside_shell"
    if "holes are nested" in lowered or "nested holes" in lowered:
        return "边界中的内洞相互嵌套，请修正后重新导入。", "geometry.nested_holes"
    if "nested shells" in lowered or (geom_type == "MultiPolygon" and "self-intersection" in lowered):
        return "边界中的多个多边形相互重叠，请合并或修正后重新导入。", "geometry.overlapping_parts"
    if "self-intersection" in lowered:
        return "边界多边形自相交，请修正后重新导入。", "geometry.self_intersection"
    if "interior is disconnected" in lowered:
        return "边界中的内洞把多边形分割开了，请修正后重新导入。", "geometry.disconnected_interior"
    if "invalid coordinate" in lowered:
        return "边界坐标中有无效数值，请检查后重新导入。", "geometry.not_finite"
    if "ring is not closed" in lowered:
        return "边界多边形没有闭合，请修正后重新导入。", "geometry.ring_not_closed"
    return "边界多边形无效，请修正后重新导入。", "geometry.invalid"


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """Return the GeoJSON geometry dict of ``geom`` with lists (not tuples), ready for a JSON field."""
    return _listify(mapping(geom))


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _listify(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(item) for item in value]
    return value


def centroid_lonlat(geom: BaseGeometry) -> tuple[float, float]:
    """Return the centroid of ``geom`` as ``(lon, lat)``.

    The centroid of a concave polygon may lie outside it; use ``geom.point_on_surface()`` when the
    point must be inside (for example to place a label on the map).
    """
    centroid = geom.centroid
    return (float(centroid.x), float(centroid.y))


# --------------------------------------------------------------------------------------------------
# Demo tiling
# --------------------------------------------------------------------------------------------------

LEVELS = ("district", "street", "community", "grid")

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


@dataclass(frozen=True, eq=False)
class TileNode:
    """One region of the demo district: its level, its 1-based number among its siblings, its polygon.

    Siblings are numbered clockwise starting from north of the parent's centre, so ``name_index`` can
    pick a stable demo name (第一网格, 第二网格 …). ``path`` holds the numbers from the street down.
    """

    level: str
    name_index: int
    geometry: Polygon
    children: tuple[TileNode, ...] = field(default=())
    path: tuple[int, ...] = field(default=())

    def iter_level(self, level: str) -> Iterator[TileNode]:
        """Yield every node of ``level`` under (and including) this node, depth first."""
        if self.level == level:
            yield self
            return
        for child in self.children:
            yield from child.iter_level(level)

    @property
    def streets(self) -> list[TileNode]:
        return list(self.iter_level("street"))

    @property
    def communities(self) -> list[TileNode]:
        return list(self.iter_level("community"))

    @property
    def grids(self) -> list[TileNode]:
        return list(self.iter_level("grid"))


DEFAULT_COMMUNITIES_PER_STREET = (5, 4, 4)
DEFAULT_GRIDS_PER_COMMUNITY = ((5, 6, 5, 6, 5), (6, 5, 5, 6), (5, 6, 6, 5))


def demo_tiling(
    *,
    seed: int,
    center: tuple[float, float] = (116.48, 39.92),
    size_km: tuple[float, float] = (6.0, 5.0),
    streets: int = 3,
    communities_per_street: Sequence[int] | int = DEFAULT_COMMUNITIES_PER_STREET,
    grids_per_community: Sequence[Sequence[int]] | int = DEFAULT_GRIDS_PER_COMMUNITY,
    lloyd_iterations: int = 6,
) -> TileNode:
    """演示区划: generate a fictional district whose streets, communities and grids tile it exactly.

    The district is an irregular, roughly rectangular polygon of ``size_km`` (east-west, north-south)
    around ``center`` (lon, lat). Each level is split by a Voronoi diagram of random seed points,
    relaxed with Lloyd's algorithm so the pieces have similar sizes. All coordinates sit on the
    6-decimal grid and every parent is exactly the union of its children: siblings share their edges
    vertex for vertex, with no gaps and no overlaps. The result depends only on the arguments.

    ``communities_per_street`` is one count per street or one count for all streets;
    ``grids_per_community`` is one list of counts per street (one count per community) or one count
    for all communities. The defaults give 3 streets, 13 communities and 71 grids.
    """
    plan = _plan_counts(streets, communities_per_street, grids_per_community)
    last_error: str = ""
    for attempt in range(20):
        rng = np.random.default_rng([seed, attempt])
        district = _outer_boundary(rng, center, size_km)
        tree_plan = _split_recursively(district, plan, rng, lloyd_iterations)
        try:
            return _snap_tiling(district, tree_plan)
        except _TilingRetry as exc:
            last_error = str(exc)
    raise RuntimeError(f"could not generate a clean demo tiling for seed {seed}: {last_error}")


class _TilingRetry(Exception):
    """The snapped tiling degenerated (a disconnected or collapsed piece); try other seed points."""


def _plan_counts(
    streets: int,
    communities_per_street: Sequence[int] | int,
    grids_per_community: Sequence[Sequence[int]] | int,
) -> list[list[int]]:
    """Return grid counts as ``plan[street][community]``, checking the shapes of the arguments."""
    if streets < 1:
        raise ValueError("streets must be at least 1")
    if isinstance(communities_per_street, int):
        community_counts = [communities_per_street] * streets
    else:
        community_counts = list(communities_per_street)
    if len(community_counts) != streets or min(community_counts) < 1:
        raise ValueError("communities_per_street needs one positive count per street")
    if isinstance(grids_per_community, int):
        plan = [[grids_per_community] * count for count in community_counts]
    else:
        plan = [list(counts) for counts in grids_per_community]
    if [len(counts) for counts in plan] != community_counts:
        raise ValueError("grids_per_community needs one list per street with one count per community")
    if min(min(counts) for counts in plan) < 1:
        raise ValueError("every community needs at least one grid")
    return plan


def _outer_boundary(
    rng: np.random.Generator, center: tuple[float, float], size_km: tuple[float, float]
) -> Polygon:
    """An irregular, star-shaped district outline: a rounded rectangle with smooth random wobbles."""
    lon0, lat0 = center
    km_per_deg_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0))
    half_w = size_km[0] / 2 / km_per_deg_lon
    half_h = size_km[1] / 2 / KM_PER_DEGREE_LAT

    n_vertices = 48
    angles = np.linspace(0.0, 2 * math.pi, n_vertices, endpoint=False)
    angles = angles + rng.uniform(-0.3, 0.3, n_vertices) * (2 * math.pi / n_vertices)
    # Superellipse (exponent 4): a rectangle with rounded corners.
    exponent = 4.0
    cos_a, sin_a = np.cos(angles), np.sin(angles)
    radius = (np.abs(cos_a) ** exponent + np.abs(sin_a) ** exponent) ** (-1 / exponent)
    # Smooth wobble from a few low harmonics, plus a little vertex noise, like rivers and roads.
    wobble = np.zeros(n_vertices)
    for harmonic in (2, 3, 5, 7):
        amplitude = rng.uniform(0.02, 0.06) / math.sqrt(harmonic)
        wobble += amplitude * np.cos(harmonic * angles + rng.uniform(0, 2 * math.pi))
    radius = radius * (1 + wobble + rng.uniform(-0.015, 0.015, n_vertices))
    xs = np.round(lon0 + half_w * radius * cos_a, COORDINATE_DECIMALS)
    ys = np.round(lat0 + half_h * radius * sin_a, COORDINATE_DECIMALS)
    polygon = Polygon(np.column_stack([xs, ys]))
    if not polygon.is_valid:  # pragma: no cover - a star-shaped ring with positive radius is simple
        raise _TilingRetry("outer boundary is not valid")
    return shapely.set_precision(polygon, GRID_SIZE)


@dataclass
class _Piece:
    """An unsnapped piece of the plan: its Voronoi cell clipped to its parent, and its children."""

    geometry: BaseGeometry
    children: list[_Piece]


def _split_recursively(
    district: Polygon, plan: list[list[int]], rng: np.random.Generator, iterations: int
) -> _Piece:
    """Split each level in turn; pieces are numbered clockwise from north, so ``plan[i]`` is piece i+1."""
    root = _Piece(district, [])
    for street_cell, community_counts in zip(
        _voronoi_split(district, len(plan), rng, iterations), plan, strict=True
    ):
        street = _Piece(street_cell, [])
        root.children.append(street)
        for community_cell, grid_count in zip(
            _voronoi_split(street_cell, len(community_counts), rng, iterations), community_counts, strict=True
        ):
            grids = [_Piece(cell, []) for cell in _voronoi_split(community_cell, grid_count, rng, iterations)]
            street.children.append(_Piece(community_cell, grids))
    return root


def _voronoi_split(
    parent: BaseGeometry, count: int, rng: np.random.Generator, iterations: int
) -> list[BaseGeometry]:
    """Split ``parent`` into ``count`` Voronoi cells of Lloyd-relaxed random seeds (unsnapped)."""
    if count == 1:
        return [parent]
    seeds = np.array(random_points_in(parent, count, rng, decimals=None))
    cells: list[BaseGeometry] = []
    for step in range(iterations + 1):
        diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=parent, ordered=True)
        cells = list(shapely.intersection(shapely.get_parts(diagram), parent))
        if step == iterations:
            break
        new_seeds = []
        for cell, old in zip(cells, seeds, strict=True):
            point = cell.centroid
            if cell.is_empty or not parent.contains(point):
                point = cell.point_on_surface() if not cell.is_empty else Point(old)
            new_seeds.append((point.x, point.y))
        seeds = np.array(new_seeds)
    return _clockwise_from_north(parent, cells)


def _snap_tiling(district: Polygon, root: _Piece) -> TileNode:
    """Node all leaf edges once on the 6-decimal grid and rebuild every level from the snapped faces."""
    leaves: list[tuple[tuple[int, int, int], BaseGeometry]] = []
    for s, street in enumerate(root.children):
        for c, community in enumerate(street.children):
            for g, grid in enumerate(community.children):
                leaves.append(((s, c, g), grid.geometry))

    leaf_geoms = np.array([geom for _, geom in leaves], dtype=object)
    lines = [district.boundary, *shapely.boundary(leaf_geoms)]
    noded = shapely.union_all(lines, grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    faces = faces[shapely.within(shapely.point_on_surface(faces), district)]

    # Give every face to the unsnapped leaf cell it overlaps most.
    tree = shapely.STRtree(leaf_geoms)
    face_idx, leaf_idx = tree.query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[face_idx], leaf_geoms[leaf_idx]))
    owner = np.full(len(faces), -1)
    best = np.full(len(faces), -1.0)
    for f, leaf, area in zip(face_idx, leaf_idx, overlap, strict=True):
        if area > best[f]:
            best[f], owner[f] = area, leaf
    if (owner < 0).any():
        raise _TilingRetry("a snapped face belongs to no grid")

    by_leaf: dict[int, list[BaseGeometry]] = {}
    for face, leaf in zip(faces, owner, strict=True):
        by_leaf.setdefault(int(leaf), []).append(face)

    def union(parts: Sequence[BaseGeometry]) -> Polygon:
        merged = shapely.union_all(list(parts), grid_size=GRID_SIZE)
        if merged.geom_type != "Polygon" or not merged.is_valid or merged.area <= 0:
            raise _TilingRetry(f"a piece became {merged.geom_type}")
        return shapely.normalize(merged)

    grid_polys: dict[tuple[int, int, int], Polygon] = {}
    for index, (path, _geom) in enumerate(leaves):
        if index not in by_leaf:
            raise _TilingRetry("a grid collapsed while snapping")
        grid_polys[path] = union(by_leaf[index])

    street_nodes = []
    for s, street in enumerate(root.children):
        community_nodes = []
        for c, community in enumerate(street.children):
            grids = [grid_polys[(s, c, g)] for g in range(len(community.children))]
            community_nodes.append((union(grids), grids))
        street_geom = union([geom for geom, _ in community_nodes])
        street_nodes.append((street_geom, community_nodes))
    district_geom = union([geom for geom, _ in street_nodes])

    def build(level: int, geom: Polygon, children: list, index: int, path: tuple[int, ...]) -> TileNode:
        nodes = []
        for number, child in enumerate(children, start=1):
            child_geom, grandchildren = child if isinstance(child, tuple) else (child, [])
            nodes.append(build(level + 1, child_geom, grandchildren, number, (*path, number)))
        return TileNode(LEVELS[level], index, geom, tuple(nodes), path)

    return build(0, district_geom, street_nodes, 1, ())


def _clockwise_from_north(parent: BaseGeometry, cells: list[BaseGeometry]) -> list[BaseGeometry]:
    """Order cells by the bearing of their centre from the parent's centre, clockwise from north."""
    px, py = centroid_lonlat(parent)

    def bearing(cell: BaseGeometry) -> float:
        x, y = centroid_lonlat(cell)
        return math.atan2(x - px, y - py) % (2 * math.pi)

    return sorted(cells, key=bearing)


# --------------------------------------------------------------------------------------------------
# Random points
# --------------------------------------------------------------------------------------------------


def random_points_in(
    geom: BaseGeometry,
    n: int,
    rng: np.random.Generator | random.Random,
    *,
    decimals: int | None = COORDINATE_DECIMALS,
) -> list[tuple[float, float]]:
    """Return ``n`` random ``(lon, lat)`` points strictly inside ``geom`` (for example building sites).

    Points are drawn uniformly from the bounding box and kept when inside, after rounding to
    ``decimals`` (``None`` keeps full precision). ``rng`` may be a numpy ``Generator`` or a
    ``random.Random``; the same generator state gives the same points.
    """
    if n <= 0:
        return []
    if geom.is_empty or geom.area <= 0:
        raise ValueError("random_points_in needs a polygon with a positive area")
    minx, miny, maxx, maxy = geom.bounds
    fill = geom.area / ((maxx - minx) * (maxy - miny))
    shapely.prepare(geom)
    found: list[tuple[float, float]] = []
    for _ in range(1000):
        batch = max(16, int((n - len(found)) / fill * 1.5))
        if isinstance(rng, random.Random):
            xs = np.array([rng.uniform(minx, maxx) for _ in range(batch)])
            ys = np.array([rng.uniform(miny, maxy) for _ in range(batch)])
        else:
            xs = rng.uniform(minx, maxx, batch)
            ys = rng.uniform(miny, maxy, batch)
        if decimals is not None:
            xs, ys = np.round(xs, decimals), np.round(ys, decimals)
        inside = shapely.contains_xy(geom, xs, ys)
        found.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
        if len(found) >= n:
            return found[:n]
    raise ValueError("could not place the points; the polygon is too thin")  # pragma: no cover
