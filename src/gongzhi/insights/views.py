"""HTML + HTMX interface of the insights app (thin: selectors for reads, one service per write).

The dashboard (驾驶舱) lists the alerts of the user's area with the cases behind them and draws the weekly
counts of flagged surges with ECharts; the hotspot list (热点榜) turns a hotspot into a proactive case in
one click (未诉先办) or proposes it as the problem of the month (每月一题). Every form works without
JavaScript; htmx swaps the alert's action panel.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.scoping import has_perm, require
from gongzhi.accounts.selectors import departments_for_dispatch
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.htmx import is_fragment_request
from gongzhi.core.views import page
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.selectors import get_region, regions_visible_to

from . import selectors, services
from .choices import ACTIVE_ALERT_STATUSES
from .forms import AlertActionForm, MonthlyProblemForm, ProactiveForm, ProblemStatusForm

DAY_CHOICES = (7, 30, 90)


def _message(exc: DomainError) -> str:
    if exc.fields:
        return "；".join(
            str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])
        )
    return str(exc.message)


def _days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return 30
    return days if days in DAY_CHOICES else 30


# --- dashboard and alerts ------------------------------------------------------------------------------


@page
@require_GET
def dashboard(request):
    """驾驶舱: open and acknowledged alerts with the cases behind them, counts and the surge chart."""
    require(request.user, "insights.view_alerts")
    board = selectors.dashboard(request.user)
    context = {"board": board, "can_handle": has_perm(request.user, "insights.handle_alerts")}
    return render(request, "insights/dashboard.html", context)


@page
@require_GET
def alert_detail(request, pk: int):
    """预警详情: the statistic explained and every case behind the alert the user may see."""
    alert = selectors.get_alert(user=request.user, pk=pk)
    cases = selectors.alert_cases(user=request.user, alert=alert)
    context = {
        "alert": alert,
        "cases": cases,
        "form": AlertActionForm(),
        "can_handle": has_perm(request.user, "insights.handle_alerts")
        and alert.status in ACTIVE_ALERT_STATUSES,
    }
    return render(request, "insights/alert_detail.html", context)


@page
@require_POST
def alert_action(request, pk: int, action: str):
    """签收/关闭预警 (``acknowledge`` or ``close``): htmx gets the status panel back, others a redirect."""
    calls = {"acknowledge": services.acknowledge_alert, "close": services.close_alert}
    if action not in calls:
        raise NotFound()
    alert = selectors.get_alert(user=request.user, pk=pk)
    form = AlertActionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    status = 200
    try:
        alert = calls[action](actor=request.user, alert=alert, note=note)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _message(exc))
        status = 422
    else:
        done = (
            _("The early warning was acknowledged.")
            if action == "acknowledge"
            else _("The early warning was closed.")
        )
        if not is_fragment_request(request):
            messages.success(request, done)
    if is_fragment_request(request):
        alert = selectors.get_alert(user=request.user, pk=pk)
        context = {
            "alert": alert,
            "form": AlertActionForm(),
            "can_handle": alert.status in ACTIVE_ALERT_STATUSES,
        }
        response = render(request, "insights/partials/_alert_actions.html", context, status=status)
        response["HX-Trigger"] = "alert-changed"
        return response
    return redirect("insights:alert", pk=alert.pk)


# --- hotspots ---------------------------------------------------------------------------------------------


@page
@require_GET
def hotspots(request):
    """热点榜: hotspots over the user's cases of the last 7/30/90 days, hottest first."""
    require(request.user, "insights.view_hotspots")
    days = _days(request.GET.get("days"))
    listing = selectors.hotspot_list(request.user, days=days)
    context = {
        "rows": listing.rows,
        "computed_at": listing.computed_at,
        "days": days,
        "day_choices": DAY_CHOICES,
        "can_act": has_perm(request.user, "insights.act_on_hotspots"),
        "can_choose": has_perm(request.user, "insights.choose_monthly_problem"),
    }
    return render(request, "insights/hotspots.html", context)


