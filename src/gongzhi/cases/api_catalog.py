"""REST API of 事项配置 (/api/v1/catalog): the category tree, the duty list and the working calendar.

Thin: one selector or one service per operation; every endpoint needs ``cases.manage_catalog`` (403).
The tree, the calendar and 全区 rules are edited by administrators of the whole district; a street's
catalog administrator reads them and edits only the rules inside their street (the services decide).
Domain errors become ``{"code", "message", "fields"}`` through the handlers of ``core.api``.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from gongzhi.accounts.scoping import require
from gongzhi.accounts.selectors import get_department
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.regions.selectors import get_region

from . import selectors, services
from .forms import category_by_id
from .policy import work_calendar
from .schemas import ErrorOut
from .schemas_catalog import (
    CalendarDayIn,
    CalendarDayOut,
    CalendarYearOut,
    CategoryOut,
    CategoryPatchIn,
    DeactivateRuleIn,
    DutyRuleIn,
    DutyRuleOut,
    DutyRulePageOut,
    DutyRulePatchIn,
    ImportReportOut,
    RuleChangeOut,
    SeedIn,
    SeedReportOut,
)
from .selectors_catalog import CATALOG_PERMISSION, is_manual

router = Router(tags=["catalog"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_RULES = 500


def _allowed(request) -> None:
    require(request.user, CATALOG_PERMISSION)


# ---------------------------------------------------------------------------------------------- categories
# Fixed paths (``/categories/import``, ``/calendar/seed``) come before the ones with a parameter: Django
# tries the patterns in order.


def _category_out(node) -> dict:
    c = node.category

    def applied(limit) -> dict:
        return {"value": limit.value, "inherited": not limit.own, "source": limit.source}

    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "level": c.level,
        "parent_id": c.parent_id,
        "full_name": c.full_name,
        "keywords": c.keywords.split(),
        "sign_hours": c.sign_hours,
        "contact_hours": c.contact_hours,
        "resolve_days": c.resolve_days,
        "applied_sign_hours": applied(node.sign_hours),
        "applied_contact_hours": applied(node.contact_hours),
        "applied_resolve_days": applied(node.resolve_days),
        "is_active": c.is_active,
        "has_children": node.has_children,
    }


@router.get("/categories", response={200: list[CategoryOut], 403: ErrorOut}, url_name="catalog_categories")
def list_categories(request):
    """The whole 3-level tree in code order, with the limits that apply (own, inherited or default)."""
    _allowed(request)
    return [_category_out(node) for node in selectors.category_tree()]


@router.post(
    "/categories/import",
    response={200: ImportReportOut, 403: ErrorOut, 422: ImportReportOut},
    url_name="catalog_categories_import",
)
def import_categories(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import an Excel (.xlsx) or CSV file with columns 一级分类, 二级分类, 三级分类 [, 关键词] (multipart).

    Existing nodes are kept; new ones are added with following codes. Any row error (reported with its
    row number) means nothing is written and the answer is 422 with the report.
    """
    _allowed(request)
    report = services.import_categories(
        actor=request.user, file_or_rows=file, dry_run=dry_run, source=file.name or "upload"
    )
    body = report.as_dict()
    body["created_by_level"] = {str(k): v for k, v in body["created_by_level"].items()}
    return Status(200 if report.ok else 422, body)


@router.post(
    "/categories/install-defaults",
    response={200: ImportReportOut, 403: ErrorOut},
    url_name="catalog_categories_install",
)
def install_default_categories(request):
    """Add the built-in tree of urban governance categories (existing nodes are left as they are)."""
    _allowed(request)
    body = services.install_default_categories(actor=request.user).as_dict()
    body["created_by_level"] = {str(k): v for k, v in body["created_by_level"].items()}
    return body


@router.get("/categories/{category_id}", response={200: CategoryOut, **ERRORS}, url_name="catalog_category")
def get_category(request, category_id: int):
    _allowed(request)
    return _category_out(selectors.category_node(pk=category_id))


