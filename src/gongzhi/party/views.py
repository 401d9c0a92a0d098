"""HTML + HTMX interface of the party app (thin: selectors for reads, one service per write).

Three audiences: secretaries and community staff (dashboard, tree, members, registrations, tasks,
activities, points, wishes, cases, disclosures), members on their phones (``m/`` pages: activities with
check-in, dual registration, tasks, wishes, households and visits, points) and residents (their wishes,
disclosures, the public wish wall). Every form is a real form that works without JavaScript; htmx
refreshes lists and swaps action panels, and gets the form back with status 422 on errors.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.scoping import has_perm, require
from gongzhi.accounts.selectors import departments_for_dispatch, get_user_by_username
from gongzhi.core.errors import DomainError, NotFound, ValidationFailed
from gongzhi.core.htmx import is_fragment_request, render_page_or_fragment
from gongzhi.core.views import page
from gongzhi.people.selectors import get_household_by_number, grids_for
from gongzhi.regions.selectors import get_region

from . import exporting, importing, selectors, services, workflow
from .choices import ActivityKind, MemberStatus, RegistrationStatus, WishStatus
from .forms import (
    ActivityForm,
    AssignHelpForm,
    AttendanceForm,
    CheckInForm,
    ConfirmClaimForm,
    CourseForm,
    DecisionForm,
    DisclosureForm,
    FeedbackForm,
    FinishTaskForm,
    FulfilForm,
    ImportForm,
    LinkHouseholdForm,
    MemberForm,
    MemberStatusForm,
    MinutesForm,
    OfficerForm,
    OrganisationForm,
    PhotosForm,
    PointsRuleForm,
    ProxyWishForm,
    RecordHelpForm,
    RegisterForm,
    ReviewForm,
    TaskForm,
    TransferForm,
    UnitRegisterForm,
    VisitCaseForm,
    VisitForm,
    VisitWishForm,
    WishForm,
)

PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------------------


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _message(exc: DomainError) -> str:
    if exc.fields:
        return "；".join(
            str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])
        )
    return str(exc.message)


def _form_errors(form, exc: DomainError) -> None:
    """Show a service's field messages next to the form's fields (others above the form)."""
    for field, errors in exc.fields.items():
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _attempt(request, form, call):
    """Run one service for a valid form: domain errors become form errors; returns the result."""
    try:
        return call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        _form_errors(form, exc)
        return None


def _command(request, call, *, done: str, to: str, **kwargs):
    """A button that runs one service and goes back to ``to``; the outcome is a flash message."""
    try:
        call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
    return redirect(to, **kwargs)


def _choose(form, field: str, options, *, blank: bool = True) -> None:
    """Turn a code field into a select of ``(code, label)`` options (the form still posts the code)."""
    choices = [("", "—")] if blank else []
    form.fields[field].widget = django_forms.Select(choices=[*choices, *options])


def _organisation_options(user):
    return [(o.code, o.name) for o in selectors.organisations_visible_to(user, active_only=True)]


def _community_options(user):
    return [(c.code, c.name) for c in selectors.communities_for(user)]


def _grid_options(user):
    return [(g.code, g.name) for g in grids_for(user)]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in (request.GET.get("month") or "").split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    days = {"30": 30, "90": 90, "365": 365}.get(request.GET.get("days") or "", 90)
    return today - timedelta(days=days - 1), today


# --- home ------------------------------------------------------------------------------------------------


@page
@require_GET
def home(request):
    """党建: the dashboard for secretaries, the member pages for members, disclosures for residents."""
    user = request.user
    if has_perm(user, "party.view_dashboard"):
        return dashboard(request)
    if selectors.get_my_member(user) is not None:
        return redirect("party:m_home")
    if has_perm(user, "party.view_organisation"):
        return redirect("party:organisations")
    if has_perm(user, "party.post_wish"):
        return redirect("party:my_wishes")
    return redirect("party:disclosures")


@page
@require_GET
def dashboard(request):
    """书记驾驶舱: coverage per grid, members, registered in-service members, attendance, ranking,
    wishes and the cases with party involvement (ECharts)."""
    start, end = _period(request)
    board = selectors.dashboard(request.user, start=start, end=end)
    context = {
        "board": board,
        "chart": selectors.chart_data(board),
        "days": request.GET.get("days") or "90",
        "statuses": MemberStatus.choices,
    }
    return render(request, "party/dashboard.html", context)


# --- organisations ---------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def organisations(request):
    """组织架构: the tree of the user's area, and the form to build an organisation."""
    roots = selectors.organisation_tree(request.user)
    can_manage = has_perm(request.user, "party.manage_organisation")
    form = OrganisationForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_organisation")
        if form.is_valid():
            data = form.cleaned_data

            def create():
                parent = (
                    selectors.get_organisation_by_code(user=request.user, code=data["parent"])
                    if data["parent"]
                    else None
                )
                region = get_region(user=request.user, code=data["region"]) if data["region"] else None
                return services.create_organisation(
                    actor=request.user,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    sector=data["sector"],
                    parent=parent,
                    region=region,
                    founded_on=data["founded_on"],
                )

            created = _attempt(request, form, create)
            if created is not None:
                messages.success(request, _("The party organisation was created."))
                return redirect("party:organisation_detail", pk=created.pk)
        status = 422
    if form is not None:
        _choose(form, "parent", _organisation_options(request.user))
        regions = [
            (g.code, g.name) for g in [*selectors.communities_for(request.user), *grids_for(request.user)]
        ]
        _choose(form, "region", regions)
    context = {"roots": roots, "form": form, "can_manage": can_manage}
    return render(request, "party/organisation_list.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk: int):
    """党组织: officers with terms, sub-organisations, members, and the appointment form."""
    organisation = selectors.get_organisation(user=request.user, pk=pk)
    can_manage = has_perm(request.user, "party.manage_organisation")
    form = OfficerForm(request.POST or None) if can_manage else None
    people = list(
        selectors.members_visible_to(request.user, selectors.MemberFilter(organisation=organisation.code))[
            :500
        ]
    )
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_organisation", organisation)
        if form.is_valid():
            data = form.cleaned_data

            def appoint():
                member = selectors.get_member(user=request.user, pk=data["member"])
                return services.appoint_officer(
                    actor=request.user,
                    organisation=organisation,
                    member=member,
                    position=data["position"],
                    term_start=data["term_start"],
                    term_end=data["term_end"],
                )

            if _attempt(request, form, appoint) is not None:
                messages.success(request, _("The officer was appointed."))
                return redirect("party:organisation_detail", pk=organisation.pk)
        status = 422
    if form is not None:
        form.fields["member"].widget = django_forms.Select(choices=[(m.pk, m.name) for m in people])
    context = {
        "organisation": organisation,
        "officers": list(selectors.current_officers(organisation)),
        "history": list(selectors.officer_history(organisation)[:50]),
        "children": list(selectors.subtree(request.user, organisation).filter(parent=organisation)),
        "members": people,
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "party/organisation_detail.html", context, status=status)


@page
@require_POST
def officer_end(request, pk: int, officer_pk: int):
    organisation = selectors.get_organisation(user=request.user, pk=pk)
    officer = next((o for o in selectors.current_officers(organisation) if o.pk == officer_pk), None)
    if officer is None:
        raise NotFound()
    return _command(
        request,
        lambda: services.end_officer_term(actor=request.user, officer=officer),
        done=_("The term was ended."),
        to="party:organisation_detail",
        pk=organisation.pk,
    )


# --- members ---------------------------------------------------------------------------------------------


def _member_abilities(user) -> dict[str, bool]:
    return {
        "can_manage": has_perm(user, "party.manage_member"),
        "can_reveal": has_perm(user, "party.reveal_pii"),
        "can_export": has_perm(user, "party.export"),
        "can_import": has_perm(user, "party.import"),
        "can_link": has_perm(user, "party.manage_links"),
    }


@page
@require_GET
def members(request):
    """党员名册: search and filters (htmx refreshes only the table); phones and ID numbers masked."""
    filters = selectors.MemberFilter.from_mapping(request.GET)
    context = {
        "page": _page(request, selectors.members_visible_to(request.user, filters)),
        "filters": filters,
        "querystring": urlencode(filters.as_dict()),
        **_member_abilities(request.user),
    }
    if not is_fragment_request(request):
        context["organisations"] = _organisation_options(request.user)
        context["grids"] = _grid_options(request.user)
        context["statuses"] = MemberStatus.choices
    return render_page_or_fragment(
        request, "party/member_list.html", "party/partials/_member_table.html", context
    )


def _member_inputs(request, data) -> dict:
    """Codes typed in the member form → objects inside the user's area (wrong codes → field errors)."""
    found, errors = {}, {}
    try:
        found["organisation"] = selectors.get_organisation_by_code(
            user=request.user, code=data["organisation"]
        )
    except NotFound as exc:
        errors["organisation"] = exc.message
    found["grid"] = None
    if data["grid"]:
        try:
            found["grid"] = next(g for g in grids_for(request.user) if g.code == data["grid"])
        except StopIteration:
            errors["grid"] = _("The grid does not exist or is outside your area.")
    found["user"] = None
    if data["username"]:
        try:
            found["user"] = get_user_by_username(data["username"])
        except NotFound as exc:
            errors["username"] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return found


_MEMBER_FIELDS = (
    "name",
    "status",
    "gender",
    "joined_on",
    "full_on",
    "is_in_service",
    "work_unit",
    "is_mobile",
    "mobile_note",
    "dues_standard",
    "dues_paid_until",
)


@page
@require_http_methods(["GET", "POST"])
def member_create(request):
    """登记党员."""
    require(request.user, "party.manage_member")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            refs = _member_inputs(request, data)
            return services.create_member(
                actor=request.user,
                organisation=refs["organisation"],
                grid=refs["grid"],
                user=refs["user"],
                id_number=data["id_number"],
                phone=data["phone"],
                **{k: data[k] for k in _MEMBER_FIELDS},
            )

        member = _attempt(request, form, create)
        if member is not None:
            messages.success(request, _("The member was registered."))
            return redirect("party:member_detail", pk=member.pk)
    _choose(form, "organisation", _organisation_options(request.user), blank=False)
    _choose(form, "grid", _grid_options(request.user))
    status = 422 if form.errors else 200
    return render(request, "party/member_form.html", {"form": form, "member": None}, status=status)


@page
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    """修改党员信息. ID number and phone stay blank unless they are to change (no silent unmasking)."""
    member = selectors.get_member(user=request.user, pk=pk)
    require(request.user, "party.manage_member", member)
    initial = {k: getattr(member, k) for k in _MEMBER_FIELDS}
    initial.update(
        organisation=member.organisation.code,
        grid=member.grid.code if member.grid_id else "",
        username=member.user.username if member.user_id else "",
    )
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def update():
            refs = _member_inputs(request, data)
            changes = {k: data[k] for k in _MEMBER_FIELDS}
            changes.update(grid=refs["grid"], user=refs["user"])
            for secret in ("id_number", "phone"):
                if data[secret]:
                    changes[secret] = data[secret]
            if refs["organisation"].pk != member.organisation_id:
                raise ValidationFailed({"organisation": _("Use the transfer form to move a member.")})
            return services.update_member(actor=request.user, member=member, changes=changes)

        if _attempt(request, form, update) is not None:
            messages.success(request, _("The changes were saved."))
            return redirect("party:member_detail", pk=member.pk)
    _choose(form, "organisation", _organisation_options(request.user), blank=False)
    _choose(form, "grid", _grid_options(request.user))
    status = 422 if form.errors else 200
    return render(request, "party/member_form.html", {"form": form, "member": member}, status=status)


def _member_context(request, member, *, revealed: dict | None = None) -> dict:
    revealed = revealed or {}
    return {
        "member": member,
        "transfers": list(selectors.member_transfers(member)),
        "ledger": list(selectors.member_ledger(member)[:50]),
        "points_total": selectors.member_points_total(member),
        "attended": list(selectors.member_activity_record(member)[:30]),
        "study": list(selectors.study_record(member)[:30]),
        "links": list(selectors.my_links(member)),
        "registrations": list(selectors.my_registrations(member)),
        "revealed_phone": revealed.get("phone"),
        "revealed_id_number": revealed.get("id_number"),
        "phone_target": f"member-{member.pk}-phone",
        "id_target": f"member-{member.pk}-id_number",
        "transfer_form": TransferForm(),
        "link_form": LinkHouseholdForm(),
        "organisations": _organisation_options(request.user),
        **_member_abilities(request.user),
    }


@page
@require_GET
def member_detail(request, pk: int):
    """党员详情: masked contact, organisation history, points, activities, study, households."""
    member = selectors.get_member(user=request.user, pk=pk)
    return render(request, "party/member_detail.html", _member_context(request, member))


@page
@require_POST
def member_reveal(request, pk: int, field: str):
    """显示完整号码: audited; htmx gets the value fragment, a plain form post the whole page."""
    member = selectors.get_member(user=request.user, pk=pk)
    value = services.reveal_member_pii(actor=request.user, member=member, field=field)
    if is_fragment_request(request):
        return render(
            request,
            "party/partials/_pii_value.html",
            {"value": value, "target_id": f"member-{member.pk}-{field}"},
        )
    return render(
        request, "party/member_detail.html", _member_context(request, member, revealed={field: value})
    )


@page
@require_POST
def member_transfer(request, pk: int):
    """组织关系转接."""
    member = selectors.get_member(user=request.user, pk=pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid. Please correct them and try again."))
        return redirect("party:member_detail", pk=member.pk)

    def transfer():
        target = selectors.get_organisation_by_code(
            user=request.user, code=form.cleaned_data["to_organisation"]
        )
        services.transfer_member(
            actor=request.user, member=member, to_organisation=target, reason=form.cleaned_data["reason"]
        )

    try:
        transfer()
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect("party:member_detail", pk=member.pk)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, _message(exc))
        return redirect("party:member_detail", pk=member.pk)
    messages.success(request, _("The member was transferred."))
    if selectors.members_visible_to(request.user).filter(pk=member.pk).exists():
        return redirect("party:member_detail", pk=member.pk)
    return redirect("party:members")


@page
@require_POST
def member_roll(request, pk: int):
    """停止/恢复党籍 (on the roll or not)."""
    member = selectors.get_member(user=request.user, pk=pk)
    form = MemberStatusForm(request.POST)
    form.is_valid()
    active = bool(form.cleaned_data.get("is_active"))
    return _command(
        request,
        lambda: services.update_member(actor=request.user, member=member, changes={"is_active": active}),
        done=_("The changes were saved."),
        to="party:member_detail",
        pk=member.pk,
    )


@page
@require_POST
def member_link(request, pk: int):
    """联户: link the member to a household of their grid by household number."""
    member = selectors.get_member(user=request.user, pk=pk)
    form = LinkHouseholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the household number."))
        return redirect("party:member_detail", pk=member.pk)

    def link():
        try:
            household = get_household_by_number(
                user=request.user, number=form.cleaned_data["household_number"]
            )
        except NotFound as exc:
            raise ValidationFailed({"household_number": exc.message}) from None
        services.link_household(actor=request.user, member=member, household=household)

    return _command(
        request, link, done=_("The household was linked."), to="party:member_detail", pk=member.pk
    )


@page
@require_POST
def link_end(request, pk: int):
    link = selectors.get_link(user=request.user, pk=pk)
    return _command(
        request,
        lambda: services.unlink_household(actor=request.user, link=link),
        done=_("The household link was ended."),
        to="party:member_detail",
        pk=link.member_id,
    )


@page
@require_http_methods(["GET", "POST"])
def member_import(request):
    """导入党员: upload, optional dry run, and the validation report with row numbers and reasons."""
    require(request.user, "party.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = importing.import_file(
                actor=request.user,
                file=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        else:
            status = 422
    context = {"form": form, "report": report, "columns": importing.COLUMNS}
    return render_page_or_fragment(
        request, "party/import.html", "party/partials/_import_report.html", context, status=status
    )


@page
@require_GET
def member_export(request):
    """导出党员名册 (.xlsx) with the current filters; ``unmasked=1`` needs the unmask permission."""
    return exporting.export_response(
        actor=request.user, filters=request.GET.dict(), unmasked=request.GET.get("unmasked") == "1"
    )


# --- registrations ---------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def registrations(request):
    """双报到审核: registrations at the communities of the user's area; units register here too."""
    status = request.GET.get("status") or ""
    unit_form = UnitRegisterForm(request.POST or None) if has_perm(request.user, "party.register") else None
    code = 200
    if request.method == "POST":
        require(request.user, "party.register")
        if unit_form.is_valid():
            data = unit_form.cleaned_data

            def register():
                unit = selectors.get_organisation_by_code(user=request.user, code=data["unit"])
                community = selectors.get_community(code=data["community"])
                return services.register_at_community(
                    actor=request.user, community=community, unit=unit, offer=data["offer"]
                )

            if _attempt(request, unit_form, register) is not None:
                messages.success(request, _("The unit's registration was sent to the community."))
                return redirect("party:registrations")
        code = 422
    if unit_form is not None:
        _choose(unit_form, "unit", _organisation_options(request.user))
        _choose(unit_form, "community", [(c.code, c.name) for c in selectors.communities_for(None)])
    context = {
        "page": _page(request, selectors.registrations_visible_to(request.user, status=status)),
        "status": status,
        "statuses": RegistrationStatus.choices,
        "querystring": urlencode({"status": status} if status else {}),
        "can_decide": has_perm(request.user, "party.approve_registration"),
        "decision_form": DecisionForm(),
        "unit_form": unit_form,
    }
    return render_page_or_fragment(
        request,
        "party/registration_list.html",
        "party/partials/_registration_table.html",
        context,
        status=code,
    )


@page
@require_POST
def registration_decide(request, pk: int):
    """审核/结束: approve, reject (with a reason) or end a registration; htmx swaps the row."""
    registration = selectors.get_registration(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    error = None
    if form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        call = {
            "approve": services.approve_registration,
            "reject": services.reject_registration,
            "end": services.end_registration,
        }[decision]
        try:
            registration = call(actor=request.user, registration=registration, note=note)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = _message(exc)
    else:
        error = _("Choose one of the allowed values.")
    if is_fragment_request(request):
        context = {"r": registration, "can_decide": True, "decision_form": form, "error": error}
        response = render(
            request, "party/partials/_registration_row.html", context, status=422 if error else 200
        )
        if not error:
            response["HX-Trigger"] = "registration-changed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The registration was updated."))
    return redirect("party:registrations")


# --- tasks -----------------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def tasks(request):
    """服务任务: the community's task list (需求清单) and the form to post one."""
    can_manage = has_perm(request.user, "party.manage_tasks")
    form = TaskForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_tasks")
        if form.is_valid():
            data = form.cleaned_data

            def post():
                community = get_region(user=request.user, code=data["community"])
                return services.post_task(
                    actor=request.user,
                    community=community,
                    title=data["title"],
                    description=data["description"],
                    location=data["location"],
                    starts_at=data["starts_at"],
                    hours=data["hours"],
                    slots=data["slots"],
                )

            task = _attempt(request, form, post)
            if task is not None:
                messages.success(request, _("The task was posted."))
                return redirect("party:task_detail", pk=task.pk)
        status = 422
    if form is not None:
        _choose(form, "community", _community_options(request.user), blank=False)
    context = {
        "page": _page(
            request, selectors.tasks_visible_to(request.user, status=request.GET.get("status") or "")
        ),
        "form": form,
        "can_manage": can_manage,
        "querystring": "",
    }
    return render(request, "party/task_list.html", context, status=status)


@page
@require_GET
def task_detail(request, pk: int):
    task = selectors.get_task(user=request.user, pk=pk)
    context = {
        "task": task,
        "claims": list(selectors.task_claims(task)),
        "confirm_form": ConfirmClaimForm(),
        "can_manage": has_perm(request.user, "party.manage_tasks"),
    }
    return render(request, "party/task_detail.html", context)


@page
@require_POST
def task_close(request, pk: int):
    task = selectors.get_task(user=request.user, pk=pk)
    return _command(
        request,
        lambda: services.close_task(actor=request.user, task=task),
        done=_("The task was closed."),
        to="party:task_detail",
        pk=task.pk,
    )


@page
@require_POST
def claim_confirm(request, pk: int):
    """确认服务: hours and feedback go back to the member's unit; the member scores points."""
    claim = selectors.get_claim(user=request.user, pk=pk)
    form = ConfirmClaimForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _command(
        request,
        lambda: services.confirm_task(
            actor=request.user, claim=claim, hours=data.get("hours"), feedback=data.get("feedback") or ""
        ),
        done=_("The service was confirmed."),
        to="party:task_detail",
        pk=claim.task_id,
    )


@page
@require_POST
def claim_cancel(request, pk: int):
    claim = selectors.get_claim(user=request.user, pk=pk)
    return _command(
        request,
        lambda: services.cancel_claim(actor=request.user, claim=claim),
        done=_("The claim was cancelled."),
        to="party:task_detail",
        pk=claim.task_id,
    )


@page
@require_GET
def unit_service(request):
    """回馈单位: confirmed service hours and the communities' feedback for the members of the user's units."""
    context = {"page": _page(request, selectors.service_records_of_unit(request.user)), "querystring": ""}
    return render(request, "party/unit_service.html", context)


# --- activities ------------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def activities(request):
    """组织生活: the month calendar and list of activities, and the planning form."""
    year, month = _month(request)
    first, last = selectors.month_range(year, month)
    listed = list(selectors.activities_visible_to(request.user, start=first, end=last))
    can_manage = has_perm(request.user, "party.manage_activity")
    form = ActivityForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_activity")
        if form.is_valid():
            data = form.cleaned_data

            def create():
                organisation = selectors.get_organisation_by_code(
                    user=request.user, code=data["organisation"]
                )
                return services.create_activity(
                    actor=request.user,
                    organisation=organisation,
                    kind=data["kind"],
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    location=data["location"],
                    capacity=data["capacity"],
                    description=data["description"],
                )

            created = _attempt(request, form, create)
            if created is not None:
                messages.success(request, _("The activity was planned."))
                return redirect("party:activity_detail", pk=created.pk)
        status = 422
    if form is not None:
        _choose(form, "organisation", _organisation_options(request.user), blank=False)
    previous = date(year, month, 1) - timedelta(days=1)
    following = last + timedelta(days=1)
    context = {
        "weeks": selectors.month_calendar(listed, year, month),
        "activities": listed,
        "year": year,
        "month": month,
        "previous": f"{previous.year}-{previous.month:02d}",
        "next": f"{following.year}-{following.month:02d}",
        "form": form,
        "kinds": ActivityKind.choices,
    }
    return render(request, "party/activity_list.html", context, status=status)


def _activity_context(request, activity, **extra) -> dict:
    joined = list(selectors.participations(activity))
    eligible = list(
        selectors.members_visible_to(
            request.user, selectors.MemberFilter(organisation=activity.organisation.code)
        )[:300]
    )
    return {
        "activity": activity,
        "participations": joined,
        "photos": list(selectors.activity_photos(activity)),
        "can_manage": has_perm(request.user, "party.manage_activity"),
        "minutes_form": extra.pop("minutes_form", None) or MinutesForm(initial={"minutes": activity.minutes}),
        "photos_form": extra.pop("photos_form", None) or PhotosForm(),
        "attendance_form": AttendanceForm(members=eligible),
        **extra,
    }


@page
@require_GET
def activity_detail(request, pk: int):
    """活动: the check-in code to show at the venue, sign-ups, attendance, minutes and photos."""
    activity = selectors.get_activity(user=request.user, pk=pk)
    return render(request, "party/activity_detail.html", _activity_context(request, activity))


@page
@require_POST
def activity_minutes(request, pk: int):
    activity = selectors.get_activity(user=request.user, pk=pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: services.record_minutes(
                actor=request.user, activity=activity, minutes=form.cleaned_data["minutes"]
            ),
        )
        if done is not None:
            messages.success(request, _("The minutes were saved."))
            return redirect("party:activity_detail", pk=activity.pk)
    return render(
        request,
        "party/activity_detail.html",
        _activity_context(request, activity, minutes_form=form),
        status=422,
    )


@page
@require_POST
def activity_photos(request, pk: int):
    activity = selectors.get_activity(user=request.user, pk=pk)
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: services.add_activity_photos(
                actor=request.user,
                activity=activity,
                photos=form.cleaned_data["photos"],
                caption=form.cleaned_data["caption"],
            ),
        )
        if done is not None:
            messages.success(request, _("The photos were added."))
            return redirect("party:activity_detail", pk=activity.pk)
    return render(
        request,
        "party/activity_detail.html",
        _activity_context(request, activity, photos_form=form),
        status=422,
    )


