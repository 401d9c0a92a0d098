"""Reads of the member roll. Personal data is searched only through blind indexes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require, scope_of
from gongzhi.core.errors import NotFound
from gongzhi.core.validators import validate_mobile
from gongzhi.people import rules as people_rules

from ..choices import MemberStatus
from ..models import Member, MemberTransfer

_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]")


@dataclass(frozen=True)
class MemberFilter:
    """Filters of the member list, shared by the HTML page, the API and the export."""

    q: str = ""
    organisation: str = ""  # organisation code: the organisation and its sub-organisations
    status: str = ""
    kind: str = ""  # "in_service" | "mobile"
    grid: str = ""
    inactive: bool = False

    @classmethod
    def from_mapping(cls, data) -> MemberFilter:
        def value(name: str) -> str:
            return str(data.get(name) or "").strip()[:60]

        status, kind = value("status"), value("kind")
        return cls(
            q=value("q"),
            organisation=value("organisation").upper(),
            status=status if status in MemberStatus.values else "",
            kind=kind if kind in ("in_service", "mobile") else "",
            grid=value("grid"),
            inactive=value("inactive") in ("1", "true", "on"),
        )

    def as_dict(self) -> dict[str, str]:
        return {k: ("1" if v is True else v) for k, v in self.__dict__.items() if v}


def _text_or_pii_q(text: str) -> Q:
    """A whole ID or mobile number matches its blind index; other text the name."""
    if _ID_LIKE.fullmatch(text):
        return Q(id_number_index=people_rules.id_number_index(text.upper()))
    try:
        mobile = validate_mobile(text)
    except ValidationError:
        return Q(name__icontains=text)
    return Q(phone_index=people_rules.phone_index(mobile))


def in_subtree_q(code: str, *, field: str = "tree_path") -> Q:
    """Rows whose tree path passes through the organisation ``code`` (itself and everything below)."""
    return Q(**{f"{field}__startswith": f"{code}/"}) | Q(**{f"{field}__contains": f"/{code}/"})


def members_visible_to(user, filters: MemberFilter | None = None) -> QuerySet[Member]:
    """党员名册: the members of the organisations in the user's area, filtered and ordered."""
    require(user, "party.view_organisation")
    qs = (
        Member.objects.in_scope(scope_of(user)).select_related("organisation", "grid").defer("grid__boundary")
    )
    f = filters or MemberFilter()
    if not f.inactive:
        qs = qs.filter(is_active=True)
    if f.q:
        qs = qs.filter(_text_or_pii_q(f.q))
    if f.organisation:
        qs = qs.filter(in_subtree_q(f.organisation, field="organisation__tree_path"))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind == "in_service":
        qs = qs.filter(is_in_service=True)
    elif f.kind == "mobile":
        qs = qs.filter(is_mobile=True)
    if f.grid:
        qs = qs.filter(grid__code=f.grid)
    return qs.order_by("region_path", "organisation__tree_path", "name", "pk")


def get_member(*, user, pk: int) -> Member:
    """One member; missing and out-of-scope members give the same ``NotFound``."""
    member = members_visible_to(user, MemberFilter(inactive=True)).filter(pk=pk).first()
    if member is None:
        raise NotFound(_("The party member does not exist or you cannot view them."))
    return member


def get_my_member(user) -> Member | None:
    """The signed-in user's own member record (for the member pages), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.in_scope(scope_of(user))
        .filter(user_id=user.pk, is_active=True)
        .select_related("organisation__region", "grid")
        .defer("organisation__region__boundary", "grid__boundary")
        .first()
    )


def member_transfers(member: Member) -> QuerySet[MemberTransfer]:
    """组织关系转接记录, oldest first (the first row is the admission)."""
    return (
        MemberTransfer.objects.filter(member=member)
        .select_related("from_organisation", "to_organisation", "actor")
        .order_by("at", "pk")
    )


def member_points_total(member: Member) -> int:
    return member.points_entries.aggregate(total=Sum("points"))["total"] or 0


def can_reveal(user) -> bool:
    return has_perm(user, "party.reveal_pii")
