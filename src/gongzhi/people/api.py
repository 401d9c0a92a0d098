"""REST: residents, households, organisations and tags of the user's area (thin; selectors and services)."""

from __future__ import annotations

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services
from .schemas import (
    ChangeOut,
    HouseholdOut,
    OrganisationOut,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    RevealIn,
    RevealOut,
    TagOut,
)

router = Router(tags=["people"])


@router.get("/residents", response=list[ResidentOut])
@paginate(LimitOffsetPagination)
def list_residents(
    request, q: str = "", tag: str = "", grid: str = "", residence_kind: str = "", status: str = ""
):
    """居民列表. ``q`` matches the name or household number, or a whole ID/mobile number exactly."""
    filters = selectors.ResidentFilter.from_mapping(
        {"q": q, "tag": tag, "grid": grid, "residence_kind": residence_kind, "status": status}
    )
    return selectors.residents_visible_to(request.user, filters)


@router.post("/residents", response={201: ResidentOut})
def create_resident(request, payload: ResidentIn):
    """登记居民. Posting the same ID number with the same data again returns the registered resident."""
    refs = selectors.resident_references(
        user=request.user,
        building_code=payload.building_code,
        unit=payload.unit,
        room=payload.room,
        grid_code=payload.grid_code,
        household_number=payload.household_number,
        tag_codes=payload.tags,
    )
    resident = services.create_resident(
        actor=request.user,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        gender=payload.gender,
        residence_kind=payload.residence_kind,
        status=payload.status,
        relation_to_head=payload.relation_to_head,
        house=refs["house"],
        grid=refs["grid"],
        household=refs["household"],
        tags=refs["tags"],
    )
    return selectors.get_resident(user=request.user, pk=resident.pk)  # the only response: 201


@router.get("/residents/{resident_id}", response=ResidentOut)
def get_resident(request, resident_id: int):
    return selectors.get_resident(user=request.user, pk=resident_id)


@router.patch("/residents/{resident_id}", response=ResidentOut)
def update_resident(request, resident_id: int, payload: ResidentPatch):
    resident = selectors.get_resident(user=request.user, pk=resident_id)
    sent = payload.dict(exclude_unset=True)
    house_given = bool({"building_code", "unit", "room"} & set(sent))
    refs = selectors.resident_references(
        user=request.user,
        building_code=sent.get("building_code") or "",
        unit=sent.get("unit") or "",
        room=sent.get("room") or "",
        grid_code=sent.get("grid_code") or "",
        household_number=sent.get("household_number") or "",
    )
    changes = {
        k: v
        for k, v in sent.items()
        if k in {"name", "id_number", "phone", "gender", "residence_kind", "relation_to_head"}
        and v is not None
    }
    if house_given:
        changes["house"] = refs["house"]
    if "grid_code" in sent:
        changes["grid"] = refs["grid"]
    if "household_number" in sent:
        changes["household"] = refs["household"]
    services.update_resident(actor=request.user, resident=resident, changes=changes)
    return selectors.get_resident(user=request.user, pk=resident.pk)


@router.post("/residents/{resident_id}/reveal", response=RevealOut)
def reveal_resident(request, resident_id: int, payload: RevealIn):
    """显示完整号码: needs the unmask permission; every call is audited."""
    resident = selectors.get_resident(user=request.user, pk=resident_id)
    value = services.reveal_resident_pii(actor=request.user, resident=resident, field=payload.field)
    return {"field": payload.field, "value": value}


@router.get("/residents/{resident_id}/history", response=list[ChangeOut])
@paginate(LimitOffsetPagination)
def resident_history(request, resident_id: int):
    """追本溯源: who changed what, when and from which source (personal data only as "changed")."""
    resident = selectors.get_resident(user=request.user, pk=resident_id)
    return selectors.resident_history(user=request.user, resident=resident)


@router.get("/households", response=list[HouseholdOut])
@paginate(LimitOffsetPagination)
def list_households(request, q: str = "", grid: str = ""):
    return selectors.households_visible_to(
        request.user, selectors.HouseholdFilter(q=q.strip(), grid=grid.strip())
    )


@router.get("/households/{household_id}", response=HouseholdOut)
def get_household(request, household_id: int):
    return selectors.get_household(user=request.user, pk=household_id)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(LimitOffsetPagination)
def list_organisations(request, q: str = "", kind: str = "", grid: str = ""):
    filters = selectors.OrganisationFilter.from_mapping({"q": q, "kind": kind, "grid": grid})
    return selectors.organisations_visible_to(request.user, filters)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request, organisation_id: int):
    return selectors.get_organisation(user=request.user, pk=organisation_id)


@router.get("/tags", response=list[TagOut])
def list_tags(request):
    return list(selectors.tags_visible_to(request.user))
