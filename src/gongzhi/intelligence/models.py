"""Classifier versions and the labels dispatchers give (智能分拨的模型版本与人工标注)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import LabelKind


class ClassifierModel(models.Model):
    """分类模型版本: one trained classifier file with its validation scores; at most one active per kind.

    ``threshold`` is the confidence above which a suggestion may be dispatched without a person, chosen
    on the model's validation predictions for ``target_precision``; 1.0 means never.
    """

    kind = models.CharField(_("predicts"), max_length=20, choices=LabelKind.choices)
    version = models.PositiveIntegerField(_("version"))
    file_path = models.CharField(_("file"), max_length=300, help_text=_("Relative to the models directory."))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    labels = models.JSONField(_("labels"), default=list)
    metrics = models.JSONField(_("validation metrics"), default=dict, blank=True)
    threshold = models.FloatField(_("auto-dispatch threshold"), default=1.0)
    target_precision = models.FloatField(_("target precision"), default=0.95)
    training_size = models.PositiveIntegerField(_("training examples"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="uniq_classifier_kind_version"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_active=True), name="one_active_classifier"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=1), name="classifier_threshold_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Label(models.Model):
    """人工标注: what a dispatcher chose for a case (category and/or department) and what was suggested.

    Written by ``record_correction`` whenever a dispatcher confirms or corrects the routing of a case;
    the latest label of a case wins over the case's own fields when ``train_from_cases`` builds data.
    """

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=LabelKind.choices)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("category chosen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department chosen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested = models.CharField(_("suggested label"), max_length=100, blank=True)
    suggested_confidence = models.FloatField(_("suggested confidence"), null=True, blank=True)
    model = models.ForeignKey(
        ClassifierModel,
        verbose_name=_("suggested by model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agreed = models.BooleanField(_("agreed with the suggestion"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("routing label")
        verbose_name_plural = _("routing labels")
        ordering = ["case_id", "kind", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="category", category__isnull=False, department__isnull=True)
                    | Q(kind="department", department__isnull=False, category__isnull=True)
                ),
                name="label_value_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["kind", "at"], name="label_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.category_id or self.department_id}"


class CaseFingerprint(models.Model):
    """重复件指纹: the MinHash signature of a case's text, kept for duplicate detection (重复件).

    Derived data, rebuilt from the case at any time (``gongzhi nlp index-duplicates``); ``params`` names
    the hashing parameters the signature was made with, so a change of parameters is noticed.
    """

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    signature = models.BinaryField(_("MinHash signature"))
    params = models.CharField(_("hashing parameters"), max_length=40)
    street_id = models.BigIntegerField(_("street"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    indexed_at = models.DateTimeField(_("indexed at"))

    class Meta:
        verbose_name = _("case fingerprint")
        verbose_name_plural = _("case fingerprints")
        ordering = ["case_id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.params}"


class CaseBand(models.Model):
    """LSH band key of a case: two cases sharing a key are duplicate candidates (局部敏感哈希分桶).

    One row per band of a case's signature; the key mixes in the case's street, so only cases of the same
    street meet. ``received_at`` is copied so that the lookup reads only the time window from the index.
    """

    band_key = models.BigIntegerField(_("band key"))
    received_at = models.DateTimeField(_("received at"))
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("case band key")
        verbose_name_plural = _("case band keys")
        ordering = ["band_key", "received_at", "case_id"]
        indexes = [
            models.Index(fields=["band_key", "received_at", "case"], name="caseband_key_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.band_key} → {self.case_id}"
