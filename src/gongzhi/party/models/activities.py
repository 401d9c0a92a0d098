"""组织生活: standard meetings, party days and volunteer service, with sign-up, check-in, minutes, photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import ActivityKind, ActivityStatus


class Activity(RegionScopedModel, TimeStampedModel):
    """活动: one meeting, party day or volunteer service of an organisation, on the calendar.

    Members check in with the six-digit ``checkin_code`` shown at the venue; ``minutes`` are the record
    written afterwards.
    """

    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("place"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=6)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PLANNED,
        db_index=True,
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["region_path", "starts_at"], name="party_activity_region_idx")]

    def __str__(self) -> str:
        return self.title


class ActivityParticipation(models.Model):
    """报名与签到: a member's sign-up for an activity and check-in (by code, or recorded by the organiser)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="participations"
    )
    signed_up_at = models.DateTimeField(_("signed up at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by_code = models.BooleanField(_("checked in with the code"), default=False)

    class Meta:
        verbose_name = _("activity participation")
        verbose_name_plural = _("activity participations")
        ordering = ["activity_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="uniq_activity_member")]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.member_id}"


class ActivityPhoto(models.Model):
    """活动照片 (re-encoded without EXIF)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to="party/activities/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity_id", "pk"]

    def __str__(self) -> str:
        return self.caption or self.file.name
