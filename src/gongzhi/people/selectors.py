"""Reads of the base-data registry, always starting from the user's scope (STYLE.md §3, §4).

Personal data is filtered only through blind indexes: an exact ID number or mobile number typed into
the search box is turned into its index, never compared as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require, scope_of
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.core.validators import validate_mobile
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.selectors import houses_visible_to, regions_visible_to

from . import history, rules
from .choices import OrganisationKind, ResidenceKind, ResidentStatus
from .models import ChangeRecord, Household, Organisation, Resident, Tag

_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]")


@dataclass(frozen=True)
class ResidentFilter:
    """The filters of the resident list, shared by the HTML page, the API and the export."""

    q: str = ""
    tag: str = ""
    grid: str = ""
    residence_kind: str = ""
    status: str = ""

    @classmethod
    def from_mapping(cls, data) -> ResidentFilter:
        def value(name: str) -> str:
            return str(data.get(name) or "").strip()[:60]

        kind = value("residence_kind")
        status = value("status")
        return cls(
            q=value("q"),
            tag=value("tag"),
            grid=value("grid"),
            residence_kind=kind if kind in ResidenceKind.values else "",
            status=status if status in ResidentStatus.values else "",
        )

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class OrganisationFilter:
    q: str = ""
    kind: str = ""
    grid: str = ""

    @classmethod
    def from_mapping(cls, data) -> OrganisationFilter:
        kind = str(data.get("kind") or "").strip()
        return cls(
            q=str(data.get("q") or "").strip()[:60],
            grid=str(data.get("grid") or "").strip()[:40],
            kind=kind if kind in OrganisationKind.values else "",
        )

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class HouseholdFilter:
    q: str = ""
    grid: str = ""

    @classmethod
    def from_mapping(cls, data) -> HouseholdFilter:
        return cls(q=str(data.get("q") or "").strip()[:60], grid=str(data.get("grid") or "").strip()[:40])

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _text_or_pii_q(text: str, *, name_field: str = "name") -> Q:
    """Search words → filter: a whole ID or mobile number matches its blind index, other text the name."""
    if _ID_LIKE.fullmatch(text):
        return Q(id_number_index=rules.id_number_index(text.upper()))
    try:
        mobile = validate_mobile(text)
    except ValidationError:
        return Q(**{f"{name_field}__icontains": text})
    return Q(phone_index=rules.phone_index(mobile))


# --- residents ------------------------------------------------------------------------------------


def residents_visible_to(user, filters: ResidentFilter | None = None) -> QuerySet[Resident]:
    """居民列表: residents in the user's regions (plus the user's own record), filtered and ordered."""
    require(user, "people.view_resident")
    qs = (
        Resident.objects.in_scope(scope_of(user))
        .select_related("grid", "house__building", "household")
        .defer("grid__boundary")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("code")))
    )
    f = filters or ResidentFilter()
    if f.q:
        qs = qs.filter(_text_or_pii_q(f.q) | Q(household__number=f.q))
    if f.tag:
        qs = qs.filter(Q(tags__code=f.tag) | Q(tags__name=f.tag))
    if f.grid:
        qs = qs.filter(grid__code=f.grid)
    if f.residence_kind:
        qs = qs.filter(residence_kind=f.residence_kind)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by("region_path", "name", "pk")


def get_resident(*, user, pk: int) -> Resident:
    """One resident; missing and out-of-scope residents give the same ``NotFound``."""
    resident = residents_visible_to(user).filter(pk=pk).first()
    if resident is None:
        raise NotFound(_("The resident does not exist or you cannot view them."))
    return resident


def find_resident_by_id_number(*, user, id_number: str) -> Resident | None:
    """Exact lookup by ID number through its blind index, inside the user's scope."""
    number = rules.clean_id_number(id_number)
    return residents_visible_to(user).filter(id_number_index=rules.id_number_index(number)).first()


def resident_history(*, user, resident: Resident) -> QuerySet[ChangeRecord]:
    """追本溯源: every change of a resident, newest first, with who made it."""
    require(user, "people.view_resident", resident)
    return _history(history.RESIDENT, resident.pk)


def _history(target_type: str, target_id: int) -> QuerySet[ChangeRecord]:
    return (
        ChangeRecord.objects.filter(target_type=target_type, target_id=target_id)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def household_members(*, user, household: Household) -> QuerySet[Resident]:
    return residents_visible_to(user).filter(household=household).order_by("pk")


# --- households -----------------------------------------------------------------------------------


def households_visible_to(user, filters: HouseholdFilter | None = None) -> QuerySet[Household]:
    """户列表: households in the user's regions with their head, house and member count."""
    require(user, "people.view_resident")
    qs = (
        Household.objects.in_scope(scope_of(user))
        .select_related("head", "house__building", "grid")
        .defer("grid__boundary")
        .annotate(member_count=Count("members"))
    )
    f = filters or HouseholdFilter()
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(head__name__icontains=f.q))
    if f.grid:
        qs = qs.filter(grid__code=f.grid)
    return qs.order_by("region_path", "number", "pk")


