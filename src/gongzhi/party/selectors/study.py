"""Reads of the study catalogue: courses meant for the user, enrolments, a member's study record."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, require
from gongzhi.core.errors import NotFound

from ..choices import CourseAudience
from ..models import Course, Enrolment, Member


def _audiences(user) -> list[str]:
    audiences = [CourseAudience.EVERYONE]
    if Member.objects.filter(user_id=getattr(user, "pk", None), is_active=True).exists():
        audiences.append(CourseAudience.MEMBERS)
    if getattr(user, "is_staff", False) and not getattr(user, "is_system", False):
        audiences.append(CourseAudience.STAFF)
    return audiences


def course_open_to(user, course: Course) -> bool:
    """Whether a course is meant for the user (members, staff, or everyone); managers see all."""
    return has_perm(user, "party.manage_courses") or course.audience in _audiences(user)


def courses_for(user) -> QuerySet[Course]:
    """学习课程: active courses meant for the user, with whether they enrolled and completed."""
    require(user, "party.study")
    qs = (
        Course.objects.all()
        if has_perm(user, "party.manage_courses")
        else Course.objects.filter(is_active=True, audience__in=_audiences(user))
    )
    mine = Enrolment.objects.filter(course=OuterRef("pk"), user_id=user.pk)
    return qs.annotate(
        enrolled=Exists(mine), completed=Exists(mine.filter(completed_at__isnull=False))
    ).order_by("-created_at", "-pk")


def get_course(*, user, pk: int) -> Course:
    course = courses_for(user).filter(pk=pk).first()
    if course is None:
        raise NotFound(_("The course does not exist or you cannot view it."))
    return course


def my_enrolment(user, course: Course) -> Enrolment | None:
    return Enrolment.objects.filter(user_id=user.pk, course=course).first()


def study_record(member: Member) -> QuerySet[Enrolment]:
    """学习记录 of a member (their login's enrolments), newest first."""
    if member.user_id is None:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(user_id=member.user_id)
        .select_related("course")
        .order_by("-enrolled_at", "-pk")
    )
