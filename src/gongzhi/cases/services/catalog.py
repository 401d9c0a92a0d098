"""事项分类、职责清单与工作日历: the category tree, the duty list and the working calendar.

* Category tree: the built-in default tree (``default_categories.py``) and Excel/CSV imports with the
  columns 一级分类, 二级分类, 三级分类. Codes are generated from sequence numbers (``01`` → ``0103`` →
  ``010307``), ``path`` is the chain of codes (``01/0103/010307/``) and ``full_name`` the chain of names
  (``城乡建设/住房保障/保障房``). Both the installer and the import only add missing nodes, so running
  them again changes nothing. Edits of deadlines, keywords and the active flag are audited.
* Duty list (职责清单): a rule is never edited in place. An edit retires the active row and creates a new
  active one, so the ``DutyRule`` rows of a (category, region) pair are its history
  (``duty_rule_history``) and the audit event holds the old and new values.
* Working calendar: ``seed_calendar_year`` loads the State Council holidays (``deadlines.seed_calendar``)
  into ``CalendarDay`` rows; ``set_calendar_day`` is the administrator's edit. Every change drops the
  cached ``policy.work_calendar()`` on commit.
* ``suggest_by_keywords``: the cold-start suggester (keywords and names of leaf categories matched
  against the case text), registered with ``routing.register_suggester``.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department
from gongzhi.accounts.scoping import require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.core.memo import KeyedMemo

from .. import deadlines, policy
from ..choices import CalendarDayKind
from ..default_categories import DEFAULT_TREE, CategorySpec
from ..models import CalendarDay, Case, Category, DutyRule
from ..selectors_catalog import manages_whole_catalog
from .routing import Suggestion, find_duty_rule, register_suggester

__all__ = [
    "CalendarSeedReport",
    "CategoryImportReport",
    "RowIssue",
    "create_duty_rule",
    "deactivate_duty_rule",
    "duty_rule_history",
    "import_categories",
    "install_default_categories",
    "normalise_keywords",
    "seed_calendar_year",
    "set_calendar_day",
    "suggest_by_keywords",
    "update_category",
    "update_duty_rule",
]

logger = logging.getLogger("gongzhi.cases.catalog")

PERMISSION = "cases.manage_catalog"
COLUMNS = ("一级分类", "二级分类", "三级分类")
KEYWORD_COLUMN = "关键词"
MAX_CHILDREN = 99
MAX_SIGN_HOURS = 720
MAX_RESOLVE_DAYS = 365
MANUAL_SOURCE = "manual"
FIRST_CALENDAR_YEAR = 2004
LAST_CALENDAR_YEAR = 2100
"""The years the working calendar is edited for (the pages and the API show no others)."""


def require_whole_catalog(actor) -> None:
    """``cases.manage_catalog`` over the whole district: the category tree, the calendar, district-wide rules.

    A catalog administrator bound to a street may edit only the duty rules of that street's regions.
    """
    require(actor, PERMISSION)
    if not manages_whole_catalog(actor):
        raise PermissionDenied()


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Default of optional edit arguments: "leave this field as it is" (``None`` means "clear it")."""


