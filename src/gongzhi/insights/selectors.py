"""Reads of the insights app: every list starts from the scoped queryset (STYLE.md §3, §4).

Alerts come from ``Alert.objects.in_scope(scope_of(user))``; the cases behind an alert and the members
of a hotspot are always re-read through ``cases_visible_to(user)``, so a leader never sees a case outside
their area even when an alert or a cached hotspot list names it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.scoping import has_perm, scope_of
from gongzhi.cases.choices import OPEN_STATUSES, CaseStatus, Channel
from gongzhi.cases.models import Case
from gongzhi.cases.selectors import cases_visible_to, department_users
from gongzhi.core.errors import NotFound
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region
from gongzhi.regions.paths import COMMUNITY_DEPTH, ancestor_path, common_ancestor_path

from .choices import ACTIVE_ALERT_STATUSES, AlertKind, AlertStatus, ProblemStatus
from .models import Alert, AlertCase, HotspotSnapshot, MonthlyProblem, ProactiveCase

__all__ = [
    "HOTSPOT_CACHE_SECONDS",
    "Dashboard",
    "HotspotList",
    "HotspotRow",
    "alert_cases",
    "alert_recipients",
    "alerts_visible_to",
    "compute_hotspots",
    "dashboard",
    "get_alert",
    "get_hotspot",
    "get_monthly_problem",
    "hotspot_list",
    "hotspots_for",
    "monthly_problem_cases",
    "monthly_problems_visible_to",
    "snapshot_regions",
]

#: How long one user's hotspot list is kept before it is computed again.
HOTSPOT_CACHE_SECONDS = 300
#: Hotspots are computed over at most this many of the newest cases in the window.
HOTSPOT_MAX_CASES = 20000
#: Statuses whose cases are left out of hotspots (duplicates merged into another case).
HOTSPOT_EXCLUDED_STATUSES = (CaseStatus.MERGED,)
#: At most this many hotspots are kept per computation (the page shows the first 50).
HOTSPOT_KEEP = 100
#: The window the periodic job precomputes (the page's default).
SNAPSHOT_DAYS = 30
#: A snapshot older than this is not used (the job runs every 30 minutes).
SNAPSHOT_MAX_AGE = timedelta(hours=2)


# --- alerts ----------------------------------------------------------------------------------------------


def alerts_visible_to(user) -> QuerySet[Alert]:
    """预警: alerts of the user's regions and departments, newest first (nothing without the permission)."""
    if not has_perm(user, "insights.view_alerts"):
        return Alert.objects.none()
    return (
        Alert.objects.in_scope(scope_of(user))
        .select_related("region", "category", "department")
        .annotate(case_count=Count("alertcase"))
        .order_by("-raised_at", "-pk")
    )


def get_alert(*, user, pk: int) -> Alert:
    """One alert the user may see; missing and out-of-scope alerts raise the same ``NotFound``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _alert_not_found() from None
    alert = alerts_visible_to(user).filter(pk=pk).first()
    if alert is None:
        raise _alert_not_found()
    return alert


def _alert_not_found() -> NotFound:
    return NotFound(_("The early warning does not exist or you cannot view it."), code="alert.not_found")


def alert_cases(*, user, alert: Alert) -> QuerySet[Case]:
    """The cases behind an alert that the user may see, newest first."""
    ids = AlertCase.objects.filter(alert_id=alert.pk).values("case_id")
    return cases_visible_to(user).filter(pk__in=ids)


def alert_recipients(alert: Alert) -> list[User]:
    """Who is told about a new alert: the department's staff with ``insights.view_alerts`` for a
    department alert; otherwise the staff with that permission assigned to the alert's street or to a
    region between the street and the alert's region (a community) — street leaders and dispatchers."""
    if alert.kind == AlertKind.DEPARTMENT_REOPENS:
        return list(department_users([alert.department_id], permission="insights.view_alerts"))
    parts = [p for p in (alert.region_path or "").split("/") if p]
    paths = ["/".join(parts[:depth]) + "/" for depth in range(2, len(parts) + 1)]
    if not paths:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            assignments__region__path__in=paths,
            assignments__role__permissions__code="insights.view_alerts",
        )
        .distinct()
        .order_by("pk")
    )


