"""Reads of the intelligence app: model versions, and the training examples a deployment's cases give."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.audit.selectors import events_for_targets
from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.core.errors import NotFound

from .choices import LabelKind
from .models import ClassifierModel, Label

__all__ = [
    "KindOverview",
    "TrainingExample",
    "active_model",
    "active_models",
    "classifier_models",
    "get_classifier_model",
    "label_names",
    "labels_since",
    "model_file",
    "model_overview",
    "models_dir",
    "new_examples_since",
    "previous_model",
    "training_example_counts",
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


def previous_model(kind: str) -> ClassifierModel | None:
    """The version a rollback goes back to: the one activated most recently before the active one."""
    current = active_model(kind)
    return (
        ClassifierModel.objects.filter(kind=kind, activated_at__isnull=False)
        .exclude(pk=current.pk if current else None)
        .order_by("-activated_at", "-version")
        .first()
    )


def get_classifier_model(*, kind: str, version: int) -> ClassifierModel:
    """One version of one kind: version numbers count per kind, so both are needed (404 otherwise)."""
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


def _decided_cases(user, kind: str):
    field_name = "category" if kind == LabelKind.CATEGORY else "department"
    labelled = Label.objects.filter(kind=kind).values("case_id")
    return (
        cases_visible_to(user)
        .filter(status__in=DECIDED_STATUSES)
        .filter(Q(**{f"{field_name}__isnull": False}) | Q(pk__in=labelled))
    )


def training_example_counts(*, user, kind: str) -> tuple[int, int]:
    """(cases, different texts) ``training_examples`` would give, counted in the database.

    Cheap enough for a request: the administrator's "retrain now" checks it before a job is queued.
    Texts are compared as stored (the classifier also folds case and whitespace, so it may find a few
    more repeats).
    """
    cases = _decided_cases(user, kind).select_related(None).order_by()
    return cases.count(), cases.values("title", "description").distinct().count()


def labels_since(*, kind: str, since: datetime | None) -> tuple[int, int]:
    """(labels, corrections): dispatcher labels of ``kind`` recorded after ``since`` (all when None), and
    how many of them chose something else than the model suggested (``agreed`` is False)."""
    labels = Label.objects.filter(kind=kind).order_by()
    if since is not None:
        labels = labels.filter(at__gt=since)
    return labels.count(), labels.filter(agreed=False).count()


def label_names(kind: str, codes: list[str]) -> dict[str, str]:
    """Display names of the category or department codes a model predicts (code → name)."""
    from gongzhi.accounts.models import Department
    from gongzhi.cases.models import Category

    model = Category if kind == LabelKind.CATEGORY else Department
    name_field = "full_name" if kind == LabelKind.CATEGORY else "name"
    wanted = {code.lower() for code in codes}
    found = {}
    for code, name in model.objects.order_by("pk").values_list("code", name_field):
        if code.lower() in wanted:
            found[code.lower()] = name
    return {code: found.get(code.lower(), "") for code in codes}


@dataclass
class KindOverview:
    """分类模型概览: the versions of one kind, which is in use, what a rollback returns to, new labels."""

    kind: str
    label: str
    versions: list[ClassifierModel] = field(default_factory=list)
    active: ClassifierModel | None = None
    previous: ClassifierModel | None = None
    labels_since_active: int = 0
    corrections_since_active: int = 0
    names: dict[str, str] = field(default_factory=dict)
    #: the latest "retrain now" that failed after the newest version, as (when, why)
    failed_retraining: tuple[datetime, str] | None = None


def model_overview() -> list[KindOverview]:
    """Every kind with its versions (newest first), for the administrator's page and the API.

    Labels are counted since the active version was registered (all labels when none is active). Each
    version carries ``per_label`` — (code, name, F1) rows — for display.
    """
    rows = list(classifier_models())
    out = []
    for kind, kind_label in LabelKind.choices:
        versions = [row for row in rows if row.kind == kind]
        active = next((row for row in versions if row.is_active), None)
        labels, corrections = labels_since(kind=kind, since=active.created_at if active else None)
        codes = sorted({code for row in versions for code in (row.metrics.get("per_label_f1") or {})})
        names = label_names(kind, codes) if codes else {}
        newest = versions[0].created_at if versions else None
        for row in versions:
            per_label = row.metrics.get("per_label_f1") or {}
            row.per_label = [(code, names.get(code, ""), f1) for code, f1 in sorted(per_label.items())]
        out.append(
            KindOverview(
                kind=kind,
                label=str(kind_label),
                versions=versions,
                active=active,
                previous=previous_model(kind),
                labels_since_active=labels,
                corrections_since_active=corrections,
                names=names,
                failed_retraining=_failed_retraining(kind, since=newest),
            )
        )
    return out


def _failed_retraining(kind: str, *, since: datetime | None) -> tuple[datetime, str] | None:
    events = events_for_targets(target_type="intelligence.classifiermodel", target_ids=[kind]).filter(
        action="intelligence.retraining_failed"
    )
    if since is not None:
        events = events.filter(at__gt=since)
    latest = events.order_by("-id").values_list("at", "reason").first()
    return (latest[0], latest[1]) if latest else None


def new_examples_since(*, kind: str, since: datetime | None) -> int:
    """Labels recorded and cases dispatched after ``since`` (all of them when None)."""
    labels = Label.objects.filter(kind=kind)
    from gongzhi.accounts.services import system_actor

    cases = cases_visible_to(system_actor()).filter(status__in=DECIDED_STATUSES)
    if since is not None:
        labels = labels.filter(at__gt=since)
        cases = cases.filter(dispatched_at__gt=since)
    return labels.count() + cases.count()
