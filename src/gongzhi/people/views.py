"""HTML and HTMX interface of the base-data registry: thin, selectors for reads and one service per write."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.scoping import has_perm, require
from gongzhi.core.errors import DomainError, NotFound, ValidationFailed
from gongzhi.core.htmx import is_fragment_request, render_page_or_fragment
from gongzhi.core.views import domain_error_pages as _domain_errors

from . import exporting, importing, selectors, services
from .choices import OrganisationKind, ResidenceKind, ResidentStatus
from .forms import HouseholdForm, ImportForm, ResidentForm, StatusForm, TagEditForm, TagForm

PAGE_SIZE = 25


def _abilities(user) -> dict[str, bool]:
    return {
        "can_manage": has_perm(user, "people.manage_resident"),
        "can_reveal": has_perm(user, "people.reveal_pii"),
        "can_export": has_perm(user, "people.export"),
        "can_import": has_perm(user, "people.import"),
        "can_manage_tags": has_perm(user, "people.manage_tags"),
    }


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_errors(form, exc: ValidationFailed) -> None:
    """Show a service's field messages next to the form fields (unknown fields above the form)."""
    aliases = {"house": "building_code", "building": "building_code", "household": "household_number"}
    for field, errors in exc.fields.items():
        name = aliases.get(field, field)
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(name if name in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


# --- residents ------------------------------------------------------------------------------------


@login_required
@_domain_errors
@require_GET
def resident_list(request):
    """居民列表: search and filter form (works without JavaScript; htmx refreshes only the table)."""
    filters = selectors.ResidentFilter.from_mapping(request.GET)
    page = _page(request, selectors.residents_visible_to(request.user, filters))
    context = {
        "page": page,
        "filters": filters,
        "querystring": urlencode(filters.as_dict()),
        **_abilities(request.user),
    }
    if not is_fragment_request(request):
        context["tags"] = list(selectors.tags())
        context["grids"] = list(selectors.grids_for(request.user))
        context["residence_kinds"] = ResidenceKind.choices
        context["statuses"] = ResidentStatus.choices
    return render_page_or_fragment(
        request, "people/resident_list.html", "people/partials/_resident_table.html", context
    )


def _resident_context(request, resident, *, revealed: dict | None = None) -> dict:
    revealed = revealed or {}
    return {
        "resident": resident,
        "id_target": f"resident-{resident.pk}-id_number",
        "phone_target": f"resident-{resident.pk}-phone",
        "revealed_id_number": revealed.get("id_number"),
        "revealed_phone": revealed.get("phone"),
        "history": list(selectors.resident_history(user=request.user, resident=resident)[:100]),
        "members": list(selectors.household_members(user=request.user, household=resident.household))
        if resident.household_id
        else [],
        "all_tags": list(selectors.tags()),
        "status_form": StatusForm(initial={"status": resident.status}),
        **_abilities(request.user),
    }


@login_required
@_domain_errors
@require_GET
def resident_detail(request, pk: int):
    """居民详情: fields, tags, household members and the change history (追本溯源)."""
    resident = selectors.get_resident(user=request.user, pk=pk)
    return render(request, "people/resident_detail.html", _resident_context(request, resident))


@login_required
@_domain_errors
@require_POST
def resident_reveal(request, pk: int, field: str):
    """显示完整号码: audited; htmx gets the value fragment, a plain form post the whole page."""
    resident = selectors.get_resident(user=request.user, pk=pk)
    value = services.reveal_resident_pii(actor=request.user, resident=resident, field=field)
    context = {
        "resident": resident,
        "field": field,
        "value": value,
        "target_id": f"resident-{resident.pk}-{field}",
    }
    if is_fragment_request(request):
        return render(request, "people/partials/_pii_value.html", context)
    return render(
        request, "people/resident_detail.html", _resident_context(request, resident, revealed={field: value})
    )


def _resident_inputs(request, form) -> dict:
    """The form's codes turned into objects by the selector; wrong codes become field errors."""
    data = form.cleaned_data
    refs = selectors.resident_references(
        user=request.user,
        building_code=data["building_code"],
        unit=data["unit"],
        room=data["room"],
        grid_code=data["grid"],
        household_number=data["household_number"],
    )
    return {
        "name": data["name"],
        "gender": data["gender"],
        "residence_kind": data["residence_kind"],
        "relation_to_head": data["relation_to_head"],
        "house": refs["house"],
        "grid": refs["grid"],
        "household": refs["household"],
    }


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def resident_create(request):
    """登记居民 form."""
    require(request.user, "people.manage_resident")
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            values = _resident_inputs(request, form)
            resident = services.create_resident(
                actor=request.user,
                id_number=form.cleaned_data["id_number"],
                phone=form.cleaned_data["phone"],
                **values,
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            _form_errors(form, exc)
        else:
            messages.success(request, _("The resident was registered."))
            return redirect("people:resident_detail", pk=resident.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "grids": selectors.grids_for(request.user), "resident": None}
    return render(request, "people/resident_form.html", context, status=status)


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    """修改居民信息 form. ID number and phone stay blank unless they are to change (no silent unmasking)."""
    resident = selectors.get_resident(user=request.user, pk=pk)
    require(request.user, "people.manage_resident", resident)
    initial = {
        "name": resident.name,
        "gender": resident.gender,
        "residence_kind": resident.residence_kind,
        "building_code": resident.house.building.code if resident.house_id else "",
        "unit": resident.house.unit if resident.house_id else "",
        "room": resident.house.room if resident.house_id else "",
        "grid": resident.grid.code if resident.grid_id else "",
        "household_number": resident.household.number if resident.household_id else "",
        "relation_to_head": resident.relation_to_head,
    }
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            values = _resident_inputs(request, form)
            if values["grid"] is None and values["house"] is not None:
                values.pop("grid")  # the house decides the grid
            for secret in ("id_number", "phone"):
                if form.cleaned_data[secret]:
                    values[secret] = form.cleaned_data[secret]
            services.update_resident(actor=request.user, resident=resident, changes=values)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            _form_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:resident_detail", pk=resident.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "grids": selectors.grids_for(request.user), "resident": resident}
    return render(request, "people/resident_form.html", context, status=status)


@login_required
@_domain_errors
@require_POST
def resident_status(request, pk: int):
    """迁出/死亡登记."""
    resident = selectors.get_resident(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_resident_status(
                actor=request.user,
                resident=resident,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, _("Choose one of the allowed values."))
    return redirect("people:resident_detail", pk=resident.pk)


@login_required
@_domain_errors
@require_POST
def resident_tags(request, pk: int):
    """加/去标签 on the detail page."""
    resident = selectors.get_resident(user=request.user, pk=pk)
    try:
        tag = selectors.get_tag(pk=int(request.POST.get("tag") or 0))
    except ValueError:
        raise NotFound() from None
    service = services.untag_resident if request.POST.get("action") == "remove" else services.tag_resident
    try:
        service(actor=request.user, resident=resident, tag=tag)
    except ValidationFailed as exc:
        messages.error(request, "；".join(str(m) for ms in exc.fields.values() for m in ms))
    return redirect("people:resident_detail", pk=resident.pk)


# --- households -----------------------------------------------------------------------------------


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def household_list(request):
    """户列表, and the 立户 form for staff who manage residents."""
    form = HouseholdForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request.user, "people.manage_resident")
        if form.is_valid():
            try:
                data = form.cleaned_data
                refs = selectors.resident_references(
                    user=request.user,
                    building_code=data["building_code"],
                    unit=data["unit"],
                    room=data["room"],
                    grid_code=data["grid"],
                )
                house, grid = refs["house"], refs["grid"]
                household = services.create_household(
                    actor=request.user, number=data["number"], house=house, grid=grid
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _form_errors(form, exc)
            else:
                messages.success(request, _("The household was registered."))
                return redirect("people:household_detail", pk=household.pk)
        status = 422
    filters = selectors.HouseholdFilter.from_mapping(request.GET)
    context = {
        "page": _page(request, selectors.households_visible_to(request.user, filters)),
        "filters": filters,
        "querystring": urlencode(filters.as_dict()),
        "form": form,
        **_abilities(request.user),
    }
    if not is_fragment_request(request):
        context["grids"] = list(selectors.grids_for(request.user))
    return render_page_or_fragment(
        request, "people/household_list.html", "people/partials/_household_table.html", context, status=status
    )


@login_required
@_domain_errors
@require_GET
def household_detail(request, pk: int):
    household = selectors.get_household(user=request.user, pk=pk)
    context = {
        "household": household,
        "members": list(selectors.household_members(user=request.user, household=household)),
        "history": list(selectors.household_history(user=request.user, household=household)[:100]),
        **_abilities(request.user),
    }
    return render(request, "people/household_detail.html", context)


@login_required
@_domain_errors
@require_POST
def household_head(request, pk: int):
    """定户主 from the member list."""
    household = selectors.get_household(user=request.user, pk=pk)
    try:
        head = selectors.get_resident(user=request.user, pk=int(request.POST.get("resident") or 0))
    except ValueError:
        raise NotFound() from None
    try:
        services.set_household_head(actor=request.user, household=household, head=head)
    except ValidationFailed as exc:
        messages.error(request, "；".join(str(m) for ms in exc.fields.values() for m in ms))
    return redirect("people:household_detail", pk=household.pk)


# --- organisations --------------------------------------------------------------------------------


@login_required
@_domain_errors
@require_GET
def organisation_list(request):
    filters = selectors.OrganisationFilter.from_mapping(request.GET)
    context = {
        "page": _page(request, selectors.organisations_visible_to(request.user, filters)),
        "filters": filters,
        "querystring": urlencode(filters.as_dict()),
        "kinds": OrganisationKind.choices,
        **_abilities(request.user),
    }
    if not is_fragment_request(request):
        context["grids"] = list(selectors.grids_for(request.user))
    return render_page_or_fragment(
        request, "people/organisation_list.html", "people/partials/_organisation_table.html", context
    )


@login_required
@_domain_errors
@require_GET
def organisation_detail(request, pk: int):
    organisation = selectors.get_organisation(user=request.user, pk=pk)
    return render(request, "people/organisation_detail.html", _organisation_context(request, organisation))


def _organisation_context(request, organisation, *, revealed_phone: str | None = None) -> dict:
    return {
        "organisation": organisation,
        "history": list(selectors.organisation_history(user=request.user, organisation=organisation)[:100]),
        "phone_target": f"organisation-{organisation.pk}-contact_phone",
        "revealed_phone": revealed_phone,
        **_abilities(request.user),
    }


@login_required
@_domain_errors
@require_POST
def organisation_reveal(request, pk: int):
    organisation = selectors.get_organisation(user=request.user, pk=pk)
    value = services.reveal_organisation_phone(actor=request.user, organisation=organisation)
    target_id = f"organisation-{organisation.pk}-contact_phone"
    if is_fragment_request(request):
        return render(request, "people/partials/_pii_value.html", {"value": value, "target_id": target_id})
    return render(
        request,
        "people/organisation_detail.html",
        _organisation_context(request, organisation, revealed_phone=value),
    )


# --- tags -----------------------------------------------------------------------------------------


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def tag_list(request):
    """标签管理 (administrators): list with usage counts, and a form for a new tag."""
    tags = selectors.tags_with_counts(user=request.user)
    form = TagForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_tag(actor=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The tag was created."))
                return redirect("people:tags")
        status = 422
    return render(request, "people/tag_list.html", {"tags": tags, "form": form}, status=status)


@login_required
@_domain_errors
@require_POST
def tag_edit(request, pk: int):
    require(request.user, "people.manage_tags")
    tag = selectors.get_tag(pk=pk)
    form = TagEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_tag(actor=request.user, tag=tag, **form.cleaned_data)
        except ValidationFailed as exc:
            messages.error(request, "；".join(str(m) for ms in exc.fields.values() for m in ms))
        else:
            messages.success(request, _("The changes were saved."))
    else:
        messages.error(request, _("Some fields are not valid. Please correct them and try again."))
    return redirect("people:tags")


# --- import and export ----------------------------------------------------------------------------


@login_required
@_domain_errors
@require_http_methods(["GET", "POST"])
def import_view(request):
    """导入: upload, optional dry run, and the validation report with row numbers and reasons."""
    require(request.user, "people.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = importing.import_file(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file=upload.read(),
                filename=upload.name,
                mapping=form.cleaned_data["mapping"],
                dry_run=form.cleaned_data["dry_run"],
            )
        else:
            status = 422
    context = {
        "form": form,
        "report": report,
        "columns": importing.COLUMNS,
        "htmx": is_fragment_request(request),
    }
    return render_page_or_fragment(
        request, "people/import.html", "people/partials/_import_report.html", context, status=status
    )


@login_required
@_domain_errors
@require_GET
def export_view(request, kind: str):
    """导出 .xlsx of a list with the current filters; ``unmasked=1`` needs the unmask permission."""
    if kind not in exporting.KINDS:
        raise NotFound()
    return exporting.export_response(
        actor=request.user, kind=kind, filters=request.GET.dict(), unmasked=request.GET.get("unmasked") == "1"
    )
