"""REST API of the cases app (/api/v1/cases): intake, cursor-paginated lists, one case, workflow actions.

Thin: parse input, call one selector or one service, render an ``Out`` schema. Domain errors become
``{"code", "message", "fields"}`` through the handlers of ``core.api``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Status

from gongzhi.accounts.selectors import get_department
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.core.middleware import client_ip

from . import selectors, services
from .api_catalog import router as catalog_router
from .api_rates import router as rates_router
from .forms import available_actions, category_by_id, lookup_allowed
from .schemas import (
    AcceptIn,
    CaseFilter,
    CaseIn,
    CaseOut,
    CasePageOut,
    ContactIn,
    DecideExtensionIn,
    DispatchIn,
    ErrorOut,
    ExtensionIn,
    HandleIn,
    LookupOut,
    MergeIn,
    RateIn,
    ReasonIn,
    ReassignIn,
    RejectIn,
    ReopenIn,
    ReporterPhoneOut,
    ReportInIn,
    ResolveIn,
    ReturnIn,
    ReviewIn,
    SignIn,
    SuggestionOut,
    SummonIn,
    SuperviseIn,
    UrgeIn,
    WithdrawIn,
    mark_reporter_steps,
)
from .selectors import case_by_number

PREFIX = "/cases"
router = Router(tags=["cases"])
# 事项配置 and 三率与考核 live in their own modules and under their own prefixes (/api/v1/catalog/...,
# /api/v1/rates...).
EXTRA_ROUTERS = [("/catalog", catalog_router), ("/rates", rates_router)]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# ---------------------------------------------------------------------------------------- cursor paging


@dataclass(frozen=True)
class CursorPage:
    """One page of a keyset-paginated case list, newest first, ordered by (received_at, id)."""

    items: list
    next: str | None


def encode_cursor(received_at: datetime, pk: int) -> str:
    raw = json.dumps([received_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at_text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        at = parse_datetime(at_text)
        if at is None or not isinstance(pk, int):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed(
            {"cursor": _("This page link is no longer valid. Please start from the first page.")}
        )
    return at, pk


def cursor_page(queryset: QuerySet, *, cursor: str | None, limit: int) -> CursorPage:
    """Rows after ``cursor`` in (received_at desc, id desc) order; stable under concurrent inserts."""
    queryset = queryset.order_by("-received_at", "-pk")
    if cursor:
        at, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
    rows = list(queryset[: limit + 1])
    if len(rows) > limit:
        last = rows[limit - 1]
        return CursorPage(items=rows[:limit], next=encode_cursor(last.received_at, last.pk))
    return CursorPage(items=rows, next=None)


# ------------------------------------------------------------------------------------------------ helpers


def _detail(request, case):
    """Attach the timeline, the summonses and the viewer's commands for ``CaseOut``."""
    steps = selectors.timeline_for(request.user, case)
    case.timeline_rows = mark_reporter_steps(request.user, case, steps)
    public = selectors.reads_public_timeline(request.user, case)
    case.summon_rows = [] if public else list(selectors.case_summons(case))
    case.allowed_actions = available_actions(request.user, case)
    return case


def _case(request, case_id: int):
    return selectors.get_case(user=request.user, pk=case_id)


# ---------------------------------------------------------------------------------------------- endpoints


