"""双报到, community service tasks, 党员联户 with visits, and members helping with cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import ClaimStatus, HelpStatus, RegistrationKind, RegistrationStatus, TaskStatus, VisitFollowUp

_LIVE = Q(status__in=["pending", "approved"])


class DualRegistration(RegionScopedModel, TimeStampedModel):
    """双报到: an in-service member (or their unit's party organisation) registers at a community.

    The community party committee approves it; an approved member may claim the community's service
    tasks. ``region_path`` is the community's, so the community sees who registered with it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=RegistrationKind.choices)
    member = models.ForeignKey(
        "party.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    unit = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("unit's party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_registrations",
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        db_index=True,
    )
    offer = models.CharField(_("skills and services offered"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dual registration")
        verbose_name_plural = _("dual registrations")
        ordering = ["-applied_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="member", member__isnull=False, unit__isnull=True))
                | Q(kind="unit", unit__isnull=False, member__isnull=True),
                name="registration_member_or_unit",
            ),
            models.UniqueConstraint(
                fields=["member", "community"], condition=_LIVE, name="one_live_member_registration"
            ),
            models.UniqueConstraint(
                fields=["unit", "community"], condition=_LIVE, name="one_live_unit_registration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit} → {self.community}"


class ServiceTask(RegionScopedModel, TimeStampedModel):
    """服务需求/任务: a task the community posts for registered members (claim, do, confirm)."""

    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("place"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    hours = models.DecimalField(_("hours per person"), max_digits=5, decimal_places=1, default=2)
    slots = models.PositiveSmallIntegerField(_("places"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service task")
        verbose_name_plural = _("service tasks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TaskClaim(RegionScopedModel, TimeStampedModel):
    """认领: a member claims a service task, reports it done with hours, and the community confirms it.

    The confirmed hours and the community's ``feedback`` go back to the member's own unit.
    """

    task = models.ForeignKey(
        ServiceTask, verbose_name=_("service task"), on_delete=models.CASCADE, related_name="claims"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="task_claims"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED, db_index=True
    )
    claimed_at = models.DateTimeField(_("claimed at"))
    done_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    hours = models.DecimalField(_("service hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    member_note = models.CharField(_("member's note"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback = models.CharField(_("feedback to the member's unit"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("task claim")
        verbose_name_plural = _("task claims")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "member"], condition=~Q(status="cancelled"), name="one_live_claim_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.member}"


class HouseholdLink(RegionScopedModel, TimeStampedModel):
    """党员联户: a member looks after a household in their grid (visits, needs, help)."""

    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="household_links"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="party_links"
    )
    linked_on = models.DateField(_("linked on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("member–household link")
        verbose_name_plural = _("member–household links")
        ordering = ["member_id", "household_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "household"],
                condition=Q(ended_on__isnull=True),
                name="one_live_household_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.household}"


class Visit(RegionScopedModel):
    """走访: a member's visit to a linked household; needs found may become a case or a micro-wish."""

    link = models.ForeignKey(
        HouseholdLink, verbose_name=_("household link"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("what was seen"), blank=True)
    needs = models.TextField(_("needs found"), blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=10, choices=VisitFollowUp.choices, default=VisitFollowUp.NONE
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case filed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    wish = models.ForeignKey(
        "party.Wish",
        verbose_name=_("micro-wish posted"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.link} @ {self.visited_on}"


class CaseHelp(RegionScopedModel):
    """党员参与办理: a branch assigns a member to help with a case; the contribution scores points."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="party_help"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="case_help"
    )
    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("assigning organisation"),
        on_delete=models.PROTECT,
        related_name="case_help",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=HelpStatus.choices, default=HelpStatus.ASSIGNED, db_index=True
    )
    task_note = models.CharField(_("what to help with"), max_length=300, blank=True)
    contribution = models.TextField(_("contribution"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case help")
        verbose_name_plural = _("case help")
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "member"], condition=~Q(status="cancelled"), name="one_live_case_help"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.member}"