@page
@require_POST
def activity_attendance(request, pk: int):
    """补录签到 for members without a phone."""
    activity = selectors.get_activity(user=request.user, pk=pk)
    ids = [_int(v) for v in request.POST.getlist("members")]

    def record():
        chosen = [selectors.get_member(user=request.user, pk=i) for i in ids]
        return services.record_attendance(actor=request.user, activity=activity, members=chosen)

    return _command(
        request, record, done=_("The attendance was recorded."), to="party:activity_detail", pk=pk
    )


@page
@require_POST
def activity_cancel(request, pk: int):
    activity = selectors.get_activity(user=request.user, pk=pk)
    return _command(
        request,
        lambda: services.cancel_activity(actor=request.user, activity=activity),
        done=_("The activity was cancelled."),
        to="party:activity_detail",
        pk=activity.pk,
    )


@page
@require_GET
def activity_photo(request, pk: int, photo_pk: int):
    """A photo of an activity the user may see (staff or a member of the activity)."""
    member = selectors.get_my_member(request.user)
    if has_perm(request.user, "party.view_organisation"):
        activity = selectors.get_activity(user=request.user, pk=pk)
    elif member is not None:
        activity = selectors.get_member_activity(member=member, pk=pk)
    else:
        raise NotFound()
    photo = selectors.get_activity_photo(activity=activity, pk=photo_pk)
    return _file_response(photo.file, photo.content_type, f"photo-{photo.pk}")