@router.post("", response={200: CaseOut, 201: CaseOut}, url_name="cases_create")
def create_case(
    request,
    payload: CaseIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=100),
):
    """Submit a case. Retrying with the same ``Idempotency-Key`` returns the first case with 200.

    Residents report for themselves on the ``api`` channel; staff may name another intake channel and
    the reporter's name and phone (hotline, desk, patrol).
    """
    user = request.user
    if not user.is_staff and payload.channel != "api":
        raise ValidationFailed({"channel": _("Only staff can choose this channel.")})
    category = category_by_id(payload.category_id, field="category_id") if payload.category_id else None
    started = timezone.now()
    case = services.submit_case(
        actor=user,
        channel=payload.channel,
        title=payload.title,
        description=payload.description,
        category=category,
        address=payload.address,
        lon=payload.lng,
        lat=payload.lat,
        reporter_user=None if user.is_staff else user,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        anonymous=payload.anonymous,
        confidential=payload.confidential,
        urgency=payload.urgency,
        tags=tuple(payload.tags),
        idempotency_key=idempotency_key.strip(),
    )
    replayed = getattr(case, "replayed", None)
    if replayed is None:  # the service returns the first case on a replay; it was created before this request
        replayed = case.created_at < started
    return Status(200 if replayed else 201, _detail(request, case))


