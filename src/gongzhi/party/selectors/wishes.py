"""Reads of 微心愿: the review queue, wishes open to a member, a resident's own, and the public wall."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, scope_of
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region

from ..choices import WishStatus
from ..models import Member, PartyOrganisation, Wish, WishPhoto
from .reach import member_reach_paths, unit_reach_paths

#: What the public wall shows: wishes that came true.
WALL_STATUSES = (WishStatus.FULFILLED, WishStatus.CONFIRMED)


def _base(qs: QuerySet[Wish]) -> QuerySet[Wish]:
    return qs.select_related("community", "grid", "claimed_member", "claimed_unit").defer(
        "community__boundary", "grid__boundary"
    )


def wishes_visible_to(user, status: str = "") -> QuerySet[Wish]:
    """微心愿 of the communities in the user's area (staff), or the user's own (a resident)."""
    allowed = ("party.post_wish", "party.confirm_wish", "party.review_wish", "party.view_organisation")
    if not any(has_perm(user, p) for p in allowed):
        raise PermissionDenied()
    qs = _base(Wish.objects.in_scope(scope_of(user)))
    if status in WishStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def get_wish(*, user, pk: int) -> Wish:
    wish = wishes_visible_to(user).filter(pk=pk).first()
    if wish is None:
        raise NotFound(_("The micro-wish does not exist or you cannot view it."))
    return wish


def my_wishes(user) -> QuerySet[Wish]:
    """The wishes of the signed-in resident (posted by them or for them), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Wish.objects.none()
    return _base(Wish.objects.filter(resident_user_id=user.pk)).order_by("-created_at", "-pk")


def _reach_q(paths) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(region_path__prefix=path)
    return q


def wishes_open_to(member: Member) -> QuerySet[Wish]:
    """Published wishes a member may claim, and those the member claimed."""
    open_ = Q(status=WishStatus.PUBLISHED) & _reach_q(member_reach_paths(member))
    mine = Q(claimed_member=member)
    return _base(Wish.objects.filter(open_ | mine)).order_by("status", "-created_at", "-pk")


def get_wish_for_member(*, member: Member, pk: int) -> Wish:
    wish = wishes_open_to(member).filter(pk=pk).first()
    if wish is None:
        raise NotFound(_("The micro-wish does not exist or you cannot view it."))
    return wish


def wishes_open_to_unit(unit: PartyOrganisation) -> QuerySet[Wish]:
    open_ = Q(status=WishStatus.PUBLISHED) & _reach_q(unit_reach_paths(unit))
    return _base(Wish.objects.filter(open_ | Q(claimed_unit=unit))).order_by("status", "-created_at", "-pk")


def wish_wall(*, community: Region | None = None, limit: int = 60) -> QuerySet[Wish]:
    """心愿墙: wishes that came true, newest first (templates show names masked, never phones)."""
    qs = Wish.objects.filter(status__in=WALL_STATUSES)
    if community is not None:
        qs = qs.filter(community=community)
    return _base(qs).order_by("-fulfilled_at", "-pk")[:limit]


def wall_communities() -> QuerySet[Region]:
    """Communities that have wishes on the wall (for the filter of the public page)."""
    ids = Wish.objects.filter(status__in=WALL_STATUSES).values("community_id")
    return (
        Region.objects.filter(pk__in=ids, level=RegionLevel.COMMUNITY)
        .only("pk", "code", "name")
        .order_by("code")
    )


def get_wall_community(code: str) -> Region | None:
    return wall_communities().filter(code=(code or "").strip()).first()


def wish_photos(wish: Wish) -> QuerySet[WishPhoto]:
    return WishPhoto.objects.filter(wish=wish).order_by("pk")


def get_wish_photo(*, wish: Wish, pk: int) -> WishPhoto:
    photo = wish_photos(wish).filter(pk=pk).first()
    if photo is None:
        raise NotFound(_("The file does not exist or you cannot view it."))
    return photo