def _file_response(file, content_type: str, name: str, *, inline: bool = True):
    response = FileResponse(file.open("rb"), content_type=content_type)
    extension = file.name.rsplit(".", 1)[-1] if "." in file.name else "bin"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- points ----------------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def points(request):
    """积分排行 per branch and period, and the rules (committees set their own)."""
    start, end = _period(request)
    code = (request.GET.get("organisation") or "").strip()
    organisation = selectors.get_organisation_by_code(user=request.user, code=code) if code else None
    can_manage = has_perm(request.user, "party.manage_points")
    form = PointsRuleForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_points")
        if form.is_valid():
            data = form.cleaned_data

            def save():
                target = (
                    selectors.get_organisation_by_code(user=request.user, code=data["organisation"])
                    if data["organisation"]
                    else None
                )
                return services.set_points_rule(
                    actor=request.user,
                    organisation=target,
                    event=data["event"],
                    points=data["points"],
                    name=data["name"],
                )

            if _attempt(request, form, save) is not None:
                messages.success(request, _("The points rule was saved."))
                return redirect("party:points")
        status = 422
    if form is not None:
        _choose(form, "organisation", _organisation_options(request.user))
    context = {
        "ranking": selectors.points_ranking(
            request.user, organisation=organisation, start=start, end=end, limit=50
        ),
        "rules": list(selectors.rules_visible_to(request.user)),
        "organisation": organisation,
        "organisations": _organisation_options(request.user),
        "days": request.GET.get("days") or "90",
        "form": form,
    }
    return render(request, "party/points.html", context, status=status)


