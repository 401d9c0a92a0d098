"""智能分拨推荐: the active classifier as a ``cases.services.routing`` suggester.

The suggester sees only the case it is asked about: it reads that case's title and description and
returns categories and departments with a confidence and the words of *that text* that drove them.
It never looks at other cases, so a suggestion cannot reveal anything outside the user's scope.

Models are loaded lazily, once per version and process (a few hundred milliseconds), and kept; a newly
activated version is picked up on the next call because the active row is read every time (one indexed
query per kind). A missing or unreadable file is logged and gives no suggestions — the dispatcher page
must never fail because of the classifier.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower

from gongzhi.cases.models import Case, Category
from gongzhi.cases.services.routing import Suggestion, find_duty_rule

from .choices import LabelKind
from .models import ClassifierModel
from .nlp import Model, ModelLoadError, compose, load_model
from .selectors import active_model, active_models, model_file

__all__ = ["Prediction", "classifier_suggester", "forget_models", "loaded_model", "predict_case"]

logger = logging.getLogger(__name__)

SOURCE = "classifier"
TOP_K = 3
#: Versions kept in memory per process (active category + department models, and one of each during a
#: switch-over); a 12 MB file takes about 50 MB in memory.
MAX_CACHED = 4

_lock = threading.Lock()
_cache: dict[tuple[int, str], Model] = {}


def forget_models() -> None:
    """Drop every loaded model (tests; after deleting files)."""
    with _lock:
        _cache.clear()


def loaded_model(row: ClassifierModel) -> Model | None:
    """The classifier of a version row, loaded once per process; None when the file cannot be read."""
    key = (row.pk, row.sha256)
    model = _cache.get(key)
    if model is not None:
        return model
    with _lock:
        model = _cache.get(key)
        if model is None:
            try:
                model = load_model(model_file(row))
            except ModelLoadError as exc:
                logger.error("classifier %s cannot be loaded: %s", row, exc)
                return None
            for stale in [k for k in _cache if k[0] == row.pk]:  # the same version, re-trained file
                _cache.pop(stale)
            while len(_cache) >= MAX_CACHED:  # keep the few most recently loaded versions
                _cache.pop(next(iter(_cache)))
            _cache[key] = model
    return model


#: Labels the model gives less than this are not suggested: shown as "0%" with words that do not support
#: them, they only distract the dispatcher.
MIN_CONFIDENCE = 0.01


@dataclass(frozen=True)
class Prediction:
    """One ranked label of a case text, with the model version that made it."""

    label: str
    confidence: float
    reasons: tuple[str, ...]
    model: ClassifierModel

    @property
    def auto_dispatchable(self) -> bool:
        """Above the version's threshold chosen for the target precision on validation data."""
        return self.confidence >= self.model.threshold


_ACTIVE: Any = object()


def predict_case(
    case: Case, *, kind: str, k: int = TOP_K, row: ClassifierModel | None = _ACTIVE
) -> list[Prediction]:
    """The active ``kind`` model's top ``k`` labels for the case's own text (empty without a model).

    ``row`` is the model version to use when the caller already looked it up (None: there is none).
    """
    if row is _ACTIVE:
        row = active_model(kind)
    if row is None:
        return []
    model = loaded_model(row)
    if model is None:
        return []
    text = compose(case.title, case.description)
    if not text:
        return []
    return [
        Prediction(label=label, confidence=confidence, reasons=tuple(words), model=row)
        for label, confidence, words in model.top_k(text, k=k)
        if confidence >= MIN_CONFIDENCE
    ]


def _rounded(confidence: float) -> float:
    return int(confidence * 100) / 100


def classifier_suggester(case: Case) -> list[Suggestion]:
    """Top-3 categories (with the duty-list department) or departments from the active classifiers."""
    from gongzhi.accounts.models import Department

    active = active_models()
    if not active:
        return []
    categories = predict_case(case, kind=LabelKind.CATEGORY, row=active.get(LabelKind.CATEGORY))
    departments = predict_case(case, kind=LabelKind.DEPARTMENT, row=active.get(LabelKind.DEPARTMENT))
    # codes are matched without case: models trained before labels kept their case hold "cgw" for CGW
    department_by_code: dict[str, int] = {}
    if departments:
        department_by_code = {
            code.lower(): pk
            for code, pk in Department.objects.annotate(code_folded=Lower("code"))
            .filter(
                code_folded__in=[p.label.lower() for p in departments], is_active=True, accepts_cases=True
            )
            .order_by("-pk")
            .values_list("code", "pk")
        }
    best_department = next((p for p in departments if p.label.lower() in department_by_code), None)
    suggestions: list[Suggestion] = []
    if categories:
        known = {
            c.code.lower(): c
            for c in Category.objects.annotate(code_folded=Lower("code"))
            .filter(code_folded__in=[p.label.lower() for p in categories], is_active=True)
            .select_related("parent__parent")
            .order_by("-pk")
        }
        for prediction in categories:
            category = known.get(prediction.label.lower())
            if category is None:
                continue
            rule = find_duty_rule(category=category, region_path=case.region_path or "")
            department_id = rule.lead_department_id if rule else None
            if department_id is None and best_department is not None:
                department_id = department_by_code[best_department.label.lower()]
            suggestions.append(
                Suggestion(
                    category=category,
                    department_id=department_id,
                    confidence=_rounded(prediction.confidence),
                    source=SOURCE,
                    reasons=prediction.reasons,
                    auto=prediction.auto_dispatchable,
                )
            )
        return suggestions
    for prediction in departments:
        department_id = department_by_code.get(prediction.label.lower())
        if department_id is None:
            continue
        suggestions.append(
            Suggestion(
                category=None,
                department_id=department_id,
                confidence=_rounded(prediction.confidence),
                source=SOURCE,
                reasons=prediction.reasons,
            )
        )
    return suggestions
