"""微心愿: small wishes of residents, reviewed by the community and fulfilled by members or units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.models import RegionScopedModel, TimeStampedModel

from ..choices import WishCategory, WishStatus


class Wish(RegionScopedModel, TimeStampedModel):
    """微心愿: posted by a resident (or for them), reviewed, published, claimed, fulfilled, confirmed.

    Status moves only as ``party/workflow.py`` allows. The resident's phone is encrypted; the public wall
    shows the name masked. ``resident_user`` is the resident's account (who confirms), when there is one.
    """

    title = models.CharField(_("title"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=WishCategory.choices, default=WishCategory.GOODS
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wishes",
    )
    wisher_name = models.CharField(_("resident's name"), max_length=60)
    wisher_phone = EncryptedTextField(
        _("resident's phone"), aad="party.Wish.wisher_phone", blank=True, default=""
    )
    resident_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wishes",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=WishStatus.choices,
        default=WishStatus.PENDING_REVIEW,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(_("review note"), max_length=200, blank=True)
    claimed_member = models.ForeignKey(
        "party.Member",
        verbose_name=_("claimed by member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
    )
    claimed_unit = models.ForeignKey(
        "party.PartyOrganisation",
        verbose_name=_("claimed by unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_wishes",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    evidence = models.TextField(_("how it was fulfilled"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    feedback = models.CharField(_("resident's feedback"), max_length=200, blank=True)

    scope_owner_field = "resident_user"

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["posted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_wish_key",
            ),
            models.CheckConstraint(
                condition=Q(claimed_member__isnull=True) | Q(claimed_unit__isnull=True),
                name="wish_one_claimer",
            ),
        ]
        indexes = [models.Index(fields=["region_path", "status"], name="party_wish_region_idx")]

    def __str__(self) -> str:
        return self.title


class WishPhoto(models.Model):
    """心愿凭证: a photo showing the wish fulfilled (re-encoded without EXIF)."""

    wish = models.ForeignKey(
        Wish, verbose_name=_("micro-wish"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to="party/wishes/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ["wish_id", "pk"]

    def __str__(self) -> str:
        return self.file.name
