"""学习: a simple course catalogue (text, PDF or video) with enrolment and completion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

from ..choices import CourseAudience, CourseKind


class Course(TimeStampedModel):
    """课程: study material for members and staff (理论学习, 数字素养), uploaded by administrators."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CourseKind.choices, default=CourseKind.TEXT)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to="party/courses/%Y/%m/", blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=CourseAudience.choices, default=CourseAudience.EVERYONE
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """选课与完成: one user's enrolment in a course and when they completed it."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="uniq_enrolment")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course_id}"
