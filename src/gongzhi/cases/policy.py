"""Deadline policy: which limits apply to a case, and the working calendar they are counted on.

One place decides the limits (duty rule → category → its parents → defaults; urgent cases use the
short limits) and loads the editable working calendar (``CalendarDay`` rows) into a pure
``deadlines.WorkCalendar``, cached per process and refreshed when the rows change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

from gongzhi.core.memo import KeyedMemo

from .choices import CalendarDayKind, Urgency
from .deadlines import WorkCalendar
from .models import CalendarDay, Category, DutyRule

DEFAULT_SIGN_HOURS = 2
DEFAULT_CONTACT_HOURS = 24
DEFAULT_RESOLVE_DAYS = 5
URGENT_SIGN_HOURS = 1
URGENT_CONTACT_HOURS = 1
URGENT_RESOLVE_DAYS = 1


@dataclass(frozen=True)
class DeadlinePlan:
    """Limits for one case: sign and contact in clock hours, resolve in working days."""

    sign_hours: int
    contact_hours: int
    resolve_days: int


def _inherited(category: Category | None, attribute: str) -> int | None:
    node = category
    while node is not None:
        value = getattr(node, attribute)
        if value is not None:
            return value
        node = node.parent
    return None


def deadline_plan(*, category: Category | None, rule: DutyRule | None, urgency: str) -> DeadlinePlan:
    """The limits for a case of ``category`` routed by ``rule`` (either may be None)."""
    if urgency == Urgency.URGENT:
        return DeadlinePlan(URGENT_SIGN_HOURS, URGENT_CONTACT_HOURS, URGENT_RESOLVE_DAYS)

    def pick(attribute: str, default: int) -> int:
        if rule is not None and getattr(rule, attribute) is not None:
            return getattr(rule, attribute)
        value = _inherited(category, attribute)
        return value if value is not None else default

    return DeadlinePlan(
        sign_hours=pick("sign_hours", DEFAULT_SIGN_HOURS),
        contact_hours=pick("contact_hours", DEFAULT_CONTACT_HOURS),
        resolve_days=pick("resolve_days", DEFAULT_RESOLVE_DAYS),
    )


def _build_calendar() -> WorkCalendar:
    holidays = set()
    makeup = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        if kind == CalendarDayKind.HOLIDAY:
            holidays.add(day)
        elif kind == CalendarDayKind.MAKEUP_WORKDAY:
            makeup.add(day)
        # CalendarDayKind.NORMAL: a day set back by hand follows its weekday, like a date with no row
    return WorkCalendar(holidays=holidays, makeup_workdays=makeup)


_calendar: KeyedMemo[WorkCalendar] = KeyedMemo(_build_calendar)
_edit_counter = 0


def work_calendar() -> WorkCalendar:
    """The working calendar from ``CalendarDay`` rows (weekday holidays and 调休 make-up days)."""
    stamp = CalendarDay.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return _calendar.get((stamp["n"], stamp["last"], _edit_counter))


def forget_calendar() -> None:
    """Called on commit by services that edit calendar days in place."""
    global _edit_counter
    _edit_counter += 1
    _calendar.forget()