@dataclass
class AlertRow:
    """An alert on the dashboard with the first cases behind it the user may see."""

    alert: Alert
    cases: list[Case] = field(default_factory=list)


@dataclass
class Dashboard:
    """驾驶舱: open/acknowledged alerts with their cases, counts by kind, the weekly chart of surges."""

    rows: list[AlertRow]
    open_count: int
    acknowledged_count: int
    closed_recently: int
    by_kind: list[tuple[str, str, int]]
    chart: dict
    problems: list[MonthlyProblem]


def dashboard(user, *, now: datetime | None = None, cases_per_alert: int = 5) -> Dashboard:
    """The leader's dashboard over the user's area (a fixed number of queries whatever the alert count)."""
    now = now or timezone.now()
    alerts = alerts_visible_to(user)
    active = list(alerts.filter(status__in=ACTIVE_ALERT_STATUSES)[:100])
    links = AlertCase.objects.filter(alert_id__in=[a.pk for a in active]).values_list("alert_id", "case_id")
    by_alert: dict[int, list[int]] = defaultdict(list)
    for alert_id, case_id in links:
        by_alert[alert_id].append(case_id)
    wanted = {case_id for ids in by_alert.values() for case_id in ids}
    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=wanted)} if wanted else {}
    rows = []
    for alert in active:
        cases = sorted(
            (visible[i] for i in by_alert.get(alert.pk, []) if i in visible),
            key=lambda c: (c.received_at, c.pk),
            reverse=True,
        )
        rows.append(AlertRow(alert=alert, cases=cases[:cases_per_alert]))
    counts = Counter(a.kind for a in active)
    by_kind = [(value, str(label), counts.get(value, 0)) for value, label in AlertKind.choices]
    closed_recently = alerts.filter(
        status=AlertStatus.CLOSED, closed_at__gte=now - timedelta(days=30)
    ).count()
    return Dashboard(
        rows=rows,
        open_count=sum(1 for a in active if a.status == AlertStatus.OPEN),
        acknowledged_count=sum(1 for a in active if a.status == AlertStatus.ACKNOWLEDGED),
        closed_recently=closed_recently,
        by_kind=by_kind,
        chart=_surge_chart([a for a in active if a.kind == AlertKind.CATEGORY_SURGE]),
        problems=list(monthly_problems_visible_to(user).filter(status=ProblemStatus.ACTIVE)[:12]),
    )


def _surge_chart(alerts: list[Alert]) -> dict:
    """ECharts data: the weekly counts of each flagged series (8 baseline weeks and the current week)."""
    series = []
    weeks = 0
    for alert in alerts[:8]:
        counts = list(alert.details.get("weeks") or [])
        if not counts:
            continue
        weeks = max(weeks, len(counts))
        name = f"{alert.region.name if alert.region else ''} {alert.category.name if alert.category else ''}"
        series.append({"name": name.strip(), "data": counts, "threshold": alert.threshold})
    labels = [
        _("This week") if back == 0 else _("%(n)s weeks ago") % {"n": back}
        for back in range(weeks - 1, -1, -1)
    ]
    return {"labels": labels, "series": series}


# --- hotspots --------------------------------------------------------------------------------------------


@dataclass
class HotspotRow:
    """热点: one hotspot over the user's cases; ``key`` is stable while its first case stays in it."""

    key: str
    rank: int
    heat: float
    start: datetime
    end: datetime
    place: str
    summary: str
    member_ids: list[int]
    reporters: int
    growth: float
    cases: list[Case] = field(default_factory=list)
    proactive: ProactiveCase | None = None

    @property
    def size(self) -> int:
        return len(self.member_ids)


@dataclass
class HotspotList:
    """The hotspot list of a user and window, with when it was computed and from where."""

    rows: list[HotspotRow]
    computed_at: datetime
    from_snapshot: bool


def _region_names(paths) -> dict[str, str]:
    """Region path → name for the non-empty ``paths`` (one query)."""
    wanted = {p for p in paths if p}
    if not wanted:
        return {}
    return dict(Region.objects.filter(path__in=wanted).order_by("path").values_list("path", "name"))