# --- wishes (staff) --------------------------------------------------------------------------------------


@page
@require_GET
def wishes(request):
    """微心愿审核与跟踪: the wishes of the user's area by status."""
    status = request.GET.get("status") or ""
    context = {
        "page": _page(request, selectors.wishes_visible_to(request.user, status=status)),
        "status": status,
        "statuses": WishStatus.choices,
        "querystring": urlencode({"status": status} if status else {}),
        "can_post": has_perm(request.user, "party.post_wish"),
    }
    return render_page_or_fragment(
        request, "party/wish_list.html", "party/partials/_wish_table.html", context
    )


@page
@require_http_methods(["GET", "POST"])
def wish_create(request):
    """代为许愿: a worker posts a wish for a resident of their area."""
    require(request.user, "party.post_wish")
    form = ProxyWishForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def post():
            community = get_region(user=request.user, code=data["community"])
            grid = get_region(user=request.user, code=data["grid"]) if data["grid"] else None
            return services.post_wish(
                actor=request.user,
                community=community,
                grid=grid,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                wisher_name=data["wisher_name"],
                wisher_phone=data["wisher_phone"],
                idempotency_key=data["token"],
            )

        wish = _attempt(request, form, post)
        if wish is not None:
            messages.success(request, _("The wish was posted and awaits review."))
            return redirect("party:wish_detail", pk=wish.pk)
    _choose(form, "community", _community_options(request.user), blank=False)
    _choose(form, "grid", _grid_options(request.user))
    status = 422 if form.errors else 200
    return render(request, "party/wish_form.html", {"form": form, "proxy": True}, status=status)


