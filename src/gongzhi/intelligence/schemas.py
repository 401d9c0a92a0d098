"""Ninja schemas of the intelligence API: classifier versions and what an administrator does with them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema

KindValue = Literal["category", "department"]


class ModelFilter(Schema):
    kind: KindValue | None = None


class ClassifierModelOut(Schema):
    """One model version with its validation scores (measured on held-out folds at training)."""

    id: int
    kind: str
    kind_label: str
    version: int
    is_active: bool
    created_at: datetime
    activated_at: datetime | None
    training_size: int
    source: str
    labels: list[str]
    macro_f1: float | None
    accuracy: float | None
    per_label_f1: dict[str, float]
    threshold: float
    target_precision: float
    precision_at_threshold: float | None
    coverage_at_threshold: float | None
    size_bytes: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_macro_f1(obj) -> float | None:
        return obj.metrics.get("macro_f1")

    @staticmethod
    def resolve_accuracy(obj) -> float | None:
        return obj.metrics.get("accuracy")

    @staticmethod
    def resolve_per_label_f1(obj) -> dict[str, float]:
        return obj.metrics.get("per_label_f1") or {}

    @staticmethod
    def resolve_precision_at_threshold(obj) -> float | None:
        return obj.metrics.get("precision_at_threshold")

    @staticmethod
    def resolve_coverage_at_threshold(obj) -> float | None:
        return obj.metrics.get("coverage_at_threshold")


class ModelKindOut(Schema):
    """What one kind stands at: the active version, what a rollback returns to, labels since training."""

    kind: str
    kind_label: str
    active_version: int | None
    previous_version: int | None
    versions: int
    labels_since_active: int
    corrections_since_active: int


class RetrainOut(Schema):
    kind: str
    examples: int
    distinct: int
    requested_at: datetime
    message: str
