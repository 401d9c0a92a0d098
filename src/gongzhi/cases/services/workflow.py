"""办理流程: every command on an existing case (docs/dev/cases-contract.md, docs/workflow.md).

Each public service is keyword-only with ``actor`` first, atomic, permission- and scope-checked, writes one
``CaseStep`` and one audit event, and sends notifications on commit. Status moves come from
``cases.workflow.next_status`` only and are compare-and-set on ``(pk, status, version)``:

* ``expected_version`` (the version the user saw) different from the row's → ``Conflict``;
* without it, a case that moved since it was loaded is reloaded once and the command is judged again
  against the fresh row (so a repeat becomes a no-op and a conflicting command ``InvalidTransition``);
* asking for a state that already holds returns the case unchanged: no step, no audit, no notice.

Deadlines: dispatch sets ``sign_due_at``/``contact_due_at`` (clock hours) and ``resolve_due_at`` (working
days) from ``policy.deadline_plan``; returns and pending extension requests pause the resolve clock
(``CasePause`` + ``paused_at``), and when a pause ends ``resolve_due_at`` moves by the paused working time
(``deadlines.shift_due``); an approved extension adds working days (``deadlines.extend``). ``warn_at`` is
the next moment a warning may apply, for the periodic deadline scan.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department, User
from gongzhi.accounts.scoping import _assignments, has_perm, object_in_scope, require, scope_of
from gongzhi.accounts.selectors import roles_of
from gongzhi.accounts.services import system_actor
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.regions.models import Region

from .. import deadlines, policy
from .. import workflow as table
from ..choices import (
    OPEN_STATUSES,
    AssignmentRole,
    AttachmentKind,
    CaseStatus,
    ExtensionStatus,
    FollowUpMethod,
    PauseKind,
    Rating,
    WarningLevel,
)
from ..models import (
    Case,
    CaseAssignment,
    CasePause,
    CaseStep,
    Category,
    DutyRule,
    ExtensionRequest,
    Summon,
    SummonResponse,
)
from ..selectors import (
    RUNNING_STATUSES,
    acting_department_ids,
    active_assisting_ids,
    case_dispatchers,
    case_holders,
    department_users,
)
from .notify import notify
from .routing import check_reply, find_duty_rule, routing_decided

__all__ = [
    "MAX_EXTENSION_DAYS",
    "MAX_REPORT_HOURS",
    "accept_case",
    "add_handling_note",
    "decide_extension",
    "dispatch_case",
    "merge_case",
    "next_warn_at",
    "rate_case",
    "reassign_case",
    "record_contact",
    "reject_case",
    "reopen_case",
    "report_in",
    "request_extension",
    "resolve_case",
    "return_case",
    "review_case",
    "sign_case",
    "summon_departments",
    "supervise_case",
    "urge_case",
    "withdraw_case",
]

MAX_EXTENSION_DAYS = 30
MAX_REPORT_HOURS = 168
_TEXT_LIMIT = 2000


# =====================================================================================================
# Errors


def _conflict() -> Conflict:
    return Conflict(
        _("This case has been handled by someone else. Please refresh the page to see it."),
        code="case.conflict",
    )


def _invalid() -> InvalidTransition:
    return InvalidTransition(
        _("This action is not possible in the case's current state. Please refresh the page."),
        code="case.invalid_transition",
    )


def _not_lead() -> PermissionDenied:
    return PermissionDenied(
        _("Only the department handling this case can do this."), code="case.not_lead_department"
    )


def _reporter_only() -> PermissionDenied:
    return PermissionDenied(_("Only the reporter can do this."), code="case.reporter_only")


class _Stale(Exception):
    """The compare-and-set matched no row: the case changed since it was loaded."""


# =====================================================================================================
# Running a command: version check, compare-and-set, one retry on a stale object


def _run(fn: Callable[..., Any], *, case: Case, expected_version: int | None, **kwargs: Any) -> Any:
    if expected_version is not None and expected_version != case.version:
        raise _conflict()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return fn(case=case, expected_version=expected_version, **kwargs)
        except _Stale:
            case.refresh_from_db()
            if expected_version is not None:
                raise _conflict() from None
    raise _invalid()


def _target(command: str, case: Case) -> str:
    """The status ``command`` leads to from the case's status, or ``InvalidTransition``."""
    target = table.next_status(command, case.status)
    if target is None:
        raise _invalid()
    return target


def _cas(case: Case, target: str, now: datetime, **fields: Any) -> str:
    """Compare-and-set the case row to ``target`` (+ fields); returns the previous status."""
    changed = Case.objects.filter(pk=case.pk, status=case.status, version=case.version).update(
        status=target, version=F("version") + 1, updated_at=now, **fields
    )
    if changed != 1:
        raise _Stale()
    previous = case.status
    case.status = target
    case.version += 1
    case.updated_at = now
    for name, value in fields.items():
        setattr(case, name, value)
    return previous


def _lock(case: Case, expected_version: int | None) -> None:
    """For commands that add rows but leave the case row alone: lock it and make sure it has not moved."""
    row = (
        Case.objects.select_for_update(no_key=True)
        .filter(pk=case.pk)
        .values_list("status", "version")
        .first()
    )
    if row is None or row[0] != case.status or (expected_version is not None and row[1] != expected_version):
        raise _Stale()


def _unchanged(case: Case) -> Case:
    """The target state already holds: confirm it against the row, then return the case as it is."""
    if not Case.objects.filter(pk=case.pk, status=case.status, version=case.version).exists():
        raise _Stale()
    return case


# =====================================================================================================
# Who acts: role, unit, permissions


def _actor_identity(actor: User) -> tuple[str, int | None, str]:
    """(name of the actor's first role, id of the actor's department, for staff without a department the
    name of the place they work for: the street, community or grid of that role) — cached on the user."""
    cached = getattr(actor, "_gongzhi_case_identity", None)
    if cached is None:
        # the assignments ``scope_of`` already loaded (cached on the user), ordered like ``roles_of``
        assignments = sorted(_assignments(actor), key=lambda a: a.role.sort_order)
        role = (
            assignments[0].role.name
            if assignments
            else (str(actor) if getattr(actor, "is_system", False) else "")
        )
        departments = sorted(scope_of(actor).department_ids)
        staff = not departments and has_perm(actor, "cases.view")  # residents' own places are not recorded
        place = next((a.region.name for a in assignments if a.region_id), "") if staff else ""
        cached = (role[:60], departments[0] if departments else None, place[:100])
        actor._gongzhi_case_identity = cached
    return cached


def _require_department(actor: User, department_ids: Iterable[int | None]) -> None:
    scope = scope_of(actor)
    if scope.is_global:
        return
    if not any(pk in scope.department_ids for pk in department_ids if pk is not None):
        raise _not_lead()


def _is_reporter(actor: User, case: Case) -> bool:
    return actor is not None and case.reporter_user_id is not None and case.reporter_user_id == actor.pk


def _require_acting(actor: User, case: Case, command: str) -> None:
    """The actor belongs to a department that may run ``command`` (``selectors.acting_department_ids``)."""
    _require_department(actor, acting_department_ids(case, command))


# =====================================================================================================
# Text checks


def _required_text(value: str, field: str, message: str, *, limit: int = _TEXT_LIMIT) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed({field: message})
    if len(text) > limit:
        raise ValidationFailed({field: _("Keep it within %(limit)s characters.") % {"limit": limit}})
    return text


def _reason(value: str) -> str:
    return _required_text(value, "reason", _("Enter a reason."))


def _note(value: str) -> str:
    return _required_text(value, "note", _("Enter a note."))


def _check_department(department: Department | None, field: str = "department") -> Department:
    if department is None:
        raise ValidationFailed({field: _("Choose a department.")})
    if not department.is_active or not department.accepts_cases:
        raise ValidationFailed({field: _("This department does not take cases.")})
    return department


# =====================================================================================================
# Timeline, audit, notifications


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _step(
    case: Case,
    *,
    action: str,
    actor: User,
    from_status: str,
    at: datetime,
    department_id: int | None = None,
    note: str = "",
    data: dict | None = None,
    on_time: bool | None = None,
    rating: str = "",
    to_status: str | None = None,
) -> CaseStep:
    """One timeline row; ``to_status`` defaults to the case's status (after the command's UPDATE)."""
    role, actor_department_id, place = _actor_identity(actor)
    return CaseStep.objects.create(
        case=case,
        round=case.round,
        action=action,
        from_status=from_status,
        to_status=case.status if to_status is None else to_status,
        actor=actor,
        actor_role=role,
        actor_unit=place,
        actor_department_id=actor_department_id,
        department_id=department_id,
        at=at,
        note=note,
        data=data or {},
        on_time=on_time,
        rating=rating,
        region_path=case.region_path,
    )


def _audit(actor: User, command: str, case: Case, data: dict | None = None, reason: str = "") -> None:
    record(actor=actor, action=f"cases.{command}", target=case, data=data or {}, reason=reason)


def _notify_step(
    recipients: QuerySet[User] | Iterable[User], *, case: Case, kind: str, message: str, step: CaseStep
) -> None:
    """Queue in-app notices about ``step`` for after the commit (STYLE.md: side effects on commit only).

    The key (kind and step id) is new with the step, so nobody can have the notice yet: no look-up first.
    """
    people = [user for user in recipients if user is not None]
    if not people:
        return
    transaction.on_commit(
        functools.partial(
            notify,
            recipients=people,
            case=case,
            kind=kind,
            message=str(message),
            dedupe_key=f"{kind}:{step.pk}",
            key_is_new=True,
        )
    )


def _tell_reporter(case: Case, *, kind: str, message: str, step: CaseStep) -> None:
    """告知诉求人: an in-app notice to a reporter with an account; an SMS to one who left only a phone
    (a 12345 caller), sent after COMMIT through the job queue (the phone is read there, never queued)."""
    if case.reporter_user_id:
        _notify_step([case.reporter_user], case=case, kind=kind, message=message, step=step)
    elif case.reporter_phone_tail:  # kept in clear beside the encrypted phone: no decryption here
        from ..tasks import send_reporter_sms_task

        transaction.on_commit(functools.partial(send_reporter_sms_task, case.pk, str(message)))


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _department_label(department_id: int | None) -> str:
    if department_id is None:
        return ""
    department = Department.objects.filter(pk=department_id).only("name", "short_name").first()
    return (department.short_name or department.name) if department else ""


# =====================================================================================================
# Deadlines


def _plan(case: Case) -> policy.DeadlinePlan:
    return policy.deadline_plan(category=case.category, rule=case.duty_rule, urgency=case.urgency)


def _round_started_at(case: Case) -> datetime | None:
    """When the current round's first lead assignment was made (the start of the resolve clock)."""
    return (
        CaseAssignment.objects.filter(case_id=case.pk, round=case.round, role=AssignmentRole.LEAD)
        .order_by("assigned_at", "pk")
        .values_list("assigned_at", flat=True)
        .first()
    )


def _round_pauses(case: Case) -> list[deadlines.Pause]:
    return [
        deadlines.Pause(start, end)
        for start, end in CasePause.objects.filter(case_id=case.pk, round=case.round, ended_at__isnull=False)
        .order_by("started_at", "pk")
        .values_list("started_at", "ended_at")
    ]


def _first_moment(
    start: datetime,
    due: datetime,
    now: datetime,
    cal: deadlines.WorkCalendar,
    unit: deadlines.TimeUnit,
    pauses: Sequence[deadlines.Pause],
    *,
    warned: bool = True,
) -> datetime | None:
    """The next moment from ``now`` at which a warning applies for one deadline, or None once overdue.

    Past the 80% point that is the due (red), or ``now`` when the case has not been warned yet (a case
    signed, or resumed after a pause, with most of its time already gone must turn yellow at once)."""
    if now > due:
        return None

    def used(moment: datetime) -> float:
        return deadlines.elapsed_fraction(start, due, moment, cal, unit=unit, pauses=pauses)

    if used(now) >= deadlines.YELLOW_AT:
        return due + timedelta(seconds=1) if warned else now  # red applies once now > due
    lo, hi = now, due
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if used(mid) >= deadlines.YELLOW_AT:
            hi = mid
        else:
            lo = mid
    return hi


def next_warn_at(
    case: Case,
    *,
    now: datetime | None = None,
    cal: deadlines.WorkCalendar | None = None,
    round_started_at: datetime | None = None,
    pauses: Sequence[deadlines.Pause] | None = None,
) -> datetime | None:
    """下次预警时间: the next moment the deadline scan should look at the case, or None.

    Considers the running deadlines of the status: sign (``pending_sign``, clock hours from the latest
    dispatch), contact (until the reporter was contacted, clock hours from the round's start) and resolve
    (working days from the round's start, closed pauses left out). For each, the 80% point (yellow) or,
    once that has passed, the second after the due (red). Paused and finished cases need no scan. The
    deadline the scan judges in the status (sign, or resolve while processing) is due at once when it is
    past 80% and the case shows no warning yet.
    """
    if case.paused_at is not None or case.status not in (CaseStatus.PENDING_SIGN, CaseStatus.PROCESSING):
        return None
    now = now or timezone.now()
    cal = cal or policy.work_calendar()
    start = round_started_at or _round_started_at(case) or case.dispatched_at
    if start is None:
        return None
    moments = []
    unwarned = case.warning_level == WarningLevel.NORMAL
    if case.status == CaseStatus.PENDING_SIGN and case.sign_due_at and case.dispatched_at:
        moments.append(
            _first_moment(
                case.dispatched_at,
                case.sign_due_at,
                now,
                cal,
                deadlines.TimeUnit.CLOCK,
                (),
                warned=not unwarned,
            )
        )
    if case.contacted_at is None and case.contact_due_at:
        moments.append(_first_moment(start, case.contact_due_at, now, cal, deadlines.TimeUnit.CLOCK, ()))
    if case.resolve_due_at:
        moments.append(
            _first_moment(
                start,
                case.resolve_due_at,
                now,
                cal,
                deadlines.TimeUnit.WORKING_DAY,
                _round_pauses(case) if pauses is None else pauses,
                warned=not (unwarned and case.status == CaseStatus.PROCESSING),
            )
        )
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None


def _warn_at_after(
    case: Case,
    target: str,
    fields: dict[str, Any],
    *,
    now: datetime,
    cal: deadlines.WorkCalendar | None = None,
    round_started_at: datetime | None = None,
    pauses: Sequence[deadlines.Pause] | None = None,
) -> datetime | None:
    """``next_warn_at`` of the case as ``_cas(case, target, now, **fields)`` will leave it, computed before
    that UPDATE so that ``warn_at`` is written with it (a second UPDATE would write a new version of the row
    into every index of the case table)."""
    planned = copy.copy(case)  # reads only: status, due and done times, round, pk
    planned.status = target
    for name, value in fields.items():
        if not Case._meta.get_field(name).is_relation:  # a relation would write the shared related cache
            setattr(planned, name, value)
    return next_warn_at(planned, now=now, cal=cal, round_started_at=round_started_at, pauses=pauses)


