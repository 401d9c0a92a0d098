"""Address text → region, from the registry's names, served by a per-process index rebuilt on change.

``place_named_in(text)`` finds every region name and every building address, name and estate (buildings
with a grid) that occurs in the text; the longest match wins, then the deepest node. Equal best matches
that point to different places resolve to their deepest common ancestor, so an estate spanning two grids
gives their community.

The index is keyed by ``registry_stamp()``: the boundary version plus the count, highest id and latest
change time of regions and buildings, read in one query, so an edit, an import or a restored backup in
any process is seen by the next lookup in every other one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from django.db import connection

from gongzhi.core.memo import KeyedMemo

from .choices import RegionLevel
from .models import Building, GeoVersion, Region
from .paths import common_ancestor_path

MIN_NAME = 2  # a one-character name ("3") matches everything


class _Name(NamedTuple):
    text: str
    depth: int
    path: str


def registry_stamp() -> tuple:
    """What changes whenever a region or building is added, removed or edited (one query)."""
    geo, region, building = (m._meta.db_table for m in (GeoVersion, Region, Building))
    parts = [f"(SELECT version FROM {geo} WHERE id = 1)"]
    for table in (region, building):
        parts += [f"(SELECT {agg} FROM {table})" for agg in ("COUNT(*)", "MAX(id)", "MAX(updated_at)")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


class PlaceNames:
    """The registry's names, bucketed by their first two characters for a scan of the text."""

    def __init__(self, names: list[_Name]):
        self._by_head: dict[str, list[_Name]] = defaultdict(list)
        for name in names:
            if len(name.text) >= MIN_NAME:
                self._by_head[name.text[:MIN_NAME]].append(name)

    def best_paths(self, text: str) -> set[str]:
        """Paths of the longest (then deepest) names found in ``text``."""
        best: tuple[int, int] | None = None
        paths: set[str] = set()
        for start in range(len(text) - MIN_NAME + 1):
            for name in self._by_head.get(text[start : start + MIN_NAME], ()):
                if not text.startswith(name.text, start):
                    continue
                key = (len(name.text), name.depth)
                if best is None or key > best:
                    best, paths = key, {name.path}
                elif key == best:
                    paths.add(name.path)
        return paths


def _build() -> PlaceNames:
    names = [_Name(name, path.count("/"), path) for name, path in Region.objects.values_list("name", "path")]
    buildings = Building.objects.filter(grid__isnull=False).values_list(
        "address", "name", "estate", "grid__path"
    )
    for *texts, grid_path in buildings:
        names.extend(_Name(text, grid_path.count("/"), grid_path) for text in texts if text)
    return PlaceNames(names)


_memo: KeyedMemo[PlaceNames] = KeyedMemo(_build)


def place_names() -> PlaceNames:
    """The index of the current registry (built on first use and again after a change)."""
    return _memo.get(registry_stamp())


def _chain(path: str) -> dict[str, Region]:
    """The node at ``path`` and its ancestors, by path (one query)."""
    parts = path.split("/")[:-1]
    prefixes = ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return {region.path: region for region in Region.objects.filter(path__in=prefixes)}


def _street_among(node: Region, chain: dict[str, Region]) -> Region | None:
    streets = [r for r in chain.values() if r.level == RegionLevel.STREET and node.path.startswith(r.path)]
    return max(streets, key=lambda r: len(r.path), default=None)


def street_of(node: Region | None) -> Region | None:
    """The street a region node lies in (itself when it is one), or None."""
    if node is None or node.level == RegionLevel.STREET:
        return node
    return _street_among(node, _chain(node.path))


def place_named_in(text: str) -> tuple[Region | None, Region | None]:
    """``(node, street)``: the region node an address names and its street, or ``(None, None)``."""
    text = (text or "").strip()
    if len(text) < MIN_NAME:
        return None, None
    paths = place_names().best_paths(text)
    path = next(iter(paths)) if len(paths) == 1 else common_ancestor_path(paths)
    chain = _chain(path) if path else {}
    node = chain.get(path)
    if node is None:
        return None, None
    return node, node if node.level == RegionLevel.STREET else _street_among(node, chain)