@router.patch(
    "/categories/{category_id}", response={200: CategoryOut, **ERRORS}, url_name="catalog_category_patch"
)
def patch_category(request, category_id: int, payload: CategoryPatchIn):
    """Change keywords, limits (``null`` clears: inherit), order or the active flag (audited)."""
    _allowed(request)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("is_active", "sort_order", "keywords"):
        if changes.get(name, 0) is None:
            changes.pop(name)
    category = selectors.get_category(pk=category_id)
    services.update_category(actor=request.user, category=category, **changes)
    return _category_out(selectors.category_node(pk=category_id))


# ------------------------------------------------------------------------------------------------ duty list


def _department_out(department) -> dict:
    return {"id": department.pk, "code": department.code, "name": department.name}


def _rule_out(rule) -> dict:
    return {
        "id": rule.pk,
        "category_id": rule.category_id,
        "category": rule.category.full_name,
        "region": {"code": rule.region.code, "name": rule.region.name} if rule.region_id else None,
        "lead_department": _department_out(rule.lead_department),
        "assisting_departments": [_department_out(d) for d in rule.assisting_departments.all()],
        "sign_hours": rule.sign_hours,
        "contact_hours": rule.contact_hours,
        "resolve_days": rule.resolve_days,
        "auto_dispatch": rule.auto_dispatch,
        "is_active": rule.is_active,
        "note": rule.note,
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    }


def _department(pk: int, field: str):
    try:
        return get_department(pk=pk)
    except NotFound:
        raise ValidationFailed({field: _("The department does not exist.")})


def _departments(pks: list[int], field: str) -> list:
    return [_department(pk, field) for pk in dict.fromkeys(pks)]


def _rule(request, rule_id: int):
    return selectors.get_duty_rule(user=request.user, pk=rule_id)


@router.get("/duty-rules", response={200: DutyRulePageOut, 403: ErrorOut}, url_name="catalog_duty_rules")
def list_duty_rules(
    request,
    category_id: int | None = None,
    department_id: int | None = None,
    include_inactive: bool = False,
    limit: int = Query(100, ge=1, le=MAX_RULES),
    offset: int = Query(0, ge=0),
):
    """Rules in the caller's scope, by category path then region; a category keeps its subtree's rules."""
    _allowed(request)
    rules = selectors.duty_rules_visible_to(
        request.user,
        category=selectors.get_category(pk=category_id) if category_id else None,
        department_id=department_id,
        include_inactive=include_inactive,
    )
    return {"items": [_rule_out(r) for r in rules[offset : offset + limit]], "count": rules.count()}


@router.get("/duty-rules/{rule_id}", response={200: DutyRuleOut, **ERRORS}, url_name="catalog_duty_rule")
def get_duty_rule(request, rule_id: int):
    _allowed(request)
    return _rule_out(_rule(request, rule_id))


@router.post(
    "/duty-rules",
    response={201: DutyRuleOut, 200: DutyRuleOut, **ERRORS},
    url_name="catalog_duty_rules_create",
)
def create_duty_rule(request, payload: DutyRuleIn):
    """Add a rule: cases of the category (and its subtree) in the region go to the lead department.

    Asking again for exactly the active rule returns it (200); a different rule for the same category
    and region is refused (422: edit that rule instead, which keeps its history).
    """
    _allowed(request)
    region = None
    if payload.region_code:
        try:
            region = get_region(user=request.user, code=payload.region_code)
        except NotFound:
            raise ValidationFailed({"region_code": _("The region does not exist or you cannot view it.")})
    started = timezone.now()
    rule = services.create_duty_rule(
        actor=request.user,
        category=category_by_id(payload.category_id, field="category_id"),
        region=region,
        lead_department=_department(payload.lead_department_id, "lead_department_id"),
        assisting=_departments(payload.assisting_department_ids, "assisting_department_ids"),
        sign_hours=payload.sign_hours,
        contact_hours=payload.contact_hours,
        resolve_days=payload.resolve_days,
        auto_dispatch=payload.auto_dispatch,
        note=payload.note,
    )
    replayed = rule.created_at < started  # the same rule asked for again: the existing one, unchanged
    return Status(200 if replayed else 201, _rule_out(_rule(request, rule.pk)))