def _wish_context(request, wish, **extra) -> dict:
    user = request.user
    return {
        "wish": wish,
        "photos": list(selectors.wish_photos(wish)),
        "can_review": has_perm(user, "party.review_wish") and wish.status == WishStatus.PENDING_REVIEW,
        "can_confirm": has_perm(user, "party.review_wish") and wish.status == WishStatus.FULFILLED,
        "can_cancel": wish.status in workflow.WISH_TRANSITIONS["cancel"]
        and has_perm(user, "party.review_wish"),
        "can_claim_unit": has_perm(user, "party.claim") and wish.status == WishStatus.PUBLISHED,
        "units": [(o.code, o.name) for o in selectors.claimable_units(user)],
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        "feedback_form": FeedbackForm(),
        "error": extra.pop("error", None),
        **extra,
    }


@page
@require_GET
def wish_detail(request, pk: int):
    wish = selectors.get_wish(user=request.user, pk=pk)
    return render(request, "party/wish_detail.html", _wish_context(request, wish))


@page
@require_POST
def wish_action(request, pk: int, action: str):
    """One command on a wish (review, unit claim, confirm for the resident, cancel); htmx swaps the panel."""
    wish = selectors.get_wish(user=request.user, pk=pk)
    post = request.POST
    calls = {
        "review": lambda: services.review_wish(
            actor=request.user, wish=wish, approve=post.get("approve") == "1", note=post.get("note", "")
        ),
        "confirm": lambda: services.confirm_wish(
            actor=request.user, wish=wish, feedback=post.get("feedback", "")
        ),
        "dispute": lambda: services.dispute_wish(
            actor=request.user, wish=wish, feedback=post.get("feedback", "")
        ),
        "cancel": lambda: services.cancel_wish(actor=request.user, wish=wish, reason=post.get("reason", "")),
        "release": lambda: services.release_wish(
            actor=request.user, wish=wish, reason=post.get("reason", "")
        ),
        "claim_unit": lambda: services.claim_wish(
            actor=request.user,
            wish=wish,
            unit=selectors.get_organisation_by_code(user=request.user, code=post.get("unit", "")),
        ),
    }
    if action not in calls:
        raise NotFound()
    error = None
    try:
        wish = calls[action]()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error = _message(exc)
    if is_fragment_request(request):
        context = _wish_context(request, wish, error=error)
        response = render(request, "party/partials/_wish_actions.html", context, status=422 if error else 200)
        if not error:
            response["HX-Trigger"] = "wish-changed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The wish was updated."))
    return redirect("party:wish_detail", pk=wish.pk)


