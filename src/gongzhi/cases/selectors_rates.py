"""三率与考核 reads for the page and the API: periods, the regions to limit by, the table, the trend.

The figures themselves come from ``rates.py`` only (the formulas live there, see docs/formulas.md); this
module chooses what to ask for on behalf of a user and always passes the user, so nobody gets figures
outside their scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region
from gongzhi.regions.selectors import regions_visible_to

from .deadlines import SHANGHAI
from .rates import RateRow, month_bounds, rates_by_month_visible_to, rates_visible_to, total_of

__all__ = [
    "LIMIT_LEVELS",
    "TREND_MONTHS",
    "RatesReport",
    "get_rate_region",
    "last_full_month",
    "rate_regions_for",
    "rates_report",
    "rates_trend",
    "trend_period",
]

LIMIT_LEVELS = (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY)
"""Levels offered as a region limit on the page (the API also takes a grid)."""
TREND_MONTHS = 12


@dataclass(frozen=True)
class RatesReport:
    """三率统计表: one row per group, and the 合计 row over them."""

    rows: list[RateRow]
    total: RateRow


def last_full_month(now: datetime | None = None) -> tuple[int, int]:
    """(year, month) of the last complete calendar month in Asia/Shanghai: the default period."""
    today = (now or timezone.now()).astimezone(SHANGHAI).date()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def trend_period(year: int, month: int, months: int = TREND_MONTHS) -> tuple[date, date]:
    """First and last day of the ``months`` calendar months that end with ``year``-``month``."""
    index = year * 12 + month - 1 - (months - 1)
    first, _last = month_bounds(index // 12, index % 12 + 1)
    return first, month_bounds(year, month)[1]


def rate_regions_for(user) -> QuerySet[Region]:
    """Regions the page offers as a limit: the district, streets and communities in the user's scope."""
    return regions_visible_to(user).filter(level__in=LIMIT_LEVELS)


def get_rate_region(*, user, ref: str) -> Region:
    """A region in the user's scope given by its path, its code or its id (``within`` of the API).

    A missing region and one outside the scope give the same message, so the answer never tells which.
    """
    ref = (ref or "").strip()
    visible = regions_visible_to(user)
    region = visible.filter(Q(path=ref) | Q(code=ref)).first() if ref else None
    if region is None and ref.isdigit():
        region = visible.filter(pk=int(ref)).first()
    if region is None:
        raise ValidationFailed({"within": [_("The region does not exist or you cannot view it.")]})
    return region


def rates_report(
    user,
    *,
    period_start: date,
    period_end: date,
    group_by: str,
    within_path: str | None = None,
) -> RatesReport:
    """三率统计 of the user's scope: ``rates_visible_to`` rows and their ``total_of``.

    Needs ``cases.view_rates`` (checked by ``rates_visible_to``).
    """
    rows = rates_visible_to(
        user, period_start=period_start, period_end=period_end, group_by=group_by, within_path=within_path
    )
    return RatesReport(rows=rows, total=total_of(rows))


def rates_trend(
    user, *, period_start: date, period_end: date, within_path: str | None = None
) -> list[RateRow]:
    """三率月度走势 of the user's scope: one row per calendar month, months without events included."""
    found = {
        row.key: row
        for row in rates_by_month_visible_to(
            user, period_start=period_start, period_end=period_end, within_path=within_path
        )
    }
    rows = []
    year, month = period_start.year, period_start.month
    while (year, month) <= (period_end.year, period_end.month):
        first = date(year, month, 1)
        rows.append(
            found.get(first.isoformat()) or RateRow(key=first.isoformat(), label=f"{year}-{month:02d}")
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows
