"""事项配置 pages (HTML + HTMX, thin): the category tree, the duty list and the working calendar.

Every page needs ``cases.manage_catalog``. The category tree, the calendar and district-wide (全区) rules
are edited only by administrators of the whole district (``selectors.manages_whole_catalog``); a street's
catalog administrator reads the tree and the calendar and edits the rules of their street. The services
check all of this again. Each form posts to the URL that shows it and works without JavaScript; htmx
swaps the returned fragment, with status 422 and the user's input when a service refuses.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.scoping import require
from gongzhi.accounts.selectors import departments_for_dispatch
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import is_fragment_request, render_page_or_fragment
from gongzhi.core.views import page

from . import selectors, services
from .choices import CalendarDayKind
from .forms_catalog import CalendarDayForm, CategoryForm, CategoryImportForm, DeactivateRuleForm, DutyRuleForm
from .selectors_catalog import CATALOG_PERMISSION, calendar_source, is_manual
from .services.catalog import FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR
from .views import _form_errors

TRIGGER = "catalog-changed"
FIELD_LABELS = {
    "lead_department": gettext_lazy("Lead department"),
    "assisting": gettext_lazy("Assisting departments"),
    "sign_hours": gettext_lazy("Sign within (hours)"),
    "contact_hours": gettext_lazy("Contact the reporter within (hours)"),
    "resolve_days": gettext_lazy("Resolve within (working days)"),
    "auto_dispatch": gettext_lazy("Dispatch automatically"),
    "note": gettext_lazy("Note"),
    "is_active": gettext_lazy("In use"),
}


def _base(request, section: str) -> dict:
    require(request.user, CATALOG_PERMISSION)
    return {"section": section, "can_edit_all": selectors.manages_whole_catalog(request.user)}


# ---------------------------------------------------------------------------------------------- categories


def _groups(nodes) -> list[dict]:
    """The tree cut into its level-1 branches (each a collapsible block on the page)."""
    groups: list[dict] = []
    for node in nodes:
        if node.category.level == 1 or not groups:
            groups.append({"root": node, "rows": []})
        groups[-1]["rows"].append(node)
    return groups


def _category_initial(category) -> dict:
    return {
        "keywords": category.keywords,
        "sign_hours": category.sign_hours,
        "contact_hours": category.contact_hours,
        "resolve_days": category.resolve_days,
        "is_active": category.is_active,
    }


@page
@require_http_methods(["GET", "POST"])
def categories(request):
    """事项分类: the 3-level tree with codes, keywords, limits (inherited ones marked) and the active flag."""
    context = _base(request, "categories")
    if request.method == "POST":  # 安装默认分类 (only offered while the tree is empty)
        report = services.install_default_categories(actor=request.user)
        messages.success(
            request,
            _("The default category tree was installed: %(count)s categories.")
            % {"count": len(report.created)},
        )
        return redirect("cases:catalog_categories")
    nodes = selectors.category_tree()
    context.update({"groups": _groups(nodes), "count": len(nodes), "import_form": CategoryImportForm()})
    return render(request, "cases/catalog/categories.html", context)


@page
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    """修改分类 inline (htmx swaps the table row) or as a small page without JavaScript."""
    context = _base(request, "categories")
    category = selectors.get_category(pk=pk)
    if request.method == "GET" and request.GET.get("cancel"):
        return _category_row(request, context, pk)
    form = CategoryForm(request.POST or None, initial=_category_initial(category))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                updated = services.update_category(
                    actor=request.user,
                    category=category,
                    keywords=data["keywords"],
                    sign_hours=data["sign_hours"],
                    contact_hours=data["contact_hours"],
                    resolve_days=data["resolve_days"],
                    is_active=data["is_active"],
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _form_errors(form, exc)
            else:
                if not is_fragment_request(request):
                    messages.success(request, _("Saved: %(name)s.") % {"name": updated.full_name})
                    return redirect(f"{reverse('cases:catalog_categories')}#category-{pk}")
                response = _category_row(request, context, pk)
                if data["is_active"] != category.is_active or _inherits(category, data):
                    response["HX-Refresh"] = "true"  # the subtree's flags or inherited limits changed
                return response
        status = 422
    context.update({"category": category, "form": form, "node": selectors.category_node(pk=pk)})
    return render_page_or_fragment(
        request,
        "cases/catalog/category_edit.html",
        "cases/catalog/partials/_category_form_row.html",
        context,
        status=status,
    )


def _inherits(category, data) -> bool:
    """Did a limit that children may inherit change? (then the page reloads to show the new values)"""
    return any(data[f] != getattr(category, f) for f in ("sign_hours", "contact_hours", "resolve_days"))


def _category_row(request, context, pk: int):
    context.update({"node": selectors.category_node(pk=pk)})
    response = render(request, "cases/catalog/partials/_category_row.html", context)
    response["HX-Trigger"] = TRIGGER
    return response


@page
@require_http_methods(["GET", "POST"])
def category_import(request):
    """导入分类: upload Excel/CSV (一级分类, 二级分类, 三级分类 [, 关键词]); the report lists each row."""
    context = _base(request, "categories")
    form = CategoryImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = services.import_categories(
                actor=request.user,
                file_or_rows=upload,
                dry_run=form.cleaned_data["dry_run"],
                source=upload.name,
            )
            status = 200 if report.ok else 422
        else:
            status = 422
    context.update({"import_form": form, "report": report})
    return render_page_or_fragment(
        request,
        "cases/catalog/category_import.html",
        "cases/catalog/partials/_import_report.html",
        context,
        status=status,
    )


# ------------------------------------------------------------------------------------------------ duty list


def _rule_form(request, *, data=None, initial=None, editing=False) -> DutyRuleForm:
    return DutyRuleForm(
        data,
        initial=initial,
        categories=selectors.rule_categories(),
        regions=selectors.rule_regions_for(request.user),
        departments=departments_for_dispatch(),
        editing=editing,
        whole_district=selectors.manages_whole_catalog(request.user),
    )


def _rule_values(data: dict) -> dict:
    return {
        "lead_department": data["lead_department"],
        "assisting": list(data["assisting"]),
        "sign_hours": data["sign_hours"],
        "contact_hours": data["contact_hours"],
        "resolve_days": data["resolve_days"],
        "auto_dispatch": data["auto_dispatch"],
        "note": data["note"],
    }


@page
@require_http_methods(["GET", "POST"])
def duty_rules(request):
    """职责清单: the rules in the viewer's scope, filtered by category and department; add a rule."""
    context = _base(request, "duty_rules")
    form = _rule_form(request, data=request.POST or None, initial={"auto_dispatch": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                rule = services.create_duty_rule(
                    actor=request.user, category=data["category"], region=data["region"], **_rule_values(data)
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _form_errors(form, exc)
            else:
                messages.success(request, _("The duty rule was saved: %(rule)s.") % {"rule": rule})
                return redirect(f"{reverse('cases:catalog_duty_rules')}#rule-{rule.pk}")
        status = 422
    category = _int(request.GET.get("category"))
    department = _int(request.GET.get("department"))
    inactive = request.GET.get("inactive") == "1"
    rules = selectors.duty_rules_visible_to(
        request.user,
        category=selectors.get_category(pk=category) if category else None,
        department_id=department,
        include_inactive=inactive,
    )
    context.update(
        {
            "rules": rules,
            "form": form,
            "filters": {"category": category, "department": department, "inactive": inactive},
            "categories": selectors.rule_categories(),
            "departments": departments_for_dispatch(),
        }
    )
    return render(request, "cases/catalog/duty_rules.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _rule_initial(rule) -> dict:
    return {
        "lead_department": rule.lead_department,
        "assisting": list(rule.assisting_departments.all()),
        "sign_hours": rule.sign_hours,
        "contact_hours": rule.contact_hours,
        "resolve_days": rule.resolve_days,
        "auto_dispatch": rule.auto_dispatch,
        "note": rule.note,
    }


@page
@require_http_methods(["GET", "POST"])
def duty_rule_edit(request, pk: int):
    """修改职责清单条目: the service retires the row and creates its successor (history kept)."""
    context = _base(request, "duty_rules")
    rule = selectors.get_duty_rule(user=request.user, pk=pk)
    form = _rule_form(request, data=request.POST or None, initial=_rule_initial(rule), editing=True)
    deactivate = DeactivateRuleForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.update_duty_rule(
                    actor=request.user, rule=rule, reason=data["reason"], **_rule_values(data)
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _form_errors(form, exc)
            else:
                messages.success(request, _("The duty rule was saved: %(rule)s.") % {"rule": new})
                return redirect(f"{reverse('cases:catalog_duty_rules')}#rule-{new.pk}")
        status = 422
    context.update({"rule": rule, "form": form, "deactivate_form": deactivate})
    return render(request, "cases/catalog/duty_rule_edit.html", context, status=status)


@page
@require_POST
def duty_rule_deactivate(request, pk: int):
    """停用职责清单条目 with a reason; cases of the category then wait for the dispatcher."""
    context = _base(request, "duty_rules")
    rule = selectors.get_duty_rule(user=request.user, pk=pk)
    form = DeactivateRuleForm(request.POST)
    if form.is_valid():
        services.deactivate_duty_rule(actor=request.user, rule=rule, reason=form.cleaned_data["reason"])
        messages.success(request, _("The duty rule was retired: %(rule)s.") % {"rule": rule})
        return redirect("cases:catalog_duty_rules")
    context.update(
        {
            "rule": rule,
            "form": _rule_form(request, initial=_rule_initial(rule), editing=True),
            "deactivate_form": form,
        }
    )
    return render(request, "cases/catalog/duty_rule_edit.html", context, status=422)


@page
def duty_rule_history(request, pk: int):
    """变更历史: who changed the rule of this category and region, when, what and why."""
    context = _base(request, "duty_rules")
    rule = selectors.get_duty_rule(user=request.user, pk=pk)
    names = {d.pk: d.short_name or d.name for d in departments_for_dispatch()}
    entries = []
    for change in selectors.duty_rule_changes(user=request.user, rule=rule):
        rows = [
            (FIELD_LABELS.get(field, field), _shown(field, old, names), _shown(field, new, names))
            for field, old, new in change.changes
        ]
        entries.append({"change": change, "rows": rows})
    context.update({"rule": rule, "entries": entries})
    return render_page_or_fragment(
        request,
        "cases/catalog/duty_rule_history.html",
        "cases/catalog/partials/_rule_history.html",
        context,
    )


def _shown(field: str, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field == "lead_department":
        return str(names.get(value, f"#{value}"))
    if field == "assisting":
        return "、".join(str(names.get(v, f"#{v}")) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


# ------------------------------------------------------------------------------------------------ calendar


def _year(request) -> int:
    year = _int(request.GET.get("year") or request.POST.get("year"))
    if year is None or not FIRST_CALENDAR_YEAR <= year <= LAST_CALENDAR_YEAR:
        year = timezone.localdate().year
    return year


@page
@require_http_methods(["GET", "POST"])
def calendar(request):
    """工作日历: the year's holidays, 调休 working days and days set by hand; set or clear one day."""
    context = _base(request, "calendar")
    year = _year(request)
    form = CalendarDayForm(request.POST or None, initial={"kind": CalendarDayKind.HOLIDAY})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_calendar_day(
                    actor=request.user, date=data["date"], kind=data["kind"], name=data["name"]
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _form_errors(form, exc)
            else:
                messages.success(request, _("%(date)s was saved.") % {"date": data["date"].isoformat()})
                return redirect(f"{reverse('cases:catalog_calendar')}?year={data['date'].year}")
        status = 422
    days = [
        {
            "day": day,
            "manual": is_manual(day),
            "weekend": day.date.weekday() >= 5,
            "source": calendar_source(day),
        }
        for day in selectors.calendar_days(year)
    ]
    context.update(
        {
            "year": year,
            "days": days,
            "summary": selectors.calendar_summary(year),
            "years": sorted({*selectors.calendar_years(), year, year + 1}),
            "form": form,
            "kinds": CalendarDayKind,
        }
    )
    return render(request, "cases/catalog/calendar.html", context, status=status)


@page
@require_POST
def calendar_seed(request):
    """录入年度节假日 (State Council notice, or the statutory days of a year not yet announced)."""
    _base(request, "calendar")
    year = _year(request)  # the page to go back to
    try:
        report = services.seed_calendar_year(actor=request.user, year=_int(request.POST.get("year")))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, " ".join(str(v) for v in (exc.fields or {}).values()) or exc.message)
    else:
        messages.success(
            request,
            _(
                "%(year)s seeded: %(created)s added, %(replaced)s changed, %(removed)s removed, "
                "%(kept)s set by hand kept."
            )
            % {
                "year": year,
                "created": len(report.created),
                "replaced": len(report.replaced),
                "removed": len(report.removed),
                "kept": len(report.kept_manual),
            },
        )
    return redirect(f"{reverse('cases:catalog_calendar')}?year={year}")
