"""Reads of the region registry, always from the user's scope."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import NotFound

from .choices import RegionLevel
from .geometry import parse_boundary
from .models import Building, House, Region
from .names import registry_stamp


def regions_visible_to(user) -> QuerySet[Region]:
    """Region nodes inside the user's scope (their own node and everything below it)."""
    return Region.objects.in_scope(scope_of(user)).order_by("path")


def region_roots_for(user) -> list[Region]:
    """The top nodes of the user's scope, for the tree browser."""
    scope = scope_of(user)
    if scope.is_global:
        return list(Region.objects.filter(parent__isnull=True).order_by("sort_order", "code"))
    return list(Region.objects.filter(path__in=scope.region_paths).order_by("path"))


def top_region_paths() -> list[str]:
    """Paths of the top nodes of the whole region tree (usually the one district), for "covers all" checks."""
    return list(Region.objects.filter(parent__isnull=True).order_by("path").values_list("path", flat=True))


def region_children(*, user, region: Region) -> QuerySet[Region]:
    return (
        regions_visible_to(user)
        .filter(parent=region)
        .annotate(child_count=Count("children"))
        .order_by("sort_order", "code")
    )


def get_region(*, user, code: str) -> Region:
    region = regions_visible_to(user).filter(code=code).select_related("parent").first()
    if region is None:
        raise NotFound(_("The region does not exist or you cannot view it."))
    return region


def region_ancestors(region: Region) -> list[Region]:
    codes = [c for c in region.path.split("/") if c]
    by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def grids_geojson(*, user, within: Region | None = None) -> dict:
    """A FeatureCollection of the grids (and their parents' names) the user may see, for the map."""
    qs = regions_visible_to(user).filter(level=RegionLevel.GRID, boundary__isnull=False)
    if within is not None:
        qs = qs.filter(path__prefix=within.path)
    features = [
        {
            "type": "Feature",
            "geometry": r.boundary,
            "properties": {"code": r.code, "name": r.name, "path": r.path},
        }
        for r in qs.only("code", "name", "path", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


def community_outlines() -> dict:
    """The communities' names and simplified outlines, for picking a place on the report form's map
    where no tile server is configured. Public on purpose: residents of any area report there, and the
    communities and their boundaries are what every resident committee posts at its gate."""
    stamp = hashlib.sha1(repr(registry_stamp()).encode()).hexdigest()  # the same in every process
    return cache.get_or_set(f"regions:outlines:{stamp}", _community_outlines, 3600)


def _community_outlines() -> dict:
    features = []
    qs = Region.objects.filter(level=RegionLevel.COMMUNITY, boundary__isnull=False).order_by("path")
    for name, boundary in qs.values_list("name", "boundary"):
        shape = parse_boundary(boundary).simplify(0.0001, preserve_topology=True)  # about 10 m
        features.append({"type": "Feature", "geometry": mapping(shape), "properties": {"name": name}})
    return {"type": "FeatureCollection", "features": features}


def buildings_visible_to(user) -> QuerySet[Building]:
    require(user, "regions.view")
    return Building.objects.in_scope(scope_of(user)).select_related("grid").order_by("code")


def houses_visible_to(user) -> QuerySet[House]:
    require(user, "regions.view")
    return (
        House.objects.in_scope(scope_of(user))
        .select_related("building", "grid")
        .order_by("building__code", "unit", "room")
    )
