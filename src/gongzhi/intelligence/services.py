"""Writes of the intelligence app: dispatcher labels, model training, registration, activation, rollback.

Training is the one long computation here (minutes on a large deployment). It reads its data, trains
*outside* any transaction — on SQLite a transaction holds the database's write lock for its whole
length — and only then registers the file in one short atomic service (``register_model``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department
from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.cases.models import Case, Category
from gongzhi.core.errors import Conflict, InvalidTransition, ValidationFailed

from . import selectors
from .choices import LabelKind
from .models import ClassifierModel, Label
from .nlp import Model, TrainConfig, TrainingError, UrgencyResult, compose, read_header
from .nlp import detect_urgency as _detect_urgency
from .nlp import train as _train
from .suggester import Prediction, predict_case

__all__ = [
    "MIN_TRAINING_EXAMPLES",
    "RETRAIN_MIN_NEW_EXAMPLES",
    "RetrainRequest",
    "RetrainResult",
    "activate_model",
    "detect_urgency",
    "learn_from_dispatch",
    "record_correction",
    "register_model",
    "request_retraining",
    "retrain_if_due",
    "rollback_model",
    "train_from_cases",
    "train_requested",
    "urgency_detector",
]

logger = logging.getLogger(__name__)

MANAGE = "intelligence.manage_models"
#: Fewer decided cases than this cannot give a useful model (nor a measured threshold).
MIN_TRAINING_EXAMPLES = 50
#: The weekly job retrains once this many cases were decided or labels recorded since the active model.
RETRAIN_MIN_NEW_EXAMPLES = 200
#: A retrained model replaces the active one automatically only if its validation macro-F1 is at least
#: the active one's minus this margin (fresh data may legitimately score a little lower).
AUTO_ACTIVATE_MARGIN = 0.01


def detect_urgency(*texts: object) -> UrgencyResult:
    """紧急识别: is the text (title, description …) reporting a present emergency, and which words say so.

    Intake calls it before saving a case: ``urgency = "urgent" if detect_urgency(title,
    description).is_urgent else urgency``. It only raises a flag; it never lowers one a person set.
    """
    return _detect_urgency(*texts)


def urgency_detector(title: str, description: str) -> bool:
    """The intake hook (``cases.services.routing.register_urgency_detector``)."""
    return _detect_urgency(title, description).is_urgent


def learn_from_dispatch(actor, case: Case, department: Department) -> None:
    """The routing hook: a person dispatched or reassigned ``case``; keep the decision as labels.

    The lead department is always a label; the category too when staff confirmed it at intake.
    """
    category = case.category if case.category_certain else None
    record_correction(actor=actor, case=case, category=category, department=department)


# --- dispatcher labels ---------------------------------------------------------------------------------


def _agrees(kind: str, suggested: str, value) -> bool:
    """Whether the dispatcher's choice is what the model suggested: the same code (without case: older
    models hold lower-cased codes), or for categories one below it (the model suggests 城市管理, the
    dispatcher files under 城市管理/市容环境/占道经营 — a category's path is its ancestors' codes)."""
    wanted = suggested.lower()
    if value.code.lower() == wanted:
        return True
    return kind == LabelKind.CATEGORY and wanted in {code.lower() for code in value.path.split("/") if code}


def _record_label(*, actor, case: Case, kind: str, value, top: Prediction | None, now) -> Label:
    latest = Label.objects.filter(case=case, kind=kind).order_by("-at", "-pk").first()
    value_id = value.pk
    if (
        latest is not None
        and (latest.category_id if kind == LabelKind.CATEGORY else latest.department_id) == value_id
    ):
        return latest  # the same decision recorded again: nothing to do
    label = Label(
        case=case,
        kind=kind,
        category=value if kind == LabelKind.CATEGORY else None,
        department=value if kind == LabelKind.DEPARTMENT else None,
        suggested=top.label if top else "",
        suggested_confidence=round(top.confidence, 4) if top else None,
        model=top.model if top else None,
        agreed=_agrees(kind, top.label, value) if top else None,
        at=now,
        by=actor,
    )
    label.full_clean(exclude=["case", "category", "department", "model", "by"])
    label.save()
    record(
        actor=actor,
        action="intelligence.record_correction",
        target=case,
        data={
            "kind": kind,
            "chosen": value_id,
            "chosen_code": value.code,
            "suggested": label.suggested,
            "suggested_confidence": label.suggested_confidence,
            "model_version": top.model.version if top else None,
            "agreed": label.agreed,
        },
    )
    return label


def record_correction(
    *, actor, case: Case, category: Category | None = None, department: Department | None = None
) -> list[Label]:
    """人工纠正: store the category and/or lead department a dispatcher chose for a case as labels.

    Called when a dispatcher confirms or changes the routing (the cases workbench after dispatch or
    reassignment). Each label keeps what the active model suggested at that moment, so agreement can be
    measured; recording the same choice again returns the existing label and writes nothing. The
    model's prediction runs before the transaction opens (a model may first have to be loaded); the
    writes are one atomic step.
    """
    require(actor, "cases.dispatch", case)
    if category is None and department is None:
        raise ValidationFailed({"category": _("Choose a category or a department.")}, code="label.empty")
    chosen = [(LabelKind.CATEGORY, category), (LabelKind.DEPARTMENT, department)]
    tops = {}
    for kind, value in chosen:
        if value is not None:
            predictions = predict_case(case, kind=kind, k=1)
            tops[kind] = predictions[0] if predictions else None
    with transaction.atomic():
        now = timezone.now()
        return [
            _record_label(actor=actor, case=case, kind=kind, value=value, top=tops[kind], now=now)
            for kind, value in chosen
            if value is not None
        ]


# --- model versions ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def register_model(
    *, actor, kind: str, path: Path, source: str = "", activate: bool = False
) -> ClassifierModel:
    """登记模型版本: move a saved model file into the models directory as the next version of ``kind``.

    The file's header gives labels, validation metrics and the auto-dispatch threshold. With
    ``activate`` the new version replaces the active one in the same transaction.
    """
    require(actor, MANAGE)
    if kind not in LabelKind.values:
        raise ValidationFailed({"kind": _("Choose what the model predicts.")}, code="classifier.kind")
    header = read_header(path)
    metadata = header["metadata"]
    if metadata.get("kind", kind) != kind:  # files trained from cases name their kind
        raise ValidationFailed(
            {"kind": _("This model file predicts something else; register it under its own kind.")},
            code="classifier.wrong_kind",
        )
    validation = metadata.get("validation", {})
    ClassifierModel.objects.select_for_update().filter(kind=kind).order_by("pk").first()  # serialise versions
    version = (ClassifierModel.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    folder = selectors.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-v{version:04d}.npz"
    target = folder / name
    sha = _sha256(path)
    size = path.stat().st_size
    if Path(path).parent.resolve() == folder.resolve():
        os.replace(path, target)
    else:
        _copy(path, target)
    row = ClassifierModel(
        kind=kind,
        version=version,
        file_path=name,
        sha256=sha,
        size_bytes=size,
        labels=list(metadata.get("labels", [])),
        metrics=validation,
        threshold=float(validation.get("threshold", 1.0)),
        target_precision=float(validation.get("target_precision", 0.95)),
        training_size=int(metadata.get("training_size", 0)),
        source=source[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    row.full_clean(exclude=["created_by"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Conflict(_("Another model was registered at the same time. Please try again."))
    record(
        actor=actor,
        action="intelligence.register_model",
        target=row,
        data={
            "kind": kind,
            "version": version,
            "sha256": sha,
            "training_size": row.training_size,
            "macro_f1": validation.get("macro_f1"),
            "threshold": row.threshold,
        },
    )
    if activate:
        row = activate_model(actor=actor, model=row)
    return row


def _copy(source: Path, target: Path) -> None:
    tmp = target.with_name(target.name + ".tmp")
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            dst.write(chunk)
    os.replace(tmp, target)


@transaction.atomic
def activate_model(*, actor, model: ClassifierModel) -> ClassifierModel:
    """启用模型版本: make ``model`` the one in use for its kind (the previous one is kept for rollback)."""
    require(actor, MANAGE)
    return _activate(actor=actor, model=model, action="intelligence.activate_model")


def _activate(*, actor, model: ClassifierModel, action: str) -> ClassifierModel:
    current = ClassifierModel.objects.select_for_update().filter(kind=model.kind, is_active=True).first()
    if current is not None and current.pk == model.pk:
        return current  # already active
    if not selectors.model_file(model).exists():
        raise InvalidTransition(
            _("The file of this model version is missing. Train a new version instead."),
            code="classifier.file_missing",
        )
    now = timezone.now()
    if current is not None:
        ClassifierModel.objects.filter(pk=current.pk, is_active=True).update(is_active=False)
    changed = ClassifierModel.objects.filter(pk=model.pk, is_active=False).update(
        is_active=True, activated_at=now
    )
    if changed != 1:
        raise Conflict(_("The model versions were changed by someone else. Please refresh and try again."))
    model.refresh_from_db()
    record(
        actor=actor,
        action=action,
        target=model,
        data={"kind": model.kind, "version": model.version, "previous": current.version if current else None},
    )
    return model


@transaction.atomic
def rollback_model(*, actor, kind: str) -> ClassifierModel:
    """回退模型版本: re-activate the version that was in use before the current one.

    Audited as ``intelligence.rollback_model`` (not as an ordinary activation), so the log tells a
    rollback from a choice of version.
    """
    require(actor, MANAGE)
    ClassifierModel.objects.select_for_update().filter(kind=kind).order_by("pk").first()  # one at a time
    previous = selectors.previous_model(kind)
    if previous is None:
        raise InvalidTransition(
            _("There is no earlier model version to go back to."), code="classifier.no_previous"
        )
    return _activate(actor=actor, model=previous, action="intelligence.rollback_model")


# --- training ------------------------------------------------------------------------------------------


def train_from_cases(
    *, actor, kind: str = LabelKind.CATEGORY, activate: bool = False, config: TrainConfig | None = None
) -> ClassifierModel:
    """用本地数据训练: train a classifier on the deployment's decided cases and labels; register it.

    Examples are the cases the actor can see (the system account: all) that a dispatcher has routed,
    labelled by category code or lead department code, dispatcher labels winning over case fields
    (``selectors.training_examples``). Not atomic on purpose: the training runs without holding a
    transaction; only ``register_model`` writes.
    """
    require(actor, MANAGE)
    if kind not in LabelKind.values:
        raise ValidationFailed({"kind": _("Choose what the model predicts.")}, code="classifier.kind")
    examples = selectors.training_examples(user=actor, kind=kind)
    _require_enough_examples(len(examples))
    texts = [compose(e.title, e.description) for e in examples]
    labels = [e.label for e in examples]
    try:
        model: Model = _train(texts, labels, config=config, extra_metadata={"source": "cases", "kind": kind})
    except TrainingError:
        message = _("The decided cases do not have two labels with two examples each yet.")
        raise ValidationFailed({"kind": message}, message, code="classifier.cannot_train")
    # the classifier merges repeated texts and drops labels with one example: what it learned from counts
    _require_enough_examples(len(examples), distinct=int(model.metadata.get("training_size", 0)))
    folder = selectors.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".npz.part", dir=folder)
    os.close(fd)
    path = Path(name)
    try:
        model.save(path)
        return register_model(
            actor=actor, kind=kind, path=path, source=f"cases ({len(examples)})", activate=activate
        )
    finally:
        path.unlink(missing_ok=True)


def _require_enough_examples(count: int, *, distinct: int | None = None) -> None:
    """The training minimum: ``MIN_TRAINING_EXAMPLES`` decided cases, and as many different texts."""
    if count < MIN_TRAINING_EXAMPLES:
        message = _("Only %(count)s decided cases are available; at least %(minimum)s are needed.") % {
            "count": count,
            "minimum": MIN_TRAINING_EXAMPLES,
        }
        raise ValidationFailed({"kind": message}, message, code="classifier.too_few_examples")
    if distinct is not None and distinct < MIN_TRAINING_EXAMPLES:
        message = _(
            "Only %(count)s different decided cases can be learned from (a text sent again counts once); "
            "at least %(minimum)s are needed."
        ) % {"count": distinct, "minimum": MIN_TRAINING_EXAMPLES}
        raise ValidationFailed({"kind": message}, message, code="classifier.too_few_examples")


@dataclass(frozen=True)
class RetrainRequest:
    """A training an administrator asked for: what will be trained and on how many cases."""

    kind: str
    examples: int
    distinct: int
    requested_at: datetime


@transaction.atomic
def request_retraining(*, actor, kind: str) -> RetrainRequest:
    """立即重训: queue the training of a new ``kind`` version on the deployment's decided cases.

    Checks the training minimum first (in the database, without reading the texts), so an administrator
    hears at once that there are too few labels; then audits the request and queues the job on commit.
    The job trains as the system account and registers the version without activating it: the
    administrator compares its validation scores and activates it (algorithms suggest, people decide).
    """
    require(actor, MANAGE)
    if kind not in LabelKind.values:
        raise ValidationFailed({"kind": _("Choose what the model predicts.")}, code="classifier.kind")
    count, distinct = selectors.training_example_counts(user=actor, kind=kind)
    _require_enough_examples(count, distinct=distinct)
    now = timezone.now()
    record(
        actor=actor,
        action="intelligence.request_retraining",
        target_type="intelligence.classifiermodel",
        target_label=str(LabelKind(kind).label),
        data={"kind": kind, "examples": count, "distinct": distinct},
    )
    from .tasks import train_classifier_task

    transaction.on_commit(lambda: train_classifier_task(kind, now.isoformat()))
    return RetrainRequest(kind=kind, examples=count, distinct=distinct, requested_at=now)


def train_requested(*, actor, kind: str, requested_at: datetime) -> ClassifierModel:
    """The job behind ``request_retraining``: train and register a version (not activated).

    Safe to run twice: when a version of ``kind`` was registered after the request, that one answers it.
    A training that fails (fewer distinct texts once repeats are merged) is audited with its reason, which
    the model page shows until a newer version exists.
    """
    latest = selectors.classifier_models(kind=kind).first()
    if latest is not None and latest.created_at >= requested_at:
        return latest
    try:
        return train_from_cases(actor=actor, kind=kind, activate=False)
    except ValidationFailed as exc:  # the page shows it: the administrator is waiting for a version
        with transaction.atomic():
            record(
                actor=actor,
                action="intelligence.retraining_failed",
                target_type="intelligence.classifiermodel",
                target_id=kind,
                target_label=str(LabelKind(kind).label),
                data={"kind": kind},
                reason=str(exc.message),
            )
        raise


@dataclass(frozen=True)
class RetrainResult:
    kind: str
    new_examples: int
    trained: ClassifierModel | None = None
    activated: bool = False
    reason: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "new_examples": self.new_examples,
            "version": self.trained.version if self.trained else None,
            "activated": self.activated,
            "reason": self.reason,
        }


def retrain_if_due(*, actor, kind: str, min_new: int = RETRAIN_MIN_NEW_EXAMPLES) -> RetrainResult:
    """定期重训: retrain ``kind`` when enough cases were decided or labelled since the active model.

    The new version becomes active when there is none yet, or when its validation macro-F1 is no worse
    than the active one's by more than ``AUTO_ACTIVATE_MARGIN``; otherwise it stays registered for a
    person to compare and activate. Safe to run twice: a second run finds nothing new.
    """
    current = selectors.active_model(kind)
    latest = selectors.classifier_models(kind=kind).first()
    since = latest.created_at if latest else None
    new = selectors.new_examples_since(kind=kind, since=since)
    if new < (min_new if latest else MIN_TRAINING_EXAMPLES):
        return RetrainResult(kind, new, reason="not enough new examples")
    try:
        row = train_from_cases(actor=actor, kind=kind, activate=False)
    except ValidationFailed as exc:
        logger.info("retraining %s skipped: %s %s", kind, exc.message, exc.fields)
        return RetrainResult(kind, new, reason="cannot train")
    new_f1 = float(row.metrics.get("macro_f1") or 0)
    old_f1 = float(current.metrics.get("macro_f1") or 0) if current else None
    if old_f1 is None or new_f1 >= old_f1 - AUTO_ACTIVATE_MARGIN:
        activate_model(actor=actor, model=row)
        return RetrainResult(kind, new, row, True, "activated")
    return RetrainResult(kind, new, row, False, f"validation macro-F1 {new_f1:.4f} < active {old_f1:.4f}")
