"""Reads of the 事项配置 pages and API: the category tree, the duty list with its history, the calendar.

Re-exported by ``selectors``. The category tree and the calendar are district-wide; duty rules are
region-scoped through ``core.models.scope_q`` on the rule's region: a catalog administrator bound to a
street sees the rules of that street and the regions below it, never the district-wide ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, scope_of
from gongzhi.audit.selectors import events_for_targets
from gongzhi.core.errors import NotFound
from gongzhi.core.models import scope_q
from gongzhi.regions.selectors import regions_visible_to, top_region_paths

from .choices import CalendarDayKind
from .deadlines import PROVISIONAL_SOURCE
from .models import CalendarDay, Category, DutyRule
from .policy import DEFAULT_CONTACT_HOURS, DEFAULT_RESOLVE_DAYS, DEFAULT_SIGN_HOURS

CATALOG_PERMISSION = "cases.manage_catalog"
DEADLINE_FIELDS = (
    ("sign_hours", DEFAULT_SIGN_HOURS),
    ("contact_hours", DEFAULT_CONTACT_HOURS),
    ("resolve_days", DEFAULT_RESOLVE_DAYS),
)
RULE_REGION_LEVELS = ("district", "street", "community")


def manages_whole_catalog(user) -> bool:
    """Does ``user`` hold ``cases.manage_catalog`` over the whole region tree (tree, calendar, 全区 rules)?"""
    if not has_perm(user, CATALOG_PERMISSION):
        return False
    scope = scope_of(user)
    if scope.is_global:
        return True
    roots = top_region_paths()
    return bool(roots) and all(scope.covers_path(path) for path in roots)


# --------------------------------------------------------------------------------------------- categories


@dataclass(frozen=True)
class Deadline:
    """One limit of a category node as it applies: the value, and where it comes from."""

    value: int
    own: bool  # set on this node
    source: str  # "" when own; else the ancestor's name or "default"


@dataclass(frozen=True)
class CategoryNode:
    """A row of the category tree page: the node, its depth, whether it has children, applied limits."""

    category: Category
    has_children: bool
    sign_hours: Deadline
    contact_hours: Deadline
    resolve_days: Deadline

    @property
    def keywords(self) -> list[str]:
        return self.category.keywords.split()


def category_tree() -> list[CategoryNode]:
    """The whole 3-level tree in path order, each node with the limits that apply to its cases.

    A limit not set on a node is inherited from the nearest ancestor that sets it, else the platform
    default (``policy.DEFAULT_*``), exactly as ``policy.deadline_plan`` decides for a case. One query.
    """
    rows = list(Category.objects.order_by("path"))
    by_pk = {c.pk: c for c in rows}
    parents = {c.parent_id for c in rows if c.parent_id}
    nodes = []
    for category in rows:
        applied = {}
        for field, default in DEADLINE_FIELDS:
            own = getattr(category, field)
            if own is not None:
                applied[field] = Deadline(own, True, "")
                continue
            node = by_pk.get(category.parent_id)
            while node is not None and getattr(node, field) is None:
                node = by_pk.get(node.parent_id)
            applied[field] = (
                Deadline(getattr(node, field), False, node.name)
                if node is not None
                else Deadline(default, False, "default")
            )
        nodes.append(CategoryNode(category=category, has_children=category.pk in parents, **applied))
    return nodes


def category_node(*, pk: int) -> CategoryNode:
    """One row of ``category_tree`` (for the inline edit form)."""
    for node in category_tree():
        if node.category.pk == pk:
            return node
    raise NotFound(_("The category does not exist."))


def get_category(*, pk: int) -> Category:
    category = Category.objects.select_related("parent__parent").filter(pk=pk).first()
    if category is None:
        raise NotFound(_("The category does not exist."))
    return category


def has_categories() -> bool:
    return Category.objects.exists()


def rule_categories() -> QuerySet[Category]:
    """Active categories a duty rule may name (any level: a rule for a parent covers its subtree)."""
    return Category.objects.filter(is_active=True).order_by("path")


# ------------------------------------------------------------------------------------------------ duty list


def duty_rules_visible_to(
    user,
    *,
    category: Category | None = None,
    department_id: int | None = None,
    include_inactive: bool = False,
) -> QuerySet[DutyRule]:
    """职责清单: the rules whose region lies in the user's scope (all, with 全区 rules, for the district).

    ``category`` keeps the rules of that node and its subtree; ``department_id`` keeps rules where the
    department leads or assists. Retired rows (the history) only with ``include_inactive``.
    """
    if not has_perm(user, CATALOG_PERMISSION):
        return DutyRule.objects.none()
    scope = scope_of(user)
    qs = DutyRule.objects.all()
    if not manages_whole_catalog(user):
        qs = qs.filter(region__isnull=False).filter(scope_q(scope, path_field="region__path"))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if category is not None:
        qs = qs.filter(category__path__startswith=category.path)
    if department_id:
        assisted = DutyRule.objects.filter(assisting_departments=department_id).values("pk")
        qs = qs.filter(Q(lead_department_id=department_id) | Q(pk__in=assisted))
    return (
        qs.select_related("category", "region", "lead_department")
        .prefetch_related("assisting_departments")
        .order_by("category__path", "region__path", "-is_active", "-pk")
    )


def get_duty_rule(*, user, pk: int) -> DutyRule:
    """One rule (active or retired) in the user's scope; missing and out-of-scope rules look the same."""
    rule = duty_rules_visible_to(user, include_inactive=True).filter(pk=pk).first()
    if rule is None:
        raise NotFound(_("The duty rule does not exist or you cannot view it."))
    return rule


