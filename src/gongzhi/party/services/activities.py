"""Writes of 组织生活: plan activities, sign up, check in by code, attendance, minutes and photos."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from ..choices import ActivityKind, ActivityStatus, PointsSource
from ..models import Activity, ActivityParticipation, ActivityPhoto, Member, PartyOrganisation
from ..selectors.reach import member_reach_paths
from .common import acting_member, clean_files, clean_text, content_file
from .points import award_points

#: Check-in opens this long before the start and closes this long after the end.
CHECK_IN_OPENS = timedelta(hours=1)
CHECK_IN_CLOSES = timedelta(hours=12)
#: Wrong check-in codes a member may type for one activity per hour.
MAX_CODE_ATTEMPTS = 8


def new_checkin_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@transaction.atomic
def create_activity(
    *,
    actor,
    organisation: PartyOrganisation,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    location: str = "",
    capacity: int | None = None,
) -> Activity:
    """计划活动: a standard meeting, party day or volunteer service of an organisation in the actor's area."""
    require(actor, "party.manage_activity", organisation)
    errors: dict = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    title = (title or "").strip()
    if not title or len(title) > 100:
        errors["title"] = _("Enter a title of at most 100 characters.")
    if starts_at is None or ends_at is None:
        errors["starts_at"] = _("Enter when the activity starts and ends.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The activity must end after it starts.")
    if capacity is not None and (isinstance(capacity, bool) or not 1 <= capacity <= 10000):
        errors["capacity"] = _("Enter a number of places from 1 to 10000, or leave it empty.")
    if errors:
        raise ValidationFailed(errors)
    activity = Activity.objects.create(
        organisation=organisation,
        region_path=organisation.region_path,
        kind=kind,
        title=title,
        description=clean_text(description, field="description", max_length=2000),
        location=clean_text(location, field="location", max_length=120),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        checkin_code=new_checkin_code(),
        created_by=actor,
    )
    record(
        actor=actor,
        action="party.create_activity",
        target=activity,
        data={"organisation": organisation.pk, "kind": kind, "starts_at": starts_at},
    )
    return activity


@transaction.atomic
def record_minutes(*, actor, activity: Activity, minutes: str) -> Activity:
    """会议记录: write the minutes; the activity counts as held from then on."""
    require(actor, "party.manage_activity", activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise InvalidTransition(_("This activity was cancelled."), code="party.activity_cancelled")
    minutes = clean_text(minutes, field="minutes", max_length=10000, required=True)
    old = activity.status
    Activity.objects.filter(pk=activity.pk).update(
        minutes=minutes, status=ActivityStatus.HELD, updated_at=timezone.now()
    )
    activity.refresh_from_db()
    record(actor=actor, action="party.update_activity", target=activity, data={"minutes": True, "from": old})
    return activity


@transaction.atomic
def cancel_activity(*, actor, activity: Activity, reason: str = "") -> Activity:
    """取消活动 (only before it is held; a repeat changes nothing)."""
    require(actor, "party.manage_activity", activity)
    if activity.status == ActivityStatus.CANCELLED:
        return activity
    changed = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.PLANNED).update(
        status=ActivityStatus.CANCELLED, updated_at=timezone.now()
    )
    if changed != 1:
        raise InvalidTransition(_("A held activity cannot be cancelled."), code="party.activity_held")
    activity.refresh_from_db()
    record(
        actor=actor, action="party.update_activity", target=activity, data={"cancelled": True}, reason=reason
    )
    return activity


def may_join(member: Member, activity: Activity) -> bool:
    """A member joins the activities of their organisation and its higher organisations, and volunteer
    services in the communities they live in or are registered with."""
    if member.organisation.tree_path.startswith(activity.organisation.tree_path):
        return True
    if activity.kind == ActivityKind.VOLUNTEER:
        return any(activity.region_path.startswith(p) for p in member_reach_paths(member))
    return False


def _participation(activity: Activity, member: Member) -> ActivityParticipation:
    row = ActivityParticipation.objects.select_for_update().filter(activity=activity, member=member).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return ActivityParticipation.objects.create(activity=activity, member=member)
    except IntegrityError:
        return ActivityParticipation.objects.select_for_update().get(activity=activity, member=member)


