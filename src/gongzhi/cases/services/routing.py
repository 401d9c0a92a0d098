"""Routing by the duty list (职责清单) and the ``suggest(case)`` seam for classifiers.

Most specific rule wins: among active rules whose category is the case's category or one of its
ancestors, and whose region is empty (district-wide) or an ancestor of (or equal to) the case's grid,
the rule with the deepest region wins; ties go to the deepest category.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from gongzhi.accounts.models import Department, User

from ..models import Case, Category, DutyRule

logger = logging.getLogger(__name__)


def _category_chain(category: Category) -> list[int]:
    ids = []
    node = category
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def find_duty_rule(*, category: Category | None, region_path: str) -> DutyRule | None:
    """The most specific active duty rule for a category at a place, or None (→ dispatcher's queue)."""
    if category is None:
        return None
    chain = _category_chain(category)
    depth = {pk: len(chain) - i for i, pk in enumerate(chain)}
    candidates = (
        DutyRule.objects.filter(is_active=True, category_id__in=chain)
        .select_related("region", "lead_department", "category")
        .order_by("pk")
    )
    best: tuple[int, int] | None = None
    chosen = None
    for rule in candidates:
        if rule.region_id is not None and not (region_path or "").startswith(rule.region.path):
            continue
        key = (rule.region.path.count("/") if rule.region_id else 0, depth[rule.category_id])
        if best is None or key > best:
            best, chosen = key, rule
    return chosen


@dataclass(frozen=True)
class Suggestion:
    """One ranked suggestion for the dispatcher: a category and/or department with a confidence in [0, 1]."""

    category: Category | None
    department_id: int | None
    confidence: float
    source: str
    reasons: tuple[str, ...] = field(default=())


Suggester = Callable[[Case], list[Suggestion]]
_SUGGESTERS: list[Suggester] = []


def register_suggester(func: Suggester) -> Suggester:
    """Plug a suggester in (the intelligence app registers its classifier here)."""
    if func not in _SUGGESTERS:
        _SUGGESTERS.append(func)
    return func


def duty_list_suggester(case: Case) -> list[Suggestion]:
    rule = find_duty_rule(category=case.category, region_path=case.region_path)
    if rule is None:
        return []
    return [
        Suggestion(
            category=case.category,
            department_id=rule.lead_department_id,
            confidence=1.0 if case.category_certain else 0.6,
            source="duty_list",
            reasons=(str(rule),),
        )
    ]


register_suggester(duty_list_suggester)


def suggest(case: Case, *, limit: int = 3) -> list[Suggestion]:
    """Ranked suggestions from every registered suggester (best first, one per category/department)."""
    seen: set[tuple[int | None, int | None]] = set()
    merged: list[Suggestion] = []
    for suggester in _SUGGESTERS:
        for item in suggester(case):
            key = (item.category.pk if item.category else None, item.department_id)
            if key in seen:
                continue
            seen.add(key)
            merged.append(item)
    merged.sort(key=lambda s: -s.confidence)
    return merged[:limit]


# --- urgency and routing-decision hooks (the intelligence app plugs in here) ---------------------------

UrgencyDetector = Callable[[str, str], bool]
RoutingListener = Callable[[User, Case, Department], None]
_URGENCY_DETECTORS: list[UrgencyDetector] = []
_ROUTING_LISTENERS: list[RoutingListener] = []


def register_urgency_detector(func: UrgencyDetector) -> UrgencyDetector:
    """Plug in a detector ``(title, description) -> bool``; intake marks a case urgent if any says so."""
    if func not in _URGENCY_DETECTORS:
        _URGENCY_DETECTORS.append(func)
    return func


def reads_urgent(title: str, description: str) -> bool:
    """Does any registered detector read the text as a present emergency?"""
    return any(detector(title, description) for detector in _URGENCY_DETECTORS)


def register_routing_listener(func: RoutingListener) -> RoutingListener:
    """Plug in ``(actor, case, department) -> None``, told after a person dispatched or reassigned a case."""
    if func not in _ROUTING_LISTENERS:
        _ROUTING_LISTENERS.append(func)
    return func


def routing_decided(actor: User, case: Case, department: Department) -> None:
    """Tell the listeners, once the transaction commits, which lead department a person chose.

    Automatic dispatch by the system account is not a human decision and is not reported. A listener's
    failure is logged and never undoes the dispatch.
    """
    if getattr(actor, "is_system", False) or not _ROUTING_LISTENERS:
        return

    def _tell() -> None:
        for listener in _ROUTING_LISTENERS:
            try:
                listener(actor, case, department)
            except Exception:  # a learning hook must never break dispatching
                logger.exception("routing listener %r failed for case %s", listener, case.pk)

    transaction.on_commit(_tell)
