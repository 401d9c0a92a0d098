"""Reads of 组织生活: activities in the user's area, a member's activities, the month calendar."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import NotFound

from ..choices import ActivityKind
from ..models import Activity, ActivityParticipation, ActivityPhoto, Member
from .reach import member_reach_paths


def _counted(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.annotate(
        signed_up=Count(
            "participations", filter=Q(participations__signed_up_at__isnull=False), distinct=True
        ),
        checked_in=Count(
            "participations", filter=Q(participations__checked_in_at__isnull=False), distinct=True
        ),
    )


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in the local time zone."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz),
    )


def activities_visible_to(
    user, *, start: date | None = None, end: date | None = None, kind: str = ""
) -> QuerySet[Activity]:
    """活动 of the organisations in the user's area, newest first, with sign-up and check-in counts."""
    require(user, "party.view_organisation")
    qs = Activity.objects.in_scope(scope_of(user)).select_related("organisation")
    if start and end:
        low, high = day_bounds(start, end)
        qs = qs.filter(starts_at__gte=low, starts_at__lt=high)
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    return _counted(qs).order_by("-starts_at", "-pk")


def get_activity(*, user, pk: int) -> Activity:
    activity = activities_visible_to(user).filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("The activity does not exist or you cannot view it."))
    return activity


def activities_for_member(member: Member, *, upcoming_only: bool = False) -> QuerySet[Activity]:
    """A member's activities: those of their organisation and its higher organisations, and volunteer
    services in the communities they live in or are registered with (the rule of ``services.may_join``)."""
    codes = [c for c in member.organisation.tree_path.split("/") if c]
    q = Q(organisation__code__in=codes)
    volunteer = Q()
    for path in member_reach_paths(member):
        volunteer |= Q(region_path__prefix=path)
    if volunteer:
        q |= Q(kind=ActivityKind.VOLUNTEER) & volunteer
    qs = Activity.objects.filter(q).select_related("organisation")
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now() - timedelta(hours=12))
    return _counted(qs).order_by("starts_at" if upcoming_only else "-starts_at", "pk")


def get_member_activity(*, member: Member, pk: int) -> Activity:
    activity = activities_for_member(member).filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("The activity does not exist or you cannot view it."))
    return activity


def participations(activity: Activity) -> QuerySet[ActivityParticipation]:
    return (
        ActivityParticipation.objects.filter(activity=activity)
        .select_related("member")
        .order_by("checked_in_at", "member__name", "pk")
    )


def my_participation(member: Member, activity: Activity) -> ActivityParticipation | None:
    return ActivityParticipation.objects.filter(member=member, activity=activity).first()


def member_activity_record(member: Member) -> QuerySet[ActivityParticipation]:
    """活动记录: the activities a member attended, newest first."""
    return (
        ActivityParticipation.objects.filter(member=member, checked_in_at__isnull=False)
        .select_related("activity__organisation")
        .order_by("-activity__starts_at", "-pk")
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    activities: list


def month_calendar(activities, year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month with each day's activities (a formatting helper, no queries)."""
    by_day: dict[date, list] = {}
    for activity in activities:
        by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                CalendarDay(d, d.month == month, sorted(by_day.get(d, []), key=lambda a: a.starts_at))
                for d in week
            ]
        )
    return weeks


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def activity_photos(activity: Activity) -> QuerySet[ActivityPhoto]:
    return ActivityPhoto.objects.filter(activity=activity).order_by("pk")


def get_activity_photo(*, activity: Activity, pk: int) -> ActivityPhoto:
    photo = activity_photos(activity).filter(pk=pk).first()
    if photo is None:
        raise NotFound(_("The file does not exist or you cannot view it."))
    return photo
