"""书记驾驶舱: the party secretary's numbers, computed from real records of the user's area.

Formulas (also in docs/party.md, "指标口径"):

* 组织覆盖率 coverage = grids with at least one active grid branch or group built on them ÷ grids in the
  area (a unit's branch located in a grid does not cover it);
  grids without one are flagged.
* 党员数 per grid = active members whose grid (where they live or serve) is that grid.
* 在职党员报到 = approved member registrations at the area's communities; 服务时长 = confirmed hours of
  task claims in the area in the period.
* 参会率 attendance = check-ins ÷ members expected, over standard meetings and party days held in the
  period; the expected members of an activity are the active members of its organisation and everything
  under it (volunteer service has no expected number and is left out).
* 微心愿 = wishes posted in the period: posted (all), claimed (claimed, fulfilled or confirmed),
  fulfilled (fulfilled or confirmed).
* 党组织参与的诉求 = cases of the area received in the period where a party secretary summoned
  departments or a member was assigned to help; 满意率 = rated satisfied or basically satisfied ÷ rated.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require, scope_of
from gongzhi.cases.rates import GOOD_RATINGS
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.selectors import regions_visible_to

from ..choices import (
    GRID_COVERING_KINDS,
    STANDARD_MEETINGS,
    ActivityKind,
    ActivityStatus,
    ClaimStatus,
    MemberStatus,
    RegistrationKind,
    RegistrationStatus,
    Sector,
    WishStatus,
)
from ..models import (
    Activity,
    ActivityParticipation,
    DualRegistration,
    Member,
    PartyOrganisation,
    TaskClaim,
    Wish,
)
from .activities import day_bounds
from .engagement import party_cases, party_involved_q
from .points import RankRow, points_ranking


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class GridCoverage:
    code: str
    name: str
    community: str
    organisations: list[str]
    members: int

    @property
    def covered(self) -> bool:
        return bool(self.organisations)


@dataclass
class Coverage:
    grids: list[GridCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.grids)

    @property
    def covered(self) -> int:
        return sum(1 for g in self.grids if g.covered)

    @property
    def rate(self) -> float | None:
        return _ratio(self.covered, self.total)

    @property
    def uncovered(self) -> list[GridCoverage]:
        return [g for g in self.grids if not g.covered]


def coverage(user) -> Coverage:
    """组织覆盖: for every grid of the user's area, the branches/groups built on it and its members."""
    require(user, "party.view_dashboard")
    grids = list(
        regions_visible_to(user)
        .filter(level=RegionLevel.GRID)
        .select_related("parent")
        .only("pk", "code", "name", "path", "parent__name")
        .order_by("path")
    )
    ids = [g.pk for g in grids]
    organisations: dict[int, list[str]] = {}
    for region_id, name in (
        PartyOrganisation.objects.filter(
            region_id__in=ids, kind__in=GRID_COVERING_KINDS, sector=Sector.GRID, is_active=True
        )
        .order_by("tree_path")
        .values_list("region_id", "name")
    ):
        organisations.setdefault(region_id, []).append(name)
    members = dict(
        Member.objects.filter(grid_id__in=ids, is_active=True)
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    return Coverage(
        [
            GridCoverage(
                code=g.code,
                name=g.name,
                community=g.parent.name if g.parent_id else "",
                organisations=organisations.get(g.pk, []),
                members=members.get(g.pk, 0),
            )
            for g in grids
        ]
    )


@dataclass
class Dashboard:
    start: date
    end: date
    coverage: Coverage
    members_total: int = 0
    members_by_status: dict[str, int] = field(default_factory=dict)
    mobile_members: int = 0
    in_service_members: int = 0
    registered_in_service: int = 0
    pending_registrations: int = 0
    service_hours: float = 0.0
    served_members: int = 0
    activities_held: int = 0
    activities_by_kind: dict[str, int] = field(default_factory=dict)
    check_ins: int = 0
    expected: int = 0
    ranking: list[RankRow] = field(default_factory=list)
    wishes_posted: int = 0
    wishes_claimed: int = 0
    wishes_fulfilled: int = 0
    party_cases: int = 0
    party_cases_rated: int = 0
    party_cases_satisfied: int = 0

    @property
    def attendance_rate(self) -> float | None:
        return _ratio(self.check_ins, self.expected)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.party_cases_satisfied, self.party_cases_rated)