@router.patch(
    "/duty-rules/{rule_id}", response={200: DutyRuleOut, **ERRORS}, url_name="catalog_duty_rule_patch"
)
def patch_duty_rule(request, rule_id: int, payload: DutyRulePatchIn):
    """Edit a rule: the row is retired and its successor returned (a new ``id``); ``null`` clears a limit."""
    _allowed(request)
    rule = _rule(request, rule_id)
    given = payload.model_dump(exclude_unset=True)
    changes = {k: given[k] for k in ("sign_hours", "contact_hours", "resolve_days") if k in given}
    if given.get("lead_department_id") is not None:
        changes["lead_department"] = _department(given["lead_department_id"], "lead_department_id")
    if given.get("assisting_department_ids") is not None:
        changes["assisting"] = _departments(given["assisting_department_ids"], "assisting_department_ids")
    if given.get("auto_dispatch") is not None:
        changes["auto_dispatch"] = given["auto_dispatch"]
    if given.get("note") is not None:
        changes["note"] = given["note"]
    new = services.update_duty_rule(actor=request.user, rule=rule, reason=payload.reason, **changes)
    return _rule_out(_rule(request, new.pk))


@router.post(
    "/duty-rules/{rule_id}/deactivate",
    response={200: DutyRuleOut, **ERRORS},
    url_name="catalog_duty_rule_deactivate",
)
def deactivate_duty_rule(request, rule_id: int, payload: DeactivateRuleIn):
    """Retire a rule with a reason; cases of its category then wait for the dispatcher."""
    _allowed(request)
    rule = services.deactivate_duty_rule(
        actor=request.user, rule=_rule(request, rule_id), reason=payload.reason
    )
    return _rule_out(_rule(request, rule.pk))


@router.get(
    "/duty-rules/{rule_id}/history",
    response={200: list[RuleChangeOut], **ERRORS},
    url_name="catalog_duty_rule_history",
)
def duty_rule_history(request, rule_id: int):
    """Who changed the rule of this category and region, when, what (old → new) and why; newest first."""
    _allowed(request)
    changes = selectors.duty_rule_changes(user=request.user, rule=_rule(request, rule_id))
    return [
        {**change.__dict__, "changes": [{"field": f, "old": o, "new": n} for f, o, n in change.changes]}
        for change in changes
    ]


# ------------------------------------------------------------------------------------------------ calendar


def _day_out(day, cal) -> dict:
    return {
        "date": day.date,
        "kind": day.kind,
        "name": day.name,
        "source": day.source,
        "set_by_hand": is_manual(day),
        "working_day": cal.is_working_day(day.date),
    }


@router.get("/calendar", response={200: CalendarYearOut, **ERRORS}, url_name="catalog_calendar")
def calendar_year(request, year: int = Query(..., ge=2004, le=2100)):
    """The year's special days: weekday holidays, 调休 working days and days set back to normal by hand."""
    _allowed(request)
    cal = work_calendar()
    return {"year": year, "days": [_day_out(day, cal) for day in selectors.calendar_days(year)]}


@router.post("/calendar/seed", response={200: SeedReportOut, **ERRORS}, url_name="catalog_calendar_seed")
def seed_calendar(request, payload: SeedIn):
    """Load the year's State Council holidays; days set by hand are kept. Running it again changes nothing."""
    _allowed(request)
    report = services.seed_calendar_year(actor=request.user, year=payload.year)
    return {
        "year": report.year,
        "source": report.source,
        "created": report.created,
        "replaced": report.replaced,
        "removed": report.removed,
        "kept_manual": report.kept_manual,
    }


@router.put("/calendar/{day}", response={200: CalendarDayOut, **ERRORS}, url_name="catalog_calendar_day")
def set_calendar_day(request, day: date, payload: CalendarDayIn):
    """Set one date: holiday, make-up working day (Saturday/Sunday only) or normal (set by hand)."""
    _allowed(request)
    row = services.set_calendar_day(actor=request.user, date=day, kind=payload.kind, name=payload.name)
    if row is None:  # a plain day made normal: nothing is stored
        weekday = day.weekday() < 5
        return {
            "date": day,
            "kind": "normal",
            "name": "",
            "source": "",
            "set_by_hand": False,
            "working_day": weekday,
        }
    return _day_out(row, work_calendar())
