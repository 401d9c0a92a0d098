"""Ninja schemas of the cases API: explicit In/Out/Filter shapes, PII masked on the way out.

Shape only (types, lengths, allowed values). Business rules (who may use which channel, status, scope,
deadlines) live in the services. Out schemas never carry ciphertext: the reporter's phone is masked and
the reporter is left out entirely for department users when the case is confidential.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from gongzhi.accounts.scoping import scope_of
from gongzhi.core.masking import mask_name, mask_phone

from . import workflow
from .choices import CaseStatus, Channel
from .selectors import reply_for

StatusValue = Literal[
    "pending_accept",
    "pending_dispatch",
    "pending_sign",
    "processing",
    "pending_review",
    "pending_follow_up",
    "closed",
    "rejected",
    "withdrawn",
    "merged",
]
# Channels an API client may name; ``api`` is the default, the others are for staff (hotline import, desk).
IntakeChannel = Literal["api", "hotline", "web", "mobile", "patrol", "walk_in", "enforcement"]
RatingValue = Literal["satisfied", "basically_satisfied", "dissatisfied"]
FollowUpValue = Literal["self", "phone", "sms", "visit"]


# ----------------------------------------------------------------------------------------------- helpers


def _viewer(context) -> object | None:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def hides_reporter(viewer, case) -> bool:
    """A confidential case hides its reporter from department users (the handling side)."""
    if not case.confidential or viewer is None:
        return False
    if getattr(viewer, "pk", None) is not None and viewer.pk == case.reporter_user_id:
        return False
    scope = scope_of(viewer)
    return bool(scope.department_ids) and not scope.is_global


def reporter_identity_hidden(viewer, case) -> bool:
    """Whether ``viewer`` must not learn who reported ``case`` (confidential, or anonymous to others)."""
    own = getattr(viewer, "pk", None) is not None and viewer.pk == case.reporter_user_id
    return hides_reporter(viewer, case) or (case.anonymous and not own)


def mark_reporter_steps(viewer, case, steps) -> list:
    """The timeline with ``hide_actor`` set on the reporter's own steps when their identity is hidden."""
    steps = list(steps)
    hidden = case.reporter_user_id is not None and reporter_identity_hidden(viewer, case)
    for step in steps:
        step.hide_actor = hidden and step.actor_id == case.reporter_user_id
    return steps


def reporter_view(viewer, case) -> dict | None:
    """The reporter as a viewer may see them: masked name and phone, or nothing at all."""
    if hides_reporter(viewer, case):
        return None
    own = getattr(viewer, "pk", None) is not None and viewer.pk == case.reporter_user_id
    if case.anonymous and not own:
        return {"name": "", "phone": "", "anonymous": True, "is_you": False}
    name = case.reporter_name or ""
    return {
        "name": name if own else mask_name(name),
        "phone": mask_phone(case.reporter_phone or ""),
        "anonymous": case.anonymous,
        "is_you": own,
    }


# ------------------------------------------------------------------------------------------------- input


class CaseIn(Schema):
    """A new case (诉求) from an API client."""

    title: str = Field(..., min_length=2, max_length=120, description="Short summary, e.g. 小区门口占道经营")
    description: str = Field(..., min_length=5, max_length=5000)
    category_id: int | None = None
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90, description="WGS-84 latitude")
    lng: float | None = Field(None, ge=-180, le=180, description="WGS-84 longitude")
    reporter_name: str = Field("", max_length=60)
    reporter_phone: str = Field("", max_length=20, description="11-digit mobile or landline")
    anonymous: bool = False
    confidential: bool = False
    urgency: Literal["normal", "urgent"] = "normal"
    tags: list[str] = Field(default_factory=list, max_length=10)
    channel: IntakeChannel = "api"


class VersionedIn(Schema):
    """Every command accepts the version the client last saw; a stale version gives 409."""

    expected_version: int | None = Field(None, ge=1)


class ReasonIn(VersionedIn):
    reason: str = Field(..., min_length=2, max_length=1000)


class NoteIn(VersionedIn):
    note: str = Field(..., min_length=2, max_length=2000)


class OptionalNoteIn(VersionedIn):
    note: str = Field("", max_length=2000)


class AcceptIn(VersionedIn):
    pass


class SignIn(VersionedIn):
    pass


class RejectIn(ReasonIn):
    pass


class ReturnIn(ReasonIn):
    pass


class WithdrawIn(ReasonIn):
    pass


class ReopenIn(ReasonIn):
    pass


class ContactIn(NoteIn):
    pass


class HandleIn(NoteIn):
    pass


class UrgeIn(NoteIn):
    pass


class SuperviseIn(NoteIn):
    pass


class DispatchIn(VersionedIn):
    department_id: int
    assisting_ids: list[int] = Field(default_factory=list, max_length=10)
    category_id: int | None = Field(
        None, description="the category to file the case under (confirmed or corrected); routing follows it"
    )


class ReassignIn(VersionedIn):
    department_id: int
    reason: str = Field(..., min_length=2, max_length=1000)


class ExtensionIn(VersionedIn):
    days: int = Field(..., ge=1, le=30)
    reason: str = Field(..., min_length=2, max_length=1000)


class DecideExtensionIn(VersionedIn):
    approve: bool
    note: str = Field("", max_length=1000)


class ResolveIn(VersionedIn):
    reply: str = Field(..., min_length=5, max_length=5000)


class ReviewIn(VersionedIn):
    approve: bool
    note: str = Field("", max_length=1000)


class RateIn(VersionedIn):
    rating: RatingValue
    comment: str = Field("", max_length=1000)
    method: FollowUpValue = "self"
    resolved_in_fact: bool | None = None


class MergeIn(VersionedIn):
    master_id: int | None = None
    master_number: str = Field("", max_length=20)
    reason: str = Field("", max_length=1000)


class SummonIn(VersionedIn):
    department_ids: list[int] = Field(..., min_length=1, max_length=20)
    reason: str = Field(..., min_length=2, max_length=1000)
    report_within_hours: int = Field(24, ge=1, le=168)
    meeting_place: str = Field("", max_length=200)


class ReportInIn(VersionedIn):
    summon_id: int
    note: str = Field("", max_length=2000)


class CaseFilter(Schema):
    """List filters; every one maps onto an argument of ``selectors.filter_cases``."""

    status: list[StatusValue] | None = None
    category: int | None = Field(None, description="category id (its sub-categories included)")
    department: int | None = Field(None, description="lead department id")
    region: str | None = Field(None, max_length=40, description="region code (its sub-regions included)")
    channel: Literal[tuple(Channel.values)] | None = None  # type: ignore[valid-type]
    overdue: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = Field(None, max_length=100, description="text in number, title, description or address")


# ------------------------------------------------------------------------------------------------ output


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    full_name: str


class RegionRefOut(Schema):
    code: str
    name: str


class ReporterOut(Schema):
    name: str
    phone: str = Field(..., description="masked, e.g. 138****5678")
    anonymous: bool
    is_you: bool


class AttachmentOut(Schema):
    id: int
    kind: str
    url: str
    original_name: str
    content_type: str
    size: int

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url() if obj.file else ""


class StepOut(Schema):
    id: int
    round: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor_name: str
    actor_role: str
    actor_department: str
    actor_unit: str = Field(
        description="The place (street, community or grid) a staff member without a department acted for"
    )
    department: str
    at: datetime
    note: str
    on_time: bool | None
    rating: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_action_label(obj) -> str:
        return str(workflow.LABELS.get(obj.action, obj.action))

    @staticmethod
    def resolve_actor_name(obj) -> str:
        if getattr(obj, "hide_actor", False) or getattr(obj, "staff_hidden", False):
            return ""
        return str(obj.actor) if obj.actor_id else ""

    @staticmethod
    def resolve_actor_role(obj) -> str:
        return "" if getattr(obj, "staff_hidden", False) else obj.actor_role

    @staticmethod
    def resolve_actor_department(obj) -> str:
        return obj.actor_department.name if obj.actor_department_id else ""

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name if obj.department_id else ""

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class SummonResponseOut(Schema):
    """One summoned department's report-in (报到)."""

    department: DepartmentOut
    reported_at: datetime | None = Field(..., description="null while the department has not reported in")
    on_time: bool | None = Field(..., description="reported in by report_due_at; null until it reports in")
    note: str

    @staticmethod
    def resolve_on_time(obj) -> bool | None:
        return None if obj.reported_at is None else obj.reported_at <= obj.summon.report_due_at