def get_household(*, user, pk: int) -> Household:
    household = households_visible_to(user).filter(pk=pk).first()
    if household is None:
        raise NotFound(_("The household does not exist or you cannot view it."))
    return household


def get_household_by_number(*, user, number: str) -> Household:
    household = households_visible_to(user).filter(number=(number or "").strip()).first()
    if household is None:
        raise NotFound(_("The household does not exist or you cannot view it."))
    return household


def household_history(*, user, household: Household) -> QuerySet[ChangeRecord]:
    require(user, "people.view_resident", household)
    return _history(history.HOUSEHOLD, household.pk)


# --- organisations --------------------------------------------------------------------------------


def organisations_visible_to(user, filters: OrganisationFilter | None = None) -> QuerySet[Organisation]:
    """组织列表: enterprises, social organisations, resident units and merchants in the user's regions."""
    require(user, "people.view_organisation")
    qs = (
        Organisation.objects.in_scope(scope_of(user))
        .select_related("grid", "building")
        .defer("grid__boundary")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("code")))
    )
    f = filters or OrganisationFilter()
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(credit_code=f.q.upper()))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.grid:
        qs = qs.filter(grid__code=f.grid)
    return qs.order_by("region_path", "name", "pk")


def get_organisation(*, user, pk: int) -> Organisation:
    organisation = organisations_visible_to(user).filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("The organisation does not exist or you cannot view it."))
    return organisation


def organisation_history(*, user, organisation: Organisation) -> QuerySet[ChangeRecord]:
    require(user, "people.view_organisation", organisation)
    return _history(history.ORGANISATION, organisation.pk)


# --- tags, grids, houses --------------------------------------------------------------------------


def tags(*, active_only: bool = True) -> QuerySet[Tag]:
    """The tag list (not scoped: tags are shared words, not records about people)."""
    qs = Tag.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def tags_visible_to(user) -> QuerySet[Tag]:
    """Active tags, for anyone who may see residents or organisations."""
    if not (has_perm(user, "people.view_resident") or has_perm(user, "people.view_organisation")):
        raise PermissionDenied()
    return tags()


def tags_with_counts(*, user) -> QuerySet[Tag]:
    """All tags with how many residents and organisations carry them, for the tag administration page."""
    require(user, "people.manage_tags")
    return Tag.objects.annotate(
        resident_count=Count("residents", distinct=True),
        organisation_count=Count("organisations", distinct=True),
    ).order_by("code")


def get_tag(*, pk: int) -> Tag:
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise NotFound(_("The tag does not exist."))
    return tag


def grids_for(user):
    """The grids a user may choose in filters and forms."""
    return regions_visible_to(user).filter(level=RegionLevel.GRID).order_by("path")


def get_grid(*, user, code: str):
    grid = grids_for(user).filter(code=(code or "").strip()).first()
    if grid is None:
        raise NotFound(_("The grid does not exist or is outside your area."))
    return grid


def find_house(*, user, building_code: str, unit: str, room: str):
    """A house by building code, unit and room, inside the user's scope."""
    house = (
        houses_visible_to(user)
        .filter(
            building__code=(building_code or "").strip(), unit=(unit or "").strip(), room=(room or "").strip()
        )
        .first()
    )
    if house is None:
        raise NotFound(_("The house does not exist or is outside your area."))
    return house


def can_reveal(user) -> bool:
    """Whether the user may unmask ID numbers and phones (each reveal is still audited)."""
    return has_perm(user, "people.reveal_pii")


def resident_references(
    *,
    user,
    building_code: str = "",
    unit: str = "",
    room: str = "",
    grid_code: str = "",
    household_number: str = "",
    tag_codes: list[str] | tuple[str, ...] = (),
) -> dict:
    """Codes typed into a form or an API call → house, grid, household and tags inside the user's scope.

    Unknown or out-of-scope codes become field errors (``ValidationFailed``) rather than 404s, because
    they are mistakes in the input, not missing pages.
    """
    found: dict = {"house": None, "grid": None, "household": None, "tags": []}
    errors = rules.FieldErrors()
    if building_code or room:
        try:
            found["house"] = find_house(user=user, building_code=building_code, unit=unit, room=room)
        except NotFound as exc:
            errors.add({"house": exc.message})
    if grid_code:
        try:
            found["grid"] = get_grid(user=user, code=grid_code)
        except NotFound as exc:
            errors.add({"grid": exc.message})
    if household_number:
        try:
            found["household"] = get_household_by_number(user=user, number=household_number)
        except NotFound as exc:
            errors.add({"household": exc.message})
    if tag_codes:
        by_code = {t.code: t for t in tags().filter(code__in=list(tag_codes))}
        missing = [c for c in tag_codes if c not in by_code]
        if missing:
            errors.add({"tags": _("The tag does not exist.")})
        found["tags"] = [by_code[c] for c in tag_codes if c in by_code]
    errors.raise_if_any()
    return found
