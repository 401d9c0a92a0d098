"""Reads of 党务公开: staff see their area's notices; residents the published notices of their community."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require, scope_of
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.people.models import Resident

from ..choices import DisclosureCategory, DisclosureStatus
from ..models import Disclosure, DisclosureAttachment, Member
from ..rules import community_path_of


def _base(qs: QuerySet[Disclosure]) -> QuerySet[Disclosure]:
    return (
        qs.select_related("community", "organisation")
        .defer("community__boundary")
        .prefetch_related(Prefetch("attachments", queryset=DisclosureAttachment.objects.order_by("pk")))
    )


def home_community_paths(user) -> tuple[str, ...]:
    """The communities a signed-in person lives in: from their resident record and member record.

    (The base-data registry has no selector for "my own resident record" yet; this reads the link
    ``Resident.user`` directly and only for the user themselves.)
    """
    if not getattr(user, "is_authenticated", False):
        return ()
    paths = {
        community_path_of(p)
        for p in Resident.objects.filter(user_id=user.pk, status="active").values_list(
            "region_path", flat=True
        )
        if p
    }
    for grid_path, org_path in Member.objects.filter(user_id=user.pk, is_active=True).values_list(
        "grid__path", "region_path"
    ):
        if grid_path:
            paths.add(community_path_of(grid_path))
        elif org_path and org_path.count("/") >= 3:
            paths.add(community_path_of(org_path))
    return tuple(sorted(paths))


def disclosures_visible_to(user, *, category: str = "", include_drafts: bool = True) -> QuerySet[Disclosure]:
    """公开栏: staff who publish see every notice of their area (drafts too); everyone else sees the
    published notices of the community they live in."""
    require(user, "party.view_disclosure")
    if has_perm(user, "party.manage_disclosure"):
        qs = Disclosure.objects.in_scope(scope_of(user))
        if not include_drafts:
            qs = qs.filter(status=DisclosureStatus.PUBLISHED)
    else:
        paths = home_community_paths(user)
        scope = scope_of(user)
        reach = Q(pk__in=[])
        # staff who only read (grid workers …) see the notices of the communities they work in
        for path in (*paths, *(community_path_of(p) for p in scope.region_paths)):
            reach |= Q(region_path__prefix=path)
        qs = Disclosure.objects.filter(reach, status=DisclosureStatus.PUBLISHED)
    if category in DisclosureCategory.values:
        qs = qs.filter(category=category)
    return _base(qs).order_by(F("published_at").desc(nulls_first=True), "-pk")


def get_disclosure(*, user, pk: int) -> Disclosure:
    disclosure = disclosures_visible_to(user).filter(pk=pk).first()
    if disclosure is None:
        raise NotFound(_("The notice does not exist or you cannot view it."))
    return disclosure


def get_attachment(*, user, disclosure: Disclosure, pk: int) -> DisclosureAttachment:
    if not has_perm(user, "party.view_disclosure"):
        raise PermissionDenied()
    attachment = DisclosureAttachment.objects.filter(disclosure=disclosure, pk=pk).first()
    if attachment is None:
        raise NotFound(_("The file does not exist or you cannot view it."))
    return attachment
