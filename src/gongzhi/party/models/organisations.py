"""党组织 and their officers (班子成员) with terms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import OrganisationKind, Position, Sector


class PartyOrganisation(RegionScopedModel, TimeStampedModel):
    """党组织: a committee, general branch, branch or group, built on a region node or in a unit.

    ``region`` is the node it is built on (支部建在网格上: a grid branch sits on its grid; the community
    committee on its community; a unit's branch on the unit's grid or the district). ``region_path`` is
    copied from it (for a unit's organisation: from its higher organisation, which leads it), so the one
    scoping function applies. ``tree_path`` is the chain of codes from the
    root (``DW110199001001/ZB110199001001001/``) and selects a whole subtree with one prefix test.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, default=Sector.REGION)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    tree_path = models.CharField(_("tree path"), max_length=400, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region node"),
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    unit = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("government unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["tree_path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="committee") | Q(parent__isnull=False), name="party_org_needs_parent"
            ),
        ]
        indexes = [models.Index(fields=["region", "kind", "is_active"], name="party_org_region_kind_idx")]

    def __str__(self) -> str:
        return self.name


class Officer(TimeStampedModel):
    """班子成员: a member holding a post (secretary, deputy, committee member) in one term.

    ``left_on`` empty means the post is held now; at most one current secretary per organisation.
    """

    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="officers",
    )
    member = models.ForeignKey(
        "party.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="posts"
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends (planned)"), null=True, blank=True)
    left_on = models.DateField(_("left the post on"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["organisation_id", "position", "-term_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(position="secretary", left_on__isnull=True),
                name="one_current_secretary",
            ),
            models.UniqueConstraint(
                fields=["organisation", "member", "position"],
                condition=Q(left_on__isnull=True),
                name="uniq_current_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_position_display()}"
