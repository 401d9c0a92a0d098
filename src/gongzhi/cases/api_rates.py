"""REST API of 三率与考核 (/api/v1/rates): rates per group, the monthly trend, the monthly assessment.

Read-only and thin: every endpoint needs ``cases.view_rates`` (403) and gives figures of the caller's
scope only (the reads pass the user on to ``rates.py``). Periods are Asia/Shanghai calendar days with
both ends included; without a period the last full month is used. Input errors are 422 with Chinese
messages per field.
"""

from __future__ import annotations

from datetime import date

from ninja import Query, Router

from gongzhi.accounts.scoping import require

from .forms_rates import check_period
from .rates import COUNTS, RATES, RateRow, month_bounds, monthly_assessment
from .schemas import ErrorOut
from .schemas_rates import (
    AssessmentFilter,
    AssessmentOut,
    MonthlyRatesFilter,
    MonthlyRatesOut,
    RatesFilter,
    RatesOut,
)
from .selectors_rates import get_rate_region, last_full_month, rates_report, rates_trend, trend_period

router = Router(tags=["rates"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
PERMISSION = "cases.view_rates"


def _row_out(row: RateRow) -> dict:
    return {"key": row.key, "label": row.label, **{name: getattr(row, name) for name in COUNTS + RATES}}


def _within(request, within: str | None) -> str | None:
    return get_rate_region(user=request.user, ref=within).path if within else None


def _period(start: date | None, end: date | None, *, default: tuple[date, date]) -> tuple[date, date]:
    start, end = start or default[0], end or default[1]
    check_period(start, end)
    return start, end


@router.get("", response={200: RatesOut, **ERRORS}, url_name="rates")
def list_rates(request, filters: Query[RatesFilter]):
    """三率统计: counts and rates per department, street, community or grid, and the total."""
    require(request.user, PERMISSION)
    start, end = _period(filters.start, filters.end, default=month_bounds(*last_full_month()))
    path = _within(request, filters.within)
    report = rates_report(
        request.user, period_start=start, period_end=end, group_by=filters.group_by, within_path=path
    )
    return {
        "start": start,
        "end": end,
        "group_by": filters.group_by,
        "within": path,
        "rows": [_row_out(row) for row in report.rows],
        "total": _row_out(report.total),
    }


@router.get("/monthly", response={200: MonthlyRatesOut, **ERRORS}, url_name="rates_monthly")
def monthly_rates(request, filters: Query[MonthlyRatesFilter]):
    """三率月度走势: one row per calendar month in the period, months without events included (rates null)."""
    require(request.user, PERMISSION)
    start, end = _period(filters.start, filters.end, default=trend_period(*last_full_month()))
    path = _within(request, filters.within)
    rows = rates_trend(request.user, period_start=start, period_end=end, within_path=path)
    return {"start": start, "end": end, "within": path, "rows": [_row_out(row) for row in rows]}


@router.get("/assessment", response={200: AssessmentOut, **ERRORS}, url_name="rates_assessment")
def assessment(request, filters: Query[AssessmentFilter]):
    """月度考核: groups of one calendar month ranked by score (best first); groups without data last."""
    require(request.user, PERMISSION)
    default_year, default_month = last_full_month()
    year, month = filters.year or default_year, filters.month or default_month
    path = _within(request, filters.within)
    rows = monthly_assessment(
        year=year, month=month, level=filters.level, within_path=path, user=request.user
    )
    return {
        "year": year,
        "month": month,
        "level": filters.level,
        "within": path,
        "rows": [
            {**_row_out(row), "rank": row.rank, "score": row.score, "volume": row.volume} for row in rows
        ],
    }
