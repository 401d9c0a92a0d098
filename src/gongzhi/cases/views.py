"""HTML + HTMX interface of the cases app (thin: selectors for reads, one service per write).

Pages: the resident's report form, "my cases" and progress page, the public lookup, staff proxy
submission, the dispatcher's workbench, the department inbox, the supervisor's board, the staff case
detail and the notifications list. Every page is one URL with two renderings (full page, or only its
fragment for htmx). Every command posts a real form to ``cases:action``; htmx swaps the returned
fragment (``case-<pk>-…`` ids) and listens for ``HX-Trigger: case-changed``; errors come back as the
same fragment with the form, the user's input and the message, with status 422.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.scoping import has_perm, require
from gongzhi.accounts.selectors import departments_for_dispatch, get_user_by_username
from gongzhi.core.errors import DomainError, NotFound, ValidationFailed
from gongzhi.core.htmx import is_fragment_request, render_page_or_fragment
from gongzhi.core.middleware import client_ip
from gongzhi.core.views import domain_error_pages as _domain_errors
from gongzhi.regions.selectors import community_outlines

from . import selectors, services
from .choices import OPEN_STATUSES, AttachmentKind, Channel, WarningLevel
from .forms import (
    ACTIONS,
    ChoiceRows,
    LookupForm,
    ProxyForm,
    ReportForm,
    action_form,
    available_actions,
    lookup_allowed,
)
from .schemas import mark_reporter_steps, reporter_view
from .selectors import action_flags, case_by_number, pending_summons_for, possible_duplicates

PAGE_SIZE = 20
BOARD_LIMIT = 100
# Actions a reporter sees on the progress page (staff use the detail page for everything else).
RESIDENT_ACTIONS = ("rate", "reopen", "withdraw")
CONTAINERS = {
    "panel": "cases/partials/_case_actions.html",
    "progress": "cases/partials/_progress.html",
    "workbench": "cases/partials/_workbench_row.html",
    "inbox": "cases/partials/_inbox_row.html",
    "board": "cases/partials/_board_row.html",
    "follow_up": "cases/partials/_inbox_row.html",
}


# ------------------------------------------------------------------------------------------------ helpers


def _form_errors(form, exc: DomainError) -> None:
    """Put a service's error next to the fields it names, or above the form."""
    placed = False
    for field, problems in (exc.fields or {}).items():
        problems = problems if isinstance(problems, list | tuple) else [problems]
        target = field if field in form.fields else None
        for problem in problems:
            form.add_error(target, str(problem))
        placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_url(request, variant: str) -> str:
    """Where a no-JS form on a list page returns: the same list (box, page) it was posted from."""
    if request.method == "GET" and not is_fragment_request(request):
        return request.get_full_path()
    return _safe_next(request, reverse(f"cases:{variant}"))


def _department_names() -> dict[int, object]:
    return {d.pk: d for d in departments_for_dispatch()}


# ------------------------------------------------------------------------------------------- containers


def _forms_for(request, case, names, *, bound=None, **extra) -> dict:
    if not hasattr(request, "_choice_rows"):  # one read of the select options for all forms of the page
        request._choice_rows = ChoiceRows()
    extra["rows"] = request._choice_rows
    forms = {}
    for name in names:
        if bound is not None and bound.prefix == f"{name}-{case.pk}":
            forms[name] = bound
        else:
            forms[name] = action_form(name, case=case, user=request.user, **extra)
    return forms


def _summons_for(request, case, names) -> list:
    return pending_summons_for(request.user, case) if "report_in" in names else []


def _suggested(items: list) -> dict:
    """The dispatch form's pre-selection: the best-ranked suggested department and category."""
    return {
        "suggested_department_id": next((i.department_id for i in items if i.department_id), None),
        "suggested_category_id": next((i.category.pk for i in items if i.category), None),
    }


def _panel_context(request, case, *, bound=None, error=None) -> dict:
    names = available_actions(request.user, case)
    summons = _summons_for(request, case, names)
    suggested = _suggested(services.suggest(case)) if "dispatch" in names else {}
    forms = _forms_for(request, case, names, bound=bound, summons=summons, **suggested)
    return {
        "case": case,
        "actions": [(ACTIONS[name], forms[name]) for name in names],
        "error": error,
        "return_to": "panel",
        "target": f"case-{case.pk}-actions",
        "next_url": reverse("cases:detail", args=[case.pk]),
    }


