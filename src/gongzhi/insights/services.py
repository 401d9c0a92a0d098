"""Writes of the insights app: the early-warning scan, acknowledging and closing alerts, proactive cases
from hotspots (未诉先办) and the problem of the month (每月一题). See docs/insights.md.

The scan (``scan_alerts``) reads cases through ``cases_visible_to(system)`` and the three rates through
``cases.rates.rates_for``; each finding is written in its own short transaction, so one failing finding
cannot stop the others and two runs never raise one situation twice (``Alert.dedupe_key`` is unique
among open and acknowledged alerts).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department, User
from gongzhi.accounts.scoping import require
from gongzhi.accounts.services import system_actor
from gongzhi.audit.services import record
from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case, Category
from gongzhi.cases.rates import rates_for
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.cases.services import notify, submit_case
from gongzhi.core.errors import InvalidTransition, NotFound, ValidationFailed
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region
from gongzhi.regions.paths import ancestor_path, common_ancestor_path

from . import statistics
from .choices import ACTIVE_ALERT_STATUSES, AlertKind, AlertStatus, ProblemStatus
from .models import Alert, AlertCase, HotspotSnapshot, MonthlyProblem, ProactiveCase
from .selectors import (
    SNAPSHOT_DAYS,
    HotspotRow,
    alert_recipients,
    compute_hotspots,
    proactive_link_for,
    snapshot_regions,
)

logger = logging.getLogger("gongzhi.insights.scan")

__all__ = [
    "REOPEN_MIN_COUNT",
    "REOPEN_MIN_RATE",
    "REOPEN_WINDOW_DAYS",
    "REPEAT_MIN_COUNT",
    "REPEAT_WINDOW_DAYS",
    "Finding",
    "ScanResult",
    "acknowledge_alert",
    "choose_monthly_problem",
    "close_alert",
    "create_proactive_case",
    "refresh_hotspot_snapshots",
    "scan_alerts",
    "update_monthly_problem",
]

#: Repeated complaints: at least this many cases from one building/address …
REPEAT_MIN_COUNT = 3
#: … received within this many days.
REPEAT_WINDOW_DAYS = 30
#: Department reopens: at least this many ``reopen`` steps …
REOPEN_MIN_COUNT = 3
#: … and a reopen rate (reopens ÷ ratings, as in docs/formulas.md) of at least this …
REOPEN_MIN_RATE = 0.2
#: … within this many days.
REOPEN_WINDOW_DAYS = 30
#: Region depths (path segments) at which surges are tested: street and community.
SURGE_REGION_DEPTHS = (2, 3)
#: Category levels at which surges are tested.
SURGE_CATEGORY_LEVELS = (1, 2)


# =====================================================================================================
# The scan


@dataclass
class Finding:
    """One flagged situation, before it is written as an alert."""

    kind: str
    dedupe_key: str
    region_path: str
    case_ids: set[int]
    latest_received_at: datetime
    window_start: datetime
    window_end: datetime
    observed: float
    place: str = ""
    category_id: int | None = None
    department_id: int | None = None
    expected: float | None = None
    threshold: float | None = None
    score: float | None = None
    rate: float | None = None
    details: dict = field(default_factory=dict)


@dataclass
class ScanResult:
    """What one run of the scan did."""

    findings: int = 0
    raised: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    failed: int = 0
    notified: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _prefix(path: str, depth: int) -> str:
    return ancestor_path(path, depth) or ""


def _key(*parts: str) -> str:
    raw = ":".join(parts)
    if len(raw) <= 200:
        return raw
    return raw[:150] + ":" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def surge_findings(*, base: QuerySet[Case], now: datetime) -> list[Finding]:
    """类别激增: per (street or community, level-1 or level-2 category), this week's count against the 8 weeks
    before (``statistics.surge_test``); nested series that tell the same story are folded into the
    narrowest (``statistics.drop_nested``)."""
    weeks = statistics.SURGE_BASELINE_WEEKS + 1
    since = now - timedelta(days=7 * weeks)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * weeks)
    current: dict[tuple[str, str], set[int]] = defaultdict(set)
    latest: dict[tuple[str, str], datetime] = {}
    rows = (
        base.filter(received_at__gte=since, received_at__lte=now, category__isnull=False)
        .exclude(channel=Channel.PROACTIVE)
        .order_by()
        .values_list("pk", "region_path", "category__path", "received_at")
    )
    for pk, region_path, category_path, received_at in rows.iterator(chunk_size=2000):
        back = statistics.week_index(received_at, now=now)
        if not 0 <= back < weeks:
            continue
        for depth in SURGE_REGION_DEPTHS:
            rp = _prefix(region_path, depth)
            if not rp:
                continue
            for level in SURGE_CATEGORY_LEVELS:
                cp = _prefix(category_path, level)
                if not cp:
                    continue
                key = (rp, cp)
                counts[key][weeks - 1 - back] += 1  # oldest first, the current week last
                if back == 0:
                    current[key].add(pk)
                    if key not in latest or received_at > latest[key]:
                        latest[key] = received_at
    flagged: list[tuple[tuple[str, str], statistics.SurgeTest]] = []
    for key, series in counts.items():
        if series[-1] < statistics.SURGE_MIN_COUNT:
            continue
        test = statistics.surge_test(series[-1], series[:-1])
        if test.flagged:
            flagged.append((key, test))
    keep = statistics.drop_nested([(key, current[key]) for key, _t in flagged])
    flagged = [flagged[i] for i in keep]
    regions = {r.path: r for r in Region.objects.filter(path__in={k[0] for k, _t in flagged})}
    categories = {c.path: c for c in Category.objects.filter(path__in={k[1] for k, _t in flagged})}
    findings = []
    week_starts = [(now - timedelta(days=7 * (weeks - i))).date().isoformat() for i in range(weeks)]
    for (rp, cp), test in flagged:
        region, category = regions.get(rp), categories.get(cp)
        if region is None or category is None:
            continue
        findings.append(
            Finding(
                kind=AlertKind.CATEGORY_SURGE,
                dedupe_key=_key("surge", rp, cp),
                region_path=rp,
                case_ids=current[(rp, cp)],
                latest_received_at=latest[(rp, cp)],
                window_start=now - timedelta(days=7),
                window_end=now,
                observed=test.count,
                place=region.name,
                category_id=category.pk,
                expected=test.mean,
                threshold=test.threshold,
                score=test.z,
                details={
                    "weeks": counts[(rp, cp)],
                    "week_starts": week_starts,
                    "mean": test.mean,
                    "std": test.std,
                    "sigma": test.sigma,
                    "k": statistics.SURGE_K,
                    "min_count": statistics.SURGE_MIN_COUNT,
                },
            )
        )
    return findings


def repeat_address_findings(*, base: QuerySet[Case], now: datetime) -> list[Finding]:
    """同址重复诉求: at least ``REPEAT_MIN_COUNT`` cases in ``REPEAT_WINDOW_DAYS`` days from one building or
    address (``statistics.address_key``) within one street; a bare building number ("10号楼") only within
    one community (every estate has a 10号楼), and not at all for cases located above community level."""
    since = now - timedelta(days=REPEAT_WINDOW_DAYS)
    groups: dict[tuple[str, str], list[tuple[int, str, str, datetime]]] = defaultdict(list)
    rows = (
        base.filter(received_at__gte=since, received_at__lte=now)
        .exclude(channel=Channel.PROACTIVE)
        .exclude(address="")
        .order_by()
        .values_list("pk", "region_path", "address", "received_at")
    )
    for pk, region_path, address, received_at in rows.iterator(chunk_size=2000):
        key = statistics.address_key(address)
        if not key:
            continue
        bare = statistics.is_bare_building(key)
        within = _prefix(region_path, 3 if bare else 2)  # the community, or the street
        if bare and not within:
            continue  # a building number without its community names no place
        groups[(within, key)].append((pk, region_path, address, received_at))
    findings = []
    for (within, key), members in groups.items():
        if len(members) < REPEAT_MIN_COUNT:
            continue
        # the building-level key reads as a place ("幸福里小区7号楼"); a whole address is shown as written
        place = key if statistics.BUILDING.match(key) else Counter(m[2] for m in members).most_common(1)[0][0]
        findings.append(
            Finding(
                kind=AlertKind.REPEAT_ADDRESS,
                dedupe_key=_key("address", within, hashlib.sha256(key.encode()).hexdigest()[:24]),
                region_path=common_ancestor_path([m[1] for m in members]),
                case_ids={m[0] for m in members},
                latest_received_at=max(m[3] for m in members),
                window_start=since,
                window_end=now,
                observed=len(members),
                place=place[:200],
                threshold=REPEAT_MIN_COUNT,
                details={"address_key": key, "days": REPEAT_WINDOW_DAYS},
            )
        )
    return findings


def department_reopen_findings(*, base: QuerySet[Case], now: datetime) -> list[Finding]:
    """部门重办偏多: ``reopen`` steps of a department in ``REOPEN_WINDOW_DAYS`` days at least
    ``REOPEN_MIN_COUNT`` and its reopen rate (``cases.rates``: reopens ÷ ratings) at least
    ``REOPEN_MIN_RATE``; with no rating in the window the count alone decides."""
    since = now - timedelta(days=REOPEN_WINDOW_DAYS)
    findings = []
    for row in rates_for(period_start=since, period_end=now, group_by="department"):
        if not row.key or row.reopened < REOPEN_MIN_COUNT:
            continue
        rate = row.reopen_rate
        if rate is not None and rate < REOPEN_MIN_RATE:
            continue
        cases = list(
            base.filter(
                steps__action="reopen",
                steps__at__gte=since,
                steps__at__lte=now,
                steps__department_id=row.key,
            )
            .order_by()
            .values_list("pk", "received_at")
            .distinct()
        )
        if not cases:
            continue
        department = Department.objects.select_related("region").filter(pk=row.key).first()
        if department is None:
            continue
        findings.append(
            Finding(
                kind=AlertKind.DEPARTMENT_REOPENS,
                dedupe_key=_key("reopens", str(department.pk)),
                region_path=department.region.path if department.region else "",
                case_ids={pk for pk, _at in cases},
                latest_received_at=max(at for _pk, at in cases),
                window_start=since,
                window_end=now,
                observed=row.reopened,
                place=department.short_name or department.name,
                department_id=department.pk,
                threshold=REOPEN_MIN_COUNT,
                rate=round(rate, 4) if rate is not None else None,
                details={
                    "reopened": row.reopened,
                    "rated": row.rated,
                    "min_rate": REOPEN_MIN_RATE,
                    "days": REOPEN_WINDOW_DAYS,
                },
            )
        )
    return findings


def _alert_message(alert: Alert) -> str:
    if alert.kind == AlertKind.CATEGORY_SURGE:
        return _(
            "Early warning: %(category)s cases in %(region)s rose to %(count)s in the last 7 days "
            "(usually %(mean)s a week)."
        ) % {
            "category": alert.category.name if alert.category else "",
            "region": alert.place,
            "count": int(alert.observed),
            "mean": f"{alert.expected or 0:.1f}",
        }
    if alert.kind == AlertKind.REPEAT_ADDRESS:
        return _("Early warning: %(count)s complaints from %(place)s in the last %(days)s days.") % {
            "count": int(alert.observed),
            "place": alert.place,
            "days": REPEAT_WINDOW_DAYS,
        }
    rate = "—" if alert.rate is None else f"{alert.rate:.0%}"
    return _(
        "Early warning: %(department)s had %(count)s reopened cases in the last %(days)s days "
        "(reopen rate %(rate)s)."
    ) % {"department": alert.place, "count": int(alert.observed), "days": REOPEN_WINDOW_DAYS, "rate": rate}


def _notify_alert(alert_id: int) -> int:
    alert = Alert.objects.select_related("category", "department").filter(pk=alert_id).first()
    if alert is None:
        return 0
    latest = (
        Case.objects.filter(pk__in=AlertCase.objects.filter(alert_id=alert.pk).values("case_id"))
        .order_by("-received_at", "-pk")
        .first()
    )
    return notify(
        recipients=alert_recipients(alert),
        case=latest,
        kind="insights.alert",
        message=_alert_message(alert),
        dedupe_key=f"insights:alert:{alert.pk}",
    )


@transaction.atomic
def _apply_finding(*, finding: Finding, actor: User, now: datetime) -> str:
    """Raise a new alert for ``finding`` or update the active one of its situation; returns what happened."""
    stats = {
        "observed": finding.observed,
        "expected": finding.expected,
        "threshold": finding.threshold,
        "score": finding.score,
        "rate": finding.rate,
        "details": finding.details,
        "window_start": finding.window_start,
        "window_end": finding.window_end,
        "last_seen_at": now,
    }
    existing = (
        Alert.objects.select_for_update()
        .filter(dedupe_key=finding.dedupe_key, status__in=ACTIVE_ALERT_STATUSES)
        .first()
    )
    if existing is not None:
        known = set(AlertCase.objects.filter(alert_id=existing.pk).values_list("case_id", flat=True))
        new_ids = sorted(finding.case_ids - known)
        Alert.objects.filter(pk=existing.pk).update(**stats)
        AlertCase.objects.bulk_create(
            [AlertCase(alert_id=existing.pk, case_id=i, added_at=now) for i in new_ids], ignore_conflicts=True
        )
        if not new_ids:
            return "unchanged"
        existing.refresh_from_db()
        record(
            actor=actor,
            action="insights.update_alert",
            target=existing,
            data={"added_cases": new_ids, "observed": finding.observed},
        )
        return "updated"
    closed = (
        Alert.objects.filter(dedupe_key=finding.dedupe_key, status=AlertStatus.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if closed is not None and closed.closed_at and finding.latest_received_at <= closed.closed_at:
        return "suppressed"  # closed by a person, and nothing new has come in since
    region = Region.objects.filter(path=finding.region_path).first() if finding.region_path else None
    alert = Alert(
        kind=finding.kind,
        status=AlertStatus.OPEN,
        dedupe_key=finding.dedupe_key,
        region=region,
        region_path=finding.region_path,
        category_id=finding.category_id,
        department_id=finding.department_id,
        place=finding.place,
        raised_at=now,
        **stats,
    )
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:
        return "unchanged"  # another run raised it a moment ago
    AlertCase.objects.bulk_create(
        [AlertCase(alert=alert, case_id=i, added_at=now) for i in sorted(finding.case_ids)]
    )
    record(
        actor=actor,
        action="insights.raise_alert",
        target=alert,
        data={
            "kind": finding.kind,
            "key": finding.dedupe_key,
            "observed": finding.observed,
            "expected": finding.expected,
            "threshold": finding.threshold,
            "rate": finding.rate,
            "cases": sorted(finding.case_ids),
        },
    )
    alert_id = alert.pk
    transaction.on_commit(lambda: _notify_alert(alert_id))
    return "raised"


def scan_alerts(*, now: datetime | None = None) -> ScanResult:
    """预警扫描: find category surges, repeated complaints from one place and departments with many
    reopened cases; raise one alert per situation (or update the open one) and tell the right people.

    Runs as the system actor over all cases; safe to run twice (the second run changes nothing).
    """
    started = timezone.now()
    now = now or started
    actor = system_actor()
    base = cases_visible_to(actor)
    result = ScanResult()
    findings: list[Finding] = []
    for finder in (surge_findings, repeat_address_findings, department_reopen_findings):
        try:
            findings.extend(finder(base=base, now=now))
        except Exception:  # one broken rule must not stop the others
            logger.exception("early-warning rule %s failed", finder.__name__)
            result.failed += 1
    result.findings = len(findings)
    for finding in findings:
        try:
            outcome = _apply_finding(finding=finding, actor=actor, now=now)
        except Exception:
            logger.exception("early-warning finding %s failed", finding.dedupe_key)
            result.failed += 1
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    result.seconds = round((timezone.now() - started).total_seconds(), 3)
    return result


# =====================================================================================================
# Acknowledge and close


@transaction.atomic
def acknowledge_alert(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """签收预警: a leader or dispatcher takes note of an alert; later scans keep updating it."""
    require(actor, "insights.handle_alerts", alert)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        return alert
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=now,
        acknowledged_by=actor,
        note=(note or "").strip()[:2000] or alert.note,
    )
    if changed != 1:
        raise InvalidTransition(
            _("This early warning can no longer be acknowledged. Please refresh the page.")
        )
    alert.refresh_from_db()
    record(actor=actor, action="insights.acknowledge_alert", target=alert, data={"status": alert.status})
    return alert


@transaction.atomic
def close_alert(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """关闭预警: the situation is dealt with. A new alert for it is raised only when new cases come in."""
    require(actor, "insights.handle_alerts", alert)
    if alert.status == AlertStatus.CLOSED:
        return alert
    note = (note or "").strip()[:2000]
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, status__in=ACTIVE_ALERT_STATUSES).update(
        status=AlertStatus.CLOSED, closed_at=now, closed_by=actor, note=note or alert.note
    )
    if changed != 1:
        raise InvalidTransition(_("This early warning can no longer be closed. Please refresh the page."))
    previous = alert.status
    alert.refresh_from_db()
    record(
        actor=actor,
        action="insights.close_alert",
        target=alert,
        data={"from": previous, "to": alert.status},
        reason=note,
    )
    return alert


# =====================================================================================================
# 未诉先办: a proactive case from a hotspot


def _most_common(values: list[Any]) -> Any:
    values = [v for v in values if v is not None]
    return Counter(values).most_common(1)[0][0] if values else None


@transaction.atomic
def create_proactive_case(*, actor: User, hotspot: HotspotRow) -> ProactiveCase:
    """转为主动治理工单: make one proactive case (channel ``proactive``) from a hotspot of the actor's list.

    Idempotent per hotspot: the hotspot's key is both the unique key of the link row and the case's
    idempotency key, so clicking twice (or two leaders clicking) gives the one case already made. One
    problem gets one case: an open proactive case that already covers a member case is returned too
    (the 7-day and 30-day lists group the same reports under different keys).
    """
    require(actor, "insights.act_on_hotspots")
    existing = proactive_link_for(hotspot.key, hotspot.member_ids)
    if existing is not None:
        return existing
    ids = sorted(set(hotspot.member_ids))
    members = list(cases_visible_to(actor).filter(pk__in=ids))
    if not ids or len(members) != len(ids):
        raise NotFound(
            _("This hotspot is no longer on the list. Please refresh the page."), code="hotspot.not_found"
        )
    grid = _most_common([c.grid for c in members if c.grid is not None and c.grid.level == RegionLevel.GRID])
    category = _most_common([c.category for c in members if c.category is not None and c.category.is_active])
    numbers = "、".join(c.number for c in sorted(members, key=lambda c: (c.received_at, c.pk)))
    title = (_("Proactive: %(summary)s") % {"summary": hotspot.summary})[:120]
    if len(title) < 2:
        title = _("Proactive governance")
    description = _(
        "Hotspot found by the platform: %(summary)s. Place: %(place)s. %(count)s cases from %(reporters)s "
        "reporters between %(start)s and %(end)s (heat %(heat)s). Related cases: %(numbers)s."
    ) % {
        "summary": hotspot.summary,
        "place": hotspot.place or "—",
        "count": len(members),
        "reporters": hotspot.reporters,
        "start": timezone.localtime(hotspot.start).strftime("%Y-%m-%d"),
        "end": timezone.localtime(hotspot.end).strftime("%Y-%m-%d"),
        "heat": hotspot.heat,
        "numbers": numbers,
    }
    address = _most_common([c.address for c in members if c.address]) or ""
    case = submit_case(
        actor=actor,
        channel=Channel.PROACTIVE,
        title=title,
        description=description[:5000],
        category=category,
        address=address[:200],
        grid=grid,
        anonymous=True,
        tags=["未诉先办"],
        idempotency_key=hotspot.key,
    )
    link = ProactiveCase(
        hotspot_key=hotspot.key,
        case=case,
        member_ids=ids,
        summary=hotspot.summary[:300],
        created_by=actor,
        region_path=case.region_path,
    )
    try:
        with transaction.atomic():
            link.save(force_insert=True)
    except IntegrityError:
        return ProactiveCase.objects.select_related("case").get(hotspot_key=hotspot.key)
    record(
        actor=actor,
        action="insights.create_proactive_case",
        target=case,
        data={"hotspot": hotspot.key, "cases": ids, "heat": hotspot.heat},
    )
    return link


# =====================================================================================================
# 热点快照


def refresh_hotspot_snapshots(*, now: datetime | None = None, days: int = SNAPSHOT_DAYS) -> dict:
    """热点快照: recompute the hotspot list of the district and of every street for the page's default
    window, so leaders open the list without waiting. A derived cache: nothing to audit. A region that
    fails is logged and keeps its previous snapshot (the page then computes live once it is too old)."""
    now = now or timezone.now()
    base = cases_visible_to(system_actor())
    done: dict[str, Any] = {"regions": 0, "failed": 0, "seconds": 0.0}
    for region in snapshot_regions():
        started = time.perf_counter()
        cases = base.filter(region_path__prefix=region.path)
        try:
            hotspots = compute_hotspots(cases, days=days, now=now)
        except Exception:
            logger.exception("hotspot snapshot of %s failed", region.path)
            done["failed"] += 1
            continue
        seconds = round(time.perf_counter() - started, 3)
        with transaction.atomic():
            HotspotSnapshot.objects.update_or_create(
                region=region,
                days=days,
                defaults={
                    "region_path": region.path,
                    "computed_at": now,
                    "seconds": seconds,
                    "case_count": cases.filter(received_at__gte=now - timedelta(days=days)).count(),
                    "hotspots": hotspots,
                },
            )
        done["regions"] += 1
        done["seconds"] = round(done["seconds"] + seconds, 3)
    return done


# =====================================================================================================
# 每月一题


def _first_of_month(value: date | None) -> date:
    value = value or timezone.localdate()
    return value.replace(day=1)


@transaction.atomic
def choose_monthly_problem(
    *,
    actor: User,
    region: Region,
    title: str,
    description: str = "",
    month: date | None = None,
    source_case_ids: list[int] | tuple[int, ...] = (),
    category: Category | None = None,
    lead_department: Department | None = None,
) -> MonthlyProblem:
    """定每月一题: a leader marks a problem (a hotspot's cases or a category) as the problem of the month of
    their street or district. One per region and month; choosing the same title again returns it."""
    require(actor, "insights.choose_monthly_problem", region)
    errors: dict[str, str] = {}
    if region.level not in (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY):
        errors["region"] = _("Choose a district, street or community.")
    title = (title or "").strip()
    if not 2 <= len(title) <= 120:
        errors["title"] = _("Enter a title of %(min)s to %(max)s characters.") % {"min": 2, "max": 120}
    description = (description or "").strip()
    if len(description) > 5000:
        errors["description"] = _("Keep it within %(limit)s characters.") % {"limit": 5000}
    ids = sorted({int(i) for i in source_case_ids or ()})
    if ids and cases_visible_to(actor).filter(pk__in=ids).count() != len(ids):
        errors["source_case_ids"] = _("Some of these cases do not exist or you cannot view them.")
    if errors:
        raise ValidationFailed(errors)
    first = _first_of_month(month)
    current = (
        MonthlyProblem.objects.select_for_update()
        .filter(region=region, month=first)
        .exclude(status=ProblemStatus.CANCELLED)
        .first()
    )
    if current is not None:
        if current.title == title:
            return current
        raise ValidationFailed(
            {"month": _("A problem of the month is already chosen for this region and month.")},
            code="monthly_problem.exists",
        )
    problem = MonthlyProblem(
        region=region,
        region_path=region.path,
        month=first,
        title=title,
        description=description,
        source_case_ids=ids,
        category=category,
        lead_department=lead_department,
        chosen_by=actor,
    )
    try:
        problem.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed({k: v[0] for k, v in exc.message_dict.items()}) from exc
    try:
        with transaction.atomic():
            problem.save(force_insert=True)
    except IntegrityError:
        raise ValidationFailed(
            {"month": _("A problem of the month is already chosen for this region and month.")},
            code="monthly_problem.exists",
        ) from None
    record(
        actor=actor,
        action="insights.choose_monthly_problem",
        target=problem,
        data={
            "region": region.pk,
            "month": first.isoformat(),
            "cases": ids,
            "category": category.pk if category else None,
            "lead_department": lead_department.pk if lead_department else None,
        },
    )
    return problem


@transaction.atomic
def update_monthly_problem(
    *, actor: User, problem: MonthlyProblem, status: str, note: str = ""
) -> MonthlyProblem:
    """每月一题进展: mark the problem solved or cancelled (or back in progress), with a progress note."""
    require(actor, "insights.choose_monthly_problem", problem)
    if status not in ProblemStatus.values:
        raise ValidationFailed({"status": _("Choose a valid status.")})
    note = (note or "").strip()[:5000]
    if problem.status == status and (not note or note == problem.note):
        return problem
    previous = problem.status
    if previous == ProblemStatus.CANCELLED:
        raise InvalidTransition(_("A cancelled problem of the month cannot be changed. Choose a new one."))
    changed = MonthlyProblem.objects.filter(pk=problem.pk, status=previous).update(
        status=status, note=note or problem.note, updated_at=timezone.now()
    )
    if changed != 1:
        raise InvalidTransition()
    problem.refresh_from_db()
    record(
        actor=actor,
        action="insights.update_monthly_problem",
        target=problem,
        data={"from": previous, "to": status},
        reason=note,
    )
    return problem