def _expected_attendance(activities: list[Activity], scope) -> int:
    """Active members under each activity's organisation, summed over the activities (one query)."""
    per_org = dict(
        Member.objects.in_scope(scope)
        .filter(is_active=True)
        .values("organisation__tree_path")
        .annotate(n=Count("pk"))
        .values_list("organisation__tree_path", "n")
    )
    total = 0
    for activity in activities:
        prefix = activity.organisation.tree_path
        total += sum(n for path, n in per_org.items() if path.startswith(prefix))
    return total


def dashboard(user, *, start: date, end: date) -> Dashboard:
    """The secretary's dashboard for the user's area and the period ``start``–``end`` (calendar days)."""
    require(user, "party.view_dashboard")
    scope = scope_of(user)
    low, high = day_bounds(start, end)
    board = Dashboard(start=start, end=end, coverage=coverage(user))

    members = Member.objects.in_scope(scope).filter(is_active=True)
    counts = members.aggregate(
        total=Count("pk"),
        mobile=Count("pk", filter=Q(is_mobile=True)),
        in_service=Count("pk", filter=Q(is_in_service=True)),
        **{status: Count("pk", filter=Q(status=status)) for status in MemberStatus.values},
    )
    board.members_total, board.mobile_members = counts["total"], counts["mobile"]
    board.in_service_members = counts["in_service"]
    board.members_by_status = {status: counts[status] for status in MemberStatus.values}

    registrations = DualRegistration.objects.in_scope(scope).filter(kind=RegistrationKind.MEMBER)
    board.registered_in_service = (
        registrations.filter(status=RegistrationStatus.APPROVED).values("member_id").distinct().count()
    )
    board.pending_registrations = registrations.filter(status=RegistrationStatus.PENDING).count()
    service = TaskClaim.objects.in_scope(scope).filter(
        status=ClaimStatus.CONFIRMED, confirmed_at__gte=low, confirmed_at__lt=high
    )
    hours = service.aggregate(hours=Sum("hours"), members=Count("member_id", distinct=True))
    board.service_hours = float(hours["hours"] or 0)
    board.served_members = hours["members"]

    held = list(
        Activity.objects.in_scope(scope)
        .filter(starts_at__gte=low, starts_at__lt=high)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("organisation")
    )
    board.activities_held = len(held)
    board.activities_by_kind = dict(Counter(a.kind for a in held))
    meetings = [a for a in held if a.kind in (*STANDARD_MEETINGS, ActivityKind.PARTY_DAY)]
    board.check_ins = ActivityParticipation.objects.filter(
        activity__in=[a.pk for a in meetings], checked_in_at__isnull=False
    ).count()
    board.expected = _expected_attendance(meetings, scope)

    if has_perm(user, "party.view_points"):
        board.ranking = points_ranking(user, start=start, end=end, limit=10)

    wishes = Wish.objects.in_scope(scope).filter(created_at__gte=low, created_at__lt=high)
    claimed = (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)
    fulfilled = (WishStatus.FULFILLED, WishStatus.CONFIRMED)
    wish_counts = wishes.aggregate(
        posted=Count("pk"),
        claimed=Count("pk", filter=Q(status__in=claimed)),
        fulfilled=Count("pk", filter=Q(status__in=fulfilled)),
    )
    board.wishes_posted = wish_counts["posted"]
    board.wishes_claimed = wish_counts["claimed"]
    board.wishes_fulfilled = wish_counts["fulfilled"]

    if has_perm(user, "cases.view"):
        cases = party_cases(user).filter(party_involved_q(), received_at__gte=low, received_at__lt=high)
        case_counts = cases.aggregate(
            total=Count("pk"),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating__in=list(GOOD_RATINGS))),
        )
        board.party_cases = case_counts["total"]
        board.party_cases_rated = case_counts["rated"]
        board.party_cases_satisfied = case_counts["satisfied"]
    return board


def chart_data(board: Dashboard) -> dict:
    """The numbers the ECharts on the dashboard draw (plain JSON-able values)."""
    return {
        "grids": [g.name for g in board.coverage.grids],
        "members_per_grid": [g.members for g in board.coverage.grids],
        "covered": [1 if g.covered else 0 for g in board.coverage.grids],
        "activities": [
            {"name": str(ActivityKind(kind).label), "value": n}
            for kind, n in sorted(board.activities_by_kind.items())
        ],
        "wishes": [board.wishes_posted, board.wishes_claimed, board.wishes_fulfilled],
        "wish_labels": [_("Posted"), _("Claimed"), _("Fulfilled")],
        "ranking": [{"name": r.name, "value": r.points} for r in board.ranking],
    }
