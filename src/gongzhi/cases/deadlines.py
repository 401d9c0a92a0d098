"""办理时限计算: pure working-day and hour arithmetic for case deadlines (no Django, no ORM).

Everything here is a plain function of its arguments, so services, selectors, jobs and tests share one
definition of "working day", "due", "paused" and "warning". The rules, in short (docs/formulas.md,
section "办理时限", explains them for operators):

* **Calendar days are judged in Asia/Shanghai.** Every datetime must be timezone-aware (a naive one raises
  ``ValueError``); results come back in Asia/Shanghai. The zone has had no daylight saving time since
  1991, so every local day is 86,400 seconds long.
* **Working day (工作日).** Monday to Friday, except ``holidays`` (statutory days off that fall on a
  weekday), plus ``makeup_workdays`` (weekend days worked instead, 调休).
* **"Resolve within N working days".** The day of receipt is never counted (民法典 §201: 开始的当日不计入),
  whatever its kind: day 1 is the first working day strictly after the receipt date, and the case is due
  at the end of day N, written as ``23:59:59`` local time. A case received on Friday, on a Saturday or on
  a holiday therefore has the same day 1: the next working day.
* **"Sign / contact within H hours".** Clock hours by default (``start + H hours``). With
  ``working_only=True`` only the office hours of working days count (``WorkCalendar.office_hours``,
  09:00-18:00 by default).
* **Time units.** ``TimeUnit.CLOCK`` is elapsed time; ``TimeUnit.WORKING_DAY`` counts the whole
  00:00-24:00 of each working day and nothing of other days (used for working-day deadlines, pauses
  and their warnings); ``TimeUnit.OFFICE_HOURS`` counts only office hours of working days.
* **Pauses (暂停计时).** While a return or an extension request is pending the clock stops: the due moves
  later by exactly the working time (in the deadline's unit) that lies inside the pause intervals.
  Overlapping pauses count once; a pause that starts after the running due (the case was already
  overdue) moves nothing.
* **Extension (延期).** ``extend(due, m)`` keeps the clock time and moves the date to the m-th working
  day after the due date.
* **Warnings (预警).** ``red`` once ``now > due``; ``yellow`` once at least 80% of the span from start to
  due has been used, both measured in the deadline's unit with paused time left out; else ``normal``.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "END_OF_DAY",
    "PROVISIONAL_SOURCE",
    "SHANGHAI",
    "Pause",
    "TimeUnit",
    "WarningLevel",
    "WorkCalendar",
    "add_hours",
    "add_working_days",
    "due_with_pauses",
    "elapsed_fraction",
    "extend",
    "seed_calendar",
    "shift_due",
    "statutory_holidays",
    "warning_level",
    "working_days_between",
    "working_time_between",
]

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
END_OF_DAY: Final = time(23, 59, 59)
"""Clock time of a working-day deadline: the last second of the N-th working day."""
DEFAULT_OFFICE_HOURS: Final[tuple[tuple[time, time], ...]] = ((time(9, 0), time(18, 0)),)
YELLOW_AT: Final = 0.8
PROVISIONAL_SOURCE: Final = (
    "provisional: statutory days only; update when the State Council notice is published"
)

_DAY: Final = timedelta(days=1)
_ZERO: Final = timedelta(0)

WarningLevel = Literal["normal", "yellow", "red"]


class TimeUnit(enum.StrEnum):
    """计时口径: which stretches of time a span counts."""

    CLOCK = "clock"  # 自然时间: all elapsed time
    WORKING_DAY = "working_day"  # 工作日: the whole 00:00-24:00 of every working day
    OFFICE_HOURS = "office_hours"  # 工作时间: office hours of working days only


# ---------------------------------------------------------------------------------------------------
# Calendar


class WorkCalendar:
    """工作日历: weekends, statutory holidays on weekdays and make-up working days (调休).

    ``holidays`` are days off that would otherwise be working days (a weekend date in it is harmless and
    ignored); ``makeup_workdays`` are weekend days that are worked. A date cannot be in both. Years that
    were never seeded simply follow Monday to Friday. The calendar is immutable; it keeps a lazily built,
    sorted index of working days so that day arithmetic is a binary search.
    """

    __slots__ = ("_index", "_office_spans", "holidays", "makeup_workdays", "office_hours")

    def __init__(
        self,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        *,
        office_hours: Sequence[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
    ) -> None:
        self.holidays: frozenset[date] = frozenset(_plain_date("holidays", d) for d in holidays)
        self.makeup_workdays: frozenset[date] = frozenset(
            _plain_date("makeup_workdays", d) for d in makeup_workdays
        )
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(both)}")
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"make-up working days must be Saturdays or Sundays: {weekdays}")
        self.office_hours: tuple[tuple[time, time], ...] = tuple(office_hours)
        self._office_spans = _office_spans(self.office_hours)
        # (first ordinal covered, ordinal after the last covered, sorted working-day ordinals)
        self._index: tuple[int, int, list[int]] = (0, 0, [])

    def __repr__(self) -> str:
        hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.office_hours)
        return (
            f"WorkCalendar(holidays={len(self.holidays)}, makeup_workdays={len(self.makeup_workdays)}, "
            f"office_hours=[{hours}])"
        )

    def is_working_day(self, d: date) -> bool:
        """是否工作日: Monday-Friday unless a holiday, or a make-up working day."""
        d = _plain_date("d", d)
        if d in self.makeup_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """下一个工作日: the first working day strictly after ``d``."""
        return self.nth_working_day_after(d, 1)

    def nth_working_day_after(self, d: date, n: int) -> date:
        """第 n 个工作日: the n-th working day strictly after ``d`` (n >= 1)."""
        d = _plain_date("d", d)
        _check_count("n", n)
        ordinal = d.toordinal()
        self._cover(ordinal, ordinal + 1)
        while True:
            lo, hi, days = self._index
            i = bisect.bisect_right(days, ordinal) + n - 1
            if i < len(days):
                return date.fromordinal(days[i])
            self._cover(lo, hi + 366)

    def working_days_after(self, a: date, b: date) -> int:
        """间隔工作日数: working days in ``(a, b]``; negative when ``b`` is before ``a``."""
        a, b = _plain_date("a", a), _plain_date("b", b)
        if b < a:
            return -self.working_days_after(b, a)
        self._cover(a.toordinal(), b.toordinal() + 1)
        days = self._index[2]
        return bisect.bisect_right(days, b.toordinal()) - bisect.bisect_right(days, a.toordinal())

    def _cover(self, first: int, stop: int) -> None:
        """Make the working-day index cover ordinals ``[first, stop)``, widened to whole years."""
        lo, hi, _days = self._index
        if lo <= first and stop <= hi and hi > lo:
            return
        first_year = date.fromordinal(min(first, lo) if hi > lo else first).year
        last_year = date.fromordinal(max(stop, hi) - 1 if hi > lo else stop - 1).year
        new_lo = date(first_year, 1, 1).toordinal()
        new_hi = date(last_year + 1, 1, 1).toordinal()
        days = [o for o in range(new_lo, new_hi) if self.is_working_day(date.fromordinal(o))]
        self._index = (new_lo, new_hi, days)  # one assignment: readers never see a half-built index

    def _spans(self, d: date, unit: TimeUnit) -> tuple[tuple[int, int], ...]:
        """Counted stretches of local day ``d`` as (start, end) seconds after midnight."""
        if not self.is_working_day(d):
            return ()
        if unit is TimeUnit.WORKING_DAY:
            return ((0, 86_400),)
        return self._office_spans


def _office_spans(office_hours: tuple[tuple[time, time], ...]) -> tuple[tuple[int, int], ...]:
    spans = []
    for start, end in office_hours:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("office hours are local wall-clock times without tzinfo")
        a = start.hour * 3600 + start.minute * 60 + start.second
        b = end.hour * 3600 + end.minute * 60 + end.second
        if b <= a:
            raise ValueError(f"office hours must end after they start: {start}-{end}")
        spans.append((a, b))
    spans.sort()
    for (_a1, b1), (a2, _b2) in itertools.pairwise(spans):
        if a2 < b1:
            raise ValueError("office hour windows must not overlap")
    if not spans:
        raise ValueError("office_hours needs at least one window")
    return tuple(spans)


# ---------------------------------------------------------------------------------------------------
# Deadlines


def add_working_days(start: datetime, n: int, cal: WorkCalendar) -> datetime:
    """按工作日计算时限: the end (23:59:59 Asia/Shanghai) of the n-th working day after ``start``'s date.

    The receipt day itself is never counted, whether it is a working day, a weekend or a holiday.
    """
    _check_aware("start", start)
    _check_count("n", n)
    last_day = cal.nth_working_day_after(_local_date(start), n)
    return datetime.combine(last_day, END_OF_DAY, tzinfo=SHANGHAI)


def add_hours(
    start: datetime, hours: float, cal: WorkCalendar | None = None, *, working_only: bool = False
) -> datetime:
    """按小时计算时限: ``start`` plus clock hours, or plus office hours of working days.

    ``working_only=False`` (the default, used for 签收/联系 limits) adds natural hours, so nights,
    weekends and holidays run on. ``working_only=True`` counts only ``cal.office_hours`` of working days:
    a 2-hour limit received at 17:00 on a Friday with 09:00-18:00 office hours is due 10:00 on the next
    working day.
    """
    _check_aware("start", start)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be a finite number >= 0, not {hours!r}")
    amount = timedelta(hours=hours)
    if not working_only:
        return (start.astimezone(UTC) + amount).astimezone(SHANGHAI)
    if cal is None:
        raise ValueError("working_only=True needs a WorkCalendar")
    return _advance(start, amount, cal, TimeUnit.OFFICE_HOURS)


def extend(due: datetime, m_working_days: int, cal: WorkCalendar) -> datetime:
    """延期: the same clock time on the m-th working day after the current due date."""
    _check_aware("due", due)
    _check_count("m_working_days", m_working_days)
    local = due.astimezone(SHANGHAI)
    new_day = cal.nth_working_day_after(local.date(), m_working_days)
    return datetime.combine(new_day, local.time(), tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class Pause:
    """暂停计时: an interval in which the clock stands still (return or extension request pending).

    ``end`` is ``None`` while the pause is still open; callers then pass ``now``.
    """

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware("Pause.start", self.start)
        if self.end is not None:
            _check_aware("Pause.end", self.end)
            if self.end < self.start:
                raise ValueError("a pause cannot end before it starts")


def shift_due(
    due: datetime,
    pauses: Iterable[Pause],
    cal: WorkCalendar | None,
    *,
    start: datetime | None = None,
    now: datetime | None = None,
    unit: TimeUnit = TimeUnit.WORKING_DAY,
) -> datetime:
    """顺延时限: move ``due`` later by the working time spent inside pauses.

    Exactly: pauses are clipped to begin no earlier than ``start`` (when given), open pauses end at
    ``now``, overlapping pauses are merged; then, in time order, each pause that begins no later than the
    running due moves it on by the pause's length measured in ``unit`` (for ``WORKING_DAY``: the seconds
    of the pause that fall on working days, so a weekend inside a pause adds nothing). A pause that
    begins after the running due (the case was already overdue) moves nothing, nor do later ones.
    """
    _check_aware("due", due)
    if start is not None:
        _check_aware("start", start)
    if now is not None:
        _check_aware("now", now)
    running = due.astimezone(SHANGHAI)
    for p_start, p_end in _merged_pauses(pauses, start=start, now=now):
        if p_start > running:
            break
        running = _advance(running, _measure(p_start, p_end, cal, unit), cal, unit)
    return running


def due_with_pauses(
    start: datetime,
    n_working_days: int,
    pauses: Iterable[Pause],
    cal: WorkCalendar,
    *,
    now: datetime | None = None,
) -> datetime:
    """含暂停的办结时限: ``add_working_days`` from ``start``, then ``shift_due`` by the pauses."""
    due = add_working_days(start, n_working_days, cal)
    return shift_due(due, pauses, cal, start=start, now=now, unit=TimeUnit.WORKING_DAY)


# ---------------------------------------------------------------------------------------------------
# Elapsed time and warnings


def working_days_between(a: date | datetime, b: date | datetime, cal: WorkCalendar) -> int:
    """第几个工作日: working days after ``a``'s date up to and including ``b``'s date.

    It is the day number of the counting rule: for ``due = add_working_days(start, n, cal)``,
    ``working_days_between(start, due, cal) == n``. Negative when ``b`` is before ``a``.
    """
    return cal.working_days_after(_any_local_date("a", a), _any_local_date("b", b))


def working_time_between(
    a: datetime, b: datetime, cal: WorkCalendar | None = None, *, unit: TimeUnit = TimeUnit.WORKING_DAY
) -> timedelta:
    """区间计时: the time from ``a`` to ``b`` that counts in ``unit``; negative when ``b < a``."""
    _check_aware("a", a)
    _check_aware("b", b)
    return _measure(a, b, cal, unit) if a <= b else -_measure(b, a, cal, unit)


def elapsed_fraction(
    start: datetime,
    due: datetime,
    now: datetime,
    cal: WorkCalendar | None = None,
    *,
    unit: TimeUnit = TimeUnit.CLOCK,
    pauses: Iterable[Pause] = (),
) -> float:
    """已用时比例: used time / total time from ``start`` to ``due``, in ``unit``, pauses left out.

    Used time is counted from ``start`` to ``now`` and total time from ``start`` to ``due``; the working
    time inside pauses (clipped to each interval; open pauses end at ``now``) is taken out of both, so
    the fraction stands still while a case is paused. Above 1.0 once overdue; 0.0 before ``start``; a
    zero-length span counts as fully used.
    """
    for name, value in (("start", start), ("due", due), ("now", now)):
        _check_aware(name, value)
    merged = _merged_pauses(pauses, start=start, now=now)

    def net(end: datetime) -> timedelta:
        if end <= start:
            return _ZERO
        paused = sum((_measure(ps, min(pe, end), cal, unit) for ps, pe in merged if ps < end), start=_ZERO)
        return _measure(start, end, cal, unit) - paused

    if now <= start:
        return 0.0
    total = net(due)
    used = net(now)
    if total <= _ZERO:
        return 1.0
    return used / total


def warning_level(
    start: datetime,
    due: datetime,
    now: datetime,
    *,
    cal: WorkCalendar | None = None,
    unit: TimeUnit = TimeUnit.CLOCK,
    pauses: Iterable[Pause] = (),
    yellow_at: float = YELLOW_AT,
) -> WarningLevel:
    """预警等级: ``"red"`` when ``now > due``; ``"yellow"`` from 80% of the span used; else ``"normal"``.

    Measure the span in the deadline's own unit: ``TimeUnit.WORKING_DAY`` for "within N working days",
    ``TimeUnit.CLOCK`` (or ``OFFICE_HOURS`` for the working-hours variant) for hour limits.
    """
    if not 0 < yellow_at <= 1:
        raise ValueError("yellow_at must be in (0, 1]")
    pauses = tuple(pauses)
    for name, value in (("start", start), ("due", due), ("now", now)):
        _check_aware(name, value)
    if now > due:
        return "red"
    if elapsed_fraction(start, due, now, cal, unit=unit, pauses=pauses) >= yellow_at:
        return "yellow"
    return "normal"


# ---------------------------------------------------------------------------------------------------
# Time measuring engine


def _measure(a: datetime, b: datetime, cal: WorkCalendar | None, unit: TimeUnit) -> timedelta:
    """Counted time in ``[a, b)`` for ``a <= b``."""
    if b <= a:
        return _ZERO
    if unit is TimeUnit.CLOCK:
        return b.astimezone(UTC) - a.astimezone(UTC)
    cal = _need_cal(cal, unit)
    day_a, day_b = _local_date(a), _local_date(b)
    if unit is TimeUnit.WORKING_DAY:
        if day_a == day_b:
            return _diff(a, b) if cal.is_working_day(day_a) else _ZERO
        head = _diff(a, _day_start(day_a + _DAY)) if cal.is_working_day(day_a) else _ZERO
        tail = _diff(_day_start(day_b), b) if cal.is_working_day(day_b) else _ZERO
        middle = cal.working_days_after(day_a, day_b) - (1 if cal.is_working_day(day_b) else 0)
        return head + tail + middle * _DAY
    total = _ZERO
    d = day_a if cal.is_working_day(day_a) else cal.next_working_day(day_a)
    while d <= day_b:
        base = _day_start(d)
        for s, e in cal._spans(d, unit):
            lo = max(a, base + timedelta(seconds=s))
            hi = min(b, base + timedelta(seconds=e))
            if hi > lo:
                total += _diff(lo, hi)
        d = cal.next_working_day(d)
    return total


def _advance(t: datetime, amount: timedelta, cal: WorkCalendar | None, unit: TimeUnit) -> datetime:
    """The earliest instant ``x >= t`` with ``_measure(t, x) == amount`` (in Asia/Shanghai)."""
    t = t.astimezone(SHANGHAI)
    if amount <= _ZERO:
        return t
    if unit is TimeUnit.CLOCK:
        return (t.astimezone(UTC) + amount).astimezone(SHANGHAI)
    cal = _need_cal(cal, unit)
    d = t.date()
    if unit is TimeUnit.WORKING_DAY:
        if cal.is_working_day(d):
            head = _diff(t, _day_start(d + _DAY))
            if amount <= head:
                return _shanghai(t.astimezone(UTC) + amount)
            amount -= head
        full_days, rest = divmod(amount, _DAY)
        if rest == _ZERO:  # ends exactly at midnight after the last counted day
            return _day_start(cal.nth_working_day_after(d, full_days) + _DAY)
        return _shanghai(_day_start(cal.nth_working_day_after(d, full_days + 1)).astimezone(UTC) + rest)
    if not cal.is_working_day(d):
        d = cal.next_working_day(d)
    while True:
        base = _day_start(d)
        for s, e in cal._spans(d, unit):
            lo = max(t, base + timedelta(seconds=s))
            hi = base + timedelta(seconds=e)
            if hi <= lo:
                continue
            available = _diff(lo, hi)
            if amount <= available:
                return _shanghai(lo.astimezone(UTC) + amount)
            amount -= available
        d = cal.next_working_day(d)


def _merged_pauses(
    pauses: Iterable[Pause], *, start: datetime | None, now: datetime | None
) -> list[tuple[datetime, datetime]]:
    """Pauses as sorted, non-overlapping ``(start, end)`` intervals clipped to ``[start, now]``."""
    intervals: list[tuple[datetime, datetime]] = []
    for pause in pauses:
        if not isinstance(pause, Pause):
            raise TypeError(f"expected Pause, not {type(pause).__name__}")
        p_start, p_end = pause.start, pause.end
        if p_end is None:
            if now is None:
                raise ValueError("an open pause (end=None) needs now=")
            p_end = now
        if start is not None:
            p_start = max(p_start, start)
        if p_end > p_start:
            intervals.append((p_start.astimezone(SHANGHAI), p_end.astimezone(SHANGHAI)))
    intervals.sort()
    merged: list[tuple[datetime, datetime]] = []
    for p_start, p_end in intervals:
        if merged and p_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], p_end))
        else:
            merged.append((p_start, p_end))
    return merged


def _need_cal(cal: WorkCalendar | None, unit: TimeUnit) -> WorkCalendar:
    if cal is None:
        raise ValueError(f"unit {unit.value!r} needs a WorkCalendar")
    return cal


def _check_aware(name: str, value: object) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be timezone-aware (naive datetime given: {value.isoformat()})")


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")


def _plain_date(name: str, value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} takes dates, not {type(value).__name__}")
    return value


def _any_local_date(name: str, value: date | datetime) -> date:
    if isinstance(value, datetime):
        _check_aware(name, value)
        return _local_date(value)
    return _plain_date(name, value)


def _local_date(value: datetime) -> date:
    return value.astimezone(SHANGHAI).date()


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def _diff(a: datetime, b: datetime) -> timedelta:
    return b.astimezone(UTC) - a.astimezone(UTC)


def _shanghai(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


# ---------------------------------------------------------------------------------------------------
# Seeding the calendar


def seed_calendar(year: int) -> tuple[set[date], set[date], str]:
    """节假日初始数据: ``(holidays on weekdays, make-up working days, source)`` for one year.

    * Years that ``chinese_calendar`` knows (2004 up to the last State Council notice it ships): the
      notice's days off that fall on Monday-Friday and its make-up working days (调休), with source
      ``"chinese_calendar x.y: 国务院办公厅通知"``.
    * A later year (up to 2100) whose notice is not yet known: only the statutory days of the 全国年节及
      纪念日放假办法 as in force since 2025 that fall on Monday-Friday: 元旦 1 Jan; 春节 除夕 and 正月初一
      to 初三; 清明 (the solar term's day); 劳动节 1-2 May; 端午 (五月初五); 中秋 (八月十五); 国庆 1-3 Oct.
      Lunar dates and 清明 are computed astronomically (Meeus' new-moon series, the Sun's apparent
      longitude, Beijing time and the GB/T 33661-2017 rules for leap months). A date whose new moon or
      principal solar term lies too close to midnight for that precision is left out and named in the
      source, never guessed. No make-up working days are returned, and no 补休 for statutory days that
      fall on a weekend: both exist only once the annual notice is published. Source: ``PROVISIONAL_SOURCE``.
    * Earlier years, or years past 2100: ``ValueError``.

    The result only seeds the editable calendar: operators update it when the notice is published.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError("year must be an int")
    known = sorted({d.year for d in chinese_calendar_data.holidays})
    if known[0] <= year <= known[-1]:
        holidays = {d for d in chinese_calendar_data.holidays if d.year == year and d.weekday() < 5}
        makeup = {d for d in chinese_calendar_data.workdays if d.year == year}
        return holidays, makeup, f"chinese_calendar {chinese_calendar.__version__}: 国务院办公厅通知"
    if year < known[0] or year > 2100:
        raise ValueError(f"no holiday data for {year}: chinese_calendar covers {known[0]}-{known[-1]}")
    days = statutory_holidays(year)
    missing = [name for name, value in days.items() if value is None]
    holidays = {d for values in days.values() if values for d in values if d.weekday() < 5}
    source = PROVISIONAL_SOURCE
    if missing:
        source += f"; not computed: {', '.join(missing)}"
    return holidays, set(), source


def statutory_holidays(year: int) -> dict[str, list[date] | None]:
    """法定节假日: the statutory days of ``year`` by festival (rules in force since 2025).

    ``None`` marks a festival whose date could not be computed reliably. Weekends are included; no
    make-up days and no 补休 (those come from the annual notice).
    """
    lunar = _lunar_festivals(year)
    qingming = _solar_term_day(year, 15.0)
    new_year, dragon, autumn = lunar["春节"], lunar["端午节"], lunar["中秋节"]
    return {
        "元旦": [date(year, 1, 1)],
        "春节": [new_year - _DAY, new_year, new_year + _DAY, new_year + 2 * _DAY] if new_year else None,
        "清明节": [qingming] if qingming else None,
        "劳动节": [date(year, 5, 1), date(year, 5, 2)],
        "端午节": [dragon] if dragon else None,
        "中秋节": [autumn] if autumn else None,
        "国庆节": [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)],
    }


