"""三率与考核: response, resolution and satisfaction rates, on-time and reopen rates, monthly assessment.

Computed from ``CaseStep`` events only (docs/dev/cases-contract.md, "Timeline events"), never from a
case's current fields, so a figure never changes after the fact when a case moves on. Every formula,
with a worked example, is in docs/formulas.md ("三率与考核"). In short, counting steps whose time ``at``
lies in the period (Asia/Shanghai calendar days):

* 响应率 response rate = ``sign`` steps with ``on_time`` ÷ hand-over steps (``dispatch``, ``reassign``,
  ``reopen``: each asks a department to sign for the case);
* 解决率 resolution rate = ``rate`` steps whose ``data.resolved_in_fact`` is true — or, when the resident
  was not asked, whose rating is satisfied or basically satisfied — ÷ ``rate`` steps;
* 满意率 satisfaction rate = ``rate`` steps rated satisfied or basically satisfied ÷ ``rate`` steps;
* 按期办结率 on-time resolution rate = ``resolve`` steps with ``on_time`` ÷ ``resolve`` steps;
* 重办率 reopen rate = ``reopen`` steps ÷ ``rate`` steps.

Steps are grouped by the department they concern (``step.department``) or by a level of the region tree
(a prefix of ``step.region_path``: district, street, community, grid) with two ``GROUP BY … COUNT(*)``
queries (``_tally``); combinations and region paths are rolled up in Python (a few thousand rows at most,
never per step or per case). ``monthly_assessment`` ranks the groups by a weighted score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db import connections
from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Concat, TruncMonth
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department
from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import ValidationFailed
from gongzhi.core.models import scope_q
from gongzhi.core.scope import Scope
from gongzhi.regions.choices import LEVEL_ORDER
from gongzhi.regions.models import Region
from gongzhi.regions.paths import ancestor_path

from .choices import Rating
from .deadlines import SHANGHAI
from .models import CaseStep

__all__ = [
    "COUNTS",
    "DISPATCH_ACTIONS",
    "GOOD_RATINGS",
    "RATES",
    "WEIGHTS",
    "RateRow",
    "month_bounds",
    "monthly_assessment",
    "rates_by_month",
    "rates_by_month_visible_to",
    "rates_for",
    "rates_visible_to",
    "score_of",
    "total_of",
]

GroupBy = Literal["department", "district", "street", "community", "grid"]

DISPATCH_ACTIONS = ("dispatch", "reassign", "reopen")
"""Steps that ask a department to sign for a case: the denominator of the response rate."""
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
"""满意 and 基本满意 both count as satisfied."""
WEIGHTS = {"response_rate": 0.2, "resolution_rate": 0.4, "satisfaction_rate": 0.4}
"""Composite score of the monthly assessment: 响应率 20% + 解决率 40% + 满意率 40%."""
HANDLING_ACTIONS = (*DISPATCH_ACTIONS, "sign", "resolve")
COUNTED_ACTIONS = (*HANDLING_ACTIONS, "rate")
TIME_FIRST_WITHIN = timedelta(days=92)
"""Periods up to this long are read through the time index even when a region is given (see ``_steps``)."""
GROUP_LEVELS = {level.value: depth for depth, level in enumerate(LEVEL_ORDER, start=1)}


@dataclass
class RateRow:
    """Counts and rates of one group (a department or a region node) in one period.

    Rates are fractions in [0, 1], or None when the denominator is 0 ("no data", not 0%).
    """

    key: int | str | None
    label: str
    dispatched: int = 0
    signed: int = 0
    signed_on_time: int = 0
    rated: int = 0
    resolved: int = 0
    satisfied: int = 0
    resolve_steps: int = 0
    resolved_on_time: int = 0
    reopened: int = 0
    score: float | None = None
    rank: int | None = None
    extra: dict = field(default_factory=dict)

    @staticmethod
    def _ratio(numerator: int, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    @property
    def response_rate(self) -> float | None:
        """响应率 = 按时签收 ÷ 派单."""
        return self._ratio(self.signed_on_time, self.dispatched)

    @property
    def resolution_rate(self) -> float | None:
        """解决率 = 评价为已解决 ÷ 参评."""
        return self._ratio(self.resolved, self.rated)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 = (满意 + 基本满意) ÷ 参评."""
        return self._ratio(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 = 按期办结 ÷ 办结."""
        return self._ratio(self.resolved_on_time, self.resolve_steps)

    @property
    def reopen_rate(self) -> float | None:
        """重办率 = 重办 ÷ 参评."""
        return self._ratio(self.reopened, self.rated)

    @property
    def volume(self) -> int:
        """Work load used to break ties: hand-overs plus ratings."""
        return self.dispatched + self.rated


COUNTS = (
    "dispatched",
    "signed",
    "signed_on_time",
    "rated",
    "resolved",
    "satisfied",
    "resolve_steps",
    "resolved_on_time",
    "reopened",
)
"""The counts of a ``RateRow``, in the order the pages and the API list them."""
RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "reopen_rate")
"""Its rates (properties: a fraction, or None without data)."""
_YES = frozenset({True, "true", "1"})  # True == 1: SQLite returns JSON booleans as 1 and 0
_NO = frozenset({False, "false", "0"})


def _tally(qs: QuerySet[CaseStep], key: str) -> dict[Any, RateRow]:
    """Counts per ``key`` from two ``GROUP BY`` queries with ``COUNT(*)``, added up here.

    1. hand-over, sign and resolve steps grouped by ``key, action, on_time``: the index
       ``case_step_rates_idx`` (action, at, department, on_time, region_path) covers this query, so the
       database reads no table rows;
    2. rate steps grouped by ``key, rating, answer`` (``data.resolved_in_fact``).

    The database returns a few combinations per group; they are added up here, never the steps one by one.
    """
    rows: dict[Any, RateRow] = {}
    if key in ("department_id", "region_path") and connections[qs.db].vendor == "sqlite":
        # Grouping by a bare column lets SQLite's planner prefer a skip-scan of the (department, action,
        # at) or (region_path, action, at) index for the group order, and then read every table row. An
        # expression key (``+ 0``, ``|| ''``) keeps it on the covering index: 8x faster at 300k cases.
        expression = (
            F(key) + 0 if key == "department_id" else Concat(key, Value(""), output_field=CharField())
        )
        qs, key = qs.annotate(group_key=expression), "group_key"

    def row_for(group: Any) -> RateRow:
        row = rows.get(group)
        if row is None:
            row = rows[group] = RateRow(key=group, label="")
        return row

    handled = (
        qs.filter(action__in=HANDLING_ACTIONS)
        .order_by()
        .values_list(key, "action", "on_time")
        .annotate(n=Count("*"))
    )
    for group, action, on_time, n in handled:
        row = row_for(group)
        if action in DISPATCH_ACTIONS:
            row.dispatched += n
            if action == "reopen":
                row.reopened += n
        elif action == "sign":
            row.signed += n
            row.signed_on_time += n if on_time else 0
        else:  # resolve
            row.resolve_steps += n
            row.resolved_on_time += n if on_time else 0
    rated = (
        qs.filter(action="rate")
        .order_by()
        .annotate(answer=KeyTextTransform("resolved_in_fact", "data"))
        .values_list(key, "rating", "answer")
        .annotate(n=Count("*"))
    )
    for group, rating, answer, n in rated:
        row = row_for(group)
        good = rating in GOOD_RATINGS
        row.rated += n
        row.satisfied += n if good else 0
        # The resident's answer to "was the problem solved?" wins; without one the rating decides.
        solved = True if answer in _YES else False if answer in _NO else good
        row.resolved += n if solved else 0
    return rows


def _bound(value: date | datetime, *, end: bool) -> datetime:
    """A period bound: dates are whole Asia/Shanghai days (the end date included), datetimes are exact."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationFailed({"period": _("Give the period as dates or as times with a time zone.")})
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month (both included), for ``rates_for``."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _steps(
    *,
    period_start: date | datetime,
    period_end: date | datetime,
    within_path: str | None,
    scope: Scope | None,
) -> QuerySet[CaseStep]:
    start, end = _bound(period_start, end=False), _bound(period_end, end=True)
    if end <= start:
        raise ValidationFailed({"period_end": _("The end of the period must be after its start.")})
    qs = CaseStep.objects.filter(at__gte=start, at__lt=end)  # ``_tally`` adds the action condition
    path_field = "region_path"
    narrowed = within_path or (scope is not None and not scope.is_global)
    if narrowed and end - start <= TIME_FIRST_WITHIN and connections[qs.db].vendor == "sqlite":
        # For up to a quarter the time range is the selective condition, but SQLite's planner (which has
        # no histograms) prefers the region_path index and then reads every step the region ever had.
        # Matching the path through an expression keeps it on the (action, at) index. PostgreSQL
        # estimates both conditions from its statistics and needs no such help.
        qs = qs.alias(place=Concat("region_path", Value(""), output_field=CharField()))
        path_field = "place"
    if within_path:
        qs = qs.filter(**{f"{path_field}__prefix": within_path})
    if scope is not None and not scope.is_global:
        qs = qs.filter(scope_q(scope, path_field=path_field, department_fields=("department",)))
    return qs


