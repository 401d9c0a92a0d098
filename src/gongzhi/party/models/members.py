"""党员: members (full, probationary, activists), mobile and in-service members, transfers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.models import RegionScopedModel, TimeStampedModel
from gongzhi.people.choices import ChangeSource

from ..choices import Gender, MemberStatus


class Member(RegionScopedModel, TimeStampedModel):
    """党员: one person in a party organisation (or an activist applying to join).

    ``region_path`` is copied from the organisation, so a branch secretary sees the branch's members.
    ``grid`` is where the member lives or serves (members per grid, household links). ID number and phone
    are encrypted; their blind indexes find them. ``user`` is the member's login for the mobile pages.
    """

    name = models.CharField(_("name"), max_length=60, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), aad="party.Member.id_number", blank=True, default="")
    id_number_index = models.CharField(_("ID number blind index"), max_length=64, blank=True, default="")
    phone = EncryptedTextField(_("mobile phone"), aad="party.Member.phone", blank=True, default="")
    phone_index = models.CharField(
        _("phone blind index"), max_length=64, blank=True, default="", db_index=True
    )
    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    status = models.CharField(
        _("member status"),
        max_length=20,
        choices=MemberStatus.choices,
        default=MemberStatus.FULL,
        db_index=True,
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    full_on = models.DateField(_("became a full member on"), null=True, blank=True)
    is_mobile = models.BooleanField(_("mobile member"), default=False)
    mobile_note = models.CharField(_("where the mobile member is"), max_length=120, blank=True)
    is_in_service = models.BooleanField(_("in-service member"), default=False)
    work_unit = models.CharField(_("work unit"), max_length=120, blank=True)
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid lived in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
    )
    dues_standard = models.DecimalField(
        _("monthly dues (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    dues_paid_until = models.DateField(_("dues paid until"), null=True, blank=True)
    is_active = models.BooleanField(_("on the roll"), default=True)
    source = models.CharField(
        _("source"), max_length=12, choices=ChangeSource.choices, default=ChangeSource.MANUAL
    )

    scope_owner_field = "user"

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["region_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="uniq_member_id_number"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"], name="party_member_org_idx")]

    def __str__(self) -> str:
        return self.name


class MemberTransfer(models.Model):
    """组织关系转接: one move of a member between organisations; the first row records the admission."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("from organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("to organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation transfer")
        verbose_name_plural = _("organisation transfers")
        ordering = ["member_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_organisation_id} → {self.to_organisation_id}"
