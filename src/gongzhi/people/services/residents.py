"""Residents: register, change, status (迁出/死亡), tags, and revealing their personal data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, ValidationFailed

from .. import history, rules
from ..choices import ChangeSource, ResidenceKind, ResidentStatus
from ..models import Household, Resident, Tag
from ._common import require_placement as _require_placement
from .households import _set_head

RESIDENT_EDITABLE: Final = frozenset(
    {
        "name",
        "id_number",
        "phone",
        "gender",
        "birth_date",
        "house",
        "grid",
        "household",
        "relation_to_head",
        "residence_kind",
    }
)

REVEALABLE: Final = {"id_number": "people.reveal_id_number", "phone": "people.reveal_phone"}


def _duplicate_id_number() -> Conflict:
    message = _("A resident with this ID number is already registered.")
    return Conflict(message, code="people.duplicate_id_number", fields={"id_number": [message]})


def _check_household(actor, household: Household | None) -> None:
    if household is not None:
        require(actor, "people.manage_resident", household)


@transaction.atomic
def create_resident(
    *,
    actor,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    house=None,
    grid=None,
    household: Household | None = None,
    relation_to_head: str = "",
    residence_kind: str = ResidenceKind.REGISTERED,
    status: str = ResidentStatus.ACTIVE,
    tags: Iterable[Tag] = (),
    source: str = ChangeSource.MANUAL,
    source_ref: str = "",
) -> Resident:
    """登记居民: register a person living in a house (or at least a grid) of the actor's area.

    The ID number is checked (GB 11643) and gives the birth date and gender. Registering the same ID
    number again with the same data returns the existing resident (a safe retry); with other data it is
    a ``Conflict``.
    """
    require(actor, "people.manage_resident")
    values = rules.clean_resident_fields(
        name=name,
        id_number=id_number,
        phone=phone,
        gender=gender,
        birth_date=birth_date,
        residence_kind=residence_kind,
        status=status,
        relation_to_head=relation_to_head,
        house=house,
        grid=grid,
    )
    _require_placement(actor, values["region_path"])
    _check_household(actor, household)
    tags = _active_tags(tags)
    resident = Resident(household=household, source=source, **values)
    resident.full_clean(exclude=["id_number", "phone"], validate_constraints=False)
    after = history.resident_snapshot(resident, tags=[t.name for t in tags])
    if values["id_number_index"]:
        existing = _resident_by_index(values["id_number_index"])
        if existing is not None:
            return _replay_or_conflict(actor, existing, after)
    try:
        with transaction.atomic():
            resident.save(force_insert=True)
    except IntegrityError:
        existing = _resident_by_index(values["id_number_index"])
        if existing is None:
            raise
        return _replay_or_conflict(actor, existing, after)
    if tags:
        resident.tags.add(*tags)
    if (
        household is not None
        and household.head_id is None
        and values["relation_to_head"] in rules.HEAD_RELATIONS
    ):
        _set_head(actor, household, resident, source=source, source_ref=source_ref)
    changes = history.diff({}, after)
    history.log_change(
        actor=actor,
        target_type=history.RESIDENT,
        target_id=resident.pk,
        action="create",
        changes=changes,
        source=source,
        source_ref=source_ref,
    )
    record(
        actor=actor,
        action="people.create_resident",
        target=resident,
        data={"grid": values["grid"].code, "fields": sorted(changes), "source": source},
    )
    return resident


def _resident_by_index(index: str) -> Resident | None:
    return (
        Resident.objects.filter(id_number_index=index)
        .select_related("house__building", "grid", "household")
        .defer("grid__boundary")
        .first()
    )


def _replay_or_conflict(actor, existing: Resident, wanted: dict) -> Resident:
    if (
        rules.placement_allowed(scope_of(actor), existing.region_path)
        and history.resident_snapshot(existing) == wanted
    ):
        return existing
    raise _duplicate_id_number()


def _active_tags(tags: Iterable[Tag]) -> list[Tag]:
    """The given tags, re-read from the database; a retired (inactive) tag is refused."""
    wanted = {t.pk for t in tags}
    active = list(Tag.objects.filter(pk__in=wanted, is_active=True).order_by("code"))
    if len(active) != len(wanted):
        raise ValidationFailed({"tags": _("This tag is no longer in use.")})
    return active


@transaction.atomic
def update_resident(
    *,
    actor,
    resident: Resident,
    changes: Mapping[str, Any],
    source: str = ChangeSource.MANUAL,
    source_ref: str = "",
) -> Resident:
    """修改居民信息: change some fields; the history keeps old and new values (personal data as "changed").

    Changing the house without naming a grid takes the house's grid; changing the ID number without
    gender or birth date derives them again. A change that leaves everything as it was writes nothing.
    """
    unknown = set(changes) - RESIDENT_EDITABLE
    if unknown:
        raise ValueError(f"update_resident cannot change {sorted(unknown)}")
    require(actor, "people.manage_resident", resident)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = history.resident_snapshot(resident)
    current = {
        "name": resident.name,
        "id_number": resident.id_number,
        "phone": resident.phone,
        "gender": resident.gender,
        "birth_date": resident.birth_date,
        "house": resident.house,
        "grid": resident.grid,
        "relation_to_head": resident.relation_to_head,
        "residence_kind": resident.residence_kind,
        "household": resident.household,
    }
    if "house" in changes and "grid" not in changes:
        current["grid"] = None
    if "id_number" in changes:
        current["gender"], current["birth_date"] = "", None
    merged = {**current, **changes}
    household = merged.pop("household")
    values = rules.clean_resident_fields(status=resident.status, **merged)
    _require_placement(actor, values["region_path"])
    if household is not None and household.pk != resident.household_id:
        _check_household(actor, household)
    index = values["id_number_index"]
    if index and Resident.objects.filter(id_number_index=index).exclude(pk=resident.pk).exists():
        raise _duplicate_id_number()
    for field, value in values.items():
        setattr(resident, field, value)
    resident.household = household
    after = history.resident_snapshot(resident)
    delta = history.diff(before, after)
    if not delta:
        return resident
    resident.save()
    if (
        household is not None
        and household.head_id is None
        and resident.relation_to_head in rules.HEAD_RELATIONS
    ):
        _set_head(actor, household, resident, source=source, source_ref=source_ref)
    history.log_change(
        actor=actor,
        target_type=history.RESIDENT,
        target_id=resident.pk,
        action="update",
        changes=delta,
        source=source,
        source_ref=source_ref,
    )
    record(actor=actor, action="people.update_resident", target=resident, data={"changes": delta})
    return resident


@transaction.atomic
def set_resident_status(
    *,
    actor,
    resident: Resident,
    status: str,
    reason: str = "",
    source: str = ChangeSource.MANUAL,
    source_ref: str = "",
) -> Resident:
    """迁出/死亡登记: mark a resident as moved out, deceased, or living here again (compare-and-set)."""
    require(actor, "people.manage_resident", resident)
    resident.refresh_from_db(fields=["status"])
    old = resident.status
    rules.check_status_move(old, status)
    if old == status:
        return resident
    changed = Resident.objects.filter(pk=resident.pk, status=old).update(
        status=status, updated_at=timezone.now()
    )
    if changed != 1:
        raise Conflict()
    resident.refresh_from_db()
    delta = {"status": {"old": old, "new": status}}
    history.log_change(
        actor=actor,
        target_type=history.RESIDENT,
        target_id=resident.pk,
        action="status",
        changes=delta,
        source=source,
        source_ref=source_ref or reason[:200],
    )
    record(actor=actor, action="people.set_resident_status", target=resident, data=delta, reason=reason)
    return resident


@transaction.atomic
def tag_resident(
    *, actor, resident: Resident, tag: Tag, source: str = ChangeSource.MANUAL, source_ref: str = ""
) -> Resident:
    """加标签: put a care tag (独居老人, 低保户 …) on a resident; a repeat changes nothing."""
    require(actor, "people.manage_resident", resident)
    (tag,) = _active_tags([tag])
    names = sorted(resident.tags.values_list("name", flat=True))
    if tag.name in names:
        return resident
    resident.tags.add(tag)
    _log_tags(actor, resident, names, sorted([*names, tag.name]), source, source_ref)
    record(actor=actor, action="people.tag_resident", target=resident, data={"tag": tag.code})
    return resident


@transaction.atomic
def untag_resident(
    *, actor, resident: Resident, tag: Tag, source: str = ChangeSource.MANUAL, source_ref: str = ""
) -> Resident:
    """去标签: remove a tag from a resident; removing an absent tag changes nothing."""
    require(actor, "people.manage_resident", resident)
    names = sorted(resident.tags.values_list("name", flat=True))
    if tag.name not in names:
        return resident
    resident.tags.remove(tag)
    _log_tags(actor, resident, names, [n for n in names if n != tag.name], source, source_ref)
    record(actor=actor, action="people.untag_resident", target=resident, data={"tag": tag.code})
    return resident


def _log_tags(actor, resident, old: list[str], new: list[str], source: str, source_ref: str) -> None:
    Resident.objects.filter(pk=resident.pk).update(updated_at=timezone.now())
    history.log_change(
        actor=actor,
        target_type=history.RESIDENT,
        target_id=resident.pk,
        action="update",
        changes={"tags": {"old": old, "new": new}},
        source=source,
        source_ref=source_ref,
    )


@transaction.atomic
def reveal_resident_pii(*, actor, resident: Resident, field: str) -> str:
    """显示完整号码: the plaintext ID number or phone of a resident, for a user allowed to unmask; audited."""
    action = REVEALABLE.get(field)
    if action is None:
        raise ValidationFailed({"field": _("This field cannot be revealed.")})
    require(actor, "people.reveal_pii", resident)
    record(actor=actor, action=action, target=resident, data={"field": field})
    return getattr(resident, field) or ""
