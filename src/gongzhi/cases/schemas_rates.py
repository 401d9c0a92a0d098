"""Ninja schemas of the 三率与考核 API (/api/v1/rates): rows with counts and rates, totals, rankings.

Rates are fractions in [0, 1] (0.875 = 87.5 %), or ``null`` when the denominator is 0 (no data, which is
not 0). The formulas are in docs/formulas.md ("三率与考核") and in ``gongzhi.cases.rates`` only.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

RateGroup = Literal["department", "street", "community", "grid"]


WITHIN = "Region path (110199/110199001/), code or id in your scope; left out: everything you can see"


class RatesFilter(Schema):
    start: date | None = Field(None, description="First day (YYYY-MM-DD); left out: the last full month")
    end: date | None = Field(None, description="Last day, included (YYYY-MM-DD)")
    group_by: RateGroup = "department"
    within: str | None = Field(None, max_length=120, description=WITHIN)


class MonthlyRatesFilter(Schema):
    start: date | None = Field(
        None, description="First day; left out: the first day of the 12 months up to the last full month"
    )
    end: date | None = Field(None, description="Last day, included; left out: the end of the last full month")
    within: str | None = Field(None, max_length=120, description=WITHIN)


class AssessmentFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Left out: the last full month")
    month: int | None = Field(None, description="1–12 (checked with a Chinese message)")
    level: RateGroup = "department"
    within: str | None = Field(None, max_length=120, description=WITHIN)


class RateRowOut(Schema):
    """Counts and rates of one group (a department or a region node), or of the total."""

    key: int | str | None = Field(
        description="Department id, or region path (``110199/110199001/``); null for the total, for steps "
        "without a department, or for steps not located at this level"
    )
    label: str = Field(description="Department short name or region name")
    dispatched: int = Field(description="派单: hand-overs (dispatch, reassign, reopen)")
    signed: int
    signed_on_time: int = Field(description="按时签收")
    rated: int = Field(description="参评: ratings")
    resolved: int = Field(description="ratings saying the problem was solved")
    satisfied: int = Field(description="satisfied or basically satisfied ratings")
    resolve_steps: int = Field(description="办结")
    resolved_on_time: int = Field(description="按期办结")
    reopened: int = Field(description="重办")
    response_rate: float | None = Field(description="响应率 = signed_on_time ÷ dispatched")
    resolution_rate: float | None = Field(description="解决率 = resolved ÷ rated")
    satisfaction_rate: float | None = Field(description="满意率 = satisfied ÷ rated")
    on_time_rate: float | None = Field(description="按期办结率 = resolved_on_time ÷ resolve_steps")
    reopen_rate: float | None = Field(description="重办率 = reopened ÷ rated")


class RatesOut(Schema):
    start: date
    end: date
    group_by: RateGroup
    within: str | None = Field(description="Path of the region the figures are limited to")
    rows: list[RateRowOut]
    total: RateRowOut


class MonthlyRatesOut(Schema):
    start: date
    end: date
    within: str | None
    rows: list[RateRowOut] = Field(description="One row per calendar month; key is its first day")


class AssessmentRowOut(RateRowOut):
    rank: int | None = Field(description="1 = best; null for groups without any data (listed last)")
    score: float | None = Field(description="考核得分 0–100 (响应率 20% + 解决率 40% + 满意率 40%)")
    volume: int = Field(description="Hand-overs plus ratings; breaks ties")


class AssessmentOut(Schema):
    year: int
    month: int
    level: RateGroup
    within: str | None
    rows: list[AssessmentRowOut]
