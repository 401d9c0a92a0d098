"""Point-in-grid lookup: exact answers from a shapely STRtree, made fast by a raster pre-filter.

Boundary rule: a point covered by several grids (on a shared edge or vertex) belongs to the one that
came FIRST in the input order (the loader orders grids by code); a point on the outer boundary of the
covered area counts as inside (``covers``).

Speed: at build time the covered area's bounding box is cut into a uniform raster. Every cell that any
polygon edge passes through (or touches; edges are sampled densely and the marks widened by one cell) is
"ambiguous"; the remaining cells fall into connected regions that no edge crosses, so each region lies
wholly inside one grid or wholly outside all of them, and one exact lookup per region labels it. A point
in a labelled cell is answered by array indexing; only points in ambiguous cells (near an edge) go to
the exact STRtree ``covered_by`` query. The answers are therefore identical to the exact query.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry.base import BaseGeometry

AMBIGUOUS = -2
OUTSIDE = -1


class GridLocator:
    """Locate WGS-84 points (lon, lat) in grids; keys are grid primary keys (or any int)."""

    def __init__(self, grids: Iterable[tuple[int, BaseGeometry]], *, raster: bool = True):
        items = list(grids)
        self._keys = np.array([key for key, _geom in items], dtype=np.int64)
        self._geoms = np.array([geom for _key, geom in items], dtype=object)
        for geom in self._geoms:
            shapely.prepare(geom)
        self._tree = shapely.STRtree(self._geoms) if len(items) else None
        self._raster: np.ndarray | None = None
        if raster and len(items):
            self._build_raster()

    def __len__(self) -> int:
        return len(self._keys)

    # -- exact path -------------------------------------------------------------------------------

    def _exact(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Positions (index into the input order) of the covering grid, -1 where none; exact."""
        result = np.full(len(lons), OUTSIDE, dtype=np.int64)
        if self._tree is None or len(lons) == 0:
            return result
        points = shapely.points(lons, lats)
        point_idx, geom_idx = self._tree.query(points, predicate="covered_by")
        if len(point_idx):
            # smallest input position wins on shared edges: sort by (point, position), keep the first
            order = np.lexsort((geom_idx, point_idx))
            point_idx, geom_idx = point_idx[order], geom_idx[order]
            first = np.ones(len(point_idx), dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            result[point_idx[first]] = geom_idx[first]
        return result

    # -- raster pre-filter ------------------------------------------------------------------------

    def _build_raster(self) -> None:
        minx, miny, maxx, maxy = shapely.total_bounds(self._geoms)
        width, height = maxx - minx, maxy - miny
        if width <= 0 or height <= 0:
            return
        # ~ 1600 cells per grid on average, bounded to keep memory small (≤ 4096² int32 = 64 MB)
        cells = min(4096 * 4096, max(256 * 256, 1600 * len(self._geoms)))
        nx = int(min(4096, max(64, math.sqrt(cells * width / height))))
        ny = int(min(4096, max(64, cells / nx)))
        dx, dy = width / nx, height / ny
        edges = np.zeros((ny, nx), dtype=bool)
        rings = shapely.get_parts(shapely.boundary(self._geoms))
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same = ring_of[:-1] == ring_of[1:]
        start, end = coords[:-1][same], coords[1:][same]
        length_cells = np.hypot((end[:, 0] - start[:, 0]) / dx, (end[:, 1] - start[:, 1]) / dy)
        samples = np.ceil(length_cells * 3).astype(np.int64) + 1
        seg = np.repeat(np.arange(len(start)), samples)
        offsets = np.arange(samples.sum()) - np.repeat(np.cumsum(samples) - samples, samples)
        t = offsets / np.maximum(samples[seg] - 1, 1)
        xs = start[seg, 0] + (end[seg, 0] - start[seg, 0]) * t
        ys = start[seg, 1] + (end[seg, 1] - start[seg, 1]) * t
        ix = np.clip(((xs - minx) / dx).astype(np.int64), 0, nx - 1)
        iy = np.clip(((ys - miny) / dy).astype(np.int64), 0, ny - 1)
        edges[iy, ix] = True
        edges = ndimage.binary_dilation(edges, structure=np.ones((3, 3), dtype=bool))
        labels, count = ndimage.label(~edges)
        raster = np.full((ny, nx), AMBIGUOUS, dtype=np.int32)
        if count:
            flat = labels.ravel()
            cells_idx = np.flatnonzero(flat)
            region_of, first = np.unique(flat[cells_idx], return_index=True)
            rep = cells_idx[first]
            rep_x = minx + (rep % nx + 0.5) * dx
            rep_y = miny + (rep // nx + 0.5) * dy
            answer = np.full(count + 1, AMBIGUOUS, dtype=np.int32)
            answer[region_of] = self._exact(rep_x, rep_y)
            raster = answer[labels].astype(np.int32)
            raster[edges] = AMBIGUOUS
        self._raster = raster
        self._frame = (minx, miny, dx, dy, nx, ny)

    # -- public API -------------------------------------------------------------------------------

    def positions(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Input positions of the covering grids (-1 for none)."""
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        result = np.full(len(lons), OUTSIDE, dtype=np.int64)
        valid = ~(np.isnan(lons) | np.isnan(lats))
        if self._raster is None:
            index = np.flatnonzero(valid)
            result[index] = self._exact(lons[index], lats[index])
            return result
        minx, miny, dx, dy, nx, ny = self._frame
        fx = (lons - minx) / dx
        fy = (lats - miny) / dy
        inside = valid & (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)
        index = np.flatnonzero(inside)
        found = self._raster[fy[index].astype(np.int64), fx[index].astype(np.int64)]
        result[index] = found
        # points in cells next to an edge, and points exactly on the far frame edge, are checked exactly
        check = np.concatenate(
            [
                index[found == AMBIGUOUS],
                np.flatnonzero(valid & ~inside & (fx >= 0) & (fx <= nx) & (fy >= 0) & (fy <= ny)),
            ]
        )
        if len(check):
            result[check] = self._exact(lons[check], lats[check])
        return result

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Grid keys for many points at once (int64, -1 where no grid covers the point)."""
        pos = self.positions(lons, lats)
        return np.where(pos >= 0, self._keys[np.maximum(pos, 0)] if len(self._keys) else -1, -1)

    def locate(self, lon: float, lat: float) -> int | None:
        """The grid key covering the point, or None."""
        found = self.locate_many(np.array([lon], dtype=float), np.array([lat], dtype=float))[0]
        return int(found) if found >= 0 else None


_lock = threading.Lock()
_cache: dict[str, object] = {"version": None, "locator": None}


def get_cached_locator(version: str, loader: Callable[[], Iterable[tuple[int, BaseGeometry]]]) -> GridLocator:
    """The process-wide locator for ``version``; rebuilt by ``loader`` only when the version changes."""
    with _lock:
        if _cache["version"] == version and _cache["locator"] is not None:
            return _cache["locator"]  # type: ignore[return-value]
        locator = GridLocator(loader())
        _cache["version"] = version
        _cache["locator"] = locator
        return locator
