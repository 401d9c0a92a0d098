"""Writes to the region registry: regions, boundaries (GeoJSON import), buildings, houses."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import NotFound, ValidationFailed

from . import locate
from .choices import HouseUse, RegionLevel, child_level
from .geometry import GeometryError, centroid_lonlat, parse_boundary, to_geojson
from .models import Building, GeoVersion, House, Region

_CODE = re.compile(r"^[0-9A-Za-z]{1,30}$")


def _bump_geo_version() -> None:
    """Give the boundaries a new random version, so every process rebuilds its locator.

    Random rather than +1: a rolled-back transaction (or a restored backup) can bring a counter value
    back with different grids behind it, and a cached locator must never survive that.
    """
    version = secrets.randbits(62)
    if not GeoVersion.objects.filter(pk=1).update(version=version):
        GeoVersion.objects.create(pk=1, version=version)


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise ValidationFailed({"code": _("The code may contain only letters and digits (at most 30).")})
    return code


@transaction.atomic
def create_region(
    *,
    actor,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    boundary: dict | None = None,
    sort_order: int = 0,
) -> Region:
    """新建区划节点: add a district, street, community or grid under its parent."""
    code = _check_code(code)
    if parent is None and level != RegionLevel.DISTRICT:
        raise ValidationFailed({"parent": _("Only a district can be created without a parent.")})
    if parent is not None and child_level(parent.level) != level:
        raise ValidationFailed({"level": _("This level cannot be placed under the chosen parent.")})
    require(actor, "regions.manage", parent)
    if Region.objects.filter(code=code).exists():
        raise ValidationFailed({"code": _("A region with this code already exists.")})
    geom_json, lon, lat = _boundary_fields(boundary)
    region = Region(
        code=code,
        name=name.strip(),
        level=level,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
        boundary=geom_json,
        center_lon=lon,
        center_lat=lat,
        sort_order=sort_order,
    )
    region.full_clean()
    region.save()
    if level == RegionLevel.GRID and geom_json:
        _bump_geo_version()
    record(actor=actor, action="regions.create", target=region, data={"code": code, "level": level})
    return region


def _boundary_fields(boundary: dict | None) -> tuple[dict | None, float | None, float | None]:
    if not boundary:
        return None, None, None
    try:
        geom = parse_boundary(boundary)
    except GeometryError as exc:
        raise ValidationFailed({"boundary": exc.message}) from exc
    lon, lat = centroid_lonlat(geom)
    return to_geojson(geom), lon, lat


@transaction.atomic
def set_boundary(*, actor, region: Region, boundary: dict | None) -> Region:
    """更新边界: replace a region's polygon; grids re-index at once."""
    require(actor, "regions.manage", region)
    geom_json, lon, lat = _boundary_fields(boundary)
    Region.objects.filter(pk=region.pk).update(boundary=geom_json, center_lon=lon, center_lat=lat)
    region.refresh_from_db()
    if region.level == RegionLevel.GRID:
        _bump_geo_version()
    record(actor=actor, action="regions.update", target=region, data={"boundary": "changed"})
    return region