def _progress_context(request, case, *, bound=None, error=None) -> dict:
    names = [n for n in available_actions(request.user, case) if n in RESIDENT_ACTIONS]
    forms = _forms_for(request, case, names, bound=bound)
    return {
        "case": case,
        "steps": selectors.public_timeline(case),
        "actions": [(ACTIONS[name], forms[name]) for name in names],
        "error": error,
        "return_to": "progress",
        "target": f"case-{case.pk}-progress",
        "next_url": reverse("cases:progress", args=[case.number]),
        "is_reporter": case.reporter_user_id == request.user.pk,
        "shows_reply": selectors.reply_published(case),
    }


def _row_context(
    request, case, *, variant: str, bound=None, error=None, departments=None, flags=None, duplicates=None
) -> dict:
    if flags is None:
        names = available_actions(request.user, case)
    else:
        names = available_actions(
            request.user,
            case,
            extension_pending=flags.extension_pending,
            pending_summons=flags.summoned,
            assisting=flags.assisting,
        )
    suggestions = []
    suggested: dict = {}
    if variant == "workbench" and "dispatch" in names:
        departments = departments if departments is not None else _department_names()
        for item in services.suggest(case):
            suggestions.append({"item": item, "department": departments.get(item.department_id)})
        suggested = _suggested([s["item"] for s in suggestions])
    if variant == "workbench" and "merge" in names and duplicates is None:
        duplicates = possible_duplicates(request.user, [case]).get(case.pk, [])
    duplicates = duplicates or []
    summons = _summons_for(request, case, names)
    forms = _forms_for(
        request,
        case,
        names,
        bound=bound,
        **suggested,
        summons=summons,
        suggested_master=duplicates[0] if duplicates else None,
    )
    calls = variant == "follow_up"  # the follow-up list is worked by phone: who to call, and the number
    return {
        "case": case,
        "reporter": reporter_view(request.user, case) if calls else None,
        "can_reveal_phone": calls and services.may_reveal_reporter_phone(request.user, case),
        "actions": [(ACTIONS[name], forms[name]) for name in names],
        "suggestions": suggestions,
        "duplicates": duplicates,
        "error": error,
        "return_to": variant,
        "target": f"case-{case.pk}-row",
        "next_url": _list_url(request, variant),
    }


def _container(request, return_to: str, case, *, bound=None, error=None) -> tuple[str, dict]:
    if return_to == "progress":
        return CONTAINERS["progress"], _progress_context(request, case, bound=bound, error=error)
    if return_to in ("workbench", "inbox", "board", "follow_up"):
        return CONTAINERS[return_to], _row_context(request, case, variant=return_to, bound=bound, error=error)
    return CONTAINERS["panel"], _panel_context(request, case, bound=bound, error=error)


# ------------------------------------------------------------------------------------------- resident


@login_required
@_domain_errors
def report(request):
    """居民上报: title, what happened, where (address or map), photos — then the progress page.

    Residents report for themselves from the phone (channel ``mobile``); staff using the same form report
    what they found on patrol (channel ``patrol``, themselves as the reporter by name and phone).
    """
    require(request.user, "cases.submit")
    staff = request.user.is_staff
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.submit_case(
                actor=request.user,
                channel=Channel.PATROL if staff else Channel.MOBILE,
                title=data["title"],
                description=data["description"],
                address=data["address"],
                lon=data["lng"],
                lat=data["lat"],
                reporter_user=None if staff else request.user,
                reporter_name=str(request.user),
                reporter_phone=request.user.phone or "",
                anonymous=data["anonymous"],
                confidential=data["confidential"],
                attachments=tuple(data["photos"]),
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Your case was submitted. Its number is %(number)s.") % {"number": case.number}
            )
            return redirect("cases:progress", number=case.number)
    status = 422 if form.is_bound else 200
    return render_page_or_fragment(
        request, "cases/report.html", "cases/partials/_report_form.html", {"form": form}, status=status
    )


@login_required
@_domain_errors
def mine(request):
    """我的诉求: the cases the signed-in user reported or submitted (代办 included), newest first."""
    page = _paginate(request, selectors.cases_followed_by(request.user))
    return render_page_or_fragment(
        request, "cases/mine.html", "cases/partials/_my_cases.html", {"page": page}
    )


