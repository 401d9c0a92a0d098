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
from gongzhi.regions.models import Region

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
    #: sure enough to act on without a person (a classifier above its validated precision threshold)
    auto: bool = False


# --- the hooks: other apps (intelligence) plug in here; the cases app never imports them ----------------


def _add(registry: list, func: Callable) -> Callable:
    """Register ``func`` once (an app's ``ready`` may run more than once in tests)."""
    if func not in registry:
        registry.append(func)
    return func


def _first_answer(registry: list, *args: object, what: str) -> object | None:
    """The first non-None answer of the registered functions; a function that fails is logged and skipped."""
    for func in registry:
        try:
            answer = func(*args)
        except Exception:  # an aid must never break the command it advises
            logger.exception("%s %r failed", what, func)
            continue
        if answer is not None:
            return answer
    return None


def _tell_after_commit(registry: list, *args: object, what: str) -> None:
    """Call every registered listener once the transaction commits; a listener's failure is logged only."""
    if not registry:
        return

    def _tell() -> None:
        for listener in registry:
            try:
                listener(*args)
            except Exception:  # a listener must never undo or break the committed command
                logger.exception("%s %r failed", what, listener)

    transaction.on_commit(_tell)


Suggester = Callable[[Case], list[Suggestion]]
_SUGGESTERS: list[Suggester] = []
_AUTOMATIC: list[Suggester] = []


def register_suggester(func: Suggester, *, automatic: bool = False) -> Suggester:
    """Plug a suggester in (the intelligence app registers its classifier here).

    ``automatic``: it may return suggestions marked ``auto``; only such suggesters are asked when intake
    classifies a case by itself (the others only advise a person, so asking them there is wasted work).
    """
    if automatic:
        _add(_AUTOMATIC, func)
    return _add(_SUGGESTERS, func)


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


def automatic_category(case: Case) -> Suggestion | None:
    """The suggestion sure enough to set the category of a case nobody classified, or None."""
    if case.category_id is not None:
        return None
    for suggester in _AUTOMATIC:
        for item in suggester(case):
            if item.auto and item.category is not None:
                return item
    return None


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
    return _add(_URGENCY_DETECTORS, func)


def reads_urgent(title: str, description: str) -> bool:
    """Does any registered detector read the text as a present emergency?"""
    return any(detector(title, description) for detector in _URGENCY_DETECTORS)


def register_routing_listener(func: RoutingListener) -> RoutingListener:
    """Plug in ``(actor, case, department) -> None``, told after a person dispatched or reassigned a case."""
    return _add(_ROUTING_LISTENERS, func)


def routing_decided(actor: User, case: Case, department: Department) -> None:
    """Tell the listeners, once the transaction commits, which lead department a person chose.

    Automatic dispatch by the system account is not a human decision and is not reported. A listener's
    failure is logged and never undoes the dispatch.
    """
    if not getattr(actor, "is_system", False):
        _tell_after_commit(_ROUTING_LISTENERS, actor, case, department, what="routing listener")


# --- reply-quality and place-finding hooks (the intelligence app plugs in here) ---------------------------

ReplyChecker = Callable[[str, str, str], object]
PlaceFinder = Callable[[str], Region | None]
_REPLY_CHECKERS: list[ReplyChecker] = []
_PLACE_FINDERS: list[PlaceFinder] = []


def register_reply_checker(func: ReplyChecker) -> ReplyChecker:
    """Plug in ``(title, description, reply) -> result with as_dict()`` that scores a department's reply."""
    return _add(_REPLY_CHECKERS, func)


def check_reply(case: Case, reply: str) -> dict | None:
    """答复质量: the first checker's advice on a reply as plain data (score, flags), or None without one.

    Advice only: a checker's failure is logged and never stops a reply from being submitted.
    """
    result = _first_answer(_REPLY_CHECKERS, case.title, case.description, reply, what="reply checker")
    if result is None:
        return None
    return result.as_dict() if hasattr(result, "as_dict") else dict(result)


def register_place_finder(func: PlaceFinder) -> PlaceFinder:
    """Plug in ``(text) -> Region or None`` that finds the place a case's text names (地点识别)."""
    return _add(_PLACE_FINDERS, func)


def find_place_in_text(text: str) -> Region | None:
    """The region the first place finder reads in ``text``, or None (a finder's failure is logged)."""
    return _first_answer(_PLACE_FINDERS, text, what="place finder")


# --- duplicate detection and intake hooks (the intelligence app plugs in here) --------------------------

DuplicateFinder = Callable[..., dict[int, list[Case]]]
IntakeListener = Callable[[Case], None]
_DUPLICATE_FINDERS: list[DuplicateFinder] = []
_INTAKE_LISTENERS: list[IntakeListener] = []


def register_duplicate_finder(func: DuplicateFinder) -> DuplicateFinder:
    """Plug in ``(user, cases, *, limit) -> {case pk: [earlier open cases]}`` (重复件); the last one wins."""
    return _add(_DUPLICATE_FINDERS, func)


def duplicate_finder() -> DuplicateFinder | None:
    """The registered duplicate finder, or None (``possible_duplicates`` then uses its title overlap)."""
    return _DUPLICATE_FINDERS[-1] if _DUPLICATE_FINDERS else None


def register_intake_listener(func: IntakeListener) -> IntakeListener:
    """Plug in ``(case) -> None``, told once a newly submitted case is committed (not on replays)."""
    return _add(_INTAKE_LISTENERS, func)


def case_received(case: Case) -> None:
    """Tell the intake listeners about a new case after the transaction commits; failures are logged."""
    _tell_after_commit(_INTAKE_LISTENERS, case, what="intake listener")