# ---------------------------------------------------------------------------------------------------
# Category tree


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row of an import: file row number (header = row 1), column, code, message."""

    row: int | None
    column: str
    code: str
    message: str


@dataclass
class CategoryImportReport:
    """Result of a category import or install: what was (or would be) created, and per-row problems.

    When ``errors`` is not empty nothing was written. ``skipped`` lists rows that were ignored without
    blocking the import (repeated rows). ``existing`` counts rows whose nodes all existed already.
    """

    created: list[str] = field(default_factory=list)
    created_by_level: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    existing: int = 0
    skipped: list[RowIssue] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "created": len(self.created),
            "created_by_level": dict(self.created_by_level),
            "existing": self.existing,
            "skipped": [issue.__dict__ for issue in self.skipped],
            "errors": [issue.__dict__ for issue in self.errors],
        }


_KEYWORD_SPLIT = re.compile(r"[\s,，、;；|]+")


def normalise_keywords(value: str | Iterable[str] | None) -> str:
    """Keywords as one space-separated string: split on spaces and Chinese/English commas, de-duplicated."""
    if value is None:
        return ""
    parts = _KEYWORD_SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    seen: dict[str, None] = {}
    for part in parts:
        word = part.strip()
        if word:
            seen.setdefault(word, None)
    return " ".join(seen)


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\ufeff", "").strip()


@dataclass
class _Planned:
    """A node to create: its names from the root, code, path, level and optional values."""

    names: tuple[str, ...]
    code: str
    path: str
    sort_order: int
    keywords: str = ""
    sign_hours: int | None = None
    contact_hours: int | None = None
    resolve_days: int | None = None


class _TreePlan:
    """Existing nodes by their name chain, plus the nodes to add with deterministic sequence codes."""

    def __init__(self) -> None:
        rows = list(
            Category.objects.order_by("level", "pk").values("pk", "code", "name", "parent_id", "path")
        )
        by_pk = {row["pk"]: row for row in rows}
        self.names_of: dict[int, tuple[str, ...]] = {}
        for row in rows:  # ordered by level, so a parent is always seen before its children
            parent = row["parent_id"]
            prefix = self.names_of.get(parent, ()) if parent else ()
            self.names_of[row["pk"]] = (*prefix, row["name"])
        self.existing: dict[tuple[str, ...], dict] = {self.names_of[pk]: by_pk[pk] for pk in self.names_of}
        self.planned: dict[tuple[str, ...], _Planned] = {}
        self._next_seq: dict[tuple[str, ...], int] = {}
        self._children_codes: dict[tuple[str, ...], list[str]] = {}
        for names, row in self.existing.items():
            self._children_codes.setdefault(names[:-1], []).append(row["code"])

    def has(self, names: tuple[str, ...]) -> bool:
        return names in self.existing or names in self.planned

    def _code_and_path(self, names: tuple[str, ...]) -> tuple[str, str] | None:
        parent = names[:-1]
        if parent in self.existing:
            parent_code, parent_path = self.existing[parent]["code"], self.existing[parent]["path"]
        elif parent:
            parent_code, parent_path = self.planned[parent].code, self.planned[parent].path
        else:
            parent_code, parent_path = "", ""
        seq = self._next_seq.get(parent)
        if seq is None:
            pattern = re.compile(rf"^{re.escape(parent_code)}(\d{{2}})$")
            taken = [int(m.group(1)) for c in self._children_codes.get(parent, []) if (m := pattern.match(c))]
            seq = max(taken, default=0) + 1
        if seq > MAX_CHILDREN:
            return None
        self._next_seq[parent] = seq + 1
        code = f"{parent_code}{seq:02d}"
        return code, f"{parent_path}{code}/"

    def add(self, names: tuple[str, ...], **values: Any) -> _Planned | None:
        """Plan a node (its parent must exist or be planned); None when the parent has no free number."""
        made = self._code_and_path(names)
        if made is None:
            return None
        code, path = made
        planned = _Planned(names=names, code=code, path=path, sort_order=int(code[-2:]), **values)
        self.planned[names] = planned
        return planned

    def write(self) -> dict[int, int]:
        """Create the planned nodes level by level (three bulk inserts); returns counts per level."""
        counts = {1: 0, 2: 0, 3: 0}
        pks = {names: row["pk"] for names, row in self.existing.items()}
        for level in (1, 2, 3):
            batch = [p for p in self.planned.values() if len(p.names) == level]
            if not batch:
                continue
            objs = [
                Category(
                    code=p.code,
                    name=p.names[-1],
                    level=level,
                    parent_id=pks[p.names[:-1]] if level > 1 else None,
                    path=p.path,
                    full_name="/".join(p.names),
                    keywords=p.keywords,
                    sign_hours=p.sign_hours,
                    contact_hours=p.contact_hours,
                    resolve_days=p.resolve_days,
                    sort_order=p.sort_order,
                )
                for p in batch
            ]
            created = Category.objects.bulk_create(objs, batch_size=500)
            if any(obj.pk is None for obj in created):  # backends that cannot return ids from bulk inserts
                found = dict(
                    Category.objects.filter(code__in=[p.code for p in batch]).values_list("code", "pk")
                )
                for obj in created:
                    obj.pk = found[obj.code]
            for p, obj in zip(batch, created, strict=True):
                pks[p.names] = obj.pk
            counts[level] = len(batch)
        return counts


def _too_many_children(row: int | None, names: tuple[str, ...]) -> RowIssue:
    return RowIssue(
        row,
        COLUMNS[len(names) - 1],
        "too_many_children",
        _("Row %(row)s: %(parent)s already has %(max)s subcategories; no more can be added.")
        % {"row": row or "-", "parent": "/".join(names[:-1]) or "/", "max": MAX_CHILDREN},
    )


def _finish(*, actor, plan: _TreePlan, report: CategoryImportReport, source: str) -> CategoryImportReport:
    if report.errors:
        report.created.clear()
        return report
    report.created = ["/".join(names) for names in plan.planned]
    if report.dry_run:
        report.created_by_level = {
            level: sum(1 for n in plan.planned if len(n) == level) for level in (1, 2, 3)
        }
        return report
    report.created_by_level = plan.write()
    if plan.planned:
        record(
            actor=actor,
            action="cases.import_categories",
            target=None,
            target_type="cases.category",
            target_label=source[:200],
            data={"source": source[:200], "created": report.created_by_level, "existing": report.existing},
        )
        transaction.on_commit(forget_keyword_index)
    return report


@transaction.atomic
def install_default_categories(*, actor) -> CategoryImportReport:
    """安装默认分类: add the built-in 3-level tree; nodes that already exist are left as they are.

    Idempotent and fast (one read and at most three bulk inserts), so the demo-data loader and
    ``gongzhi cases install-categories`` may run it every time. Deadlines and keywords edited by an
    administrator are never overwritten.
    """
    require_whole_catalog(actor)
    plan = _TreePlan()
    report = CategoryImportReport()

    def visit(spec: CategorySpec, prefix: tuple[str, ...]) -> None:
        names = (*prefix, spec.name)
        if plan.has(names):
            report.existing += 1
        elif (
            plan.add(
                names,
                keywords=normalise_keywords(spec.keywords),
                sign_hours=spec.sign_hours,
                contact_hours=spec.contact_hours,
                resolve_days=spec.resolve_days,
            )
            is None
        ):
            report.errors.append(_too_many_children(None, names))
            return
        for child in spec.children:
            visit(child, names)

    for spec in DEFAULT_TREE:
        visit(spec, ())
    return _finish(actor=actor, plan=plan, report=report, source="default tree")


def _rows_from_csv(data: bytes | str) -> Iterator[list[str]]:
    if isinstance(data, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise ValueError("undecodable")
    else:
        text = data.lstrip("\ufeff")
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        pass
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_from_excel(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _read_table(file_or_rows: Any) -> Iterator[list[Any]]:
    """Rows of cells (the header first) from a path, an uploaded/open file, or rows already in memory."""
    if isinstance(file_or_rows, str | Path):
        data: bytes | str = Path(file_or_rows).read_bytes()
    elif hasattr(file_or_rows, "read"):
        if hasattr(file_or_rows, "seek"):
            file_or_rows.seek(0)
        data = file_or_rows.read()
    else:
        rows = list(file_or_rows)
        if rows and isinstance(rows[0], dict):
            header = list(rows[0].keys())
            yield header
            for row in rows:
                yield [row.get(column, "") for column in header]
            return
        if rows and not any(_clean(c) in COLUMNS for c in rows[0]):
            yield list(COLUMNS)
        for row in rows:
            yield list(row)
        return
    if isinstance(data, bytes) and data[:4] == b"PK\x03\x04":
        yield from _rows_from_excel(data)
    else:
        yield from _rows_from_csv(data)


@transaction.atomic
def import_categories(
    *, actor, file_or_rows: Any, dry_run: bool = False, source: str = ""
) -> CategoryImportReport:
    """导入分类: add the nodes of an Excel (.xlsx) or CSV file with columns 一级分类, 二级分类, 三级分类.

    ``file_or_rows`` is a path, an uploaded or open file (UTF-8 or GB18030 CSV, or .xlsx; the first sheet
    is read) or a list of rows (dicts keyed by the column names, or lists with those columns in order).
    An optional 关键词 column gives a leaf's keywords. Blank cells, names that are too long or contain
    "/" are errors, reported with their file row numbers (header = row 1); if there is any error nothing
    is written. Repeated rows are skipped and listed. Existing nodes are matched by name under their
    parent and left unchanged, so importing the same file twice changes nothing.
    """
    require_whole_catalog(actor)
    report = CategoryImportReport(dry_run=dry_run)
    if not source:
        if isinstance(file_or_rows, str | Path):
            source = Path(file_or_rows).name
        else:
            source = str(getattr(file_or_rows, "name", "") or "rows")
    try:
        table = _read_table(file_or_rows)
        header = [_clean(c) for c in next(table, [])]
    except Exception:  # a broken upload must become a readable report, never a 500
        logger.warning("category import: cannot read %s", source, exc_info=True)
        report.errors.append(
            RowIssue(
                None,
                "",
                "unreadable_file",
                _("The file could not be read. Upload an Excel (.xlsx) or CSV file."),
            )
        )
        return report
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.errors.append(
            RowIssue(
                1,
                "",
                "missing_columns",
                _("The first row must contain the columns %(columns)s. Missing: %(missing)s.")
                % {"columns": "、".join(COLUMNS), "missing": "、".join(missing)},
            )
        )
        return report
    positions = [header.index(c) for c in COLUMNS]
    keyword_at = header.index(KEYWORD_COLUMN) if KEYWORD_COLUMN in header else None
    plan = _TreePlan()
    first_seen: dict[tuple[str, ...], int] = {}
    number = 1
    try:
        for number, raw in enumerate(table, start=2):
            cells = [_clean(raw[i]) if i < len(raw) else "" for i in positions]
            keywords = _clean(raw[keyword_at]) if keyword_at is not None and keyword_at < len(raw) else ""
            if not any(cells):
                continue  # blank line (Excel often keeps a few at the end)
            problem = _check_cells(number, cells)
            if problem is not None:
                report.errors.append(problem)
                continue
            names = tuple(cells)
            if names in first_seen:
                report.skipped.append(
                    RowIssue(
                        number,
                        "",
                        "duplicate_row",
                        _("Row %(row)s repeats row %(first)s and was skipped.")
                        % {"row": number, "first": first_seen[names]},
                    )
                )
                continue
            first_seen[names] = number
            if plan.has(names) and names not in plan.planned:
                report.existing += 1
                continue
            for depth in (1, 2, 3):
                prefix = names[:depth]
                if plan.has(prefix):
                    continue
                extra = {"keywords": normalise_keywords(keywords)} if depth == 3 else {}
                if plan.add(prefix, **extra) is None:
                    report.errors.append(_too_many_children(number, prefix))
                    break
    except Exception:
        logger.warning("category import: %s is unreadable after row %s", source, number, exc_info=True)
        report.errors.append(
            RowIssue(
                None,
                "",
                "unreadable_file",
                _("The file could not be read. Upload an Excel (.xlsx) or CSV file."),
            )
        )
    return _finish(actor=actor, plan=plan, report=report, source=f"import: {source}")


def _check_cells(number: int, cells: list[str]) -> RowIssue | None:
    for column, value in zip(COLUMNS, cells, strict=True):
        if not value:
            return RowIssue(
                number,
                column,
                "blank_cell",
                _("Row %(row)s: %(column)s is empty.") % {"row": number, "column": column},
            )
        if "/" in value:
            return RowIssue(
                number,
                column,
                "bad_character",
                _("Row %(row)s: %(column)s must not contain a slash (/).")
                % {"row": number, "column": column},
            )
        if len(value) > Category._meta.get_field("name").max_length:
            return RowIssue(
                number,
                column,
                "too_long",
                _("Row %(row)s: %(column)s is longer than %(max)s characters.")
                % {"row": number, "column": column, "max": Category._meta.get_field("name").max_length},
            )
    return None


def _check_limit(errors: dict, name: str, value: Any, upper: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        errors[name] = _("Enter a whole number from 1 to %(max)s.") % {"max": upper}


@transaction.atomic
def update_category(
    *,
    actor,
    category: Category,
    keywords: Any = UNSET,
    sign_hours: Any = UNSET,
    contact_hours: Any = UNSET,
    resolve_days: Any = UNSET,
    is_active: Any = UNSET,
    sort_order: Any = UNSET,
) -> Category:
    """修改分类: change a node's deadlines, keywords, order or active flag (audited with old/new values).

    ``None`` clears a deadline (the node then inherits its parent's). Deactivating a node deactivates its
    whole subtree; a node can be reactivated only under an active parent. Asking for the values that
    already hold changes nothing and writes no audit event.
    """
    require_whole_catalog(actor)
    errors: dict[str, Any] = {}
    _check_limit(errors, "sign_hours", None if sign_hours is UNSET else sign_hours, MAX_SIGN_HOURS)
    _check_limit(errors, "contact_hours", None if contact_hours is UNSET else contact_hours, MAX_SIGN_HOURS)
    _check_limit(errors, "resolve_days", None if resolve_days is UNSET else resolve_days, MAX_RESOLVE_DAYS)
    if errors:
        raise ValidationFailed(errors)
    current = Category.objects.select_for_update().get(pk=category.pk)  # no join: PostgreSQL locks one row
    wanted = {
        "keywords": normalise_keywords(keywords) if keywords is not UNSET else UNSET,
        "sign_hours": sign_hours,
        "contact_hours": contact_hours,
        "resolve_days": resolve_days,
        "is_active": bool(is_active) if is_active is not UNSET else UNSET,
        "sort_order": sort_order,
    }
    changes = {k: v for k, v in wanted.items() if v is not UNSET and getattr(current, k) != v}
    if not changes:
        return current
    if changes.get("is_active") is True and current.parent is not None and not current.parent.is_active:
        raise ValidationFailed({"is_active": _("Activate the parent category first.")})
    old = {k: getattr(current, k) for k in changes}
    now = timezone.now()
    Category.objects.filter(pk=current.pk).update(**changes, updated_at=now)
    descendants = 0
    if changes.get("is_active") is False:
        descendants = (
            Category.objects.filter(path__startswith=current.path, is_active=True)
            .exclude(pk=current.pk)
            .update(is_active=False, updated_at=now)
        )
    current.refresh_from_db()
    record(
        actor=actor,
        action="cases.update_category",
        target=current,
        data={"old": old, "new": changes, "descendants_deactivated": descendants},
    )
    transaction.on_commit(forget_keyword_index)
    return current


# ---------------------------------------------------------------------------------------------------
# Duty list


def _check_rule_values(
    *,
    category: Category,
    lead_department: Department,
    assisting: Sequence[Department],
    sign_hours: Any,
    contact_hours: Any,
    resolve_days: Any,
    note: str,
) -> None:
    errors: dict[str, Any] = {}
    if not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if not lead_department.is_active or not lead_department.accepts_cases:
        errors["lead_department"] = _("This department does not take cases.")
    if any(d.pk == lead_department.pk for d in assisting):
        errors["assisting"] = _("The lead department cannot also be an assisting department.")
    elif any(not d.is_active for d in assisting):
        errors["assisting"] = _("An assisting department is no longer active.")
    _check_limit(errors, "sign_hours", sign_hours, MAX_SIGN_HOURS)
    _check_limit(errors, "contact_hours", contact_hours, MAX_SIGN_HOURS)
    _check_limit(errors, "resolve_days", resolve_days, MAX_RESOLVE_DAYS)
    if len(note) > DutyRule._meta.get_field("note").max_length:
        errors["note"] = _("The note is too long.")
    if errors:
        raise ValidationFailed(errors)


def _require_for(actor, region) -> None:
    """``cases.manage_catalog`` over ``region``, or over the whole district for a district-wide rule.

    ``require(actor, perm, region)`` alone is not enough here: it lets a region node pass when it is an
    *ancestor* of the actor's scope (so a street can see where it sits in the tree), which would let a
    street's catalog administrator rewrite the district's rules. A rule is edited only by someone whose
    scope covers the rule's whole region.
    """
    if region is None:
        require_whole_catalog(actor)
        return
    require(actor, PERMISSION)
    if not scope_of(actor).covers_path(region.path):
        raise PermissionDenied()


def _rule_values(rule: DutyRule) -> dict[str, Any]:
    return {
        "lead_department": rule.lead_department_id,
        "assisting": sorted(rule.assisting_departments.values_list("pk", flat=True)),
        "sign_hours": rule.sign_hours,
        "contact_hours": rule.contact_hours,
        "resolve_days": rule.resolve_days,
        "auto_dispatch": rule.auto_dispatch,
        "note": rule.note,
    }


def _save_rule(**fields: Any) -> DutyRule:
    assisting = fields.pop("assisting")
    rule = DutyRule(**fields)
    rule.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise Conflict(
            _("Someone else has just changed the duty list for this category. Refresh and try again."),
            code="duty_rule.conflict",
        )
    if assisting:
        rule.assisting_departments.set(assisting)
    return rule


@transaction.atomic
def create_duty_rule(
    *,
    actor,
    category: Category,
    lead_department: Department,
    region=None,
    assisting: Sequence[Department] = (),
    sign_hours: int | None = None,
    contact_hours: int | None = None,
    resolve_days: int | None = None,
    auto_dispatch: bool = True,
    note: str = "",
) -> DutyRule:
    """新增职责清单条目: cases of ``category`` (and subcategories) in ``region`` go to the lead department.

    ``region`` None means district-wide. There is at most one active rule per (category, region); asking
    again for exactly the active rule returns it unchanged, a different one raises ``ValidationFailed``
    (edit the rule instead, which keeps its history).
    """
    _require_for(actor, region)
    category = Category.objects.get(pk=category.pk)  # judge the current row, not a stale copy
    assisting = list(assisting)
    note = (note or "").strip()
    _check_rule_values(
        category=category,
        lead_department=lead_department,
        assisting=assisting,
        sign_hours=sign_hours,
        contact_hours=contact_hours,
        resolve_days=resolve_days,
        note=note,
    )
    active = DutyRule.objects.filter(category=category, region=region, is_active=True).first()
    wanted = {
        "lead_department": lead_department.pk,
        "assisting": sorted(d.pk for d in assisting),
        "sign_hours": sign_hours,
        "contact_hours": contact_hours,
        "resolve_days": resolve_days,
        "auto_dispatch": bool(auto_dispatch),
        "note": note,
    }
    if active is not None:
        if _rule_values(active) == wanted:
            return active
        raise ValidationFailed(
            {"category": _("This category already has a duty rule for this region. Edit that rule instead.")},
            code="duty_rule.exists",
        )
    rule = _save_rule(
        category=category,
        region=region,
        lead_department=lead_department,
        assisting=assisting,
        sign_hours=sign_hours,
        contact_hours=contact_hours,
        resolve_days=resolve_days,
        auto_dispatch=bool(auto_dispatch),
        note=note,
        is_active=True,
    )
    record(
        actor=actor,
        action="cases.create_duty_rule",
        target=rule,
        data={"category": category.pk, "region": getattr(region, "pk", None), "new": wanted},
    )
    return rule


@transaction.atomic
def update_duty_rule(
    *,
    actor,
    rule: DutyRule,
    lead_department: Any = UNSET,
    assisting: Any = UNSET,
    sign_hours: Any = UNSET,
    contact_hours: Any = UNSET,
    resolve_days: Any = UNSET,
    auto_dispatch: Any = UNSET,
    note: Any = UNSET,
    reason: str = "",
) -> DutyRule:
    """修改职责清单条目: retire the active rule and create its successor; returns the new active rule.

    Only the given fields change (``None`` clears a deadline so the category's applies). The old row
    stays as history with ``is_active=False``; the audit event records the old and new values and both
    row ids. Asking for the values that already hold returns the rule unchanged.
    """
    current = (
        DutyRule.objects.select_for_update()  # no join (not even the default ordering's): FOR UPDATE
        .filter(pk=rule.pk)  # cannot lock the nullable side of an outer join on PostgreSQL
        .order_by("pk")
        .first()
    )
    if current is None:
        raise Conflict(code="duty_rule.conflict")
    _require_for(actor, current.region)
    if not current.is_active:
        raise InvalidTransition(
            _("This duty rule has already been replaced or retired. Refresh the page."),
            code="duty_rule.inactive",
        )
    old = _rule_values(current)
    lead = current.lead_department if lead_department is UNSET else lead_department
    helpers = list(current.assisting_departments.order_by("pk")) if assisting is UNSET else list(assisting)
    values = {
        "sign_hours": current.sign_hours if sign_hours is UNSET else sign_hours,
        "contact_hours": current.contact_hours if contact_hours is UNSET else contact_hours,
        "resolve_days": current.resolve_days if resolve_days is UNSET else resolve_days,
        "auto_dispatch": current.auto_dispatch if auto_dispatch is UNSET else bool(auto_dispatch),
        "note": current.note if note is UNSET else (note or "").strip(),
    }
    _check_rule_values(
        category=current.category,
        lead_department=lead,
        assisting=helpers,
        sign_hours=values["sign_hours"],
        contact_hours=values["contact_hours"],
        resolve_days=values["resolve_days"],
        note=values["note"],
    )
    new = {"lead_department": lead.pk, "assisting": sorted(d.pk for d in helpers), **values}
    if new == old:
        return current
    retired = DutyRule.objects.filter(pk=current.pk, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    )
    if retired != 1:  # pragma: no cover - the row is locked above
        raise Conflict(code="duty_rule.conflict")
    successor = _save_rule(
        category=current.category,
        region=current.region,
        lead_department=lead,
        assisting=helpers,
        is_active=True,
        **values,
    )
    changed = {k: {"old": old[k], "new": new[k]} for k in new if old[k] != new[k]}
    record(
        actor=actor,
        action="cases.update_duty_rule",
        target=successor,
        reason=reason,
        data={
            "previous": current.pk,
            "current": successor.pk,
            "category": current.category_id,
            "region": current.region_id,
            "changed": changed,
            "old": old,
            "new": new,
        },
    )
    return successor


@transaction.atomic
def deactivate_duty_rule(*, actor, rule: DutyRule, reason: str = "") -> DutyRule:
    """停用职责清单条目: retire the rule; cases of its category then go to the dispatcher's queue.

    The reason is required (it is shown in the rule's history). Retiring a rule that is already retired
    returns it unchanged.
    """
    _require_for(actor, rule.region)
    reason = (reason or "").strip()
    if not reason and DutyRule.objects.filter(pk=rule.pk, is_active=True).exists():
        raise ValidationFailed({"reason": _("Give the reason for retiring this rule.")})
    changed = DutyRule.objects.filter(pk=rule.pk, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    )
    rule.refresh_from_db()
    if changed:
        record(
            actor=actor,
            action="cases.deactivate_duty_rule",
            target=rule,
            reason=reason,
            data={
                "category": rule.category_id,
                "region": rule.region_id,
                "old": {"is_active": True},
                "new": {"is_active": False},
            },
        )
    return rule


def duty_rule_history(category: Category, region=None):
    """职责清单变更历史: every rule row of (category, region), newest first (the active one, if any, first).

    Read-only helper kept next to the services that write the history; re-exported by the selectors.
    """
    return (
        DutyRule.objects.filter(category=category, region=region)
        .select_related("category", "region", "lead_department")
        .prefetch_related("assisting_departments")
        .order_by("-is_active", "-created_at", "-pk")
    )


# ---------------------------------------------------------------------------------------------------
# Working calendar


@dataclass
class CalendarSeedReport:
    """Result of seeding one year: dates added, replaced (kind changed) and removed; the source used."""

    year: int
    source: str
    created: list[date_type] = field(default_factory=list)
    replaced: list[date_type] = field(default_factory=list)
    removed: list[date_type] = field(default_factory=list)
    kept_manual: list[date_type] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.removed)


def _is_seeded(source: str) -> bool:
    return bool(source) and not source.startswith(MANUAL_SOURCE)


@transaction.atomic
def seed_calendar_year(*, actor, year: int) -> CalendarSeedReport:
    """录入年度节假日: load ``deadlines.seed_calendar(year)`` into the editable working calendar.

    Adds missing dates, and replaces or removes rows that an earlier seed wrote but the current data no
    longer lists (e.g. a provisional year once the State Council notice is known). Days an administrator
    set by hand are never touched. Running it again changes nothing; nothing changed means no audit.
    """
    require_whole_catalog(actor)
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not FIRST_CALENDAR_YEAR <= year <= LAST_CALENDAR_YEAR
    ):
        raise ValidationFailed(
            {
                "year": _("Holidays can only be loaded for %(first)s to %(last)s.")
                % {"first": FIRST_CALENDAR_YEAR, "last": LAST_CALENDAR_YEAR}
            }
        )
    try:
        holidays, makeup, source = deadlines.seed_calendar(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": _("No holiday data is available for this year.")})
    wanted = {d: CalendarDayKind.HOLIDAY for d in holidays} | {
        d: CalendarDayKind.MAKEUP_WORKDAY for d in makeup
    }
    report = CalendarSeedReport(year=year, source=source)
    existing = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    delete_pks: list[int] = []
    create: list[CalendarDay] = []
    for day, row in sorted(existing.items()):
        if not _is_seeded(row.source):
            if day in wanted:
                report.kept_manual.append(day)
            continue
        kind = wanted.get(day)
        if kind is None:
            delete_pks.append(row.pk)
            report.removed.append(day)
        elif kind != row.kind:
            delete_pks.append(row.pk)
            create.append(CalendarDay(date=day, kind=kind, source=source[:200]))
            report.replaced.append(day)
    for day, kind in sorted(wanted.items()):
        if day not in existing:
            create.append(CalendarDay(date=day, kind=kind, source=source[:200]))
            report.created.append(day)
    if not report.changed:
        return report
    CalendarDay.objects.filter(pk__in=delete_pks).delete()
    CalendarDay.objects.bulk_create(create)
    record(
        actor=actor,
        action="cases.seed_calendar",
        target=None,
        target_type="cases.calendarday",
        target_label=str(year),
        data={
            "year": year,
            "source": source,
            "created": len(report.created),
            "replaced": [d.isoformat() for d in report.replaced],
            "removed": [d.isoformat() for d in report.removed],
        },
    )
    transaction.on_commit(policy.forget_calendar)
    return report


@transaction.atomic
def set_calendar_day(*, actor, date: date_type, kind: str | None, name: str = "") -> CalendarDay | None:
    """修改工作日历: make ``date`` a holiday, a make-up working day (调休), or a normal day.

    ``kind`` is ``"holiday"``, ``"makeup_workday"``, or ``"normal"`` (``None`` means the same): a day that
    follows its weekday. Every change is stored as a row set by hand (``source`` "manual: …"), which
    seeding never touches; so clearing a seeded holiday stores a ``normal`` row instead of deleting the
    seeded one, and a later ``seed_calendar_year`` does not bring the holiday back. Making a date that
    has no row normal changes nothing. The row is deleted and recreated so that the cached calendar
    notices the change in every process; the cache of this process is dropped on commit. Returns the
    stored row, or None when the date has no row.
    """
    require_whole_catalog(actor)
    if kind is None:
        kind = CalendarDayKind.NORMAL
    errors: dict[str, Any] = {}
    if isinstance(date, datetime) or not isinstance(date, date_type):
        errors["date"] = _("Enter a valid date.")
    elif not FIRST_CALENDAR_YEAR <= date.year <= LAST_CALENDAR_YEAR:
        errors["date"] = _("Only dates from %(first)s to %(last)s can be set.") % {
            "first": FIRST_CALENDAR_YEAR,
            "last": LAST_CALENDAR_YEAR,
        }
    elif kind not in CalendarDayKind.values:
        errors["kind"] = _("Choose holiday, make-up working day or normal day.")
    elif kind == CalendarDayKind.MAKEUP_WORKDAY and date.weekday() < 5:
        errors["kind"] = _("Only a Saturday or Sunday can be a make-up working day.")
    name = (name or "").strip()
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        errors["name"] = _("The name is too long.")
    if errors:
        raise ValidationFailed(errors)
    current = CalendarDay.objects.select_for_update().filter(date=date).first()
    old = {"kind": current.kind, "name": current.name, "source": current.source} if current else None
    if current is not None and current.kind == kind and current.name == name:
        return current
    if current is None and kind == CalendarDayKind.NORMAL:
        return None  # already a normal day, and no seeded row to shield from re-seeding
    if current is not None:
        current.delete()
    source = f"{MANUAL_SOURCE}: {getattr(actor, 'username', '')}"[:200]
    row = CalendarDay.objects.create(date=date, kind=kind, name=name, source=source)
    record(
        actor=actor,
        action="cases.set_calendar_day",
        target=row,
        target_type="cases.calendarday",
        target_id=date.isoformat(),
        target_label=date.isoformat(),
        data={"date": date.isoformat(), "old": old, "new": {"kind": kind, "name": name}},
    )
    transaction.on_commit(policy.forget_calendar)
    return row


# ---------------------------------------------------------------------------------------------------
# Cold-start keyword suggester


@dataclass(frozen=True)
class _Entry:
    category_id: int
    keywords: tuple[str, ...]  # longest first
    name: str
    name_words: frozenset[str]
    parent_words: frozenset[str]


_jieba_quiet: list[bool] = []

KEYWORD_WEIGHT = 1.0
SHORT_KEYWORD_WEIGHT = 0.7
NAME_WEIGHT = 1.2
NAME_WORD_WEIGHT = 0.4
PARENT_WORD_WEIGHT = 0.25
MAX_KEYWORD_CONFIDENCE = 0.9


def _words(text: str) -> frozenset[str]:
    import jieba

    if not _jieba_quiet:
        jieba.setLogLevel(logging.WARNING)
        _jieba_quiet.append(True)
    return frozenset(w for w in jieba.lcut(text) if len(w) >= 2)


def forget_keyword_index() -> None:
    """Drop the cached keyword index (categories changed)."""
    _index.forget()


def _keyword_index() -> list[_Entry]:
    stamp = Category.objects.aggregate(n=Count("pk"), changed=Max("updated_at"), last=Max("pk"))
    return _index.get((stamp["n"], stamp["changed"], stamp["last"]))


def _build_keyword_index() -> list[_Entry]:
    rows = list(
        Category.objects.filter(is_active=True).values("pk", "name", "keywords", "parent_id", "level")
    )
    by_pk = {row["pk"]: row for row in rows}
    has_children = {row["parent_id"] for row in rows if row["parent_id"]}
    entries = []
    for row in rows:
        if row["pk"] in has_children:
            continue
        parents, node = [], by_pk.get(row["parent_id"])
        while node is not None:
            parents.append(node["name"])
            node = by_pk.get(node["parent_id"])
        keywords = tuple(
            sorted(
                (w.lower() for w in normalise_keywords(row["keywords"]).split() if len(w) >= 2),
                key=len,
                reverse=True,
            )
        )
        entries.append(
            _Entry(
                category_id=row["pk"],
                keywords=keywords,
                name=row["name"].lower(),
                name_words=_words(row["name"]),
                parent_words=frozenset().union(*(_words(p) for p in parents)) if parents else frozenset(),
            )
        )
    return entries


_index: KeyedMemo[list[_Entry]] = KeyedMemo(_build_keyword_index)


def _score(entry: _Entry, text: str, tokens: frozenset[str]) -> tuple[float, list[str]]:
    score = 0.0
    matched: list[str] = []
    if len(entry.name) >= 2 and entry.name in text:
        score += NAME_WEIGHT
        matched.append(entry.name)
    for word in entry.keywords:
        if word in text and not any(word in longer for longer in matched):
            score += KEYWORD_WEIGHT if len(word) >= 3 else SHORT_KEYWORD_WEIGHT
            matched.append(word)
    for word in sorted(entry.name_words & tokens):
        if not any(word in longer for longer in matched):
            score += NAME_WORD_WEIGHT
            matched.append(word)
    if score > 0:
        for word in sorted(entry.parent_words & tokens):
            if not any(word in longer for longer in matched):
                score += PARENT_WORD_WEIGHT
                matched.append(word)
    return score, matched


def suggest_by_keywords(case: Case, *, limit: int = 3) -> list[Suggestion]:
    """关键词推荐分类: leaf categories whose keywords or name words appear in the case text.

    Before a classifier has been trained this is the only suggestion a dispatcher gets. Each match
    adds to a category's score (a keyword of 3+ characters 1.0, of 2 characters 0.7, the leaf's own name
    1.2, a word of its name 0.4, a word of its parents' names 0.25). Confidence =
    ``s / (s + 1.5) × (0.5 + 0.5 × s / total)``, capped at 0.9 so that keyword hits never count as
    certain. The matched words are the reasons shown to the dispatcher; the department comes from the
    duty list when a rule matches.
    """
    text = f"{case.title or ''} {case.description or ''}".lower()
    if not text.strip():
        return []
    entries = _keyword_index()
    if not entries:
        return []
    tokens = _words(text)
    scored = []
    for entry in entries:
        score, matched = _score(entry, text, tokens)
        if score > 0:
            scored.append((score, entry.category_id, matched))
    if not scored:
        return []
    scored.sort(key=lambda item: (-item[0], item[1]))
    total = sum(item[0] for item in scored)
    top = scored[:limit]
    categories = Category.objects.select_related("parent__parent").in_bulk([item[1] for item in top])
    suggestions = []
    for score, category_id, matched in top:
        category = categories[category_id]
        confidence = min(MAX_KEYWORD_CONFIDENCE, score / (score + 1.5) * (0.5 + 0.5 * score / total))
        rule = find_duty_rule(category=category, region_path=case.region_path or "")
        suggestions.append(
            Suggestion(
                category=category,
                department_id=rule.lead_department_id if rule else None,
                confidence=math.floor(confidence * 100) / 100,
                source="keywords",
                reasons=tuple(matched),
            )
        )
    return suggestions


register_suggester(suggest_by_keywords)