@page
@require_GET
def wish_photo(request, pk: int, photo_pk: int):
    member = selectors.get_my_member(request.user)
    try:
        wish = selectors.get_wish(user=request.user, pk=pk)
    except DomainError:
        if member is None:
            raise NotFound() from None
        wish = selectors.get_wish_for_member(member=member, pk=pk)
    photo = selectors.get_wish_photo(wish=wish, pk=photo_pk)
    return _file_response(photo.file, photo.content_type, f"wish-{photo.pk}")


@require_GET
def wall(request):
    """心愿墙 (public): wishes that came true, names masked, no contact data."""
    community = selectors.get_wall_community(request.GET.get("community") or "")
    context = {
        "wishes": list(selectors.wish_wall(community=community)),
        "communities": list(selectors.wall_communities()),
        "community": community,
    }
    return render(request, "party/wall.html", context)


# --- wishes (residents) ----------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def my_wishes(request):
    """我的微心愿: a resident's own wishes and the form to post one."""
    require(request.user, "party.confirm_wish")
    can_post = has_perm(request.user, "party.post_wish")
    form = WishForm(request.POST or None, initial={"token": uuid.uuid4().hex}) if can_post else None
    if request.method == "POST":
        require(request.user, "party.post_wish")
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def post():
            community = selectors.get_community(code=data["community"])
            return services.post_wish(
                actor=request.user,
                community=community,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                idempotency_key=data["token"],
            )

        if _attempt(request, form, post) is not None:
            messages.success(request, _("Your wish was posted. The community will review it soon."))
            return redirect("party:my_wishes")
    if form is not None:
        _choose(form, "community", [(c.code, c.name) for c in selectors.communities_for(None)], blank=False)
    context = {"form": form, "wishes": list(selectors.my_wishes(request.user)[:50])}
    return render(
        request, "party/my_wishes.html", context, status=422 if form is not None and form.errors else 200
    )


@page
@require_POST
def my_wish_action(request, pk: int, action: str):
    """The resident confirms, says not yet, or withdraws their own wish."""
    wish = selectors.get_wish(user=request.user, pk=pk)
    feedback = request.POST.get("feedback", "")
    calls = {
        "confirm": lambda: services.confirm_wish(actor=request.user, wish=wish, feedback=feedback),
        "dispute": lambda: services.dispute_wish(actor=request.user, wish=wish, feedback=feedback),
        "cancel": lambda: services.cancel_wish(actor=request.user, wish=wish, reason=feedback),
    }
    if action not in calls:
        raise NotFound()
    return _command(request, calls[action], done=_("Thank you. Your wish was updated."), to="party:my_wishes")


# --- cases -----------------------------------------------------------------------------------------------