@login_required
@_domain_errors
def progress(request, number: str):
    """诉求进度: status, timeline, reply; the reporter rates, reopens or withdraws here."""
    case = case_by_number(request.user, number)
    context = _progress_context(request, case)
    return render_page_or_fragment(request, "cases/progress.html", "cases/partials/_progress.html", context)


def lookup(request):
    """公开查询: case number + last 4 phone digits, no sign-in; shows the status and public progress."""
    form = LookupForm(request.GET or None)
    view = None
    not_found = throttled = False
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 422
        elif not lookup_allowed(client=client_ip(request), number=form.cleaned_data["number"]):
            throttled, status = True, 429
        else:
            try:
                view = selectors.get_case_by_number(
                    number=form.cleaned_data["number"], phone_tail=form.cleaned_data["phone_tail"]
                )
            except NotFound:
                not_found, status = True, 404
    context = {"form": form, "view": view, "not_found": not_found, "throttled": throttled}
    if status in (404, 429) and is_fragment_request(request):
        status = 422  # htmx swaps 422 (the base template's rule), so the message shows in place
    return render_page_or_fragment(
        request, "cases/lookup.html", "cases/partials/_lookup_result.html", context, status=status
    )


# ----------------------------------------------------------------------------------------------- staff


@login_required
@_domain_errors
def proxy(request):
    """代办: staff submit a case for a resident (walk-in, phone call, patrol)."""
    require(request.user, "cases.submit")
    require(request.user, "cases.view")
    form = ProxyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = None
        try:
            if data["resident_username"]:
                try:
                    resident = get_user_by_username(data["resident_username"].strip())
                except NotFound as exc:
                    raise ValidationFailed({"resident_username": exc.message})
            case = services.submit_case(
                actor=request.user,
                channel=data["channel"],
                title=data["title"],
                description=data["description"],
                address=data["address"],
                lon=data["lng"],
                lat=data["lat"],
                reporter_user=resident,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                category=data["category"],
                confidential=data["confidential"],
                urgency=data["urgency"],
                attachments=tuple(data["photos"]),
                idempotency_key=data["idempotency_key"],
                on_behalf_of=resident,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The case was submitted for the resident. Its number is %(number)s.")
                % {"number": case.number},
            )
            return redirect("cases:detail", pk=case.pk)
    status = 422 if form.is_bound else 200
    return render_page_or_fragment(
        request, "cases/proxy.html", "cases/partials/_proxy_form.html", {"form": form}, status=status
    )


@login_required
@_domain_errors
def workbench(request):
    """派单工作台: the street's queue with suggestions, one-click dispatch, accept, reject, merge.

    Below it the cases paused on an extension request waiting for a decision (oldest request first) and,
    for reviewers, the cases waiting for review (longest waiting first), paged on its own
    (``review_page``) so that the count is the real one and no case drops off the end.
    """
    require(request.user, "cases.dispatch")
    page = _paginate(request, selectors.dispatch_queue(request.user))
    departments = _department_names()
    flags = action_flags(request.user, page.object_list)
    duplicates = possible_duplicates(request.user, page.object_list)
    rows = [
        _row_context(
            request,
            case,
            variant="workbench",
            departments=departments,
            flags=flags[case.pk],
            duplicates=duplicates.get(case.pk, []),
        )
        for case in page.object_list
    ]
    review_page = None
    if has_perm(request.user, "cases.review"):
        review_page = Paginator(selectors.review_queue(request.user), PAGE_SIZE).get_page(
            request.GET.get("review_page")
        )
    extensions = list(selectors.extension_queue(request.user)[:PAGE_SIZE])
    context = {"rows": rows, "page": page, "review_page": review_page, "extension_cases": extensions}
    return render_page_or_fragment(
        request, "cases/workbench.html", "cases/partials/_workbench_list.html", context
    )


@login_required
@_domain_errors
def report_outlines(request):
    """The communities' outlines for the report forms' map when no tile server is configured."""
    require(request.user, "cases.submit")
    return JsonResponse(community_outlines())


