"""党务公开 (and 居务/财务公开): notices with attachments, shown to the residents of one community."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import DisclosureCategory, DisclosureStatus


class Disclosure(RegionScopedModel, TimeStampedModel):
    """公开事项: a notice of a community (party affairs, residents' affairs or finance)."""

    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    category = models.CharField(
        _("category"), max_length=10, choices=DisclosureCategory.choices, default=DisclosureCategory.PARTY
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("content"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DisclosureStatus.choices,
        default=DisclosureStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class DisclosureAttachment(models.Model):
    """公开附件: a PDF or photo attached to a disclosure."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name=_("disclosure"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="party/disclosures/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure attachment")
        verbose_name_plural = _("disclosure attachments")
        ordering = ["disclosure_id", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name
