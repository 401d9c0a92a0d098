"""Reads of the organisation tree, always from the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require, scope_of
from gongzhi.core.errors import NotFound
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region
from gongzhi.regions.selectors import regions_visible_to

from ..choices import UNIT_SECTORS, OrganisationKind
from ..models import Officer, PartyOrganisation


def organisations_visible_to(user, *, active_only: bool = False) -> QuerySet[PartyOrganisation]:
    """党组织: the organisations built in the user's area (a grid secretary: their grid's branch)."""
    require(user, "party.view_organisation")
    qs = PartyOrganisation.objects.in_scope(scope_of(user))
    if active_only:
        qs = qs.filter(is_active=True)
    return (
        qs.select_related("region", "parent", "unit")
        .defer("region__boundary")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("tree_path")
    )


def get_organisation(*, user, pk: int) -> PartyOrganisation:
    """One organisation; missing and out-of-scope organisations give the same ``NotFound``."""
    organisation = organisations_visible_to(user).filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("The party organisation does not exist or you cannot view it."))
    return organisation


def get_organisation_by_code(*, user, code: str) -> PartyOrganisation:
    organisation = organisations_visible_to(user).filter(code=(code or "").strip().upper()).first()
    if organisation is None:
        raise NotFound(_("The party organisation does not exist or you cannot view it."))
    return organisation


@dataclass
class TreeNode:
    organisation: PartyOrganisation
    children: list[TreeNode] = field(default_factory=list)


def organisation_tree(user) -> list[TreeNode]:
    """The visible organisations as a forest: a node's parent outside the user's area makes it a root."""
    nodes = {o.pk: TreeNode(o) for o in organisations_visible_to(user)}
    roots: list[TreeNode] = []
    for node in nodes.values():  # ordered by tree_path, so parents come first
        parent = nodes.get(node.organisation.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def subtree(user, organisation: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    """The organisation and everything under it, inside the user's area."""
    return organisations_visible_to(user).filter(tree_path__startswith=organisation.tree_path)


def current_officers(organisation: PartyOrganisation) -> QuerySet[Officer]:
    """班子成员 holding their post now."""
    return (
        Officer.objects.filter(organisation=organisation, left_on__isnull=True)
        .select_related("member")
        .order_by("position", "term_start", "pk")
    )


def officer_history(organisation: PartyOrganisation) -> QuerySet[Officer]:
    """Every term of the organisation's officers, newest first."""
    return (
        Officer.objects.filter(organisation=organisation)
        .select_related("member")
        .order_by("-term_start", "pk")
    )


def claimable_units(user) -> QuerySet[PartyOrganisation]:
    """Units' party organisations in the user's area that may claim wishes for their unit."""
    if not has_perm(user, "party.claim") or not has_perm(user, "party.view_organisation"):
        return PartyOrganisation.objects.none()
    return organisations_visible_to(user, active_only=True).filter(sector__in=UNIT_SECTORS)


def committee_of(user, community: Region) -> PartyOrganisation | None:
    """The community's own party committee, when it lies in the user's area."""
    if not has_perm(user, "party.view_organisation"):
        return None
    return (
        PartyOrganisation.objects.in_scope(scope_of(user))
        .filter(region=community, kind=OrganisationKind.COMMITTEE, is_active=True)
        .order_by("tree_path")
        .first()
    )


def communities_for(user) -> QuerySet[Region]:
    """Communities to choose from: those of the user's area, or every community (``user=None``: a
    resident choosing where they live; community names are public)."""
    qs = (
        Region.objects.filter(level=RegionLevel.COMMUNITY)
        if user is None
        else regions_visible_to(user).filter(level=RegionLevel.COMMUNITY)
    )
    return qs.only("pk", "code", "name", "path", "parent_id", "level").order_by("path")


def get_community(*, code: str) -> Region:
    community = communities_for(None).filter(code=(code or "").strip()).first()
    if community is None:
        raise NotFound(_("The community does not exist."))
    return community
