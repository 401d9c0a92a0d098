from __future__ import annotations

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: str
    path: str
    parent_code: str | None = None
    center_lon: float | None = None
    center_lat: float | None = None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.path.rstrip("/").split("/")[-2] if obj.parent_id else None


class LocateIn(Schema):
    lon: float
    lat: float


class LocateOut(Schema):
    grid: RegionOut | None = None


class BuildingOut(Schema):
    code: str
    name: str
    address: str
    lon: float | None = None
    lat: float | None = None
    grid_code: str | None = None

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None