def _department_rows(qs: QuerySet[CaseStep]) -> list[RateRow]:
    tallied = _tally(qs, "department_id")
    names = {
        pk: short or name
        for pk, name, short in Department.objects.filter(pk__in=[k for k in tallied if k]).values_list(
            "pk", "name", "short_name"
        )
    }
    rows = list(tallied.values())
    for row in rows:
        row.label = names.get(row.key, "") or str(_("No department"))
    rows.sort(key=lambda r: (r.key is None, r.label, r.key or 0))
    return rows


def _region_rows(qs: QuerySet[CaseStep], depth: int) -> list[RateRow]:
    rolled: dict[str | None, RateRow] = {}
    for path, counts in _tally(qs, "region_path").items():
        key = ancestor_path(path, depth)
        row = rolled.setdefault(key, RateRow(key=key, label=""))
        for name in COUNTS:
            setattr(row, name, getattr(row, name) + getattr(counts, name))
    names = dict(Region.objects.filter(path__in=[k for k in rolled if k]).values_list("path", "name"))
    for key, row in rolled.items():
        row.label = names.get(key, key or "") if key else str(_("Not located at this level"))
    return sorted(rolled.values(), key=lambda r: (r.key is None, r.key or ""))


def rates_for(
    *,
    period_start: date | datetime,
    period_end: date | datetime,
    group_by: GroupBy = "department",
    within_path: str | None = None,
    scope: Scope | None = None,
) -> list[RateRow]:
    """三率统计: counts and rates per department or per region node for a period.

    ``period_start``/``period_end`` are dates (Asia/Shanghai, both days included) or aware datetimes
    (half-open ``[start, end)``). ``within_path`` limits to one region subtree (a district, a street…);
    ``scope`` to what a user may see (use ``rates_visible_to``). Two aggregate queries, one for labels.
    """
    qs = _steps(period_start=period_start, period_end=period_end, within_path=within_path, scope=scope)
    if group_by == "department":
        return _department_rows(qs)
    depth = GROUP_LEVELS.get(group_by)
    if depth is None:
        raise ValidationFailed({"group_by": _("Group by department, street, community or grid.")})
    return _region_rows(qs, depth)