@router.get("", response=CasePageOut, url_name="cases_list")
def list_cases(
    request,
    filters: Query[CaseFilter],
    cursor: str | None = None,
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    """Cases in the caller's scope, newest first; follow ``next`` for the following page."""
    region = None
    if filters.region:
        from gongzhi.regions.selectors import get_region

        region = get_region(user=request.user, code=filters.region)
    queryset = selectors.filter_cases(
        selectors.cases_visible_to(request.user),
        status=filters.status or None,
        category=filters.category,
        department=filters.department,
        region=region,
        channel=filters.channel,
        overdue=filters.overdue,
        received_from=filters.received_from,
        received_to=filters.received_to,
        text=filters.q,
    )
    page = cursor_page(queryset, cursor=cursor, limit=limit)
    return {"items": page.items, "next": page.next}


@router.get("/lookup", response={200: LookupOut, 429: ErrorOut}, auth=None, url_name="cases_lookup")
def lookup_case(
    request,
    number: str = Query(..., max_length=20),
    phone_tail: str = Query(..., min_length=4, max_length=4, pattern=r"^\d{4}$"),
):
    """Public progress lookup by case number and the last 4 digits of the reporter's phone (no login).

    Wrong numbers and wrong digits give the same 404. Attempts are limited per client address and per
    case number (429 when used up), shared with the web page.
    """
    number = number.strip().upper()
    if not lookup_allowed(client=client_ip(request), number=number):
        message = _("Too many attempts. Please wait a while and try again.")
        return Status(429, {"code": "case.lookup_throttled", "message": str(message), "fields": {}})
    return selectors.get_case_by_number(number=number, phone_tail=phone_tail)


@router.get("/{case_id}", response=CaseOut, url_name="cases_detail")
def get_case(request, case_id: int):
    """One case with its deadlines and timeline (404 when missing or outside the caller's scope)."""
    return _detail(request, _case(request, case_id))


@router.post(
    "/{case_id}/reporter-phone",
    response={200: ReporterPhoneOut, 403: ErrorOut, 404: ErrorOut},
    url_name="cases_reporter_phone",
)
def reveal_reporter_phone(request, case_id: int):
    """显示完整号码: the reporter's full phone for staff who call them (handlers, dispatchers, follow-up);
    never for a confidential case's department or an anonymous reporter. Every call is audited."""
    return {"phone": services.reveal_reporter_phone(actor=request.user, case_id=case_id)}


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response={200: None, 404: ErrorOut},
    url_name="cases_attachment",
    openapi_extra={"responses": {200: {"description": "The file itself (a photo or PDF)."}}},
)
def case_attachment(request, case_id: int, attachment_id: int):
    """照片与附件: the file of ``AttachmentOut.url``, for those who may see it on the case (staff in scope;
    the reporter only the report's files and the result photos). Never cached by shared caches."""
    attachment = selectors.get_attachment(user=request.user, case_id=case_id, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound(_("The file does not exist or you cannot view it."), code="case.file_not_found")
    response = FileResponse(handle, content_type=attachment.content_type)
    extension = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else "bin"
    response["Content-Disposition"] = f'inline; filename="attachment-{attachment.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{case_id}/suggestions", response=list[SuggestionOut], url_name="cases_suggestions")
def case_suggestions(request, case_id: int):
    """Ranked category/department suggestions for the dispatcher (the duty list and any classifier)."""
    case = _case(request, case_id)
    result = []
    for item in services.suggest(case):
        department = None
        if item.department_id is not None:
            try:
                department = get_department(pk=item.department_id)
            except NotFound:
                department = None
        result.append(
            {
                "category": item.category,
                "department": department,
                "confidence": item.confidence,
                "source": item.source,
                "reasons": [str(r) for r in item.reasons],
            }
        )
    return result


# ------------------------------------------------------------------------------------------------ actions


@router.post("/{case_id}/actions/accept", response=CaseOut, url_name="cases_accept")
def accept(request, case_id: int, payload: AcceptIn):
    """受理: take a case into the street's dispatch queue."""
    case = services.accept_case(
        actor=request.user, case=_case(request, case_id), expected_version=payload.expected_version
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/reject", response=CaseOut, url_name="cases_reject")
def reject(request, case_id: int, payload: RejectIn):
    """不予受理: reject a case with a reason the reporter will see."""
    case = services.reject_case(
        actor=request.user,
        case=_case(request, case_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/dispatch", response=CaseOut, url_name="cases_dispatch")
def dispatch(request, case_id: int, payload: DispatchIn):
    """派单: hand the case to a lead department (and assisting departments)."""
    case = _case(request, case_id)
    department = get_department(pk=payload.department_id)
    assisting = tuple(get_department(pk=pk) for pk in payload.assisting_ids)
    category = category_by_id(payload.category_id, field="category_id") if payload.category_id else None
    case = services.dispatch_case(
        actor=request.user,
        case=case,
        department=department,
        assisting=assisting,
        category=category,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/sign", response=CaseOut, url_name="cases_sign")
def sign(request, case_id: int, payload: SignIn):
    """签收: the lead department acknowledges the case."""
    case = services.sign_case(
        actor=request.user, case=_case(request, case_id), expected_version=payload.expected_version
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/return", response=CaseOut, url_name="cases_return")
def return_(request, case_id: int, payload: ReturnIn):
    """退单: send the case back to the dispatcher with a reason."""
    case = services.return_case(
        actor=request.user,
        case=_case(request, case_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/reassign", response=CaseOut, url_name="cases_reassign")
def reassign(request, case_id: int, payload: ReassignIn):
    """改派: give the case to another lead department."""
    case = _case(request, case_id)
    department = get_department(pk=payload.department_id)
    case = services.reassign_case(
        actor=request.user,
        case=case,
        department=department,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/request_extension", response=CaseOut, url_name="cases_request_extension")
def request_extension(request, case_id: int, payload: ExtensionIn):
    """延期申请: ask for more working days (the deadline pauses until the dispatcher decides)."""
    services.request_extension(
        actor=request.user,
        case=_case(request, case_id),
        days=payload.days,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))


@router.post("/{case_id}/actions/decide_extension", response=CaseOut, url_name="cases_decide_extension")
def decide_extension(request, case_id: int, payload: DecideExtensionIn):
    """Approve or deny the pending extension request."""
    case = services.decide_extension(
        actor=request.user,
        case=_case(request, case_id),
        approve=payload.approve,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/contact", response=CaseOut, url_name="cases_contact")
def contact(request, case_id: int, payload: ContactIn):
    """联系诉求人: record that the department contacted the reporter."""
    case = services.record_contact(
        actor=request.user,
        case=_case(request, case_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/handle", response=CaseOut, url_name="cases_handle")
def handle(request, case_id: int, payload: HandleIn):
    """处置: add a handling note (photos are uploaded through the web form)."""
    services.add_handling_note(
        actor=request.user,
        case=_case(request, case_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))


@router.post("/{case_id}/actions/resolve", response=CaseOut, url_name="cases_resolve")
def resolve(request, case_id: int, payload: ResolveIn):
    """办结: apply to close with the reply the resident will read."""
    case = services.resolve_case(
        actor=request.user,
        case=_case(request, case_id),
        reply=payload.reply,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/review", response=CaseOut, url_name="cases_review")
def review(request, case_id: int, payload: ReviewIn):
    """审核: approve the result (to follow-up) or send it back for more work."""
    case = services.review_case(
        actor=request.user,
        case=_case(request, case_id),
        approve=payload.approve,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/rate", response=CaseOut, url_name="cases_rate")
def rate(request, case_id: int, payload: RateIn):
    """评价: the reporter's rating, or a follow-up call recorded by staff."""
    case = services.rate_case(
        actor=request.user,
        case=_case(request, case_id),
        rating=payload.rating,
        comment=payload.comment,
        method=payload.method,
        resolved_in_fact=payload.resolved_in_fact,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/reopen", response=CaseOut, url_name="cases_reopen")
def reopen(request, case_id: int, payload: ReopenIn):
    """重办: start a new handling round."""
    case = services.reopen_case(
        actor=request.user,
        case=_case(request, case_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/urge", response=CaseOut, url_name="cases_urge")
def urge(request, case_id: int, payload: UrgeIn):
    """催办: remind the unit that holds the case."""
    services.urge_case(
        actor=request.user,
        case=_case(request, case_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))


@router.post("/{case_id}/actions/supervise", response=CaseOut, url_name="cases_supervise")
def supervise(request, case_id: int, payload: SuperviseIn):
    """督办: put the case under supervision with a note."""
    services.supervise_case(
        actor=request.user,
        case=_case(request, case_id),
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))


@router.post("/{case_id}/actions/withdraw", response=CaseOut, url_name="cases_withdraw")
def withdraw(request, case_id: int, payload: WithdrawIn):
    """撤回: the reporter withdraws the case before it is handled."""
    case = services.withdraw_case(
        actor=request.user,
        case=_case(request, case_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/merge", response=CaseOut, url_name="cases_merge")
def merge(request, case_id: int, payload: MergeIn):
    """合并: mark the case as a duplicate of a master case (by id or number)."""
    case = _case(request, case_id)
    if payload.master_id is not None:
        master = selectors.get_case(user=request.user, pk=payload.master_id)
    elif payload.master_number.strip():
        master = case_by_number(request.user, payload.master_number)
    else:
        raise ValidationFailed({"master_number": _("Enter the number of the case to merge into.")})
    case = services.merge_case(
        actor=request.user,
        case=case,
        master=master,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/release", response=CaseOut, url_name="cases_release")
def release(request, case_id: int, payload: ReasonIn):
    """解除合并: a merged duplicate goes back to the dispatch queue on its own."""
    case = services.release_case(
        actor=request.user,
        case=_case(request, case_id),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(request, case)


@router.post("/{case_id}/actions/summon", response=CaseOut, url_name="cases_summon")
def summon(request, case_id: int, payload: SummonIn):
    """吹哨: summon departments to report in on this case."""
    case = _case(request, case_id)
    departments = tuple(get_department(pk=pk) for pk in payload.department_ids)
    services.summon_departments(
        actor=request.user,
        case=case,
        departments=departments,
        reason=payload.reason,
        report_within_hours=payload.report_within_hours,
        meeting_place=payload.meeting_place,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))


@router.post("/{case_id}/actions/report_in", response=CaseOut, url_name="cases_report_in")
def report_in(request, case_id: int, payload: ReportInIn):
    """报到: the caller's department reports in to a summons (a repeat changes nothing and returns 200)."""
    case = _case(request, case_id)
    summon_ = selectors.case_summons(case).filter(pk=payload.summon_id).first()
    if summon_ is None:
        raise ValidationFailed({"summon_id": _("Your department has no open summons with this number.")})
    services.report_in(
        actor=request.user,
        case=case,
        summon=summon_,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _detail(request, _case(request, case_id))
