"""Region tree browser, region detail, grid map (Leaflet on our own GeoJSON)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render

from gongzhi.accounts.scoping import require
from gongzhi.core.htmx import render_page_or_fragment
from gongzhi.core.views import domain_error_pages as _domain_errors

from . import selectors


@login_required
@_domain_errors
def tree(request):
    require(request.user, "regions.view")
    roots = selectors.region_roots_for(request.user)
    return render(request, "regions/tree.html", {"roots": roots})


@login_required
@_domain_errors
def children(request, code: str):
    region = selectors.get_region(user=request.user, code=code)
    kids = selectors.region_children(user=request.user, region=region)
    return render(request, "regions/partials/_children.html", {"region": region, "children": kids})


@login_required
@_domain_errors
def detail(request, code: str):
    require(request.user, "regions.view")
    region = selectors.get_region(user=request.user, code=code)
    kids = selectors.region_children(user=request.user, region=region)
    buildings = Paginator(
        selectors.buildings_visible_to(request.user).filter(region_path__prefix=region.path), 25
    )
    page = buildings.get_page(request.GET.get("page"))
    context = {
        "region": region,
        "ancestors": selectors.region_ancestors(region),
        "children": kids,
        "buildings": page,
    }
    return render_page_or_fragment(
        request, "regions/region_detail.html", "regions/partials/_buildings.html", context
    )


@login_required
@_domain_errors
def grid_map(request):
    require(request.user, "regions.view")
    return render(request, "regions/grid_map.html", {})


@login_required
@_domain_errors
def grids_geojson(request):
    require(request.user, "regions.view")
    within = None
    if request.GET.get("within"):
        within = selectors.get_region(user=request.user, code=request.GET["within"])
    return JsonResponse(selectors.grids_geojson(user=request.user, within=within))