@dataclass(frozen=True)
class RuleChange:
    """One entry of a rule's history: who, when, what (action code and label), the changed fields."""

    at: Any
    actor: str
    action: str
    label: str
    reason: str
    rule_id: int | None
    changes: list[tuple[str, Any, Any]]


def duty_rule_changes(*, user, rule: DutyRule) -> list[RuleChange]:
    """变更历史 of the (category, region) pair of ``rule``: every audit event of its rows, newest first.

    Edits retire a row and create its successor, so the history of "the rule" is the history of all rows
    of the pair (``services.catalog.duty_rule_history``); the audit events say who did what and why.
    """
    from gongzhi.audit.registry import label_of

    rule = get_duty_rule(user=user, pk=rule.pk)
    pks = list(
        DutyRule.objects.filter(category_id=rule.category_id, region_id=rule.region_id).values_list(
            "pk", flat=True
        )
    )
    events = events_for_targets(target_type="cases.dutyrule", target_ids=[str(pk) for pk in pks])
    changes = []
    for event in events.order_by("-id"):
        data = event.data or {}
        old, new = data.get("old") or {}, data.get("new") or {}
        rows = [
            (name, old.get(name), new[name])
            for name in sorted(new, key=_change_order)  # PostgreSQL's jsonb keeps no key order
            if old.get(name) != new[name] and not (_blank(old.get(name)) and _blank(new[name]))
        ]
        changes.append(
            RuleChange(
                at=event.at,
                actor=event.actor_label,
                action=event.action,
                label=str(label_of(event.action)),
                reason=event.reason,
                rule_id=int(event.target_id) if event.target_id.isdigit() else None,
                changes=rows,
            )
        )
    return changes


#: the fields of a duty rule in the order of its form
_RULE_FIELDS = (
    "lead_department",
    "assisting",
    "sign_hours",
    "contact_hours",
    "resolve_days",
    "auto_dispatch",
    "note",
)


def _change_order(name: str) -> tuple[int, str]:
    return (_RULE_FIELDS.index(name) if name in _RULE_FIELDS else len(_RULE_FIELDS), name)


def _blank(value: Any) -> bool:
    """No value: a new rule's empty note or assisting list did not change from "nothing"."""
    return value is None or value == "" or value == []


def rule_regions_for(user) -> QuerySet:
    """Regions a rule may be bound to by ``user``: district, streets and communities in their scope."""
    return regions_visible_to(user).filter(level__in=RULE_REGION_LEVELS)


# ------------------------------------------------------------------------------------------------ calendar


def calendar_days(year: int) -> QuerySet[CalendarDay]:
    """The special days of ``year`` (holidays, 调休 working days, days set back to normal by hand)."""
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def calendar_years() -> list[int]:
    """Years that have calendar rows, oldest first."""
    return sorted({d.year for d in CalendarDay.objects.dates("date", "year")})


def is_manual(day: CalendarDay) -> bool:
    return day.source.startswith("manual")


def calendar_source(day: CalendarDay) -> tuple[str, str]:
    """Where a calendar day comes from, for the page: (label, detail shown small, or "").

    Set by hand (and by whom), a provisional year (statutory days only, before the State Council notice)
    or the State Council notice (the detail names the holiday data it came from).
    """
    if is_manual(day):
        who = day.source.partition(":")[2].strip()
        return (_("Set by hand (%(user)s)") % {"user": who} if who else _("Set by hand")), ""
    if day.source == PROVISIONAL_SOURCE:
        return _(
            "Provisional: statutory holidays only; load the year again once the State Council notice is out"
        ), ""
    return _("State Council notice"), day.source


def calendar_summary(year: int) -> dict[str, int]:
    """Counts of the year's rows by kind (for the page header)."""
    counts = {kind: 0 for kind in CalendarDayKind.values}
    for kind in calendar_days(year).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def get_calendar_day(day: date) -> CalendarDay | None:
    return CalendarDay.objects.filter(date=day).first()
