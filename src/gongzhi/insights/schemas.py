"""Ninja schemas of the insights API: explicit Out/In shapes (no personal data leaves in them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

AlertKindValue = Literal["category_surge", "repeat_address", "department_reopens"]
AlertStatusValue = Literal["open", "acknowledged", "closed"]


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    region_path: str
    region: str | None
    category: str | None
    department: str | None
    place: str
    observed: float
    expected: float | None
    threshold: float | None
    score: float | None
    rate: float | None
    window_start: datetime
    window_end: datetime
    raised_at: datetime
    last_seen_at: datetime
    case_count: int
    details: dict

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.full_name if obj.category_id else None

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_case_count(obj) -> int:
        return int(getattr(obj, "case_count", 0) or 0)


class AlertDetailOut(AlertOut):
    case_ids: list[int]
    case_numbers: list[str]


class AlertFilter(Schema):
    kind: AlertKindValue | None = None
    status: AlertStatusValue | None = None


class AlertActionIn(Schema):
    note: str = Field("", max_length=2000)


class HotspotCaseOut(Schema):
    id: int
    number: str
    title: str
    received_at: datetime


class HotspotOut(Schema):
    key: str
    rank: int
    heat: float
    start: datetime
    end: datetime
    place: str
    summary: str
    size: int
    reporters: int
    growth: float
    cases: list[HotspotCaseOut]
    proactive_case_id: int | None = None
