"""Point → grid, served by a cached STRtree index that rebuilds when ``GeoVersion`` changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .choices import RegionLevel
from .geometry import parse_boundary

if TYPE_CHECKING:
    from .locator import GridLocator
from .models import GeoVersion, Region


def _load():
    rows = (
        Region.objects.filter(level=RegionLevel.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("pk", "boundary")
    )
    return [(pk, parse_boundary(boundary)) for pk, boundary in rows]


def current_locator() -> GridLocator:
    from .locator import get_cached_locator

    version = GeoVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    return get_cached_locator(str(version), _load)


def grid_at(*, lon: float, lat: float) -> Region | None:
    pk = current_locator().locate(lon, lat)
    return Region.objects.filter(pk=pk).first() if pk is not None else None


def grid_ids_at(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Vectorised lookup for imports: grid primary keys, -1 where no grid covers the point."""
    return current_locator().locate_many(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