# --- astronomy (J. Meeus, Astronomical Algorithms, 2nd ed., ch. 25 and 49) -------------------------

_J2000: Final = 2451545.0
_UNIX_EPOCH_JD: Final = 2440587.5
_SOLAR_TERM_MARGIN: Final = timedelta(minutes=20)  # low-precision solar longitude: 0.01° ≈ 15 minutes


def _new_moon_margin(year: int) -> timedelta:
    """Error allowance for a new moon: the series' ~20 s plus the unknown future drift of ΔT."""
    return timedelta(seconds=120 + 5 * max(0, year - 2025))


def _delta_t(year: float) -> float:
    """ΔT = TT - UT in seconds (measured to 2025, then held at ~69 s; the margin covers the drift)."""
    table = ((2000, 63.8), (2005, 64.7), (2010, 66.1), (2015, 67.6), (2020, 69.4), (2025, 69.2))
    if year <= table[0][0]:
        return table[0][1]
    for (y0, v0), (y1, v1) in itertools.pairwise(table):
        if year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return table[-1][1]


def _sin(degrees: float) -> float:
    return math.sin(math.radians(degrees))


def _new_moon_jde(k: int) -> float:
    """Julian Ephemeris Day of true new moon number ``k`` (k = 0 near 2000-01-06), Meeus ch. 49."""
    t = k / 1236.85
    jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    om = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3
    # fmt: off
    terms = (  # (coefficient, power of e, argument)
        (-0.40720, 0, mp), (0.17241, 1, m), (0.01608, 0, 2 * mp), (0.01039, 0, 2 * f),
        (0.00739, 1, mp - m), (-0.00514, 1, mp + m), (0.00208, 2, 2 * m), (-0.00111, 0, mp - 2 * f),
        (-0.00057, 0, mp + 2 * f), (0.00056, 1, 2 * mp + m), (-0.00042, 0, 3 * mp),
        (0.00042, 1, m + 2 * f), (0.00038, 1, m - 2 * f), (-0.00024, 1, 2 * mp - m), (-0.00017, 0, om),
        (-0.00007, 0, mp + 2 * m), (0.00004, 0, 2 * mp - 2 * f), (0.00004, 0, 3 * m),
        (0.00003, 0, mp + m - 2 * f), (0.00003, 0, 2 * mp + 2 * f), (-0.00003, 0, mp + m + 2 * f),
        (0.00003, 0, mp - m + 2 * f), (-0.00002, 0, mp - m - 2 * f), (-0.00002, 0, 3 * mp + m),
        (0.00002, 0, 4 * mp),
    )
    jde += sum(coef * e**power * _sin(arg) for coef, power, arg in terms)
    planetary = (  # (argument, coefficient)
        (299.77 + 0.107408 * k - 0.009173 * t**2, 0.000325), (251.88 + 0.016321 * k, 0.000165),
        (251.83 + 26.651886 * k, 0.000164), (349.42 + 36.412478 * k, 0.000126),
        (84.66 + 18.206239 * k, 0.000110), (141.74 + 53.303771 * k, 0.000062),
        (207.14 + 2.453732 * k, 0.000060), (154.84 + 7.306860 * k, 0.000056),
        (34.52 + 27.261239 * k, 0.000047), (207.19 + 0.121824 * k, 0.000042),
        (291.34 + 1.844379 * k, 0.000040), (161.72 + 24.198154 * k, 0.000037),
        (239.56 + 25.513099 * k, 0.000035), (331.55 + 3.592518 * k, 0.000023),
    )
    # fmt: on
    return jde + sum(coef * _sin(arg) for arg, coef in planetary)


