"""Writes of 党务公开 (and 居务/财务公开) and of the study course catalogue."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.cases import images
from gongzhi.core.errors import InvalidTransition, ValidationFailed
from gongzhi.regions.choices import RegionLevel

from ..choices import CourseAudience, CourseKind, DisclosureCategory, DisclosureStatus
from ..models import Course, Disclosure, DisclosureAttachment, Enrolment, PartyOrganisation
from ..selectors.study import course_open_to
from .common import clean_files, clean_text, content_file, read_upload, require_level, require_placement

#: Largest course file (PDF or MP4 video).
COURSE_MAX_BYTES = 200 * 1024 * 1024


@transaction.atomic
def create_disclosure(
    *,
    actor,
    community,
    title: str,
    body: str,
    category: str = DisclosureCategory.PARTY,
    organisation: PartyOrganisation | None = None,
    attachments=(),
    publish: bool = False,
) -> Disclosure:
    """公开事项: a notice for the residents of a community, with PDF or photo attachments.

    Saved as a draft unless ``publish``; residents see only published notices of their own community.
    """
    require(actor, "party.manage_disclosure")
    require_level(community, RegionLevel.COMMUNITY, "community")
    require_placement(actor, community.path)
    if organisation is not None:
        require(actor, "party.manage_disclosure", organisation)
    if category not in DisclosureCategory.values:
        raise ValidationFailed({"category": _("Choose one of the allowed values.")})
    title = clean_text(title, field="title", max_length=100, required=True)
    body = clean_text(body, field="body", max_length=20000, required=True)
    cleaned = clean_files(attachments, field="attachments")
    disclosure = Disclosure.objects.create(
        community=community,
        organisation=organisation,
        region_path=community.path,
        category=category,
        title=title,
        body=body,
        created_by=actor,
    )
    for clean, name in cleaned:
        attachment = DisclosureAttachment(
            disclosure=disclosure,
            original_name=name,
            content_type=clean.content_type,
            size=len(clean.content),
        )
        attachment.file.save(*content_file(clean), save=False)
        attachment.save()
    record(
        actor=actor,
        action="party.create_disclosure",
        target=disclosure,
        data={"community": community.code, "category": category, "attachments": len(cleaned)},
    )
    if publish:
        disclosure = publish_disclosure(actor=actor, disclosure=disclosure)
    return disclosure


@transaction.atomic
def publish_disclosure(*, actor, disclosure: Disclosure) -> Disclosure:
    """发布: residents of the community can read it from now on (a repeat changes nothing)."""
    require(actor, "party.manage_disclosure", disclosure)
    if disclosure.status == DisclosureStatus.PUBLISHED:
        return disclosure
    now = timezone.now()
    changed = Disclosure.objects.filter(pk=disclosure.pk, status=DisclosureStatus.DRAFT).update(
        status=DisclosureStatus.PUBLISHED, published_at=now, updated_at=now
    )
    if changed != 1:
        raise InvalidTransition(
            _("A withdrawn notice cannot be published again."), code="party.disclosure_withdrawn"
        )
    disclosure.refresh_from_db()
    record(actor=actor, action="party.publish_disclosure", target=disclosure)
    return disclosure


@transaction.atomic
def withdraw_disclosure(*, actor, disclosure: Disclosure, reason: str = "") -> Disclosure:
    """撤回: the notice is no longer shown to residents (kept for the record)."""
    require(actor, "party.manage_disclosure", disclosure)
    if disclosure.status == DisclosureStatus.WITHDRAWN:
        return disclosure
    Disclosure.objects.filter(pk=disclosure.pk).update(
        status=DisclosureStatus.WITHDRAWN, updated_at=timezone.now()
    )
    disclosure.refresh_from_db()
    record(
        actor=actor,
        action="party.withdraw_disclosure",
        target=disclosure,
        reason=clean_text(reason, field="reason", max_length=200),
    )
    return disclosure


# --- study courses -------------------------------------------------------------------------------------


def _course_file(upload, kind: str) -> tuple[str, bytes, str]:
    """(extension, bytes, content type) of a course file: a PDF, or an MP4 video."""
    try:
        data, _name = read_upload(upload, limit=COURSE_MAX_BYTES)
    except images.FileRejected:
        raise ValidationFailed(
            {"file": _("The file is too large. Upload a file of at most 200 MB.")}
        ) from None
    if kind == CourseKind.VIDEO:
        if len(data) < 12 or data[4:8] != b"ftyp":
            raise ValidationFailed({"file": _("Upload the video as an MP4 file.")})
        return "mp4", data, "video/mp4"
    if kind == CourseKind.PDF:
        if not data.startswith(b"%PDF") or b"%%EOF" not in data[-2048:]:
            raise ValidationFailed({"file": _("Upload the document as a PDF file.")})
        return "pdf", data, "application/pdf"
    raise ValidationFailed({"file": _("A text course has no file; write the text instead.")})


@transaction.atomic
def create_course(
    *,
    actor,
    title: str,
    kind: str = CourseKind.TEXT,
    summary: str = "",
    body: str = "",
    upload=None,
    audience: str = CourseAudience.EVERYONE,
) -> Course:
    """上架课程: a text, PDF or video course for members and staff (理论学习, 数字素养)."""
    require(actor, "party.manage_courses")
    errors: dict = {}
    if kind not in CourseKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    if audience not in CourseAudience.values:
        errors["audience"] = _("Choose one of the allowed values.")
    if errors:
        raise ValidationFailed(errors)
    title = clean_text(title, field="title", max_length=100, required=True)
    summary = clean_text(summary, field="summary", max_length=200)
    body = clean_text(body, field="body", max_length=50000, required=kind == CourseKind.TEXT)
    if kind != CourseKind.TEXT and upload is None:
        raise ValidationFailed({"file": _("Upload the course file.")})
    course = Course(title=title, kind=kind, summary=summary, body=body, audience=audience, created_by=actor)
    if upload is not None:
        extension, data, content_type = _course_file(upload, kind)
        course.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        course.content_type = content_type
    course.save()
    record(
        actor=actor, action="party.create_course", target=course, data={"kind": kind, "audience": audience}
    )
    return course


@transaction.atomic
def set_course_active(*, actor, course: Course, is_active: bool) -> Course:
    """上架/下架 (a repeat changes nothing)."""
    require(actor, "party.manage_courses")
    if course.is_active == is_active:
        return course
    Course.objects.filter(pk=course.pk).update(is_active=is_active, updated_at=timezone.now())
    course.refresh_from_db()
    record(actor=actor, action="party.update_course", target=course, data={"is_active": is_active})
    return course


@transaction.atomic
def enrol(*, actor, course: Course) -> Enrolment:
    """选课: the user enrols in an active course meant for them (a repeat changes nothing)."""
    require(actor, "party.study")
    if not course.is_active or not course_open_to(actor, course):
        raise ValidationFailed({"course": _("This course is no longer offered.")})
    enrolment, created = Enrolment.objects.get_or_create(
        course=course, user=actor, defaults={"enrolled_at": timezone.now()}
    )
    if created:
        record(actor=actor, action="party.enrol", target=course)
    return enrolment


@transaction.atomic
def complete_course(*, actor, course: Course) -> Enrolment:
    """学完: mark the course completed (enrolling first if needed; a repeat changes nothing)."""
    enrolment = enrol(actor=actor, course=course) if course.is_active else None
    if enrolment is None:
        enrolment = Enrolment.objects.filter(course=course, user=actor).first()
        if enrolment is None:
            raise ValidationFailed({"course": _("This course is no longer offered.")})
    if enrolment.completed_at is not None:
        return enrolment
    Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(completed_at=timezone.now())
    enrolment.refresh_from_db()
    record(actor=actor, action="party.complete_course", target=course)
    return enrolment