def compute_hotspots(cases: QuerySet[Case], *, days: int, now: datetime) -> list[dict]:
    """热点计算: group the cases of the last ``days`` days (a scoped queryset) with
    ``intelligence.nlp.hotspots.find_hotspots``; plain dicts (times as ISO strings) fit for a cache."""
    from gongzhi.intelligence.nlp.hotspots import HotspotRecord, find_hotspots

    rows = (
        cases.filter(received_at__gte=now - timedelta(days=days), received_at__lte=now)
        .exclude(channel=Channel.PROACTIVE)
        .exclude(status__in=HOTSPOT_EXCLUDED_STATUSES)
        .order_by("-received_at", "-pk")
        .values_list(
            "pk",
            "title",
            "description",
            "received_at",
            "reporter_user_id",
            "reporter_phone_index",
            "address",
            "region_path",
        )[:HOTSPOT_MAX_CASES]
    )
    records = [
        HotspotRecord(
            id=str(pk),
            title=title,
            text=(description or "")[:300],
            time=received_at,
            reporter=f"u{reporter_id}" if reporter_id else (phone_index[:16] if phone_index else ""),
            place=address or "",
            # the community: the same words in two estates are two problems (a case placed only at
            # street level stays compatible with every community of its street: prefixes match)
            region=ancestor_path(region_path, COMMUNITY_DEPTH) or region_path or "",
        )
        for pk, title, description, received_at, reporter_id, phone_index, address, region_path in rows
    ]
    found = find_hotspots(records, window_days=days, min_size=2, now=now)[:HOTSPOT_KEEP]
    paths = {str(pk): region_path for pk, *_rest, region_path in rows}
    shared = [common_ancestor_path([paths.get(i, "") for i in h.member_ids]) for h in found]
    where = _region_names(shared)
    result = []
    for h, shared_path in zip(found, shared, strict=True):
        ids = [int(i) for i in h.member_ids]
        result.append(
            {
                "key": f"hotspot-{min(ids)}",
                "rank": h.rank,
                "heat": round(h.heat, 1),
                "start": h.start.isoformat(),
                "end": h.end.isoformat(),
                # words name no place (copies of one title, flat numbers only): where the cases are
                "place": h.place or where.get(shared_path, ""),
                "summary": h.summary,
                "member_ids": ids,
                "reporters": h.reporters,
                "growth": h.growth,
            }
        )
    return result


def snapshot_regions() -> QuerySet[Region]:
    """The regions whose hotspot lists the periodic job keeps ready: the district(s) and every street."""
    return Region.objects.filter(level__in=[RegionLevel.DISTRICT, RegionLevel.STREET]).order_by("path")


def _snapshot_for(user, days: int, now: datetime) -> HotspotSnapshot | None:
    """The fresh snapshot that covers exactly the user's area (one street or district), if any."""
    if days != SNAPSHOT_DAYS:
        return None
    scope = scope_of(user)
    if scope.is_global:
        roots = list(Region.objects.filter(parent__isnull=True).values_list("path", flat=True)[:2])
        paths = roots if len(roots) == 1 else []
    elif len(scope.region_paths) == 1 and not scope.department_ids:
        paths = list(scope.region_paths)
    else:
        paths = []
    if not paths:
        return None
    return (
        HotspotSnapshot.objects.filter(
            region_path=paths[0], days=days, computed_at__gte=now - SNAPSHOT_MAX_AGE
        )
        .order_by("-computed_at")
        .first()
    )