class SummonOut(Schema):
    """One summons (吹哨): why, by when to report in, where, and who has reported in."""

    id: int = Field(..., description="pass it as summon_id to actions/report_in")
    reason: str
    at: datetime
    report_due_at: datetime
    meeting_place: str
    responses: list[SummonResponseOut]

    @staticmethod
    def resolve_responses(obj) -> list:
        return list(obj.responses.all())


class CaseListOut(Schema):
    """One row of a case list (no timeline)."""

    id: int
    number: str
    title: str
    status: StatusValue
    status_label: str
    channel: str
    urgency: str
    category: CategoryOut | None
    department: DepartmentOut | None
    grid: RegionRefOut | None
    address: str
    received_at: datetime
    sign_due_at: datetime | None
    resolve_due_at: datetime | None
    warning_level: str
    version: int
    reporter: ReporterOut | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(CaseStatus(obj.status).label)

    @staticmethod
    def resolve_reporter(obj, context) -> dict | None:
        return reporter_view(_viewer(context), obj)


class CaseOut(CaseListOut):
    """One case with its deadlines, result and timeline (返回值 of every action)."""

    description: str
    lat: float | None
    lng: float | None
    tags: list[str]
    anonymous: bool
    confidential: bool
    round: int
    master_number: str | None
    accepted_at: datetime | None
    dispatched_at: datetime | None
    signed_at: datetime | None
    contact_due_at: datetime | None
    contacted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reply: str
    rating: str
    rating_comment: str
    rated_at: datetime | None
    timeline: list[StepOut]
    summons: list[SummonOut] = Field(..., description="吹哨报到 records (staff only; empty for the reporter)")
    allowed_actions: list[str]

    @staticmethod
    def resolve_lng(obj) -> float | None:
        return obj.lon

    @staticmethod
    def resolve_reply(obj, context) -> str:
        return reply_for(_viewer(context), obj)

    @staticmethod
    def resolve_master_number(obj) -> str | None:
        return obj.master.number if obj.master_id else None

    @staticmethod
    def resolve_timeline(obj) -> list:
        return list(getattr(obj, "timeline_rows", ()))

    @staticmethod
    def resolve_summons(obj) -> list:
        return list(getattr(obj, "summon_rows", ()))

    @staticmethod
    def resolve_allowed_actions(obj) -> list[str]:
        return list(getattr(obj, "allowed_actions", ()))


class ErrorOut(Schema):
    """The error body of every endpoint (``core.api``): stable code, Chinese message, messages per field."""

    code: str
    message: str
    fields: dict[str, list[str]]


class CasePageOut(Schema):
    """A page of a cursor-paginated list: pass ``next`` back as ``cursor`` for the following page."""

    items: list[CaseListOut]
    next: str | None = Field(None, description="opaque cursor of the next page, null on the last page")


class ReporterPhoneOut(Schema):
    phone: str = Field(..., description="the reporter's full phone; each call is recorded in the audit log")


class SuggestionOut(Schema):
    category: CategoryOut | None
    department: DepartmentOut | None
    confidence: float
    source: str
    reasons: list[str]


class LookupStepOut(Schema):
    action: str
    label: str
    at: datetime


class LookupOut(Schema):
    """What anyone holding the case number and the last 4 phone digits may see (no names, no phones)."""

    number: str
    title: str
    status: StatusValue
    status_label: str
    category: str
    department: str
    received_at: datetime
    closed_at: datetime | None
    reply: str = Field(..., description="the department's reply, once the result was approved")
    steps: list[LookupStepOut]
