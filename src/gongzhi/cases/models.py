"""Cases (诉求/工单): the 接诉即办 closed loop — categories, duty list, calendar, cases, steps, summons."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from .choices import (
    AssignmentRole,
    AttachmentKind,
    CalendarDayKind,
    CaseStatus,
    Channel,
    ExtensionStatus,
    FollowUpMethod,
    PauseKind,
    Rating,
    Urgency,
    WarningLevel,
)


class Category(TimeStampedModel):
    """事项分类: a node of the 3-level category tree, with its default deadlines."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=200, db_index=True)
    full_name = models.CharField(_("full name"), max_length=300)
    keywords = models.TextField(_("keywords"), blank=True)
    sign_hours = models.PositiveIntegerField(_("sign within (hours)"), null=True, blank=True)
    contact_hours = models.PositiveIntegerField(_("contact reporter within (hours)"), null=True, blank=True)
    resolve_days = models.PositiveIntegerField(_("resolve within (working days)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name_in_parent"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="category_level_1_3"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name


class DutyRule(TimeStampedModel):
    """职责清单条目: category [+ region subtree] → lead department [+ assisting], most specific wins."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="duty_rules"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_rules",
    )
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="lead_rules",
    )
    assisting_departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("assisting departments"),
        blank=True,
        related_name="assist_rules",
    )
    sign_hours = models.PositiveIntegerField(_("sign within (hours)"), null=True, blank=True)
    contact_hours = models.PositiveIntegerField(_("contact reporter within (hours)"), null=True, blank=True)
    resolve_days = models.PositiveIntegerField(_("resolve within (working days)"), null=True, blank=True)
    auto_dispatch = models.BooleanField(_("dispatch automatically"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty rule")
        verbose_name_plural = _("duty rules")
        ordering = ["category__path", "region__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region"], condition=Q(is_active=True), name="uniq_active_duty_rule"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(is_active=True, region__isnull=True),
                name="uniq_active_duty_rule_districtwide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead_department}"


class CalendarDay(models.Model):
    """工作日历例外: a weekday holiday or a weekend make-up working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CaseNumberSequence(models.Model):
    """Per-day counter behind readable case numbers (GZ202611210001); numbers are never reused."""

    day = models.DateField(_("day"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Case(RegionScopedModel):
    """诉求/工单: one resident problem, owned by exactly one unit at each moment, tracked to a rated fix."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_category_received_idx starts with it
    )
    category_certain = models.BooleanField(_("category confirmed"), default=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.PENDING_ACCEPT,
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    street = models.ForeignKey(
        "regions.Region",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_cases",
    )

    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=60, blank=True)
    reporter_phone = EncryptedTextField(
        _("reporter phone"), aad="cases.Case.reporter_phone", blank=True, default=""
    )
    reporter_phone_index = models.CharField(
        _("reporter phone blind index"), max_length=64, blank=True, default=""
    )
    reporter_phone_tail = models.CharField(
        _("reporter phone last 4 digits"), max_length=4, blank=True, default=""
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    confidential = models.BooleanField(_("keep identity confidential"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_cases",
    )

    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True, default="")

    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
        db_index=False,  # case_dept_status_received_idx starts with it
    )
    duty_rule = models.ForeignKey(
        DutyRule,
        verbose_name=_("duty rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    master = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)

    received_at = models.DateTimeField(_("received at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("sign due"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    contact_due_at = models.DateTimeField(_("contact due"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted reporter at"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("deadline paused since"), null=True, blank=True)

    warning_level = models.CharField(
        _("warning"), max_length=10, choices=WarningLevel.choices, default=WarningLevel.NORMAL
    )
    warn_at = models.DateTimeField(_("next warning check"), null=True, blank=True)

    reply = models.TextField(_("reply to the resident"), blank=True)
    rating = models.CharField(_("rating"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    follow_up_method = models.CharField(
        _("follow-up method"), max_length=10, choices=FollowUpMethod.choices, blank=True
    )
    resolved_in_fact = models.BooleanField(_("problem actually solved"), null=True, blank=True)
    party_involved = models.BooleanField(_("party organisation involved"), default=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_department_fields = ("department", "assignments__department")
    scope_owner_field = "reporter_user"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_case_idempotency_key",
            ),
        ]
        # Every index costs each insert and each status change (a new row version in every index): no
        # single-column index where a composite one starts with the column (migration 0005), unless a
        # planner measurably needs it (status, below).
        indexes = [
            # the case list (selectors.filter_cases, newest first): one ordered index per selective filter;
            # the columns after received_at let SQLite test the other list filters on the index entry
            # while it walks the index in list order, without reading the case row (migration 0004)
            models.Index(
                fields=["status", "received_at", "category", "region_path"],
                name="case_status_received_cov_idx",
            ),
            models.Index(
                fields=["department", "status", "received_at"], name="case_dept_status_received_idx"
            ),
            models.Index(
                fields=["department", "received_at", "category", "status", "region_path"],
                name="case_dept_received_cov_idx",
            ),
            models.Index(fields=["category", "received_at"], name="case_category_received_idx"),
            models.Index(fields=["region_path", "received_at"], name="case_region_received_idx"),
            models.Index(fields=["warn_at"], name="case_warn_at_idx", condition=Q(warn_at__isnull=False)),
            # look-up by phone (equality on the blind index only: no pattern index as db_index adds)
            models.Index(fields=["reporter_phone_index"], name="case_phone_index_idx"),
            # status IN (…) in the list: SQLite searches this index and sorts the few open cases; with only
            # case_status_received_cov_idx it walks received_at instead (0.4–1 s at 1,000,000 cases)
            models.Index(fields=["status"], name="case_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseAssignment(models.Model):
    """A department's part in a case (lead or assisting) during one handling round."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assignments"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="case_assignments",
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    assigned_at = models.DateTimeField(_("assigned at"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        ordering = ["case_id", "round", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_active=True, role="lead"), name="one_active_lead_per_case"
            ),
        ]
        indexes = [models.Index(fields=["department", "is_active"], name="case_assignment_dept_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department} {self.role}"


class CaseStep(models.Model):
    """办理过程: one event on a case's timeline — who (role, unit), when, what, why."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_role = models.CharField(_("actor role"), max_length=60, blank=True)
    actor_unit = models.CharField(
        _("actor's place of work"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "For staff who work for a place rather than a department (street, community or grid staff): the "
            "name of that place when they acted."
        ),
    )
    actor_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("actor unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # case_step_dept_action_idx starts with it
    )
    at = models.DateTimeField(_("time"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=24, blank=True)
    region_path = models.CharField(_("region path"), max_length=120, blank=True, default="")

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case_id", "at", "pk"]
        # (action, at) queries use case_step_rates_idx, which starts with both (migration 0005)
        indexes = [
            models.Index(fields=["department", "action", "at"], name="case_step_dept_action_idx"),
            models.Index(fields=["region_path", "action", "at"], name="case_step_region_action_idx"),
            # rates.py: covers the monthly hand-over/sign/resolve counts (index-only) and the rate steps
            models.Index(
                fields=["action", "at", "department", "on_time", "region_path"], name="case_step_rates_idx"
            ),
            models.Index(fields=["at"], condition=Q(action="rate"), name="case_step_rate_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Attachment(models.Model):
    """A photo or document on a case (images re-encoded, EXIF removed)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    step = models.ForeignKey(
        CaseStep,
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.REPORT
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def get_absolute_url(self) -> str:
        """Where the file is read: through the scope check of ``selectors.get_attachment`` (signed-in
        staff and the reporter, by session or token); uploads are never served from ``MEDIA_URL``."""
        from django.urls import reverse

        return reverse("api:cases_attachment", kwargs={"case_id": self.case_id, "attachment_id": self.pk})


class CasePause(models.Model):
    """A deadline pause while a return or an extension request is pending."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="pauses")
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline pause")
        verbose_name_plural = _("deadline pauses")
        ordering = ["case_id", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ExtensionRequest(models.Model):
    """延期申请: the department asks for more working days; the dispatcher approves or denies."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extensions"
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["case_id", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class Summon(models.Model):
    """吹哨: a street or community summons several departments to one case."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="summons")
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("summoned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("summoning region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("summoned at"))
    report_due_at = models.DateTimeField(_("report-in due"))
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["case_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.at:%Y-%m-%d}"


class SummonResponse(models.Model):
    """报到: one summoned department's report-in (who came and when)."""

    summon = models.ForeignKey(
        Summon, verbose_name=_("summons"), on_delete=models.CASCADE, related_name="responses"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("report-in")
        verbose_name_plural = _("report-ins")
        ordering = ["summon_id", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["summon", "department"], name="uniq_summon_department")
        ]

    def __str__(self) -> str:
        return f"{self.summon_id} {self.department}"


class Notification(models.Model):
    """An in-app notice to one user about a case (SMS goes through the pluggable sender)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=120, blank=True, default="")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="uniq_notification_dedupe",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.message