@login_required
@_domain_errors
def inbox(request):
    """部门收件箱: to sign, in progress, due soon, overdue — sign, handle, contact, resolve on a phone."""
    require(request.user, "cases.handle")
    box = request.GET.get("box") or "to_sign"
    if box not in selectors.DEPARTMENT_BOXES:
        box = "to_sign"
    page = _paginate(request, selectors.department_inbox(request.user, box=box))
    flags = action_flags(request.user, page.object_list)
    rows = [_row_context(request, case, variant="inbox", flags=flags[case.pk]) for case in page.object_list]
    counts = selectors.department_inbox_counts(request.user)
    boxes = [(code, label, counts[code]) for code, label in _inbox_boxes()]
    context = {"rows": rows, "page": page, "box": box, "boxes": boxes}
    return render_page_or_fragment(request, "cases/inbox.html", "cases/partials/_inbox_box.html", context)


@login_required
@_domain_errors
def follow_up(request):
    """回访: cases waiting for the reporter's rating; call those without an account and record the answer."""
    require(request.user, "cases.follow_up")
    page = _paginate(request, selectors.follow_up_queue(request.user))
    flags = action_flags(request.user, page.object_list)
    rows = [
        _row_context(request, case, variant="follow_up", flags=flags[case.pk]) for case in page.object_list
    ]
    context = {"rows": rows, "page": page, "box": "follow_up"}
    return render_page_or_fragment(
        request, "cases/follow_up.html", "cases/partials/_inbox_list.html", context
    )


def _inbox_boxes():
    return [
        ("to_sign", _("To sign or report in")),
        ("in_progress", _("In progress")),
        ("due_soon", _("Due soon")),
        ("overdue", _("Overdue")),
    ]


@login_required
@_domain_errors
def board(request):
    """督办看板: yellow and red cases grouped by the unit that holds them; urge with one click."""
    require(request.user, "cases.supervise")
    visible = selectors.filter_cases(selectors.cases_visible_to(request.user), status=OPEN_STATUSES)
    overdue = list(
        selectors.filter_cases(visible, overdue=True).order_by("resolve_due_at", "pk")[:BOARD_LIMIT]
    )
    seen = {case.pk for case in overdue}
    yellow = [
        case
        for case in visible.filter(warning_level=WarningLevel.YELLOW).order_by("resolve_due_at", "pk")[
            :BOARD_LIMIT
        ]
        if case.pk not in seen
    ]
    groups: dict[str, dict] = {}
    flags = action_flags(request.user, overdue + yellow)
    for case in overdue + yellow:
        unit = case.department.name if case.department_id else _("Not dispatched yet")
        group = groups.setdefault(unit, {"unit": unit, "red": 0, "yellow": 0, "rows": []})
        group["red" if case.pk in seen else "yellow"] += 1
        group["rows"].append(_row_context(request, case, variant="board", flags=flags[case.pk]))
    ordered = sorted(groups.values(), key=lambda g: (-g["red"], -g["yellow"], g["unit"]))
    context = {"units": selectors.supervisor_board(request.user), "groups": ordered}
    return render_page_or_fragment(request, "cases/board.html", "cases/partials/_board_list.html", context)


@login_required
@_domain_errors
def detail(request, pk: int):
    """工单详情 (staff): deadlines with their lights, the timeline, the actions the viewer may take."""
    require(request.user, "cases.view")
    case = selectors.get_case(user=request.user, pk=pk)
    context = _panel_context(request, case)
    public = selectors.reads_public_timeline(request.user, case)
    context.update(
        {
            "steps": _timeline(request, case),
            "summons": [] if public else list(selectors.case_summons(case)),
            "attachments": list(case.attachments.filter(kind=AttachmentKind.REPORT).order_by("pk")),
            "reporter": _reporter(request, case),
            "can_reveal_phone": services.may_reveal_reporter_phone(request.user, case),
        }
    )
    return render_page_or_fragment(
        request, "cases/case_detail.html", "cases/partials/_case_detail_body.html", context
    )


def _timeline(request, case) -> list:
    """The timeline as the viewer may read it (``timeline_for``: staff following a case entered outside
    their area read the public part), with the reporter's own steps anonymised when their identity is
    hidden."""
    return mark_reporter_steps(request.user, case, selectors.timeline_for(request.user, case))


def _reporter(request, case):
    return reporter_view(request.user, case)


