"""Writes of 双报到 and the community service tasks members claim, do and have confirmed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import object_in_scope, require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.regions.choices import RegionLevel

from .. import workflow
from ..choices import (
    LIVE_REGISTRATION,
    UNIT_SECTORS,
    ClaimStatus,
    PointsSource,
    RegistrationKind,
    RegistrationStatus,
    TaskStatus,
)
from ..models import DualRegistration, PartyOrganisation, ServiceTask, TaskClaim
from ..selectors.reach import member_reach_paths
from .common import acting_member, clean_text, require_level, require_placement
from .points import award_points

# --- dual registration -----------------------------------------------------------------------------------


@transaction.atomic
def register_at_community(
    *, actor, community, offer: str = "", unit: PartyOrganisation | None = None
) -> DualRegistration:
    """双报到: an in-service member (or, with ``unit``, their unit's organisation) registers at a community.

    A member registers themselves; a unit is registered by a secretary whose area holds the unit's
    organisation. A registration already pending or approved at that community is returned unchanged.
    """
    require(actor, "party.register")
    require_level(community, RegionLevel.COMMUNITY, "community")
    offer = clean_text(offer, field="offer", max_length=200)
    if unit is None:
        member = acting_member(actor)
        if not member.is_in_service:
            raise ValidationFailed(
                {"community": _("Only in-service members register at the community where they live.")}
            )
        lookup = {"kind": RegistrationKind.MEMBER, "member": member}
    else:
        if not object_in_scope(scope_of(actor), unit):
            raise PermissionDenied()
        if unit.sector not in UNIT_SECTORS or not unit.is_active:
            raise ValidationFailed(
                {"unit": _("Only the party organisation of a unit can register as a unit.")}
            )
        lookup = {"kind": RegistrationKind.UNIT, "unit": unit}
    live = DualRegistration.objects.filter(
        community=community, status__in=LIVE_REGISTRATION, **lookup
    ).first()
    if live is not None:
        return live
    registration = DualRegistration(
        community=community,
        region_path=community.path,
        offer=offer,
        applied_at=timezone.now(),
        applied_by=actor,
        **lookup,
    )
    try:
        with transaction.atomic():
            registration.save(force_insert=True)
    except IntegrityError:
        return DualRegistration.objects.get(community=community, status__in=LIVE_REGISTRATION, **lookup)
    record(
        actor=actor,
        action="party.register",
        target=registration,
        data={"kind": registration.kind, "community": community.code, "unit": unit.pk if unit else None},
    )
    return registration


def _move_registration(actor, registration: DualRegistration, command: str, note: str, action: str):
    target = workflow.next_status(workflow.REGISTRATION_TRANSITIONS, command, registration.status)
    if target is None:
        raise InvalidTransition(code="party.registration_invalid_transition")
    now = timezone.now()
    fields = {"status": target, "updated_at": now}
    if command in ("approve", "reject"):
        fields.update(decided_at=now, decided_by=actor, decision_note=note)
    else:
        fields.update(ended_at=now)
    changed = DualRegistration.objects.filter(pk=registration.pk, status=registration.status).update(**fields)
    if changed != 1:
        raise InvalidTransition(code="party.registration_invalid_transition")
    old = registration.status
    registration.refresh_from_db()
    record(actor=actor, action=action, target=registration, data={"from": old, "to": target}, reason=note)
    return registration


@transaction.atomic
def approve_registration(*, actor, registration: DualRegistration, note: str = "") -> DualRegistration:
    """审核通过: the community party committee accepts the member or unit (a repeat changes nothing)."""
    require(actor, "party.approve_registration", registration)
    if registration.status == RegistrationStatus.APPROVED:
        return registration
    note = clean_text(note, field="note", max_length=200)
    return _move_registration(actor, registration, "approve", note, "party.approve_registration")


@transaction.atomic
def reject_registration(*, actor, registration: DualRegistration, note: str) -> DualRegistration:
    """不予通过, with the reason the member sees."""
    require(actor, "party.approve_registration", registration)
    if registration.status == RegistrationStatus.REJECTED:
        return registration
    note = clean_text(note, field="note", max_length=200, required=True)
    return _move_registration(actor, registration, "reject", note, "party.reject_registration")


@transaction.atomic
def end_registration(*, actor, registration: DualRegistration, note: str = "") -> DualRegistration:
    """结束报到: the member (or unit) moves away, or the community ends it."""
    own = registration.member_id is not None and registration.member.user_id == getattr(actor, "pk", None)
    if not own:
        require(actor, "party.approve_registration", registration)
    if registration.status == RegistrationStatus.ENDED:
        return registration
    note = clean_text(note, field="note", max_length=200)
    return _move_registration(actor, registration, "end", note, "party.end_registration")


# --- service tasks ------------------------------------------------------------------------------------


def _hours(value, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed({field: _("Enter the hours as a number, such as 2 or 1.5.")}) from None
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise ValidationFailed({field: _("Enter between 0.5 and 24 hours.")})
    return hours


@transaction.atomic
def post_task(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    location: str = "",
    starts_at: datetime | None = None,
    hours=2,
    slots: int = 1,
) -> ServiceTask:
    """发布服务任务: the community posts a task for registered members (需求清单)."""
    require(actor, "party.manage_tasks")
    require_level(community, RegionLevel.COMMUNITY, "community")
    require_placement(actor, community.path)
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 80:
        errors["title"] = _("Enter a title of at most 80 characters.")
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= 200:
        errors["slots"] = _("Enter between 1 and 200 places.")
    if errors:
        raise ValidationFailed(errors)
    task = ServiceTask.objects.create(
        community=community,
        region_path=community.path,
        title=title,
        description=clean_text(description, field="description", max_length=2000),
        location=clean_text(location, field="location", max_length=120),
        starts_at=starts_at,
        hours=_hours(hours),
        slots=slots,
        posted_by=actor,
    )
    record(
        actor=actor, action="party.post_task", target=task, data={"community": community.code, "slots": slots}
    )
    return task


@transaction.atomic
def close_task(*, actor, task: ServiceTask) -> ServiceTask:
    """关闭任务: no more claims (a repeat changes nothing)."""
    require(actor, "party.manage_tasks", task)
    changed = ServiceTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=TaskStatus.CLOSED, updated_at=timezone.now()
    )
    task.refresh_from_db()
    if changed:
        record(actor=actor, action="party.close_task", target=task)
    return task


@transaction.atomic
def claim_task(*, actor, task: ServiceTask) -> TaskClaim:
    """认领任务: a member claims a place; they must live in the community or be registered with it."""
    require(actor, "party.claim")
    member = acting_member(actor)
    task = ServiceTask.objects.select_for_update().get(pk=task.pk)
    live = TaskClaim.objects.filter(task=task, member=member).exclude(status=ClaimStatus.CANCELLED).first()
    if live is not None:
        return live
    if not any(task.region_path.startswith(p) for p in member_reach_paths(member)):
        raise PermissionDenied(
            _("Register at this community first (dual registration), then claim its tasks."),
            code="party.not_registered",
        )
    if task.status != TaskStatus.OPEN:
        raise InvalidTransition(_("This task is closed."), code="party.task_closed")
    taken = TaskClaim.objects.filter(task=task).exclude(status=ClaimStatus.CANCELLED).count()
    if taken >= task.slots:
        raise InvalidTransition(_("All places of this task are taken."), code="party.task_full")
    claim = TaskClaim.objects.create(
        task=task, member=member, region_path=task.region_path, claimed_at=timezone.now()
    )
    record(actor=actor, action="party.claim_task", target=claim, data={"task": task.pk, "member": member.pk})
    return claim


def _move_claim(
    actor, claim: TaskClaim, command: str, action: str, *, reason: str = "", **fields
) -> TaskClaim:
    target = workflow.require_move(
        workflow.CLAIM_TRANSITIONS, command, claim.status, code="party.claim_invalid_transition"
    )
    old = claim.status
    changed = TaskClaim.objects.filter(pk=claim.pk, status=old).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if changed != 1:
        raise InvalidTransition(code="party.claim_invalid_transition")
    claim.refresh_from_db()
    data = {"from": old, "to": target, **{k: v for k, v in fields.items() if k in ("hours",)}}
    record(actor=actor, action=action, target=claim, data=data, reason=reason)
    return claim


@transaction.atomic
def finish_task(*, actor, claim: TaskClaim, hours, note: str = "") -> TaskClaim:
    """完成: the member reports the task done with the hours served."""
    member = acting_member(actor)
    if claim.member_id != member.pk:
        raise PermissionDenied()
    if claim.status == ClaimStatus.DONE:
        return claim
    note = clean_text(note, field="note", max_length=300)
    return _move_claim(
        actor,
        claim,
        "finish",
        "party.finish_task",
        hours=_hours(hours),
        member_note=note,
        done_at=timezone.now(),
    )


@transaction.atomic
def confirm_task(*, actor, claim: TaskClaim, hours=None, feedback: str = "") -> TaskClaim:
    """确认: the community confirms the work; hours and feedback go back to the member's unit; points."""
    require(actor, "party.manage_tasks", claim)
    if claim.status == ClaimStatus.CONFIRMED:
        return claim
    feedback = clean_text(feedback, field="feedback", max_length=300)
    fields = {"confirmed_at": timezone.now(), "confirmed_by": actor, "feedback": feedback}
    if hours not in (None, ""):
        fields["hours"] = _hours(hours)
    claim = _move_claim(actor, claim, "confirm", "party.confirm_task", **fields)
    award_points(actor=actor, member=claim.member, source_type=PointsSource.TASK_CLAIM, source_id=claim.pk)
    return claim


@transaction.atomic
def cancel_claim(*, actor, claim: TaskClaim, reason: str = "") -> TaskClaim:
    """取消认领: by the member, or by the community."""
    own = claim.member.user_id == getattr(actor, "pk", None)
    if not own:
        require(actor, "party.manage_tasks", claim)
    if claim.status == ClaimStatus.CANCELLED:
        return claim
    reason = clean_text(reason, field="reason", max_length=200)
    return _move_claim(actor, claim, "cancel", "party.cancel_claim", reason=reason)
