"""Writes of the member roll: register, change, transfer, reveal personal data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, ValidationFailed
from gongzhi.people.choices import ChangeSource
from gongzhi.regions.choices import RegionLevel

from .. import rules
from ..choices import MemberStatus
from ..models import Member, MemberTransfer, PartyOrganisation

#: Fields ``update_member`` may change (the organisation changes only through ``transfer_member``).
MEMBER_EDITABLE: Final = frozenset(
    {
        "name",
        "id_number",
        "phone",
        "gender",
        "birth_date",
        "status",
        "joined_on",
        "full_on",
        "is_mobile",
        "mobile_note",
        "is_in_service",
        "work_unit",
        "dues_standard",
        "dues_paid_until",
        "grid",
        "resident",
        "user",
        "is_active",
    }
)
#: Personal fields recorded only as "changed" in the audit log.
PII_FIELDS: Final = frozenset({"id_number", "phone", "id_number_index", "phone_index"})
REVEALABLE: Final = {"phone": "party.reveal_phone", "id_number": "party.reveal_id_number"}


def _duplicate() -> Conflict:
    message = _("A party member with this ID number is already registered.")
    return Conflict(message, code="party.duplicate_member", fields={"id_number": [message]})


def _check_login(user) -> None:
    """Only an account holding the party member role can be linked to a member (the member pages)."""
    if user is None:
        return
    from gongzhi.accounts.selectors import roles_of

    if not any(role.code == "party_member" for role in roles_of(user)):
        raise ValidationFailed({"user": _("Only an account with the party member role can be linked.")})


def _check_grid(grid) -> None:
    if grid is not None and grid.level != RegionLevel.GRID:
        raise ValidationFailed({"grid": _("Choose a grid, not a street or community.")})


def _snapshot(member: Member) -> dict[str, Any]:
    """Comparable values of a member (PII as blind indexes only)."""
    return {
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date,
        "id_number_index": member.id_number_index,
        "phone_index": member.phone_index,
        "status": member.status,
        "joined_on": member.joined_on,
        "full_on": member.full_on,
        "is_mobile": member.is_mobile,
        "mobile_note": member.mobile_note,
        "is_in_service": member.is_in_service,
        "work_unit": member.work_unit,
        "dues_standard": member.dues_standard,
        "dues_paid_until": member.dues_paid_until,
        "grid": member.grid_id,
        "resident": member.resident_id,
        "user": member.user_id,
        "is_active": member.is_active,
        "organisation": member.organisation_id,
    }


def _delta(before: dict, after: dict) -> dict:
    delta = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            if key in PII_FIELDS:
                delta[key.removesuffix("_index")] = "changed"
            else:
                delta[key] = {"old": old, "new": new}
    return delta


@transaction.atomic
def create_member(
    *,
    actor,
    organisation: PartyOrganisation,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    status: str = MemberStatus.FULL,
    joined_on: date | None = None,
    full_on: date | None = None,
    is_mobile: bool = False,
    mobile_note: str = "",
    is_in_service: bool = False,
    work_unit: str = "",
    dues_standard: Decimal | str | None = None,
    dues_paid_until: date | None = None,
    grid=None,
    resident=None,
    user=None,
    source: str = ChangeSource.MANUAL,
) -> Member:
    """登记党员: put a member (or activist) on the roll of an organisation in the actor's area.

    The grid defaults to the organisation's grid. Registering the same ID number with the same data
    again returns the existing member (a safe retry); with other data it is a ``Conflict``. The first
    ``MemberTransfer`` row records the admission, so the history of organisations is complete.
    """
    require(actor, "party.manage_member", organisation)
    if not organisation.is_active:
        raise ValidationFailed({"organisation": _("This party organisation is no longer active.")})
    values = rules.clean_member_fields(
        name=name,
        id_number=id_number,
        phone=phone,
        gender=gender,
        birth_date=birth_date,
        status=status,
        joined_on=joined_on,
        full_on=full_on,
        is_mobile=is_mobile,
        mobile_note=mobile_note,
        is_in_service=is_in_service,
        work_unit=work_unit,
        dues_standard=dues_standard,
        dues_paid_until=dues_paid_until,
    )
    _check_grid(grid)
    if grid is None and organisation.region.level == RegionLevel.GRID:
        grid = organisation.region
    member = Member(
        organisation=organisation,
        region_path=organisation.region_path,
        grid=grid,
        resident=resident,
        user=user,
        source=source,
        **values,
    )
    if values["id_number_index"]:
        existing = Member.objects.filter(id_number_index=values["id_number_index"]).first()
        if existing is not None:
            if _snapshot(existing) == _snapshot(member):
                return existing
            raise _duplicate()
    _check_login(user)
    if user is not None and Member.objects.filter(user=user).exists():
        raise ValidationFailed({"user": _("This account is already linked to another member.")})
    try:
        with transaction.atomic():
            member.save(force_insert=True)
    except IntegrityError:
        raise _duplicate() from None
    now = timezone.now()
    MemberTransfer.objects.create(
        member=member,
        from_organisation=None,
        to_organisation=organisation,
        at=now,
        reason="登记",
        actor=actor,
    )
    record(
        actor=actor,
        action="party.create_member",
        target=member,
        data={"organisation": organisation.pk, "status": member.status, "source": source},
    )
    return member


@transaction.atomic
def update_member(*, actor, member: Member, changes: Mapping[str, Any]) -> Member:
    """修改党员信息: change some fields (status, dues, contact …); a change to nothing writes nothing.

    转正: a probationary member becomes full with ``status="full"`` and ``full_on``. 停止/恢复: ``is_active``.
    """
    unknown = set(changes) - MEMBER_EDITABLE
    if unknown:
        raise ValueError(f"update_member cannot change {sorted(unknown)}")
    require(actor, "party.manage_member", member)
    member = Member.objects.select_for_update().select_related("organisation__region").get(pk=member.pk)
    before = _snapshot(member)
    current = {
        field: getattr(member, field) for field in MEMBER_EDITABLE - {"grid", "resident", "user", "is_active"}
    }
    if "id_number" in changes:
        current["gender"], current["birth_date"] = "", None
    merged = {**current, **{k: v for k, v in changes.items() if k in current}}
    values = rules.clean_member_fields(**merged)
    for field, value in values.items():
        setattr(member, field, value)
    if "grid" in changes:
        _check_grid(changes["grid"])
        member.grid = changes["grid"]
    if "resident" in changes:
        member.resident = changes["resident"]
    if "user" in changes:
        user = changes["user"]
        if user is not None and user.pk != member.user_id:
            _check_login(user)
        if user is not None and Member.objects.filter(user=user).exclude(pk=member.pk).exists():
            raise ValidationFailed({"user": _("This account is already linked to another member.")})
        member.user = user
    if "is_active" in changes:
        member.is_active = bool(changes["is_active"])
    index = member.id_number_index
    if index and Member.objects.filter(id_number_index=index).exclude(pk=member.pk).exists():
        raise _duplicate()
    delta = _delta(before, _snapshot(member))
    if not delta:
        return member
    member.save()
    record(actor=actor, action="party.update_member", target=member, data={"changes": delta})
    return member


@transaction.atomic
def transfer_member(*, actor, member: Member, to_organisation: PartyOrganisation, reason: str = "") -> Member:
    """组织关系转接: move a member to another organisation; the history keeps every move.

    The sending side (the actor's area) starts the transfer; the member then appears in the receiving
    organisation's area. Moving a member to the organisation they are in changes nothing.
    """
    require(actor, "party.manage_member", member)
    if not to_organisation.is_active:
        raise ValidationFailed({"to_organisation": _("This party organisation is no longer active.")})
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed({"reason": _("This text is too long.")})
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.organisation_id == to_organisation.pk:
        return member
    old = member.organisation_id
    now = timezone.now()
    changed = Member.objects.filter(pk=member.pk, organisation_id=old).update(
        organisation=to_organisation, region_path=to_organisation.region_path, updated_at=now
    )
    if changed != 1:
        raise Conflict()
    MemberTransfer.objects.create(
        member=member,
        from_organisation_id=old,
        to_organisation=to_organisation,
        at=now,
        reason=reason,
        actor=actor,
    )
    member.refresh_from_db()
    record(
        actor=actor,
        action="party.transfer_member",
        target=member,
        data={"from": old, "to": to_organisation.pk},
        reason=reason,
    )
    return member


@transaction.atomic
def reveal_member_pii(*, actor, member: Member, field: str) -> str:
    """显示完整号码: a member's plaintext phone or ID number, for a user allowed to unmask; audited."""
    action = REVEALABLE.get(field)
    if action is None:
        raise ValidationFailed({"field": _("This field cannot be revealed.")})
    require(actor, "party.reveal_pii", member)
    record(actor=actor, action=action, target=member, data={"field": field})
    return getattr(member, field) or ""
