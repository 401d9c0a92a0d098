"""Insights (驾驶舱/分析研判): early warnings, proactive cases from hotspots, the problem of the month."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel

from .choices import AlertKind, AlertStatus, ProblemStatus


class Alert(RegionScopedModel):
    """预警: one situation the scan flagged (a category surge, repeated complaints from one place, many
    reopened cases of one department), with the statistic that flagged it and the cases behind it.

    ``dedupe_key`` names the situation; while an alert is open or acknowledged, later scans update it
    instead of raising a second one. Department alerts are also visible to that department's staff.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    dedupe_key = models.CharField(_("situation key"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    observed = models.FloatField(_("observed count"), default=0)
    expected = models.FloatField(_("baseline mean"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    rate = models.FloatField(_("rate"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    last_seen_at = models.DateTimeField(_("last flagged at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), through="AlertCase", related_name="+", blank=True
    )

    scope_department_fields = ("department",)

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="one_active_alert_per_situation",
            ),
        ]
        indexes = [models.Index(fields=["status", "raised_at"], name="insights_alert_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.place}".strip()


class AlertCase(models.Model):
    """A case behind an alert (added when a scan first saw it in the flagged situation)."""

    alert = models.ForeignKey(Alert, verbose_name=_("early warning"), on_delete=models.CASCADE)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("case behind a warning")
        verbose_name_plural = _("cases behind warnings")
        ordering = ["alert_id", "case_id"]
        constraints = [models.UniqueConstraint(fields=["alert", "case"], name="uniq_alert_case")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.case_id}"


class ProactiveCase(RegionScopedModel):
    """未诉先办: the proactive case a leader made from a hotspot; one per hotspot (``hotspot_key``)."""

    hotspot_key = models.CharField(_("hotspot key"), max_length=100, unique=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("proactive case"), on_delete=models.PROTECT, related_name="+"
    )
    member_ids = models.JSONField(_("cases in the hotspot"), default=list)
    summary = models.CharField(_("summary"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proactive case from a hotspot")
        verbose_name_plural = _("proactive cases from hotspots")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class HotspotSnapshot(RegionScopedModel):
    """热点快照: the hotspot list of one street or district for a window, computed by a periodic job so
    that the page does not group thousands of cases while a leader waits. A derived cache, not a record."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("window (days)"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("computation time (s)"), default=0)
    case_count = models.PositiveIntegerField(_("cases considered"), default=0)
    hotspots = models.JSONField(_("hotspots"), default=list)

    class Meta:
        verbose_name = _("hotspot snapshot")
        verbose_name_plural = _("hotspot snapshots")
        ordering = ["region_path", "days"]
        constraints = [models.UniqueConstraint(fields=["region", "days"], name="uniq_hotspot_snapshot")]

    def __str__(self) -> str:
        return f"{self.region_path} {self.days}d @ {self.computed_at:%Y-%m-%d %H:%M}"


class MonthlyProblem(RegionScopedModel):
    """每月一题: the problem a street's or district's leaders chose to solve this month, with its source
    cases (a hotspot's members or a category's cases) and the lead department."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source_case_ids = models.JSONField(_("source cases"), default=list, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    note = models.TextField(_("progress note"), blank=True)

    class Meta:
        verbose_name = _("problem of the month")
        verbose_name_plural = _("problems of the month")
        ordering = ["-month", "region_path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month"],
                condition=~Q(status="cancelled"),
                name="one_problem_per_region_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"
