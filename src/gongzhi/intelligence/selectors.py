"""Reads of the intelligence app: model versions, and the training examples a deployment's cases give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.core.errors import NotFound

from .choices import LabelKind
from .models import ClassifierModel, Label

__all__ = [
    "TrainingExample",
    "active_model",
    "active_models",
    "classifier_models",
    "get_classifier_model",
    "model_file",
    "models_dir",
    "new_examples_since",
    "training_examples",
]

#: Statuses of cases whose routing a dispatcher has decided (and that are not a duplicate or a refusal).
DECIDED_STATUSES = (
    CaseStatus.PENDING_SIGN,
    CaseStatus.PROCESSING,
    CaseStatus.PENDING_REVIEW,
    CaseStatus.PENDING_FOLLOW_UP,
    CaseStatus.CLOSED,
)


def models_dir() -> Path:
    """Where model files live: ``VAR_DIR/models``."""
    return Path(settings.VAR_DIR) / "models"


def model_file(row: ClassifierModel) -> Path:
    return models_dir() / row.file_path


def classifier_models(*, kind: str | None = None) -> QuerySet[ClassifierModel]:
    """Every model version, newest first within each kind."""
    qs = ClassifierModel.objects.select_related("created_by").order_by("kind", "-version")
    return qs.filter(kind=kind) if kind else qs


def active_model(kind: str) -> ClassifierModel | None:
    """The model in use for ``kind`` (at most one, enforced by a constraint), or None."""
    return ClassifierModel.objects.filter(kind=kind, is_active=True).first()


def active_models() -> dict[str, ClassifierModel]:
    """The active model of every kind, in one query (kind → row)."""
    return {row.kind: row for row in ClassifierModel.objects.filter(is_active=True).order_by("kind")}


def get_classifier_model(*, kind: str, version: int) -> ClassifierModel:
    row = ClassifierModel.objects.filter(kind=kind, version=version).first()
    if row is None:
        raise NotFound(_("This model version does not exist."), code="classifier.not_found")
    return row


@dataclass(frozen=True)
class TrainingExample:
    case_id: int
    title: str
    description: str
    label: str  # Category.code or Department.code


def _label_overrides(kind: str, case_ids: set[int] | None = None) -> dict[int, str]:
    """The latest dispatcher label of each case (code of the category or department chosen)."""
    qs = (
        Label.objects.filter(kind=kind)
        .select_related("category", "department")
        .order_by("case_id", "at", "pk")
    )
    out: dict[int, str] = {}
    for label in qs.iterator(chunk_size=2000):
        if case_ids is not None and label.case_id not in case_ids:
            continue
        value = label.category if kind == LabelKind.CATEGORY else label.department
        if value is not None:
            out[label.case_id] = value.code
    return out


def training_examples(*, user, kind: str) -> list[TrainingExample]:
    """训练样本: decided cases the user can see, labelled by category or lead department code.

    A case counts once a dispatcher has routed it (dispatched and later, not merged, withdrawn or
    rejected). The latest ``Label`` a dispatcher recorded for a case wins over the case's own field.
    Starts from ``cases_visible_to(user)``: the system account sees the whole deployment.
    """
    field = "category" if kind == LabelKind.CATEGORY else "department"
    cases = (
        cases_visible_to(user)
        .filter(status__in=DECIDED_STATUSES)
        .select_related(None)
        .select_related(field)
        .only("pk", "title", "description", field + "__code")
        .order_by("pk")
    )
    rows = list(cases.iterator(chunk_size=2000))
    overrides = _label_overrides(kind, {c.pk for c in rows})
    examples = []
    for case in rows:
        value = getattr(case, field)
        label = overrides.get(case.pk) or (value.code if value is not None else "")
        if label:
            examples.append(TrainingExample(case.pk, case.title, case.description, label))
    return examples


def new_examples_since(*, kind: str, since: datetime | None) -> int:
    """Labels recorded and cases dispatched after ``since`` (all of them when None)."""
    labels = Label.objects.filter(kind=kind)
    from gongzhi.accounts.services import system_actor

    cases = cases_visible_to(system_actor()).filter(status__in=DECIDED_STATUSES)
    if since is not None:
        labels = labels.filter(at__gt=since)
        cases = cases.filter(dispatched_at__gt=since)
    return labels.count() + cases.count()
