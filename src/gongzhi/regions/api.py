"""REST: regions in scope, one region, point → grid."""

from __future__ import annotations

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.scoping import require

from . import selectors
from .locate import grid_at
from .schemas import BuildingOut, LocateIn, LocateOut, RegionOut

router = Router(tags=["regions"])


@router.get("/", response=list[RegionOut])
@paginate(LimitOffsetPagination)
def list_regions(request, level: str | None = None):
    require(request.user, "regions.view")
    qs = selectors.regions_visible_to(request.user)
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/buildings", response=list[BuildingOut])
@paginate(LimitOffsetPagination)
def list_buildings(request):
    return selectors.buildings_visible_to(request.user)


@router.post("/locate", response=LocateOut)
def locate(request, payload: LocateIn):
    """The grid containing a WGS-84 point (null when outside every grid)."""
    require(request.user, "regions.view")
    return {"grid": grid_at(lon=payload.lon, lat=payload.lat)}


@router.get("/{code}", response=RegionOut)
def get_region(request, code: str):
    require(request.user, "regions.view")
    return selectors.get_region(user=request.user, code=code)
