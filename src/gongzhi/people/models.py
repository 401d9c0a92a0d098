"""Base data registry (人、地、物、组织): residents, households, organisations, tags, change history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from .choices import ChangeSource, Gender, OrganisationKind, ResidenceKind, ResidentStatus


class Tag(models.Model):
    """标签: a care or attention tag (独居老人, 残疾人, 低保户, 退役军人 …) managed by administrators."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Household(RegionScopedModel, TimeStampedModel):
    """户: a household living in a house; ``number`` is the household register or local number."""

    number = models.CharField(_("household number"), max_length=40, unique=True)
    house = models.ForeignKey(
        "regions.House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    head = models.ForeignKey(
        "Resident",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Resident(RegionScopedModel, TimeStampedModel):
    """居民: a person living in the district. ID number and phone are encrypted; blind indexes find them."""

    name = models.CharField(_("name"), max_length=60, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), aad="people.Resident.id_number", blank=True, default="")
    id_number_index = models.CharField(_("ID number blind index"), max_length=64, blank=True, default="")
    phone = EncryptedTextField(_("mobile phone"), aad="people.Resident.phone", blank=True, default="")
    phone_index = models.CharField(
        _("phone blind index"), max_length=64, blank=True, default="", db_index=True
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation_to_head = models.CharField(_("relation to head"), max_length=20, blank=True)
    house = models.ForeignKey(
        "regions.House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    residence_kind = models.CharField(
        _("residence"), max_length=12, choices=ResidenceKind.choices, default=ResidenceKind.REGISTERED
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResidentStatus.choices,
        default=ResidentStatus.ACTIVE,
        db_index=True,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    source = models.CharField(
        _("source"), max_length=12, choices=ChangeSource.choices, default=ChangeSource.MANUAL
    )

    scope_owner_field = "user"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["region_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="uniq_resident_id_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(RegionScopedModel, TimeStampedModel):
    """法人/社会组织/驻地单位/商户, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(
        _("contact phone"), aad="people.Organisation.contact_phone", blank=True, default=""
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    building = models.ForeignKey(
        "regions.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="organisations")
    source = models.CharField(
        _("source"), max_length=12, choices=ChangeSource.choices, default=ChangeSource.MANUAL
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="uniq_org_credit_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChangeRecord(models.Model):
    """追本溯源: one change to a base-data record — who, when, source, and the fields' old/new values.

    PII fields are recorded as "changed" only, never their values.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=12, choices=ChangeSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    target_type = models.CharField(_("record type"), max_length=40)
    target_id = models.BigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=20)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["target_type", "target_id", "at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="people_change_target_idx")]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id} {self.action}"