def _open_pauses(case: Case, kinds: Iterable[str] | None = None) -> list[CasePause]:
    qs = CasePause.objects.filter(case_id=case.pk, ended_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return list(qs.order_by("started_at", "pk"))


def _shifted_due(
    case: Case, pauses: Sequence[CasePause], now: datetime, cal: deadlines.WorkCalendar
) -> datetime | None:
    """``resolve_due_at`` moved on by the working time of pauses ending ``now``."""
    due = case.resolve_due_at
    if due is None or not pauses:
        return due
    return deadlines.shift_due(
        due,
        [deadlines.Pause(p.started_at, now) for p in pauses],
        cal,
        now=now,
        unit=deadlines.TimeUnit.WORKING_DAY,
    )


def _end_pauses(pauses: Sequence[CasePause], now: datetime) -> None:
    if pauses:
        CasePause.objects.filter(pk__in=[p.pk for p in pauses], ended_at__isnull=True).update(ended_at=now)


def _cancel_pending_extension(case: Case, actor: User, now: datetime, why: str) -> ExtensionRequest | None:
    """A pending extension request becomes moot when the case leaves the department (return, resolve …)."""
    pending = ExtensionRequest.objects.filter(case_id=case.pk, status=ExtensionStatus.PENDING).first()
    if pending is not None:
        ExtensionRequest.objects.filter(pk=pending.pk, status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.DENIED, decided_by=actor, decided_at=now, decision_note=why
        )
    return pending


def _end_assignments(
    case: Case, now: datetime, *, roles: Iterable[str] | None = None, keep_assisting: Iterable[int] = ()
) -> None:
    """End the case's active assignments (of ``roles``), except the assisting ones of ``keep_assisting``."""
    qs = CaseAssignment.objects.filter(case_id=case.pk, is_active=True)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    keep = sorted(set(keep_assisting))
    if keep:
        qs = qs.exclude(role=AssignmentRole.ASSIST, department_id__in=keep)
    qs.update(is_active=False, ended_at=now)


def _summoned_departments(case: Case) -> set[int]:
    """Departments summoned to the case (吹哨): their assisting part is the summons', not the lead's.

    A change of lead (dispatch, return) ends the lead's assignment and the assisting departments chosen
    with it, but not these: the summons stands whoever leads the case.
    """
    return set(SummonResponse.objects.filter(summon__case_id=case.pk).values_list("department_id", flat=True))


def _assign(case: Case, department_id: int, role: str, now: datetime) -> None:
    _assign_many(case, [(department_id, role)], now)


def _assign_many(case: Case, parts: Sequence[tuple[int, str]], now: datetime) -> None:
    """Add ``(department id, role)`` assignments for the current round in one INSERT."""
    CaseAssignment.objects.bulk_create(
        CaseAssignment(
            case=case, department_id=pk, role=role, round=case.round, is_active=True, assigned_at=now
        )
        for pk, role in parts
    )


# =====================================================================================================
# 受理 / 不予受理


@transaction.atomic
def accept_case(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """受理: the street dispatcher takes the case in (``pending_accept → pending_dispatch``)."""
    require(actor, "cases.dispatch", case)
    return _run(_accept, actor=actor, case=case, expected_version=expected_version)


def _accept(*, actor: User, case: Case, expected_version: int | None) -> Case:
    if case.status == CaseStatus.PENDING_DISPATCH:
        return _unchanged(case)
    target = _target("accept", case)
    now = timezone.now()
    previous = _cas(case, target, now, accepted_at=now)
    _step(case, action="accept", actor=actor, from_status=previous, at=now)
    _audit(actor, "accept", case)
    return case


@transaction.atomic
def reject_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """不予受理: the case is not for this platform (out of remit …); the reporter is told why."""
    require(actor, "cases.dispatch", case)
    return _run(_reject, actor=actor, case=case, reason=reason, expected_version=expected_version)


def _reject(*, actor: User, case: Case, reason: str, expected_version: int | None) -> Case:
    if case.status == CaseStatus.REJECTED:
        return _unchanged(case)
    target = _target("reject", case)
    reason = _reason(reason)
    now = timezone.now()
    pauses = _open_pauses(case)
    previous = _cas(case, target, now, warn_at=None, paused_at=None)
    _end_pauses(pauses, now)
    _end_assignments(case, now)
    step = _step(case, action="reject", actor=actor, from_status=previous, at=now, note=reason)
    _audit(actor, "reject", case, reason=reason)
    _release_duplicates(case)
    _tell_reporter(
        case,
        kind="case.rejected",
        step=step,
        message=_("Your case %(number)s was not accepted: %(reason)s")
        % {"number": case.number, "reason": reason},
    )
    return case


# =====================================================================================================
# 派单 / 改派


@transaction.atomic
def dispatch_case(
    *,
    actor: User,
    case: Case,
    department: Department,
    assisting: Iterable[Department] = (),
    category: Category | None = None,
    expected_version: int | None = None,
) -> Case:
    """派单: hand the case to its lead department (and assisting ones); the deadlines start.

    From ``pending_accept`` (accepting it in the same move) or ``pending_dispatch``. A re-dispatch after a
    return ends the return pause and moves the resolve deadline by the paused working time; a first
    dispatch in the round sets all three deadlines from now. Dispatching again to the same lead department
    while it is ``pending_sign`` changes nothing. ``category``: the category the dispatcher files the case
    under (confirmed, or corrected); the duty rule and the deadlines follow it, and it is kept as a label.
    """
    require(actor, "cases.dispatch", case)
    return _run(
        _dispatch,
        actor=actor,
        case=case,
        department=department,
        assisting=tuple(assisting),
        category=category,
        expected_version=expected_version,
    )


def _dispatch(
    *,
    actor: User,
    case: Case,
    department: Department,
    assisting: tuple[Department, ...],
    expected_version: int | None,
    category: Category | None = None,
    command: str = "dispatch",
    reason: str = "",
    rule: DutyRule | None = None,
    fresh: bool = False,
) -> Case:
    same_category = category is None or (category.pk == case.category_id and case.category_certain)
    if (
        case.status == CaseStatus.PENDING_SIGN
        and case.department_id == getattr(department, "pk", None)
        and same_category
    ):
        return _unchanged(case)
    target = _target(command, case)
    _check_department(department)
    if category is not None and not category.is_active:
        raise ValidationFailed({"category": _("This category does not exist or is no longer in use.")})
    helpers = []
    for other in assisting:
        _check_department(other, "assisting")
        if other.pk != department.pk and other.pk not in [h.pk for h in helpers]:
            helpers.append(other)
    return _hand_over(
        actor=actor,
        case=case,
        department=department,
        assisting=helpers,
        target=target,
        command=command,
        reason=reason,
        rule=rule,
        fresh=fresh,
        category=category,
    )


def auto_dispatch_new_case(*, actor: User, case: Case, rule: DutyRule) -> Case:
    """自动派单: accept a case submitted in this very transaction and dispatch it by its duty rule.

    For ``submit_case`` only, inside its transaction. Same steps, audit events and notices as
    ``accept_case`` + ``dispatch_case``, but the row was inserted by this transaction, so nobody can have
    moved it: no compare-and-set retry (and no savepoints for one), no look-ups of the pauses, extension
    requests and assignments a new case cannot have, and the rule intake just found is reused. The case row
    is updated once, straight to ``pending_sign`` (dispatch accepts in the same move); the accept step is
    recorded as its own timeline step and audit event.
    """
    require(actor, "cases.dispatch", case)
    assisting = tuple(d for d in rule.assisting_departments.all() if d.is_active and d.accepts_cases)
    try:
        accepted = _target("accept", case)
        _step(
            case, action="accept", actor=actor, from_status=case.status, to_status=accepted, at=timezone.now()
        )
        _audit(actor, "accept", case)
        return _dispatch(
            actor=actor,
            case=case,
            department=rule.lead_department,
            assisting=assisting,
            expected_version=None,
            rule=rule,
            fresh=True,
        )
    except _Stale:  # cannot happen to a row this transaction inserted; never leak the internal signal
        raise _invalid() from None


def _hand_over(
    *,
    actor: User,
    case: Case,
    department: Department,
    assisting: Sequence[Department] | None,
    target: str,
    command: str,
    reason: str = "",
    rule: DutyRule | None = None,
    fresh: bool = False,
    category: Category | None = None,
) -> Case:
    """Give the case to ``department`` as lead (dispatch, reassign): deadlines, assignments, step, notice.

    ``rule``: the duty rule, when the caller has just looked it up (else it is looked up here).
    ``fresh``: the case was submitted in this transaction, so it has no pauses, extension requests or
    assignments yet and they are not queried; ``auto_dispatch_new_case`` recorded its accept step.
    ``category``: the category a person files the case under; the rule and the deadlines follow it.
    """
    now = timezone.now()
    cal = policy.work_calendar()
    filed: dict[str, Any] = {}
    previous_category = case.category_id
    if category is not None:
        filed = {"category": category, "category_certain": True}
        case.category, case.category_certain = category, True
        rule = None  # the rule of the category now filed
    if rule is None:
        rule = find_duty_rule(category=case.category, region_path=case.region_path)
    case.duty_rule = rule
    plan = policy.deadline_plan(category=case.category, rule=rule, urgency=case.urgency)
    pauses = [] if fresh else _open_pauses(case)
    running = case.resolve_due_at is not None and case.status != CaseStatus.PENDING_ACCEPT
    previous_lead = case.department_id
    fields: dict[str, Any] = {
        **filed,
        "department": department,
        "duty_rule": rule,
        "dispatched_at": now,
        "sign_due_at": deadlines.add_hours(now, plan.sign_hours),
        "signed_at": None,
        "paused_at": None,
        # a warning describes the holder's running deadline: the new lead starts a fresh sign deadline
        "warning_level": WarningLevel.NORMAL,
    }
    if case.accepted_at is None:
        fields["accepted_at"] = now
    if running:
        fields["resolve_due_at"] = _shifted_due(case, pauses, now, cal)
        if case.contacted_at is None:
            fields["contact_due_at"] = deadlines.add_hours(now, plan.contact_hours)
    else:
        fields["contact_due_at"] = deadlines.add_hours(now, plan.contact_hours)
        fields["resolve_due_at"] = deadlines.add_working_days(now, plan.resolve_days, cal)
    if fresh:
        round_pauses: list[deadlines.Pause] = []
    else:  # the round's closed pauses and, closed now by this hand-over, its open ones
        round_pauses = sorted(
            [
                *_round_pauses(case),
                *(deadlines.Pause(p.started_at, now) for p in pauses if p.round == case.round),
            ],
            key=lambda pause: pause.start,
        )
    fields["warn_at"] = _warn_at_after(
        case,
        target,
        fields,
        now=now,
        cal=cal,
        round_started_at=None if running else now,
        pauses=round_pauses,
    )
    previous = _cas(case, target, now, **fields)

    pending = (
        None
        if fresh
        else _cancel_pending_extension(case, actor, now, _("Cancelled: the case went to another department."))
    )
    _end_pauses(pauses, now)
    if assisting is None:  # reassign: the assisting departments stay
        _end_assignments(case, now, roles=[AssignmentRole.LEAD])
        assisting_ids = active_assisting_ids(case)
        added: list[int] = []
        told = assisting_ids
    else:
        kept: list[int] = []
        if not fresh:  # the summoned departments keep assisting (unless one becomes the lead)
            _end_assignments(case, now, keep_assisting=_summoned_departments(case) - {department.pk})
            kept = active_assisting_ids(case)
        told = [a.pk for a in assisting]
        added = [pk for pk in told if pk not in kept]
        assisting_ids = told + [pk for pk in kept if pk not in told]
    _assign_many(
        case,
        [*((pk, AssignmentRole.ASSIST) for pk in added), (department.pk, AssignmentRole.LEAD)],
        now,
    )

    data = {
        "department": department.pk,
        "assisting": assisting_ids,
        "sign_due_at": _iso(case.sign_due_at),
        "contact_due_at": _iso(case.contact_due_at),
        "resolve_due_at": _iso(case.resolve_due_at),
        "duty_rule": rule.pk if rule else None,
    }
    if category is not None:
        data["category"] = category.pk
        if previous_category and previous_category != category.pk:
            data["from_category"] = previous_category  # a correction: keep the old value as well
    if previous_lead and previous_lead != department.pk:
        data["from_department"] = previous_lead
    if pending is not None:
        data["cancelled_extension"] = pending.pk
    step = _step(
        case,
        action=command,
        actor=actor,
        # a fresh case's accept step already shows pending_accept → pending_dispatch
        from_status=CaseStatus.PENDING_DISPATCH
        if fresh and previous == CaseStatus.PENDING_ACCEPT
        else previous,
        at=now,
        department_id=department.pk,
        note=reason,
        data=data,
    )
    _audit(actor, command, case, data=data, reason=reason)
    routing_decided(actor, case, department)
    _notify_step(
        department_users([department.pk, *told]),
        case=case,
        kind=f"case.{command}",
        step=step,
        message=_("Case %(number)s has been dispatched to your department. Please sign for it by %(due)s.")
        % {"number": case.number, "due": _local(case.sign_due_at)},
    )
    return case


@transaction.atomic
def reassign_case(
    *, actor: User, case: Case, department: Department, reason: str, expected_version: int | None = None
) -> Case:
    """改派: give the case to another lead department (it signs again; the resolve clock runs on)."""
    require(actor, "cases.dispatch", case)
    return _run(
        _reassign,
        actor=actor,
        case=case,
        department=department,
        reason=reason,
        expected_version=expected_version,
    )


def _reassign(
    *, actor: User, case: Case, department: Department, reason: str, expected_version: int | None
) -> Case:
    if case.status == CaseStatus.PENDING_SIGN and case.department_id == getattr(department, "pk", None):
        return _unchanged(case)
    target = _target("reassign", case)
    reason = _reason(reason)
    _check_department(department)
    return _hand_over(
        actor=actor,
        case=case,
        department=department,
        assisting=None,
        target=target,
        command="reassign",
        reason=reason,
    )


# =====================================================================================================
# 签收 / 退单


@transaction.atomic
def sign_case(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """签收: the lead department acknowledges the case (``pending_sign → processing``).

    On time if signed by ``sign_due_at``.
    """
    require(actor, "cases.handle", case)
    return _run(_sign, actor=actor, case=case, expected_version=expected_version)


def _sign(*, actor: User, case: Case, expected_version: int | None) -> Case:
    if case.status == CaseStatus.PROCESSING:
        _require_acting(actor, case, "sign")
        return _unchanged(case)
    target = _target("sign", case)
    _require_acting(actor, case, "sign")
    now = timezone.now()
    on_time = now <= case.sign_due_at if case.sign_due_at else None
    # the sign deadline's warning ends here; the next check follows from the deadlines that still run
    # (at once when the resolve time is already past 80%: ``next_warn_at`` of an unwarned case)
    fields: dict[str, Any] = {"signed_at": now, "warning_level": WarningLevel.NORMAL}
    fields["warn_at"] = _warn_at_after(case, target, fields, now=now)
    previous = _cas(case, target, now, **fields)
    CaseAssignment.objects.filter(case_id=case.pk, role=AssignmentRole.LEAD, is_active=True).update(
        signed_at=now
    )
    _step(
        case,
        action="sign",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        on_time=on_time,
    )
    _audit(actor, "sign", case, data={"on_time": on_time})
    return case


def _set_warn_at(case: Case, now: datetime) -> None:
    warn_at = next_warn_at(case, now=now)
    if warn_at != case.warn_at:
        Case.objects.filter(pk=case.pk).update(warn_at=warn_at)
        case.warn_at = warn_at


@transaction.atomic
def return_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """退单: the lead department says the case is not theirs; it goes back to the street dispatcher.

    The resolve clock pauses (``CasePause`` kind ``return``) until the case is dispatched again; a pending
    extension request is cancelled. The case has no lead department while it waits.
    """
    require(actor, "cases.handle", case)
    return _run(_return, actor=actor, case=case, reason=reason, expected_version=expected_version)


def _return(*, actor: User, case: Case, reason: str, expected_version: int | None) -> Case:
    if (
        case.status == CaseStatus.PENDING_DISPATCH
        and case.department_id is None
        and case.paused_at is not None
    ):
        return _unchanged(case)
    target = _target("return", case)
    _require_acting(actor, case, "return")
    reason = _reason(reason)
    now = timezone.now()
    cal = policy.work_calendar()
    extension_pauses = _open_pauses(case, [PauseKind.EXTENSION])
    lead = case.department_id
    previous = _cas(
        case,
        target,
        now,
        department=None,
        paused_at=now,
        warn_at=None,
        warning_level=WarningLevel.NORMAL,  # no deadline runs while it waits for dispatch
        resolve_due_at=_shifted_due(case, extension_pauses, now, cal),
    )
    pending = _cancel_pending_extension(case, actor, now, _("Cancelled: the case was returned."))
    _end_pauses(extension_pauses, now)
    _end_assignments(case, now, keep_assisting=_summoned_departments(case))
    CasePause.objects.create(case=case, round=case.round, kind=PauseKind.RETURN, started_at=now)
    data = {"department": lead, "cancelled_extension": pending.pk if pending else None}
    step = _step(
        case,
        action="return",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=lead,
        note=reason,
        data=data,
    )
    _audit(actor, "return", case, data=data, reason=reason)
    _notify_step(
        case_dispatchers(case),
        case=case,
        kind="case.returned",
        step=step,
        message=_("Case %(number)s was returned by %(department)s. Please dispatch it again.")
        % {"number": case.number, "department": _department_label(lead)},
    )
    return case


# =====================================================================================================
# 延期申请


@transaction.atomic
def request_extension(
    *, actor: User, case: Case, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """延期申请: the lead department asks for more working days; the resolve clock pauses until decided.

    Returns the pending ``ExtensionRequest`` (the existing one when a request is already pending).
    """
    require(actor, "cases.handle", case)
    return _run(
        _request_extension,
        actor=actor,
        case=case,
        days=days,
        reason=reason,
        expected_version=expected_version,
    )


def _request_extension(
    *, actor: User, case: Case, days: int, reason: str, expected_version: int | None
) -> ExtensionRequest:
    _target("request_extension", case)
    _require_acting(actor, case, "request_extension")
    pending = ExtensionRequest.objects.filter(case_id=case.pk, status=ExtensionStatus.PENDING).first()
    if pending is not None:
        _unchanged(case)
        return pending
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            {"days": _("Choose between 1 and %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}}
        )
    reason = _reason(reason)
    now = timezone.now()
    previous = _cas(case, case.status, now, paused_at=now, warn_at=None)
    extension = ExtensionRequest.objects.create(
        case=case,
        round=case.round,
        department_id=case.department_id,
        days=days,
        reason=reason,
        status=ExtensionStatus.PENDING,
        requested_by=actor,
        requested_at=now,
    )
    CasePause.objects.create(case=case, round=case.round, kind=PauseKind.EXTENSION, started_at=now)
    data = {"extension": extension.pk, "days": days}
    step = _step(
        case,
        action="request_extension",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=reason,
        data=data,
    )
    _audit(actor, "request_extension", case, data=data, reason=reason)
    _notify_step(
        case_dispatchers(case),
        case=case,
        kind="case.extension_requested",
        step=step,
        message=_("%(department)s asks to extend case %(number)s by %(days)s working days.")
        % {"department": _department_label(case.department_id), "number": case.number, "days": days},
    )
    return extension


@transaction.atomic
def decide_extension(
    *, actor: User, case: Case, approve: bool, note: str = "", expected_version: int | None = None
) -> Case:
    """延期审批: approve (the resolve deadline moves by the requested working days) or deny the request.

    Either way the pause ends and the resolve deadline first moves by the paused working time.
    """
    require(actor, "cases.dispatch", case)
    return _run(
        _decide_extension,
        actor=actor,
        case=case,
        approve=bool(approve),
        note=note,
        expected_version=expected_version,
    )


def _decide_extension(
    *, actor: User, case: Case, approve: bool, note: str, expected_version: int | None
) -> Case:
    command = "approve_extension" if approve else "deny_extension"
    target = _target(command, case)
    pending = ExtensionRequest.objects.filter(case_id=case.pk, status=ExtensionStatus.PENDING).first()
    if pending is None:
        latest = (
            ExtensionRequest.objects.filter(case_id=case.pk, round=case.round)
            .order_by("-requested_at", "-pk")
            .first()
        )
        wanted = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        if latest is not None and latest.status == wanted and latest.decided_by_id is not None:
            return _unchanged(case)
        raise InvalidTransition(_("There is no pending extension request."), code="case.no_pending_extension")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed({"note": _("Enter a note.")})
    now = timezone.now()
    cal = policy.work_calendar()
    pauses = _open_pauses(case, [PauseKind.EXTENSION])
    old_due = case.resolve_due_at
    due = _shifted_due(case, pauses, now, cal)
    if approve and due is not None:
        due = deadlines.extend(due, pending.days, cal)
    still_paused = (
        CasePause.objects.filter(case_id=case.pk, ended_at__isnull=True)
        .exclude(pk__in=[p.pk for p in pauses])
        .exists()
    )
    previous = _cas(case, target, now, resolve_due_at=due, paused_at=case.paused_at if still_paused else None)
    ExtensionRequest.objects.filter(pk=pending.pk, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
    )
    _end_pauses(pauses, now)
    _set_warn_at(case, now)
    data = {
        "extension": pending.pk,
        "days": pending.days,
        "old_resolve_due_at": _iso(old_due),
        "resolve_due_at": _iso(due),
    }
    step = _step(
        case,
        action=command,
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=note,
        data=data,
    )
    _audit(actor, command, case, data=data, reason=note)
    if approve:
        message = _("The extension of case %(number)s was approved. New deadline: %(due)s.") % {
            "number": case.number,
            "due": _local(due),
        }
    else:
        message = _("The extension of case %(number)s was denied: %(note)s") % {
            "number": case.number,
            "note": note,
        }
    _notify_step(
        department_users([case.department_id]), case=case, kind=f"case.{command}", step=step, message=message
    )
    return case


# =====================================================================================================
# 办理: contact, notes, resolve


@transaction.atomic
def record_contact(*, actor: User, case: Case, note: str, expected_version: int | None = None) -> Case:
    """联系诉求人: the department reached the reporter; on time if by ``contact_due_at``.

    Only the first contact counts (later calls go into handling notes): a repeat changes nothing.
    """
    require(actor, "cases.handle", case)
    return _run(_contact, actor=actor, case=case, note=note, expected_version=expected_version)


def _contact(*, actor: User, case: Case, note: str, expected_version: int | None) -> Case:
    target = _target("contact", case)
    _require_acting(actor, case, "contact")
    if case.contacted_at is not None:
        return _unchanged(case)
    note = _note(note)
    now = timezone.now()
    on_time = now <= case.contact_due_at if case.contact_due_at else None
    previous = _cas(case, target, now, contacted_at=now)
    _set_warn_at(case, now)
    _step(
        case,
        action="contact",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=note,
        on_time=on_time,
    )
    _audit(actor, "contact", case, data={"on_time": on_time})
    return case


@transaction.atomic
def add_handling_note(
    *, actor: User, case: Case, note: str, photos: Sequence = (), expected_version: int | None = None
) -> CaseStep:
    """办理记录: a progress note (with optional photos) by the lead or an assisting department."""
    require(actor, "cases.handle", case)
    return _run(
        _handle, actor=actor, case=case, note=note, photos=tuple(photos), expected_version=expected_version
    )


def _handle(*, actor: User, case: Case, note: str, photos: tuple, expected_version: int | None) -> CaseStep:
    from .intake import clean_uploads, store_attachments

    _target("handle", case)
    _require_acting(actor, case, "handle")
    note = _note(note)
    cleaned = clean_uploads(photos, field="photos")
    _lock(case, expected_version)
    now = timezone.now()
    step = _step(
        case,
        action="handle",
        actor=actor,
        from_status=case.status,
        at=now,
        department_id=case.department_id,
        note=note,
        data={"photos": len(cleaned)},
    )
    store_attachments(actor=actor, case=case, files=cleaned, kind=AttachmentKind.BEFORE, step=step)
    _audit(actor, "handle", case, data={"step": step.pk, "photos": len(cleaned)})
    return step


@transaction.atomic
def resolve_case(
    *, actor: User, case: Case, reply: str, photos: Sequence = (), expected_version: int | None = None
) -> Case:
    """办结申请: the lead department reports the result and the reply to the resident (→ ``pending_review``).

    On time if by ``resolve_due_at`` (pauses included). A pending extension request is cancelled.
    """
    require(actor, "cases.handle", case)
    return _run(
        _resolve, actor=actor, case=case, reply=reply, photos=tuple(photos), expected_version=expected_version
    )


def _resolve(*, actor: User, case: Case, reply: str, photos: tuple, expected_version: int | None) -> Case:
    from .intake import clean_uploads, store_attachments

    if case.status == CaseStatus.PENDING_REVIEW:
        return _unchanged(case)
    target = _target("resolve", case)
    _require_acting(actor, case, "resolve")
    reply = _required_text(reply, "reply", _("Enter the reply to the resident."), limit=5000)
    cleaned = clean_uploads(photos, field="photos")
    now = timezone.now()
    cal = policy.work_calendar()
    pauses = _open_pauses(case)
    due = _shifted_due(case, pauses, now, cal)
    on_time = now <= due if due else None
    previous = _cas(
        case, target, now, resolved_at=now, reply=reply, resolve_due_at=due, paused_at=None, warn_at=None
    )
    pending = _cancel_pending_extension(case, actor, now, _("Cancelled: the case was resolved."))
    _end_pauses(pauses, now)
    data = {
        "on_time": on_time,
        "resolve_due_at": _iso(due),
        "photos": len(cleaned),
        "cancelled_extension": pending.pk if pending else None,
    }
    quality = check_reply(case, reply)  # 答复质量: advice kept for supervisors, never a refusal
    if quality is not None:
        kept = ("score", "relevance", "completeness", "politeness", "perfunctory")
        data["reply_quality"] = {key: quality.get(key) for key in kept}
        data["reply_quality"]["flags"] = [flag["code"] for flag in quality.get("flags", ())]
    step = _step(
        case,
        action="resolve",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=reply,
        data=data,
        on_time=on_time,
    )
    store_attachments(actor=actor, case=case, files=cleaned, kind=AttachmentKind.AFTER, step=step)
    _audit(actor, "resolve", case, data=data)
    _notify_step(
        case_dispatchers(case),
        case=case,
        kind="case.resolved",
        step=step,
        message=_("Case %(number)s has been resolved by %(department)s and is waiting for review.")
        % {"number": case.number, "department": _department_label(case.department_id)},
    )
    return case


# =====================================================================================================
# 审核 / 回访评价 / 重办


@transaction.atomic
def review_case(
    *, actor: User, case: Case, approve: bool, note: str = "", expected_version: int | None = None
) -> Case:
    """审核: approve the result (→ ``pending_follow_up``, the reporter is asked to rate) or send it back."""
    require(actor, "cases.review", case)
    return _run(
        _review, actor=actor, case=case, approve=bool(approve), note=note, expected_version=expected_version
    )


def _review(*, actor: User, case: Case, approve: bool, note: str, expected_version: int | None) -> Case:
    command = "approve" if approve else "send_back"
    if case.status == (CaseStatus.PENDING_FOLLOW_UP if approve else CaseStatus.PROCESSING):
        return _unchanged(case)
    target = _target(command, case)
    note = (note or "").strip() if approve else _note(note)
    now = timezone.now()
    fields: dict[str, Any] = {}
    if not approve:
        fields["resolved_at"] = None
    previous = _cas(case, target, now, **fields)
    if not approve:
        _set_warn_at(case, now)
    step = _step(
        case,
        action=command,
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=note,
    )
    _audit(actor, command, case, reason=note)
    if approve:
        _tell_reporter(
            case,
            kind="case.rate_request",
            step=step,
            message=_("Your case %(number)s has been handled. Please rate the result.")
            % {"number": case.number},
        )
    else:
        _notify_step(
            department_users([case.department_id]),
            case=case,
            kind="case.sent_back",
            step=step,
            message=_("Case %(number)s was sent back after review: %(note)s")
            % {"number": case.number, "note": note},
        )
    return case


@transaction.atomic
def rate_case(
    *,
    actor: User,
    case: Case,
    rating: str,
    comment: str = "",
    method: str = FollowUpMethod.SELF,
    resolved_in_fact: bool | None = None,
    expected_version: int | None = None,
) -> Case:
    """回访评价: the reporter rates the result (``self``) or a follow-up worker records it (``phone`` …).

    Closes the case. Cases merged into it get a ``master_closed`` step and their reporters the reply.
    """
    if method == FollowUpMethod.SELF:
        if not _is_reporter(actor, case):
            raise _reporter_only()
    else:
        require(actor, "cases.follow_up", case)
    return _run(
        _rate,
        actor=actor,
        case=case,
        rating=rating,
        comment=comment,
        method=method,
        resolved_in_fact=resolved_in_fact,
        expected_version=expected_version,
    )


def _rate(
    *,
    actor: User,
    case: Case,
    rating: str,
    comment: str,
    method: str,
    resolved_in_fact: bool | None,
    expected_version: int | None,
) -> Case:
    if rating not in Rating.values:
        raise ValidationFailed({"rating": _("Choose a valid rating.")})
    if method not in FollowUpMethod.values:
        raise ValidationFailed({"method": _("Choose a valid follow-up method.")})
    if case.status == CaseStatus.CLOSED and case.rating == rating:
        return _unchanged(case)
    target = _target("rate", case)
    comment = (comment or "").strip()[:_TEXT_LIMIT]
    now = timezone.now()
    previous = _cas(
        case,
        target,
        now,
        rating=rating,
        rating_comment=comment,
        rated_at=now,
        follow_up_method=method,
        resolved_in_fact=resolved_in_fact,
        closed_at=now,
        warn_at=None,
    )
    _end_assignments(case, now)
    data = {"rating": rating, "method": method, "resolved_in_fact": resolved_in_fact}
    _step(
        case,
        action="rate",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=case.department_id,
        note=comment,
        data=data,
        rating=rating,
    )
    _audit(actor, "rate", case, data=data)
    _close_merged(case, now=now)
    return case


def _close_merged(master: Case, *, now: datetime) -> None:
    """Tell each duplicate merged into ``master`` that it is closed, with the master's reply.

    The steps are recorded as the system actor: whoever rated the master (often its reporter) must not be
    named on the duplicates, which belong to other reporters.
    """
    system = system_actor()
    for child in (
        Case.objects.filter(master_id=master.pk, status=CaseStatus.MERGED)
        .select_related("reporter_user")
        .order_by("pk")
    ):
        step = _step(
            child,
            action="master_closed",
            actor=system,
            from_status=child.status,
            at=now,
            department_id=master.department_id,
            note=master.reply,
            data={"master": master.pk, "master_number": master.number},
        )
        _tell_reporter(
            child,
            kind="case.master_closed",
            step=step,
            message=_(
                "Your case %(number)s was handled together with case %(master)s, which is now closed. "
                "Reply: %(reply)s"
            )
            % {"number": child.number, "master": master.number, "reply": master.reply},
        )


@transaction.atomic
def reopen_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """重办: start a new handling round with the last lead department (``round + 1``, new deadlines).

    Dispatchers may reopen a case waiting for follow-up or closed; the reporter may reopen their own
    closed case after rating it dissatisfied. The earlier rounds stay in the timeline.
    """
    if has_perm(actor, "cases.dispatch") and object_in_scope(scope_of(actor), case):
        pass
    elif _is_reporter(actor, case):
        # a result waiting for the reporter, or rated satisfied: rate it dissatisfied first. In any other
        # state (already reopened: a repeat is a no-op) the state machine answers.
        awaiting = case.status in (CaseStatus.PENDING_FOLLOW_UP, CaseStatus.CLOSED)
        if awaiting and not (case.status == CaseStatus.CLOSED and case.rating == Rating.DISSATISFIED):
            raise PermissionDenied(
                _("You can reopen a case only after rating it dissatisfied."),
                code="case.reopen_not_dissatisfied",
            )
    else:
        raise PermissionDenied()
    return _run(_reopen, actor=actor, case=case, reason=reason, expected_version=expected_version)


def _reopen(*, actor: User, case: Case, reason: str, expected_version: int | None) -> Case:
    if (
        case.status == CaseStatus.PENDING_SIGN
        and case.round > 1
        and CaseStep.objects.filter(case_id=case.pk, round=case.round, action="reopen").exists()
        and not CaseStep.objects.filter(case_id=case.pk, round=case.round).exclude(action="reopen").exists()
    ):
        return _unchanged(case)
    target = _target("reopen", case)
    reason = _reason(reason)
    department = case.department
    if department is None:
        raise ValidationFailed({"department": _("Choose a department.")})
    now = timezone.now()
    cal = policy.work_calendar()
    plan = _plan(case)
    assisting = list(
        CaseAssignment.objects.filter(case_id=case.pk, round=case.round, role=AssignmentRole.ASSIST)
        .order_by("department_id")
        .values_list("department_id", flat=True)
        .distinct()
    )
    fields: dict[str, Any] = dict(
        round=case.round + 1,
        dispatched_at=now,
        signed_at=None,
        contacted_at=None,
        resolved_at=None,
        closed_at=None,
        sign_due_at=deadlines.add_hours(now, plan.sign_hours),
        contact_due_at=deadlines.add_hours(now, plan.contact_hours),
        resolve_due_at=deadlines.add_working_days(now, plan.resolve_days, cal),
        paused_at=None,
        warning_level=WarningLevel.NORMAL,
        reply="",
        rating="",
        rating_comment="",
        rated_at=None,
        follow_up_method="",
        resolved_in_fact=None,
    )
    # a new round: no pauses yet, its clock starts now
    fields["warn_at"] = _warn_at_after(
        case, target, fields, now=now, cal=cal, round_started_at=now, pauses=[]
    )
    previous = _cas(case, target, now, **fields)
    _end_assignments(case, now)
    _assign(case, department.pk, AssignmentRole.LEAD, now)
    for department_id in assisting:
        _assign(case, department_id, AssignmentRole.ASSIST, now)
    data = {
        "round": case.round,
        "department": department.pk,
        "sign_due_at": _iso(case.sign_due_at),
        "resolve_due_at": _iso(case.resolve_due_at),
    }
    step = _step(
        case,
        action="reopen",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=department.pk,
        note=reason,
        data=data,
    )
    _audit(actor, "reopen", case, data=data, reason=reason)
    _notify_step(
        department_users([department.pk]),
        case=case,
        kind="case.reopened",
        step=step,
        message=_("Case %(number)s was reopened. Please sign for it again by %(due)s.")
        % {"number": case.number, "due": _local(case.sign_due_at)},
    )
    return case


# =====================================================================================================
# 督办 / 催办


@transaction.atomic
def urge_case(*, actor: User, case: Case, note: str, expected_version: int | None = None) -> CaseStep:
    """催办: press the unit holding the case to act now (notifies ``case_holders``: the department, or the
    reviewers while the result awaits review)."""
    require(actor, "cases.supervise", case)
    return _run(
        _oversee, actor=actor, case=case, note=note, command="urge", expected_version=expected_version
    )


@transaction.atomic
def supervise_case(*, actor: User, case: Case, note: str, expected_version: int | None = None) -> CaseStep:
    """督办: a formal supervision instruction on the case (notifies ``case_holders``, as 催办)."""
    require(actor, "cases.supervise", case)
    return _run(
        _oversee, actor=actor, case=case, note=note, command="supervise", expected_version=expected_version
    )


def _oversee(*, actor: User, case: Case, note: str, command: str, expected_version: int | None) -> CaseStep:
    _target(command, case)
    note = _note(note)
    _lock(case, expected_version)
    now = timezone.now()
    step = _step(
        case,
        action=command,
        actor=actor,
        from_status=case.status,
        at=now,
        department_id=case.department_id,
        note=note,
    )
    _audit(actor, command, case, data={"step": step.pk}, reason=note)
    recipients = case_holders(case)
    if command == "urge":
        message = _("Case %(number)s has been urged. Please handle it as soon as possible: %(note)s")
    else:
        message = _("Case %(number)s is under supervision: %(note)s")
    _notify_step(
        recipients,
        case=case,
        kind=f"case.{command}",
        step=step,
        message=message % {"number": case.number, "note": note},
    )
    return step


# =====================================================================================================
# 撤回 / 合并


@transaction.atomic
def withdraw_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """撤回: the reporter withdraws their own case before a department has signed for it."""
    if not _is_reporter(actor, case):
        raise _reporter_only()
    return _run(_withdraw, actor=actor, case=case, reason=reason, expected_version=expected_version)


def _withdraw(*, actor: User, case: Case, reason: str, expected_version: int | None) -> Case:
    if case.status == CaseStatus.WITHDRAWN:
        return _unchanged(case)
    target = _target("withdraw", case)
    reason = _reason(reason)
    now = timezone.now()
    pauses = _open_pauses(case)
    lead = case.department_id
    previous = _cas(case, target, now, warn_at=None, paused_at=None)
    _end_pauses(pauses, now)
    _end_assignments(case, now)
    step = _step(
        case, action="withdraw", actor=actor, from_status=previous, at=now, department_id=lead, note=reason
    )
    _audit(actor, "withdraw", case, reason=reason)
    _release_duplicates(case)
    recipients = department_users([lead]) if lead else case_dispatchers(case)
    _notify_step(
        recipients,
        case=case,
        kind="case.withdrawn",
        step=step,
        message=_("Case %(number)s was withdrawn by the reporter.") % {"number": case.number},
    )
    return case


@transaction.atomic
def merge_case(
    *, actor: User, case: Case, master: Case, reason: str = "", expected_version: int | None = None
) -> Case:
    """合并: mark ``case`` as a duplicate of ``master``; its reporter hears the master's result at close.

    Duplicates already merged into ``case`` move on to ``master`` with it.
    """
    require(actor, "cases.dispatch", case)
    require(actor, "cases.dispatch", master)
    return _run(
        _merge, actor=actor, case=case, master=master, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def release_case(*, actor: User, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """解除合并: a duplicate goes back to the dispatcher's queue (``pending_dispatch``) on its own.

    For a merge made by mistake. It also happens by itself to every duplicate of a master case that is
    withdrawn or rejected, since those duplicates would otherwise never hear a result.
    """
    require(actor, "cases.dispatch", case)
    return _run(_release, actor=actor, case=case, reason=reason, expected_version=expected_version)


def _release(*, actor: User, case: Case, reason: str, expected_version: int | None) -> Case:
    target = _target("release", case)
    reason = _reason(reason)
    now = timezone.now()
    master_id = case.master_id
    lead = case.department_id
    # Back to pending_dispatch as if never dispatched: no lead, no deadlines, no warning. A case that was
    # dispatched in this round starts a new one, so that its next dispatch starts the clocks afresh (the
    # resolve clock runs from the round's first lead assignment) and the old round's history stays.
    dispatched = CaseAssignment.objects.filter(
        case_id=case.pk, round=case.round, role=AssignmentRole.LEAD
    ).exists()
    previous = _cas(
        case,
        target,
        now,
        master=None,
        department=None,
        round=case.round + 1 if dispatched else case.round,
        dispatched_at=None,
        sign_due_at=None,
        signed_at=None,
        contact_due_at=None,
        contacted_at=None,
        resolve_due_at=None,
        paused_at=None,
        warn_at=None,
        warning_level=WarningLevel.NORMAL,
    )
    data = {"master": master_id, "department": lead}
    step = _step(case, action="release", actor=actor, from_status=previous, at=now, note=reason, data=data)
    _audit(actor, "release", case, data=data, reason=reason)
    _notify_step(
        case_dispatchers(case),
        case=case,
        kind="case.released",
        step=step,
        message=_("Case %(number)s is no longer merged and waits for dispatch: %(reason)s")
        % {"number": case.number, "reason": reason},
    )
    return case


def _release_duplicates(master: Case) -> None:
    """The master ended without a result (withdrawn, rejected): its duplicates go back to the queue.

    The release is the system's doing on other people's cases: it is recorded as the system actor, never
    as whoever ended the master (often its reporter, whose name must not show on someone else's case).
    """
    why = _("The case it was merged into, %(master)s, was %(status)s.") % {
        "master": master.number,
        "status": master.get_status_display(),
    }
    system = system_actor()
    for child in Case.objects.filter(master_id=master.pk, status=CaseStatus.MERGED).order_by("pk"):
        _release(actor=system, case=child, reason=str(why), expected_version=None)


def _merge(*, actor: User, case: Case, master: Case, reason: str, expected_version: int | None) -> Case:
    if case.status == CaseStatus.MERGED and case.master_id == master.pk:
        return _unchanged(case)
    target = _target("merge", case)
    if master.pk == case.pk:
        raise ValidationFailed({"master": _("A case cannot be merged into itself.")})
    master_row = Case.objects.filter(pk=master.pk).values_list("status", "master_id").get()
    if master_row[0] not in OPEN_STATUSES or master_row[1] is not None:
        raise ValidationFailed({"master": _("Choose an open case that is not itself a duplicate.")})
    reason = (reason or "").strip()[:_TEXT_LIMIT]
    now = timezone.now()
    pauses = _open_pauses(case)
    lead = case.department_id
    previous = _cas(case, target, now, master=master, warn_at=None, paused_at=None)
    _end_pauses(pauses, now)
    _end_assignments(case, now)
    moved = list(Case.objects.filter(master_id=case.pk).order_by("pk").values_list("pk", flat=True))
    if moved:
        Case.objects.filter(pk__in=moved).update(master=master)
    data = {"master": master.pk, "master_number": master.number, "moved_duplicates": moved}
    step = _step(
        case,
        action="merge",
        actor=actor,
        from_status=previous,
        at=now,
        department_id=lead,
        note=reason,
        data=data,
    )
    _audit(actor, "merge", case, data=data, reason=reason)
    if lead is not None and previous in RUNNING_STATUSES:  # the department was told to act on it: stop
        _notify_step(
            department_users([lead]),
            case=case,
            kind="case.merged_away",
            step=step,
            message=_("Case %(number)s was merged into case %(master)s; handle that case instead.")
            % {"number": case.number, "master": master.number},
        )
    _tell_reporter(
        case,
        kind="case.merged",
        step=step,
        message=_(
            "Your case %(number)s is handled together with case %(master)s. You will be told the result."
        )
        % {"number": case.number, "master": master.number},
    )
    return case


# =====================================================================================================
# 吹哨报到


@transaction.atomic
def summon_departments(
    *,
    actor: User,
    case: Case,
    departments: Iterable[Department],
    reason: str,
    report_within_hours: int = 24,
    meeting_place: str = "",
    expected_version: int | None = None,
) -> Summon:
    """吹哨: the street or community summons several departments to the case; each must report in.

    The summoned departments join the case as assisting departments (so they can see it) and get a
    notice with the report-in deadline. Returns the ``Summon``.
    """
    require(actor, "cases.summon", case)
    return _run(
        _summon,
        actor=actor,
        case=case,
        departments=list(departments),
        reason=reason,
        report_within_hours=report_within_hours,
        meeting_place=meeting_place,
        expected_version=expected_version,
    )


def _summoning_region(actor: User, case: Case) -> Region | None:
    scope = scope_of(actor)
    paths = [p for p in scope.region_paths if case.region_path.startswith(p)]
    if paths:
        return Region.objects.filter(path=max(paths, key=len)).first()
    return case.street


def _summon(
    *,
    actor: User,
    case: Case,
    departments: list[Department],
    reason: str,
    report_within_hours: int,
    meeting_place: str,
    expected_version: int | None,
) -> Summon:
    _target("summon", case)
    unique: dict[int, Department] = {}
    for department in departments:
        _check_department(department, "departments")
        unique.setdefault(department.pk, department)
    if not unique:
        raise ValidationFailed({"departments": _("Choose at least one department.")})
    reason = _reason(reason)
    hours = report_within_hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_REPORT_HOURS:
        raise ValidationFailed(
            {"report_within_hours": _("Choose between 1 and %(max)s hours.") % {"max": MAX_REPORT_HOURS}}
        )
    _lock(case, expected_version)
    now = timezone.now()
    summon = Summon.objects.create(
        case=case,
        summoned_by=actor,
        region=_summoning_region(actor, case),
        reason=reason,
        at=now,
        report_due_at=deadlines.add_hours(now, hours),
        meeting_place=(meeting_place or "").strip()[:200],
    )
    assigned = set(
        CaseAssignment.objects.filter(case_id=case.pk, round=case.round, is_active=True).values_list(
            "department_id", flat=True
        )
    )
    for pk in sorted(unique):
        SummonResponse.objects.create(summon=summon, department_id=pk)
        if pk not in assigned and pk != case.department_id:
            _assign(case, pk, AssignmentRole.ASSIST, now)
    if any(role.code == "party_secretary" for role in roles_of(actor)) and not case.party_involved:
        Case.objects.filter(pk=case.pk).update(party_involved=True)
        case.party_involved = True
    data = {"summon": summon.pk, "departments": sorted(unique), "report_due_at": _iso(summon.report_due_at)}
    step = _step(
        case,
        action="summon",
        actor=actor,
        from_status=case.status,
        at=now,
        department_id=case.department_id,
        note=reason,
        data=data,
    )
    _audit(actor, "summon", case, data=data, reason=reason)
    _notify_step(
        department_users(sorted(unique)),
        case=case,
        kind="case.summoned",
        step=step,
        message=_("Your department is summoned to case %(number)s. Please report in by %(due)s.")
        % {"number": case.number, "due": _local(summon.report_due_at)},
    )
    return summon


@transaction.atomic
def report_in(
    *, actor: User, case: Case, summon: Summon, note: str = "", expected_version: int | None = None
) -> SummonResponse:
    """报到: a summoned department reports in (who and when); a repeat changes nothing."""
    require(actor, "cases.handle", case)
    return _run(
        _report_in, actor=actor, case=case, summon=summon, note=note, expected_version=expected_version
    )


def _report_in(
    *, actor: User, case: Case, summon: Summon, note: str, expected_version: int | None
) -> SummonResponse:
    _target("report_in", case)
    if summon.case_id != case.pk:
        raise ValidationFailed({"summon": _("This summons belongs to another case.")})
    scope = scope_of(actor)
    response = (
        SummonResponse.objects.filter(summon_id=summon.pk, department_id__in=sorted(scope.department_ids))
        .order_by("department_id")
        .first()
    )
    if response is None:
        raise PermissionDenied(_("Your department was not summoned to this case."), code="case.not_summoned")
    if response.reported_at is not None:
        _unchanged(case)
        return response
    _lock(case, expected_version)
    now = timezone.now()
    note = (note or "").strip()[:_TEXT_LIMIT]
    changed = SummonResponse.objects.filter(pk=response.pk, reported_at__isnull=True).update(
        reported_at=now, reported_by=actor, note=note
    )
    response.refresh_from_db()
    if changed != 1:
        return response
    on_time = now <= summon.report_due_at
    data = {"summon": summon.pk, "department": response.department_id, "on_time": on_time}
    step = _step(
        case,
        action="report_in",
        actor=actor,
        from_status=case.status,
        at=now,
        department_id=response.department_id,
        note=note,
        data=data,
        on_time=on_time,  # the timeline marks a late report-in (报到超时) from this column
    )
    _audit(actor, "report_in", case, data=data)
    summoner = [summon.summoned_by] if summon.summoned_by_id else []
    _notify_step(
        summoner,
        case=case,
        kind="case.reported_in",
        step=step,
        message=_("%(department)s reported in for case %(number)s.")
        % {"department": _department_label(response.department_id), "number": case.number},
    )
    return response