@transaction.atomic
def sign_up(*, actor, activity: Activity) -> ActivityParticipation:
    """报名: a member signs up for a planned activity (a repeat changes nothing)."""
    require(actor, "party.join_activity")
    member = acting_member(actor)
    if not may_join(member, activity):
        raise PermissionDenied(_("This activity is not open to you."), code="party.activity_not_open")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.PLANNED:
        raise InvalidTransition(_("Sign-up for this activity has closed."), code="party.activity_closed")
    row = _participation(activity, member)
    if row.signed_up_at is not None:
        return row
    if activity.capacity is not None:
        taken = ActivityParticipation.objects.filter(activity=activity, signed_up_at__isnull=False).count()
        if taken >= activity.capacity:
            raise InvalidTransition(_("All places of this activity are taken."), code="party.activity_full")
    ActivityParticipation.objects.filter(pk=row.pk).update(signed_up_at=timezone.now())
    row.refresh_from_db()
    record(actor=actor, action="party.sign_up", target=activity, data={"member": member.pk})
    return row


def _attempts_key(member: Member, activity: Activity) -> str:
    return f"party:checkin:{activity.pk}:{member.pk}"


@transaction.atomic
def check_in(*, actor, activity: Activity, code: str) -> ActivityParticipation:
    """签到: a member checks in with the code shown at the venue; attending scores points once.

    Check-in is open from an hour before the start until twelve hours after the end. Too many wrong
    codes lock the member out of that activity's check-in for an hour.
    """
    require(actor, "party.join_activity")
    member = acting_member(actor)
    if not may_join(member, activity):
        raise PermissionDenied(_("This activity is not open to you."), code="party.activity_not_open")
    now = timezone.now()
    if activity.status == ActivityStatus.CANCELLED:
        raise InvalidTransition(_("This activity was cancelled."), code="party.activity_cancelled")
    if not activity.starts_at - CHECK_IN_OPENS <= now <= activity.ends_at + CHECK_IN_CLOSES:
        raise InvalidTransition(
            _("Check-in is open only around the time of the activity."), code="party.checkin_closed"
        )
    key = _attempts_key(member, activity)
    if cache.get(key, 0) >= MAX_CODE_ATTEMPTS:
        raise PermissionDenied(
            _("Too many attempts. Please wait a while and try again."), code="party.checkin_locked"
        )
    if not secrets.compare_digest((code or "").strip(), activity.checkin_code):
        cache.set(key, cache.get(key, 0) + 1, 3600)
        raise ValidationFailed({"code": _("The check-in code is wrong. Check it with the organiser.")})
    row = _participation(activity, member)
    if row.checked_in_at is None:
        ActivityParticipation.objects.filter(pk=row.pk).update(checked_in_at=now, checked_in_by_code=True)
        row.refresh_from_db()
        record(actor=actor, action="party.check_in", target=activity, data={"member": member.pk})
    award_points(actor=actor, member=member, source_type=PointsSource.ACTIVITY, source_id=activity.pk)
    return row


@transaction.atomic
def record_attendance(*, actor, activity: Activity, members: Iterable[Member]) -> int:
    """补录签到: the organiser records who attended (members without a phone); each scores points once.

    Returns how many members were newly recorded.
    """
    require(actor, "party.manage_activity", activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise InvalidTransition(_("This activity was cancelled."), code="party.activity_cancelled")
    if activity.starts_at - CHECK_IN_OPENS > timezone.now():
        raise InvalidTransition(_("Attendance can be recorded once the activity has started."))
    added = 0
    for member in members:
        if not may_join(member, activity):
            raise ValidationFailed(
                {"members": _("%(name)s does not belong to this activity.") % {"name": member.name}}
            )
        row = _participation(activity, member)
        if row.checked_in_at is None:
            ActivityParticipation.objects.filter(pk=row.pk).update(checked_in_at=timezone.now())
            added += 1
        award_points(actor=actor, member=member, source_type=PointsSource.ACTIVITY, source_id=activity.pk)
    if added:
        record(actor=actor, action="party.record_attendance", target=activity, data={"added": added})
    return added


@transaction.atomic
def add_activity_photos(*, actor, activity: Activity, photos, caption: str = "") -> list[ActivityPhoto]:
    """活动照片: photos of the activity (re-encoded without EXIF)."""
    require(actor, "party.manage_activity", activity)
    caption = clean_text(caption, field="caption", max_length=120)
    cleaned = clean_files(photos, field="photos", photos_only=True)
    if not cleaned:
        raise ValidationFailed({"photos": _("Choose at least one photo.")})
    stored = []
    for clean, _name in cleaned:
        photo = ActivityPhoto(
            activity=activity, content_type=clean.content_type, caption=caption, uploaded_by=actor
        )
        photo.file.save(*content_file(clean), save=False)
        photo.save()
        stored.append(photo)
    record(actor=actor, action="party.add_activity_photo", target=activity, data={"photos": len(stored)})
    return stored