@page
@require_GET
def cases(request):
    """诉求与党建: the cases of the user's area; party-involved ones marked; members can be assigned."""
    involved = request.GET.get("involved") == "1"
    require(request.user, "party.view_organisation")
    page_ = _page(request, selectors.party_cases(request.user, involved_only=involved))
    helps = selectors.case_help_by_case([c.pk for c in page_])
    context = {
        "page": page_,
        "involved": involved,
        "helps": helps,
        "querystring": "involved=1" if involved else "",
        "can_assign": has_perm(request.user, "party.assign_case_help"),
    }
    return render(request, "party/case_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def case_help(request, pk: int):
    """派党员协助: assign a member to help with a case; record what they did."""
    from gongzhi.cases.selectors import get_case

    case = get_case(user=request.user, pk=pk)
    form = AssignHelpForm(request.POST or None)
    candidates = list(selectors.members_visible_to(request.user)[:500])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data

            def assign():
                member = selectors.get_member(user=request.user, pk=data["member"])
                return services.assign_case_help(
                    actor=request.user, case=case, member=member, note=data["note"]
                )

            if _attempt(request, form, assign) is not None:
                messages.success(request, _("The member was asked to help."))
                return redirect("party:case_help", pk=case.pk)
        status = 422
    form.fields["member"].widget = django_forms.Select(
        choices=[(m.pk, f"{m.name}（{m.organisation}）") for m in candidates]
    )
    context = {
        "case": case,
        "helps": list(selectors.case_help_for(case)),
        "form": form,
        "record_form": RecordHelpForm(),
        "can_assign": has_perm(request.user, "party.assign_case_help"),
        "can_summon": has_perm(request.user, "cases.summon"),
        "departments": list(departments_for_dispatch()) if has_perm(request.user, "cases.summon") else [],
    }
    return render(request, "party/case_help.html", context, status=status)


@page
@require_POST
def case_help_record(request, pk: int):
    help_ = selectors.get_case_help(user=request.user, pk=pk)
    form = RecordHelpForm(request.POST)
    form.is_valid()
    contribution = form.cleaned_data.get("contribution", "")
    return _command(
        request,
        lambda: services.record_case_help(actor=request.user, help_=help_, contribution=contribution),
        done=_("The contribution was recorded."),
        to="party:case_help",
        pk=help_.case_id,
    )


@page
@require_POST
def case_summon(request, pk: int):
    """吹哨: the community party secretary summons departments to the case (the cases service)."""
    from gongzhi.accounts.selectors import get_department
    from gongzhi.cases.selectors import get_case
    from gongzhi.cases.services import summon_departments

    case = get_case(user=request.user, pk=pk)

    def summon():
        departments = [get_department(pk=_int(v)) for v in request.POST.getlist("departments")]
        summon_departments(
            actor=request.user,
            case=case,
            departments=departments,
            reason=request.POST.get("reason", ""),
            meeting_place=request.POST.get("meeting_place", ""),
        )

    return _command(
        request, summon, done=_("The departments were summoned."), to="party:case_help", pk=case.pk
    )


# --- disclosures -----------------------------------------------------------------------------------------


@page
@require_GET
def disclosures(request):
    """公开栏: staff manage their area's notices; residents read the notices of their community."""
    category = request.GET.get("category") or ""
    context = {
        "page": _page(request, selectors.disclosures_visible_to(request.user, category=category)),
        "category": category,
        "querystring": urlencode({"category": category} if category else {}),
        "can_manage": has_perm(request.user, "party.manage_disclosure"),
    }
    return render(request, "party/disclosure_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def disclosure_create(request):
    require(request.user, "party.manage_disclosure")
    form = DisclosureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            community = get_region(user=request.user, code=data["community"])
            return services.create_disclosure(
                actor=request.user,
                community=community,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                attachments=data["attachments"],
                publish=data["publish"],
                organisation=selectors.committee_of(request.user, community),
            )

        disclosure = _attempt(request, form, create)
        if disclosure is not None:
            messages.success(request, _("The notice was saved."))
            return redirect("party:disclosure_detail", pk=disclosure.pk)
    _choose(form, "community", _community_options(request.user), blank=False)
    return render(request, "party/disclosure_form.html", {"form": form}, status=422 if form.errors else 200)


@page
@require_GET
def disclosure_detail(request, pk: int):
    disclosure = selectors.get_disclosure(user=request.user, pk=pk)
    context = {"disclosure": disclosure, "can_manage": has_perm(request.user, "party.manage_disclosure")}
    return render(request, "party/disclosure_detail.html", context)


@page
@require_POST
def disclosure_action(request, pk: int, action: str):
    disclosure = selectors.get_disclosure(user=request.user, pk=pk)
    calls = {
        "publish": lambda: services.publish_disclosure(actor=request.user, disclosure=disclosure),
        "withdraw": lambda: services.withdraw_disclosure(
            actor=request.user, disclosure=disclosure, reason=request.POST.get("reason", "")
        ),
    }
    if action not in calls:
        raise NotFound()
    return _command(
        request, calls[action], done=_("The notice was updated."), to="party:disclosure_detail", pk=pk
    )


@page
@require_GET
def disclosure_file(request, pk: int, file_pk: int):
    disclosure = selectors.get_disclosure(user=request.user, pk=pk)
    attachment = selectors.get_attachment(user=request.user, disclosure=disclosure, pk=file_pk)
    return _file_response(attachment.file, attachment.content_type, f"attachment-{attachment.pk}")


# --- courses ---------------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def courses(request):
    """学习: the course catalogue meant for the user; administrators add courses here."""
    can_manage = has_perm(request.user, "party.manage_courses")
    form = CourseForm(request.POST or None, request.FILES or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(request.user, "party.manage_courses")
        if form.is_valid():
            data = form.cleaned_data
            course = _attempt(
                request,
                form,
                lambda: services.create_course(
                    actor=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    audience=data["audience"],
                    summary=data["summary"],
                    body=data["body"],
                    upload=data["file"],
                ),
            )
            if course is not None:
                messages.success(request, _("The course was added."))
                return redirect("party:course_detail", pk=course.pk)
        status = 422
    context = {"courses": list(selectors.courses_for(request.user)), "form": form}
    return render(request, "party/course_list.html", context, status=status)


@page
@require_GET
def course_detail(request, pk: int):
    course = selectors.get_course(user=request.user, pk=pk)
    context = {"course": course, "enrolment": selectors.my_enrolment(request.user, course)}
    return render(request, "party/course_detail.html", context)


@page
@require_POST
def course_action(request, pk: int, action: str):
    course = selectors.get_course(user=request.user, pk=pk)
    calls = {
        "enrol": lambda: services.enrol(actor=request.user, course=course),
        "complete": lambda: services.complete_course(actor=request.user, course=course),
        "retire": lambda: services.set_course_active(actor=request.user, course=course, is_active=False),
        "offer": lambda: services.set_course_active(actor=request.user, course=course, is_active=True),
    }
    if action not in calls:
        raise NotFound()
    return _command(request, calls[action], done=_("Saved."), to="party:course_detail", pk=course.pk)


@page
@require_GET
def course_file(request, pk: int):
    course = selectors.get_course(user=request.user, pk=pk)
    if not course.file:
        raise NotFound()
    return _file_response(course.file, course.content_type, f"course-{course.pk}")


# --- member pages ----------------------------------------------------------------------------------------


def _me(request):
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound(
            _("Your account is not linked to a party member. Ask your branch secretary to link it.")
        )
    return member


@page
@require_GET
def m_home(request):
    """我的党建 (mobile): points, coming activities, open tasks and wishes, my households."""
    member = _me(request)
    context = {
        "member": member,
        "points_total": selectors.member_points_total(member),
        "upcoming": list(selectors.activities_for_member(member, upcoming_only=True)[:5]),
        "tasks": list(selectors.tasks_open_to(member)[:5]),
        "wishes": list(selectors.wishes_open_to(member)[:5]),
        "links": list(selectors.my_links(member)[:5]),
        "claims": list(selectors.my_claims(member)[:5]),
        "help": list(selectors.my_case_help(member)[:5]),
    }
    return render(request, "party/m/home.html", context)


@page
@require_GET
def m_activities(request):
    member = _me(request)
    context = {"member": member, "activities": list(selectors.activities_for_member(member)[:60])}
    return render(request, "party/m/activities.html", context)


def _m_activity_context(member, activity, form=None, error=None) -> dict:
    return {
        "member": member,
        "activity": activity,
        "mine": selectors.my_participation(member, activity),
        "form": form or CheckInForm(),
        "error": error,
    }


@page
@require_GET
def m_activity(request, pk: int):
    member = _me(request)
    activity = selectors.get_member_activity(member=member, pk=pk)
    return render(request, "party/m/activity.html", _m_activity_context(member, activity))


@page
@require_POST
def m_sign_up(request, pk: int):
    member = _me(request)
    activity = selectors.get_member_activity(member=member, pk=pk)
    return _command(
        request,
        lambda: services.sign_up(actor=request.user, activity=activity),
        done=_("You signed up."),
        to="party:m_activity",
        pk=pk,
    )


@page
@require_POST
def m_check_in(request, pk: int):
    """签到 with the code shown at the venue; htmx swaps the check-in box (422 with the message)."""
    member = _me(request)
    activity = selectors.get_member_activity(member=member, pk=pk)
    form = CheckInForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            form,
            lambda: services.check_in(actor=request.user, activity=activity, code=form.cleaned_data["code"]),
        )
    context = _m_activity_context(member, activity, form=form)
    status = 422 if form.errors else 200
    if is_fragment_request(request):
        return render(request, "party/m/partials/_check_in.html", context, status=status)
    if status == 200:
        messages.success(request, _("You checked in. Thank you for taking part."))
        return redirect("party:m_activity", pk=pk)
    return render(request, "party/m/activity.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def m_register(request):
    """双报到 (members): register at the community where you live; see the decisions."""
    member = _me(request)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def register():
            community = selectors.get_community(code=data["community"])
            return services.register_at_community(
                actor=request.user, community=community, offer=data["offer"]
            )

        if _attempt(request, form, register) is not None:
            messages.success(request, _("Your registration was sent to the community party committee."))
            return redirect("party:m_register")
    _choose(form, "community", [(c.code, c.name) for c in selectors.communities_for(None)], blank=False)
    context = {"member": member, "form": form, "registrations": list(selectors.my_registrations(member))}
    return render(request, "party/m/register.html", context, status=422 if form.errors else 200)


@page
@require_POST
def m_registration_end(request, pk: int):
    member = _me(request)
    registration = selectors.get_my_registration(member=member, pk=pk)
    return _command(
        request,
        lambda: services.end_registration(actor=request.user, registration=registration),
        done=_("The registration was ended."),
        to="party:m_register",
    )


@page
@require_GET
def m_tasks(request):
    member = _me(request)
    context = {
        "member": member,
        "tasks": list(selectors.tasks_open_to(member)[:50]),
        "claims": list(selectors.my_claims(member)[:50]),
        "finish_form": FinishTaskForm(),
    }
    return render(request, "party/m/tasks.html", context)


@page
@require_POST
def m_task_claim(request, pk: int):
    member = _me(request)
    task = selectors.get_task_open_to(member=member, pk=pk)
    return _command(
        request,
        lambda: services.claim_task(actor=request.user, task=task),
        done=_("You claimed the task."),
        to="party:m_tasks",
    )


@page
@require_POST
def m_claim_action(request, pk: int, action: str):
    member = _me(request)
    claim = selectors.get_my_claim(member=member, pk=pk)
    form = FinishTaskForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    calls = {
        "finish": lambda: services.finish_task(
            actor=request.user, claim=claim, hours=data.get("hours"), note=data.get("note") or ""
        ),
        "cancel": lambda: services.cancel_claim(actor=request.user, claim=claim),
    }
    if action not in calls:
        raise NotFound()
    return _command(request, calls[action], done=_("Saved."), to="party:m_tasks")


@page
@require_GET
def m_wishes(request):
    member = _me(request)
    context = {"member": member, "wishes": list(selectors.wishes_open_to(member)[:60])}
    return render(request, "party/m/wishes.html", context)


@page
@require_http_methods(["GET", "POST"])
def m_wish(request, pk: int):
    """A wish for a member: claim, give up, or report fulfilled with photos."""
    member = _me(request)
    wish = selectors.get_wish_for_member(member=member, pk=pk)
    form = FulfilForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: services.fulfil_wish(
                actor=request.user,
                wish=wish,
                evidence=form.cleaned_data["evidence"],
                photos=form.cleaned_data["photos"],
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you. The resident will be asked to confirm."))
            return redirect("party:m_wish", pk=wish.pk)
    context = {"member": member, "wish": wish, "form": form, "photos": list(selectors.wish_photos(wish))}
    return render(request, "party/m/wish.html", context, status=422 if form.errors else 200)


@page
@require_POST
def m_wish_action(request, pk: int, action: str):
    member = _me(request)
    wish = selectors.get_wish_for_member(member=member, pk=pk)
    calls = {
        "claim": lambda: services.claim_wish(actor=request.user, wish=wish),
        "release": lambda: services.release_wish(actor=request.user, wish=wish),
    }
    if action not in calls:
        raise NotFound()
    return _command(request, calls[action], done=_("Saved."), to="party:m_wish", pk=wish.pk)


@page
@require_GET
def m_households(request):
    member = _me(request)
    return render(
        request, "party/m/households.html", {"member": member, "links": list(selectors.my_links(member))}
    )


@page
@require_http_methods(["GET", "POST"])
def m_household(request, pk: int):
    """联户 household: visits, and the visit form; a need found becomes a case or a wish in one step."""
    member = _me(request)
    link = selectors.get_my_link(member=member, pk=pk)
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = _attempt(
            request,
            form,
            lambda: services.record_visit(
                actor=request.user,
                link=link,
                visited_on=data["visited_on"],
                note=data["note"],
                needs=data["needs"],
            ),
        )
        if visit is not None:
            messages.success(request, _("The visit was recorded."))
            return redirect("party:m_household", pk=link.pk)
    context = {
        "member": member,
        "link": link,
        "visits": list(selectors.link_visits(link)[:30]),
        "form": form,
        "case_form": VisitCaseForm(),
        "wish_form": VisitWishForm(),
    }
    return render(request, "party/m/household.html", context, status=422 if form.errors else 200)


@page
@require_POST
def m_visit_follow_up(request, pk: int, visit_pk: int, kind: str):
    """一键代办: file a case (or post a wish) for the household from a visit's needs."""
    member = _me(request)
    link = selectors.get_my_link(member=member, pk=pk)
    visit = selectors.get_visit(link=link, pk=visit_pk)
    if kind == "case":
        form = VisitCaseForm(request.POST)
        form.is_valid()
        data = form.cleaned_data

        def call():
            return services.file_case_for_visit(
                actor=request.user,
                visit=visit,
                title=data.get("title", ""),
                description=data.get("description", ""),
            )

        done = _("The case was filed for the household.")
    elif kind == "wish":
        form = VisitWishForm(request.POST)
        form.is_valid()
        data = form.cleaned_data

        def call():
            return services.post_wish_for_visit(
                actor=request.user,
                visit=visit,
                title=data.get("title", ""),
                description=data.get("description", ""),
                category=data.get("category") or "goods",
            )

        done = _("The wish was posted and awaits the community's review.")
    else:
        raise NotFound()
    return _command(request, call, done=done, to="party:m_household", pk=link.pk)


@page
@require_GET
def m_points(request):
    member = _me(request)
    context = {
        "member": member,
        "points_total": selectors.member_points_total(member),
        "ledger": list(selectors.member_ledger(member)[:100]),
    }
    return render(request, "party/m/points.html", context)