def _cache_key(user, days: int, now: datetime | None) -> str:
    scope = scope_of(user)
    raw = repr((scope, has_perm(user, "cases.view"), days, now.isoformat() if now else ""))
    return "insights:hotspots:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def hotspot_list(user, *, days: int = 30, now: datetime | None = None, limit: int = 50) -> HotspotList:
    """热点榜: hotspots over the user's visible cases of the last ``days`` days, hottest first.

    A street or district leader reads the snapshot the periodic job keeps for their area (at most
    ``SNAPSHOT_MAX_AGE`` old); other windows and areas are computed here and cached per user for
    ``HOTSPOT_CACHE_SECONDS``. Either way the member cases are re-read through ``cases_visible_to`` on
    every call, so the list never shows a case the user cannot see.
    """
    current = now or timezone.now()
    if not has_perm(user, "insights.view_hotspots"):
        return HotspotList(rows=[], computed_at=current, from_snapshot=False)
    snapshot = _snapshot_for(user, days, current) if now is None else None
    if snapshot is not None:
        computed, computed_at = snapshot.hotspots, snapshot.computed_at
    else:
        key = _cache_key(user, days, now)
        cached = cache.get(key)
        if cached is None:
            cached = (compute_hotspots(cases_visible_to(user), days=days, now=current), current)
            cache.set(key, cached, HOTSPOT_CACHE_SECONDS)
        computed, computed_at = cached
    computed = computed[:limit]
    wanted = {i for h in computed for i in h["member_ids"]}
    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=wanted)} if wanted else {}
    links = {
        p.hotspot_key: p
        for p in ProactiveCase.objects.filter(hotspot_key__in=[h["key"] for h in computed]).select_related(
            "case"
        )
    }
    open_links = open_proactive_links() if len(links) < len(computed) else []
    rows = []
    for h in computed:
        cases = [visible[i] for i in h["member_ids"] if i in visible]
        if len(cases) < 2:
            continue
        rows.append(
            HotspotRow(
                **{
                    **h,
                    "start": datetime.fromisoformat(h["start"]),
                    "end": datetime.fromisoformat(h["end"]),
                    "member_ids": [c.pk for c in cases],
                },
                cases=cases,
                proactive=links.get(h["key"]) or _covering(h["member_ids"], open_links),
            )
        )
    return HotspotList(rows=rows, computed_at=computed_at, from_snapshot=snapshot is not None)


def proactive_link_for(key: str, member_ids: list[int]) -> ProactiveCase | None:
    """The proactive case already made for a hotspot: by its key, else an open one that shares a member
    case — the same problem seen in another time window, or after its oldest report left the window
    (keys are made from the oldest member)."""
    by_key = ProactiveCase.objects.select_related("case").filter(hotspot_key=key).first()
    return by_key or _covering(member_ids, open_proactive_links())


def _covering(member_ids: list[int], links: list[ProactiveCase]) -> ProactiveCase | None:
    """The first of ``links`` that shares a member case with ``member_ids``."""
    members = set(member_ids)
    return next((link for link in links if members.intersection(link.member_ids)), None)


def open_proactive_links() -> list[ProactiveCase]:
    """Proactive cases still being handled (a few per street: leaders make them one by one)."""
    return list(
        ProactiveCase.objects.filter(case__status__in=OPEN_STATUSES).select_related("case").order_by("pk")
    )


def hotspots_for(user, *, days: int = 30, now: datetime | None = None, limit: int = 50) -> list[HotspotRow]:
    """The rows of ``hotspot_list``."""
    return hotspot_list(user, days=days, now=now, limit=limit).rows


def get_hotspot(*, user, key: str, days: int = 30) -> HotspotRow:
    """One hotspot of the user's current list; a hotspot that is gone (or never was) is ``NotFound``."""
    for row in hotspots_for(user, days=days, limit=HOTSPOT_KEEP):
        if row.key == key:
            return row
    raise NotFound(
        _("This hotspot is no longer on the list. Please refresh the page."), code="hotspot.not_found"
    )


# --- problem of the month ----------------------------------------------------------------------------------


def monthly_problems_visible_to(user) -> QuerySet[MonthlyProblem]:
    """每月一题 of the user's regions (newest month first); needs the hotspot or alert permission."""
    if not (has_perm(user, "insights.view_hotspots") or has_perm(user, "insights.view_alerts")):
        return MonthlyProblem.objects.none()
    return (
        MonthlyProblem.objects.in_scope(scope_of(user))
        .select_related("region", "lead_department", "category")
        .order_by("-month", "region_path", "pk")
    )


def get_monthly_problem(*, user, pk: int) -> MonthlyProblem:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    problem = monthly_problems_visible_to(user).filter(pk=pk).first()
    if problem is None:
        raise NotFound(
            _("The problem of the month does not exist or you cannot view it."),
            code="monthly_problem.not_found",
        )
    return problem


def monthly_problem_cases(*, user, problem: MonthlyProblem) -> QuerySet[Case]:
    """The source cases of a problem of the month that the user may see."""
    return cases_visible_to(user).filter(pk__in=[int(i) for i in problem.source_case_ids or []])