@dataclass
class ImportReport:
    """Result of a GeoJSON import: created/updated codes, or per-feature errors (then nothing was saved)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _feature_props(feature: dict, index: int, errors: list) -> tuple[str, str] | None:
    props = feature.get("properties") or {}
    code = str(props.get("code") or props.get("编码") or "").strip()
    name = str(props.get("name") or props.get("名称") or "").strip()
    if not _CODE.match(code):
        errors.append(
            {"index": index, "code": code, "message": _("Feature property code is missing or invalid.")}
        )
        return None
    if not name:
        errors.append({"index": index, "code": code, "message": _("Feature property name is missing.")})
        return None
    return code, name


@transaction.atomic
def import_geojson(
    *, actor, collection: dict, level: str, parent: Region, dry_run: bool = False
) -> ImportReport:
    """导入边界: create or update child regions of ``parent`` from a FeatureCollection.

    Every feature needs ``properties.code`` and ``properties.name`` (or 编码/名称). All features are
    validated first; if any is bad the report lists each by its index and nothing is written.
    """
    require(actor, "regions.manage", parent)
    report = ImportReport()
    if child_level(parent.level) != level:
        report.errors.append(
            {
                "index": None,
                "code": parent.code,
                "message": _("This level cannot be placed under the chosen parent."),
            }
        )
        return report
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        report.errors.append(
            {"index": None, "code": "", "message": _("The file is not a GeoJSON FeatureCollection.")}
        )
        return report
    parsed: list[tuple[str, str, dict, float, float]] = []
    seen: set[str] = set()
    for index, feature in enumerate(collection.get("features") or []):
        props = _feature_props(feature if isinstance(feature, dict) else {}, index, report.errors)
        if props is None:
            continue
        code, name = props
        if code in seen:
            report.errors.append(
                {"index": index, "code": code, "message": _("This code appears twice in the file.")}
            )
            continue
        seen.add(code)
        try:
            geom = parse_boundary(feature.get("geometry") or {})
        except GeometryError as exc:
            report.errors.append({"index": index, "code": code, "message": exc.message})
            continue
        lon, lat = centroid_lonlat(geom)
        parsed.append((code, name, to_geojson(geom), lon, lat))
    existing = {r.code: r for r in Region.objects.filter(code__in=[p[0] for p in parsed])}
    for code, _name, *_rest in parsed:
        other = existing.get(code)
        if other is not None and other.parent_id != parent.pk:
            report.errors.append(
                {
                    "index": None,
                    "code": code,
                    "message": _("This code already belongs to a region elsewhere in the tree."),
                }
            )
    if report.errors or dry_run:
        if report.errors:
            report.created.clear()
        else:
            report.created = [p[0] for p in parsed if p[0] not in existing]
            report.updated = [p[0] for p in parsed if p[0] in existing]
        return report
    for order, (code, name, geom_json, lon, lat) in enumerate(parsed):
        region = existing.get(code)
        if region is None:
            Region.objects.create(
                code=code,
                name=name,
                level=level,
                parent=parent,
                path=f"{parent.path}{code}/",
                boundary=geom_json,
                center_lon=lon,
                center_lat=lat,
                sort_order=order,
            )
            report.created.append(code)
        else:
            Region.objects.filter(pk=region.pk).update(
                name=name, boundary=geom_json, center_lon=lon, center_lat=lat
            )
            report.updated.append(code)
    if level == RegionLevel.GRID:
        _bump_geo_version()
    record(
        actor=actor,
        action="regions.import_boundaries",
        target=parent,
        data={"level": level, "created": len(report.created), "updated": len(report.updated)},
    )
    return report


def grid_fields_for(
    *, lon: float | None, lat: float | None, grid: Region | None = None
) -> tuple[Region | None, str]:
    """The grid and region path for a point (or an explicitly chosen grid)."""
    if grid is None and lon is not None and lat is not None:
        grid = locate.grid_at(lon=lon, lat=lat)
    return grid, (grid.path if grid else "")


def _check_point(lon: float | None, lat: float | None) -> None:
    if (lon is None) != (lat is None):
        raise ValidationFailed({"lat": _("Longitude and latitude must be given together.")})
    if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationFailed({"lat": _("The coordinates are out of range.")})


@transaction.atomic
def create_building(
    *,
    actor,
    code: str,
    name: str,
    address: str,
    lon: float | None = None,
    lat: float | None = None,
    grid: Region | None = None,
    estate: str = "",
    floors: int | None = None,
) -> Building:
    """登记楼栋: its grid is located from the point unless a grid is chosen."""
    _check_point(lon, lat)
    grid, path = grid_fields_for(lon=lon, lat=lat, grid=grid)
    building = Building(
        code=_check_code(code),
        name=name.strip(),
        address=address.strip(),
        lon=lon,
        lat=lat,
        grid=grid,
        region_path=path,
        estate=estate,
        floors=floors,
    )
    require(actor, "regions.manage_buildings", building)
    if Building.objects.filter(code=building.code).exists():
        raise ValidationFailed({"code": _("A building with this code already exists.")})
    building.full_clean()
    building.save()
    record(
        actor=actor,
        action="regions.create_building",
        target=building,
        data={"grid": grid.code if grid else None},
    )
    return building


@transaction.atomic
def create_house(
    *,
    actor,
    building: Building,
    room: str,
    unit: str = "",
    use: str = HouseUse.OWNER_OCCUPIED,
    area: Decimal | None = None,
) -> House:
    """登记房屋: a room of a building; it inherits the building's grid."""
    require(actor, "regions.manage_buildings", building)
    if use not in HouseUse.values:
        raise ValidationFailed({"use": _("Choose a valid house use.")})
    house = House(
        building=building,
        unit=unit.strip(),
        room=room.strip(),
        use=use,
        area=area,
        grid=building.grid,
        region_path=building.region_path,
    )
    if House.objects.filter(building=building, unit=house.unit, room=house.room).exists():
        raise ValidationFailed({"room": _("This room is already registered in the building.")})
    house.full_clean()
    house.save()
    record(actor=actor, action="regions.create_house", target=house, data={"use": use})
    return house


def get_region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("No region has this code."))
    return region


@transaction.atomic
def import_buildings(*, actor, rows: list[dict], source_ref: str = "") -> ImportReport:
    """批量登记楼栋: rows of {code, name, address, estate, lon, lat, floors}; existing codes are left as
    they are (re-running changes nothing); grids come from a vectorised point lookup."""
    require(actor, "regions.manage_buildings")
    report = ImportReport()
    codes = [str(r["code"]) for r in rows]
    existing = set(Building.objects.filter(code__in=codes).values_list("code", flat=True))
    fresh = [r for r in rows if str(r["code"]) not in existing]
    if not fresh:
        return report
    import numpy as np

    lons = np.array([r.get("lon") if r.get("lon") is not None else np.nan for r in fresh], dtype=float)
    lats = np.array([r.get("lat") if r.get("lat") is not None else np.nan for r in fresh], dtype=float)
    grid_ids = locate.grid_ids_at(lons, lats)
    grids = {g.pk: g for g in Region.objects.filter(pk__in={int(i) for i in grid_ids if i >= 0})}
    from gongzhi.accounts.scoping import scope_of

    scope = scope_of(actor)
    objs = []
    for index, (row, grid_id) in enumerate(zip(fresh, grid_ids, strict=True)):
        grid = grids.get(int(grid_id))
        path = grid.path if grid else ""
        if not scope.is_global and not scope.covers_path(path):
            report.errors.append(
                {"index": index, "code": row["code"], "message": _("The building is outside your area.")}
            )
            continue
        objs.append(
            Building(
                code=_check_code(str(row["code"])),
                name=row["name"],
                address=row.get("address", ""),
                estate=row.get("estate", ""),
                lon=row.get("lon"),
                lat=row.get("lat"),
                grid=grid,
                region_path=path,
                floors=row.get("floors"),
            )
        )
    if report.errors:
        transaction.set_rollback(True)
        return report
    Building.objects.bulk_create(objs, batch_size=1000)
    report.created = [b.code for b in objs]
    record(
        actor=actor,
        action="regions.create_building",
        target_type="regions.building",
        target_label=source_ref or _("batch import"),
        data={"created": len(objs)},
    )
    return report
