"""积分: rules configured by the committees and the ledger of entries, each traceable to its event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import PointsEvent, PointsSource


class PointsRule(TimeStampedModel):
    """积分规则: how many points an event scores in an organisation's subtree.

    A rule of a committee applies to its whole subtree; the nearest organisation's active rule wins, and
    a rule without an organisation is the district-wide default.
    """

    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_rules",
    )
    event = models.CharField(_("event"), max_length=20, choices=PointsEvent.choices)
    name = models.CharField(_("name"), max_length=60)
    points = models.IntegerField(_("points"))
    is_active = models.BooleanField(_("active"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["organisation_id", "event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "event"], condition=Q(is_active=True), name="one_active_rule_per_org"
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_active=True, organisation__isnull=True),
                name="one_active_default_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class PointsEntry(RegionScopedModel):
    """积分明细: points one member earned for one event (``source_type`` + ``source_id``).

    The unique key (member, source, rule) makes every award idempotent: the same event never scores
    twice, however often the service is called or retried.
    """

    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="points_entries"
    )
    rule = models.ForeignKey(
        PointsRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="entries"
    )
    points = models.IntegerField(_("points"))
    source_type = models.CharField(_("source"), max_length=12, choices=PointsSource.choices)
    source_id = models.PositiveBigIntegerField(_("source id"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    awarded_at = models.DateTimeField(_("awarded at"), db_index=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-awarded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "source_type", "source_id", "rule"], name="uniq_points_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "awarded_at"], name="party_points_member_idx"),
            models.Index(fields=["region_path", "awarded_at"], name="party_points_region_idx"),
            models.Index(fields=["member", "source_type", "source_id"], name="party_points_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} +{self.points}"