def _sun_longitude(jde: float) -> float:
    """The Sun's apparent ecliptic longitude in degrees (Meeus ch. 25, low precision, ~0.01°)."""
    t = (jde - _J2000) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t
    c = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * _sin(m)
        + (0.019993 - 0.000101 * t) * _sin(2 * m)
        + 0.000289 * _sin(3 * m)
    )
    omega = 125.04 - 1934.136 * t
    return (l0 + c - 0.00569 - 0.00478 * _sin(omega)) % 360


def _sun_reaches(longitude: float, jde_guess: float) -> float:
    """JDE at which the Sun's apparent longitude equals ``longitude``, near ``jde_guess``."""
    jde = jde_guess
    for _ in range(20):
        step = ((longitude - _sun_longitude(jde) + 180) % 360 - 180) * 365.2422 / 360
        jde += step
        if abs(step) < 1e-7:
            break
    return jde


def _jde_to_beijing(jde: float) -> datetime:
    year = 2000 + (jde - _J2000) / 365.25
    jd_ut = jde - _delta_t(year) / 86400
    return datetime.fromtimestamp((jd_ut - _UNIX_EPOCH_JD) * 86400, tz=UTC).astimezone(SHANGHAI)


def _jde_of(d: date) -> float:
    return d.toordinal() - date(2000, 1, 1).toordinal() + 2451544.5