@page
@require_POST
def hotspot_proactive(request):
    """转为主动治理工单: one proactive case per hotspot (clicking twice opens the same case)."""
    form = ProactiveForm(request.POST)
    if not form.is_valid():
        raise NotFound()
    hotspot = selectors.get_hotspot(
        user=request.user, key=form.cleaned_data["key"], days=form.cleaned_data["days"]
    )
    try:
        link = services.create_proactive_case(actor=request.user, hotspot=hotspot)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, _message(exc))
        return redirect(f"{reverse('insights:hotspots')}?days={form.cleaned_data['days']}")
    case = link.case
    if case.department_id:  # the duty list dispatched it at once
        message = _("Proactive case %(number)s was dispatched to %(department)s.") % {
            "number": case.number,
            "department": case.department.name,
        }
    else:
        message = _("Proactive case %(number)s is on the dispatch list.") % {"number": case.number}
    messages.success(request, message)
    return redirect("cases:detail", pk=link.case_id)


# --- problem of the month ---------------------------------------------------------------------------------


def _problem_form(request, data=None, initial=None):
    regions = regions_visible_to(request.user).filter(
        level__in=[RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY]
    )
    return MonthlyProblemForm(
        data, initial=initial, regions=list(regions), departments=list(departments_for_dispatch())
    )


@page
@require_http_methods(["GET", "POST"])
def monthly_problems(request):
    """每月一题: the problems chosen for the user's area, and the form to choose this month's (leaders).

    ``?hotspot=<key>&days=30`` fills the form from a hotspot of the user's list.
    """
    problems = selectors.monthly_problems_visible_to(request.user)
    if not (
        has_perm(request.user, "insights.view_hotspots") or has_perm(request.user, "insights.view_alerts")
    ):
        require(request.user, "insights.view_hotspots")
    can_choose = has_perm(request.user, "insights.choose_monthly_problem")
    form = None
    status = 200
    if can_choose:
        initial = {"month": timezone.localdate().strftime("%Y-%m")}
        key = request.GET.get("hotspot")
        if key:
            hotspot = selectors.get_hotspot(user=request.user, key=key, days=_days(request.GET.get("days")))
            initial.update(
                title=hotspot.summary[:120],
                description=_("Hotspot at %(place)s: %(count)s cases.")
                % {"place": hotspot.place, "count": hotspot.size},
                source_case_ids=",".join(str(i) for i in hotspot.member_ids),
            )
        form = _problem_form(request, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST":
        require(request.user, "insights.choose_monthly_problem")
        if form.is_valid():
            data = form.cleaned_data
            try:
                region = get_region(user=request.user, code=data["region"])
                department = None
                if data.get("lead_department"):
                    department = departments_for_dispatch().filter(pk=int(data["lead_department"])).first()
                services.choose_monthly_problem(
                    actor=request.user,
                    region=region,
                    month=data["month"],
                    title=data["title"],
                    description=data["description"],
                    source_case_ids=data["source_case_ids"],
                    lead_department=department,
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise
                for field, errs in (exc.fields or {"__all__": exc.message}).items():
                    for msg in errs if isinstance(errs, list | tuple) else [errs]:
                        form.add_error(field if field in form.fields else None, str(msg))
            else:
                messages.success(request, _("The problem of the month was chosen."))
                return redirect("insights:monthly")
        status = 422
    context = {
        "problems": problems[:100],
        "form": form,
        "can_choose": can_choose,
        "status_form": ProblemStatusForm(),
    }
    return render(request, "insights/monthly.html", context, status=status)


@page
@require_POST
def monthly_problem_status(request, pk: int):
    """每月一题进展: mark a problem solved, cancelled or back in progress."""
    problem = selectors.get_monthly_problem(user=request.user, pk=pk)
    form = ProblemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("insights:monthly")
    try:
        services.update_monthly_problem(
            actor=request.user,
            problem=problem,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("The problem of the month was updated."))
    return redirect("insights:monthly")