@login_required
@_domain_errors
@require_http_methods(["POST"])
def reporter_phone(request, pk: int):
    """显示完整号码: the reporter's full phone for staff who call them (audited, POST only)."""
    phone = services.reveal_reporter_phone(actor=request.user, case_id=pk)
    case = selectors.get_case(user=request.user, pk=pk)
    return render_page_or_fragment(
        request,
        "cases/reporter_phone.html",
        "cases/partials/_reporter_phone.html",
        {"case": case, "phone": phone},
    )


@login_required
@_domain_errors
def actions_fragment(request, pk: int):
    """The actions panel alone (refreshed by htmx after ``case-changed``)."""
    case = selectors.get_case(user=request.user, pk=pk)
    return render(request, CONTAINERS["panel"], _panel_context(request, case))


@login_required
@_domain_errors
def timeline_fragment(request, pk: int):
    """The timeline alone (refreshed by htmx after ``case-changed``), as the viewer may read it."""
    case = selectors.get_case(user=request.user, pk=pk)
    return render(request, "cases/partials/_timeline.html", {"case": case, "steps": _timeline(request, case)})


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def case_action(request, pk: int, action: str):
    """Run one command (``sign``, ``dispatch`` …) from its form; GET shows the form alone (no-JS path)."""
    if action not in ACTIONS:
        raise NotFound()
    case = selectors.get_case(user=request.user, pk=pk)
    return_to = request.POST.get("return_to") or request.GET.get("return_to") or "panel"
    if return_to not in CONTAINERS:
        return_to = "panel"
    default_next = (
        reverse("cases:progress", args=[case.number])
        if return_to == "progress"
        else reverse("cases:detail", args=[case.pk])
    )
    extra = {"summons": _summons_for(request, case, [action])}
    if request.method == "GET":
        form = action_form(action, case=case, user=request.user, **extra)
        return _action_page(request, case, action, form, return_to, status=200)

    form = action_form(action, case=case, user=request.user, data=request.POST, files=request.FILES, **extra)
    if form.is_valid():
        try:
            case = _run(action, request, case, form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            if is_fragment_request(request):
                template, context = _container(request, return_to, case)
                context["done"] = ACTIONS[action].label
                response = render(request, template, context)
                response["HX-Trigger"] = "case-changed"
                return response
            messages.success(request, _("Done: %(action)s.") % {"action": ACTIONS[action].label})
            return redirect(_safe_next(request, default_next))
    error = " ".join(str(e) for e in form.non_field_errors()) or _(
        "Some fields are not valid. Please correct them and try again."
    )
    if is_fragment_request(request):
        case = selectors.get_case(user=request.user, pk=pk)
        template, context = _container(request, return_to, case, bound=form, error=error)
        return render(request, template, context, status=422)
    return _action_page(request, case, action, form, return_to, status=422, error=error)


@login_required
@_domain_errors
@require_http_methods(["POST"])
def reply_check(request, pk: int):
    """检查答复质量: score the draft reply of the resolve form (advice only: nothing is saved).

    htmx swaps in the result under the reply; without JavaScript the resolve form comes back with it.
    """
    case = selectors.get_case(user=request.user, pk=pk)
    require(request.user, "cases.handle", case)
    form = action_form("resolve", case=case, user=request.user, data=request.POST)
    reply = (request.POST.get(form.add_prefix("reply")) or "").strip()
    context = {
        "case": case,
        "reply_checked": True,
        "reply_missing": not reply,
        "reply_check": services.routing.check_reply(case, reply) if reply else None,
    }
    if is_fragment_request(request):
        return render(request, "cases/partials/_reply_check.html", context)
    return_to = request.POST.get("return_to") or "panel"
    context.update(
        {
            "spec": ACTIONS["resolve"],
            "form": form,
            "return_to": return_to if return_to in CONTAINERS else "panel",
            "target": f"case-{case.pk}-action-resolve",
            "next_url": _safe_next(request, reverse("cases:detail", args=[case.pk])),
        }
    )
    return render(request, "cases/action_form.html", context)


def _action_page(request, case, action: str, form, return_to: str, *, status: int, error=None):
    context = {
        "case": case,
        "spec": ACTIONS[action],
        "form": form,
        "error": error,
        "return_to": return_to,
        "target": f"case-{case.pk}-action-{action}",
        "next_url": _safe_next(request, reverse("cases:detail", args=[case.pk])),
    }
    return render_page_or_fragment(
        request, "cases/action_form.html", "cases/partials/_action_form.html", context, status=status
    )


def _run(action: str, request, case, data: dict):
    """Call the one service behind ``action`` with the form's cleaned data; returns the fresh case."""
    actor = request.user
    common = {"actor": actor, "case": case, "expected_version": data.get("expected_version")}
    if action == "accept":
        return services.accept_case(**common)
    if action == "reject":
        return services.reject_case(**common, reason=data["reason"])
    if action == "dispatch":
        lead = data["department"]
        return services.dispatch_case(
            **common,
            department=lead,
            assisting=tuple(d for d in data["assisting"] if d.pk != lead.pk),
            category=data.get("category"),
        )
    if action == "merge":
        try:
            master = case_by_number(actor, data["master_number"])
        except NotFound:
            raise ValidationFailed({"master_number": _("No case with this number is in your area.")})
        return services.merge_case(**common, master=master, reason=data["reason"])
    if action == "release":
        return services.release_case(**common, reason=data["reason"])
    if action == "sign":
        return services.sign_case(**common)
    if action == "return":
        return services.return_case(**common, reason=data["reason"])
    if action == "reassign":
        return services.reassign_case(**common, department=data["department"], reason=data["reason"])
    if action == "decide_extension":
        return services.decide_extension(**common, approve=data["decision"] == "yes", note=data["note"])
    if action == "contact":
        return services.record_contact(**common, note=data["note"])
    if action == "resolve":
        return services.resolve_case(**common, reply=data["reply"], photos=tuple(data["photos"]))
    if action == "review":
        return services.review_case(**common, approve=data["decision"] == "yes", note=data["note"])
    if action == "rate":
        own = case.reporter_user_id == actor.pk
        return services.rate_case(
            **common,
            rating=data["rating"],
            comment=data["comment"],
            method="self" if own else "phone",
            resolved_in_fact=data.get("resolved_in_fact"),
        )
    if action == "reopen":
        return services.reopen_case(**common, reason=data["reason"])
    if action == "withdraw":
        return services.withdraw_case(**common, reason=data["reason"])
    # Commands that add a row to the case (extension request, note, summons …) and return that row
    # rather than the case: run, then read the case again.
    if action == "request_extension":
        services.request_extension(**common, days=data["days"], reason=data["reason"])
    elif action == "handle":
        services.add_handling_note(**common, note=data["note"], photos=tuple(data["photos"]))
    elif action == "urge":
        services.urge_case(**common, note=data["note"])
    elif action == "supervise":
        services.supervise_case(**common, note=data["note"])
    elif action == "summon":
        services.summon_departments(
            **common,
            departments=tuple(data["departments"]),
            reason=data["reason"],
            report_within_hours=data["report_within_hours"],
            meeting_place=data["meeting_place"],
        )
    elif action == "report_in":
        summon = next((s for s in pending_summons_for(actor, case) if s.pk == data["summon"]), None)
        if summon is None:
            raise ValidationFailed({"summon": _("Your department has already reported in to this summons.")})
        services.report_in(**common, summon=summon, note=data["note"])
    else:
        raise NotFound()
    return selectors.get_case(user=actor, pk=case.pk)


# ----------------------------------------------------------------------------------------- notifications


@login_required
@_domain_errors
def notifications(request):
    """通知: the user's notices, newest first; "mark all read" clears the counter."""
    if request.method == "POST":
        services.mark_notifications_read(actor=request.user)
        if not is_fragment_request(request):
            return redirect("cases:notifications")
    items = list(selectors.notifications_for(request.user)[:50])
    context = {
        "items": items,
        "unread": selectors.notifications_for(request.user, unread_only=True).count(),
        "can_view": has_perm(request.user, "cases.view"),
    }
    response = render_page_or_fragment(
        request, "cases/notifications.html", "cases/partials/_notifications.html", context
    )
    if request.method == "POST":
        response["HX-Trigger"] = "case-changed"
    return response


@login_required
def notification_count(request):
    """The unread count for the navigation badge (empty when zero)."""
    count = selectors.notifications_for(request.user, unread_only=True).count()
    return render(request, "cases/partials/_notification_count.html", {"count": count})


__all__ = [
    "actions_fragment",
    "board",
    "case_action",
    "detail",
    "inbox",
    "lookup",
    "mine",
    "notification_count",
    "notifications",
    "progress",
    "proxy",
    "report",
    "timeline_fragment",
    "workbench",
]
