"""Reads of the points ledger: a member's entries and rankings per branch and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet, Sum

from gongzhi.accounts.scoping import require, scope_of

from ..models import Member, PartyOrganisation, PointsEntry, PointsRule
from .activities import day_bounds
from .members import in_subtree_q


@dataclass(frozen=True)
class RankRow:
    rank: int
    member_id: int
    name: str
    organisation: str
    points: int


def points_ranking(
    user,
    *,
    organisation: PartyOrganisation | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 20,
) -> list[RankRow]:
    """积分排行: members of the user's area (or of one branch and its groups) by points in a period.

    Members with equal points share a rank (1, 2, 2, 4).
    """
    require(user, "party.view_points")
    qs = PointsEntry.objects.in_scope(scope_of(user))
    if organisation is not None:
        qs = qs.filter(in_subtree_q(organisation.code, field="member__organisation__tree_path"))
    if start and end:
        low, high = day_bounds(start, end)
        qs = qs.filter(awarded_at__gte=low, awarded_at__lt=high)
    rows = (
        qs.values("member_id", "member__name", "member__organisation__name")
        .annotate(total=Sum("points"))
        .order_by("-total", "member__name", "member_id")[:limit]
    )
    ranked: list[RankRow] = []
    for position, row in enumerate(rows, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].points == row["total"] else position
        ranked.append(
            RankRow(
                rank, row["member_id"], row["member__name"], row["member__organisation__name"], row["total"]
            )
        )
    return ranked


def member_ledger(member: Member) -> QuerySet[PointsEntry]:
    """积分明细 of one member, newest first, each with its rule (traceable to its event)."""
    return PointsEntry.objects.filter(member=member).select_related("rule").order_by("-awarded_at", "-pk")


def rules_visible_to(user) -> QuerySet[PointsRule]:
    """Active rules: the district defaults and those of the organisations in the user's area."""
    require(user, "party.view_points")
    scope = scope_of(user)
    qs = PointsRule.objects.filter(is_active=True)
    if not scope.is_global:
        visible = PartyOrganisation.objects.in_scope(scope).values("pk")
        qs = qs.filter(Q(organisation__isnull=True) | Q(organisation__in=visible))
    return qs.select_related("organisation").order_by(
        F("organisation__tree_path").asc(nulls_first=True), "event", "pk"
    )