def _possible_days(moment: datetime, margin: timedelta) -> tuple[date, ...]:
    """The local date of ``moment``, or both candidates when it lies within ``margin`` of midnight."""
    return tuple(sorted({(moment - margin).date(), (moment + margin).date()}))


def _solar_term_day(year: int, longitude: float) -> date | None:
    """The Beijing date on which the Sun reaches ``longitude`` in ``year``; None if too near midnight."""
    guess = _jde_of(date(year, 3, 20)) + ((longitude - 0) % 360) * 365.2422 / 360
    days = _possible_days(_jde_to_beijing(_sun_reaches(longitude, guess)), _SOLAR_TERM_MARGIN)
    return days[0] if len(days) == 1 else None


def _lunar_festivals(year: int) -> dict[str, date | None]:
    """正月初一, 五月初五 and 八月十五 of the lunar year that begins in ``year`` (None: not reliable).

    GB/T 33661-2017: months begin on the Beijing date of the new moon; the month holding the winter
    solstice is month 11; between two such months with 13 new moons the first month without a
    principal solar term (中气) is the leap month. Every new moon and 中气 within the error allowance of
    midnight is tried on both dates; a festival is returned only if all combinations agree.
    """
    nm_margin = _new_moon_margin(year)
    solstice_prev = _sun_reaches(270.0, _jde_of(date(year - 1, 12, 21)))
    solstice_this = _sun_reaches(270.0, _jde_of(date(year, 12, 21)))
    principal_terms = [_sun_reaches((270.0 + 30 * i) % 360, solstice_prev + 30.44 * i) for i in range(13)]
    k_first = round((solstice_prev - 2451550.09766) / 29.530588861) - 2
    k_last = round((solstice_this - 2451550.09766) / 29.530588861) + 2
    new_moons = [_jde_to_beijing(_new_moon_jde(k)) for k in range(k_first, k_last + 1)]
    moon_options = [_possible_days(m, nm_margin) for m in new_moons]
    term_options = [_possible_days(_jde_to_beijing(t), _SOLAR_TERM_MARGIN) for t in principal_terms]
    if sum(len(o) > 1 for o in moon_options + term_options) > 10:
        return {"春节": None, "端午节": None, "中秋节": None}
    results: dict[str, set[date]] = {"春节": set(), "端午节": set(), "中秋节": set()}
    for moon_days in itertools.product(*moon_options):
        for term_days in itertools.product(*term_options):
            first, fifth, eighth = _lunar_months(list(moon_days), list(term_days))
            results["春节"].add(first)
            results["端午节"].add(fifth + timedelta(days=4))
            results["中秋节"].add(eighth + timedelta(days=14))
    return {name: next(iter(found)) if len(found) == 1 else None for name, found in results.items()}


def _lunar_months(moon_days: list[date], term_days: list[date]) -> tuple[date, date, date]:
    """First days of months 1, 5 and 8 (not leap) from new-moon dates and the 13 中气 dates.

    ``term_days[0]`` and ``term_days[12]`` are the winter solstices that open and close the year.
    """
    solstice_prev, solstice_this = term_days[0], term_days[12]
    a = bisect.bisect_right(moon_days, solstice_prev) - 1  # month 11 holds the first solstice
    b = bisect.bisect_right(moon_days, solstice_this) - 1  # and the next month 11 the second
    leap = None
    if b - a == 13:
        for i in range(a, b):
            if not any(moon_days[i] <= t < moon_days[i + 1] for t in term_days):
                leap = i
                break
    starts: dict[int, date] = {}
    number = 11
    for i in range(a + 1, b):
        if i != leap:
            number = number % 12 + 1
            starts.setdefault(number, moon_days[i])
    return starts[1], starts[5], starts[8]
