"""Ninja schemas of the 事项配置 API (/api/v1/catalog): categories, duty rules, calendar days.

Shape only. Limits are checked by the catalog services (1–720 hours, 1–365 working days), which answer
with Chinese messages per field. In PATCH bodies a field left out stays as it is and ``null`` clears a
limit (the parent category's, or the platform default, then applies).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

CalendarKind = Literal["holiday", "makeup_workday", "normal"]


# ---------------------------------------------------------------------------------------------- categories


class AppliedLimitOut(Schema):
    """A limit as it applies to the category's cases: value, and where it comes from."""

    value: int
    inherited: bool = Field(description="False when set on this category")
    source: str = Field(description='"" when own; the ancestor\'s name, or "default" (platform default)')


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    full_name: str
    keywords: list[str]
    sign_hours: int | None = Field(description="Set on this category (null: inherited)")
    contact_hours: int | None
    resolve_days: int | None
    applied_sign_hours: AppliedLimitOut
    applied_contact_hours: AppliedLimitOut
    applied_resolve_days: AppliedLimitOut
    is_active: bool
    has_children: bool


class CategoryPatchIn(Schema):
    keywords: str | list[str] | None = Field(
        None, description="Words separated by spaces or commas, or a list"
    )
    sign_hours: int | None = None
    contact_hours: int | None = None
    resolve_days: int | None = None
    is_active: bool | None = Field(None, description="false also takes the subtree out of use")
    sort_order: int | None = Field(None, ge=0, le=9999)


class RowIssueOut(Schema):
    row: int | None = Field(description="Row number in the file (the header is row 1)")
    column: str
    code: str
    message: str


class ImportReportOut(Schema):
    """What an import created (or, on a dry run, would create). With errors nothing was written (422)."""

    ok: bool
    dry_run: bool
    created: int
    created_by_level: dict[str, int]
    existing: int
    skipped: list[RowIssueOut]
    errors: list[RowIssueOut]


# ------------------------------------------------------------------------------------------------ duty list


class DepartmentRefOut(Schema):
    id: int
    code: str
    name: str


class RegionRefOut(Schema):
    code: str
    name: str


class DutyRuleOut(Schema):
    id: int
    category_id: int
    category: str = Field(description="Full name of the category (一级/二级/三级)")
    region: RegionRefOut | None = Field(description="null: the whole district (全区)")
    lead_department: DepartmentRefOut
    assisting_departments: list[DepartmentRefOut]
    sign_hours: int | None
    contact_hours: int | None
    resolve_days: int | None
    auto_dispatch: bool
    is_active: bool
    note: str
    created_at: datetime
    updated_at: datetime


class DutyRulePageOut(Schema):
    items: list[DutyRuleOut]
    count: int


class DutyRuleIn(Schema):
    category_id: int
    region_code: str | None = Field(None, max_length=40, description="null or left out: the whole district")
    lead_department_id: int
    assisting_department_ids: list[int] = Field(default_factory=list, max_length=20)
    sign_hours: int | None = None
    contact_hours: int | None = None
    resolve_days: int | None = None
    auto_dispatch: bool = True
    note: str = Field("", max_length=200)


class DutyRulePatchIn(Schema):
    lead_department_id: int | None = None
    assisting_department_ids: list[int] | None = Field(None, max_length=20)
    sign_hours: int | None = None
    contact_hours: int | None = None
    resolve_days: int | None = None
    auto_dispatch: bool | None = None
    note: str | None = Field(None, max_length=200)
    reason: str = Field("", max_length=500, description="Why the rule changes (kept in its history)")


class DeactivateRuleIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class FieldChangeOut(Schema):
    field: str
    old: int | str | bool | list[int] | None
    new: int | str | bool | list[int] | None


class RuleChangeOut(Schema):
    at: datetime
    actor: str
    action: str
    label: str
    reason: str
    rule_id: int | None = Field(description="The rule row the event concerns (an edit creates a new row)")
    changes: list[FieldChangeOut]


# ------------------------------------------------------------------------------------------------ calendar


class CalendarDayOut(Schema):
    date: date
    kind: CalendarKind
    name: str
    source: str
    set_by_hand: bool
    working_day: bool


class CalendarYearOut(Schema):
    year: int
    days: list[CalendarDayOut]


class CalendarDayIn(Schema):
    kind: CalendarKind = Field(
        description="normal: the day follows its weekday (kept when the year is seeded)"
    )
    name: str = Field("", max_length=40)


class SeedIn(Schema):
    year: int = Field(..., ge=2004, le=2100)


class SeedReportOut(Schema):
    year: int
    source: str
    created: list[date]
    replaced: list[date]
    removed: list[date]
    kept_manual: list[date]