def rates_by_month(
    *,
    period_start: date | datetime,
    period_end: date | datetime,
    within_path: str | None = None,
    scope: Scope | None = None,
) -> list[RateRow]:
    """三率月度走势: one row per calendar month (Asia/Shanghai); ``key`` is the first day of the month."""
    qs = _steps(period_start=period_start, period_end=period_end, within_path=within_path, scope=scope)
    tallied = _tally(qs.annotate(month=TruncMonth("at", tzinfo=SHANGHAI)), "month")
    rows = []
    for month, row in sorted(tallied.items()):
        first = month.astimezone(SHANGHAI).date() if isinstance(month, datetime) else month
        row.key, row.label = first.isoformat(), f"{first.year}-{first.month:02d}"
        rows.append(row)
    return rows


def rates_visible_to(
    user,
    *,
    period_start: date | datetime,
    period_end: date | datetime,
    group_by: GroupBy = "department",
    within_path: str | None = None,
) -> list[RateRow]:
    """三率 (按权限): ``rates_for`` limited to the steps in the user's regions or departments.

    Needs ``cases.view_rates``. A street leader sees the street's steps, a department head the steps that
    concern the department; administrators everything.
    """
    require(user, "cases.view_rates")
    return rates_for(
        period_start=period_start,
        period_end=period_end,
        group_by=group_by,
        within_path=within_path,
        scope=scope_of(user),
    )


def rates_by_month_visible_to(
    user,
    *,
    period_start: date | datetime,
    period_end: date | datetime,
    within_path: str | None = None,
) -> list[RateRow]:
    """三率月度走势 (按权限): ``rates_by_month`` limited to the user's scope, as ``rates_visible_to``."""
    require(user, "cases.view_rates")
    return rates_by_month(
        period_start=period_start, period_end=period_end, within_path=within_path, scope=scope_of(user)
    )


def total_of(rows: Iterable[RateRow], label: str = "") -> RateRow:
    """The sum of several rows (e.g. a district total from its streets)."""
    total = RateRow(key=None, label=label or str(_("Total")))
    for row in rows:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def score_of(row: RateRow) -> float | None:
    """考核得分 (0–100): 响应率 × 20% + 解决率 × 40% + 满意率 × 40%.

    A rate without data (denominator 0) is left out and the remaining weights are scaled up to 100%;
    a group with none of the three has no score.
    """
    parts = [(weight, getattr(row, name)) for name, weight in WEIGHTS.items()]
    present = [(weight, value) for weight, value in parts if value is not None]
    if not present:
        return None
    weight_sum = sum(weight for weight, _value in present)
    return round(100 * sum(weight * value for weight, value in present) / weight_sum, 2)


def monthly_assessment(
    *, year: int, month: int, level: GroupBy = "department", within_path: str | None = None, user=None
) -> list[RateRow]:
    """月度考核排名: the groups of one calendar month ranked by ``score_of`` (best first).

    Ties are broken by volume (hand-overs plus ratings; more work ranks higher), then by name, and get
    consecutive ranks. Groups without a score (no data) come last without a rank. With ``user`` the
    figures are limited to what the user may see (``cases.view_rates`` required).
    """
    if not 1 <= month <= 12:
        raise ValidationFailed({"month": _("Choose a month from 1 to 12.")})
    first, last = month_bounds(year, month)
    if user is not None:
        rows = rates_visible_to(
            user, period_start=first, period_end=last, group_by=level, within_path=within_path
        )
    else:
        rows = rates_for(period_start=first, period_end=last, group_by=level, within_path=within_path)
    rows = [replace(row, score=score_of(row)) for row in rows]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.volume, r.label))
    for rank, row in enumerate((r for r in rows if r.score is not None), start=1):
        row.rank = rank
    return rows
