"""Households (户): register a household and choose its head."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import ValidationFailed

from .. import history, rules
from ..choices import ChangeSource
from ..models import Household, Resident
from ._common import require_placement as _require_placement


@transaction.atomic
def create_household(
    *, actor, number: str, house=None, grid=None, source: str = ChangeSource.MANUAL, source_ref: str = ""
) -> Household:
    """立户: register a household (户) living in a house; its members join through ``update_resident``."""
    require(actor, "people.manage_resident")
    number = (number or "").strip()
    errors = rules.FieldErrors()
    if not number:
        errors.add({"number": _("Enter the household number.")})
    elif len(number) > 40:
        errors.add({"number": _("This text is too long.")})
    placement = errors.check(rules.resolve_placement, grid=grid, house=house)
    errors.raise_if_any()
    grid, path = placement
    _require_placement(actor, path)
    if Household.objects.filter(number=number).exists():
        raise ValidationFailed({"number": _("A household with this number already exists.")})
    household = Household(number=number, house=house, grid=grid, region_path=path)
    household.full_clean()
    household.save()
    changes = history.diff({}, history.household_snapshot(household))
    history.log_change(
        actor=actor,
        target_type=history.HOUSEHOLD,
        target_id=household.pk,
        action="create",
        changes=changes,
        source=source,
        source_ref=source_ref,
    )
    record(actor=actor, action="people.create_household", target=household, data={"grid": grid.code})
    return household


@transaction.atomic
def set_household_head(
    *, actor, household: Household, head: Resident, source: str = ChangeSource.MANUAL, source_ref: str = ""
) -> Household:
    """定户主: make a member of the household its head; naming the current head again changes nothing."""
    require(actor, "people.manage_resident", household)
    if head.household_id != household.pk:
        raise ValidationFailed({"head": _("The head of household must be a member of the household.")})
    if household.head_id == head.pk:
        return household
    return _set_head(actor, household, head, source=source, source_ref=source_ref)


def _set_head(actor, household: Household, head: Resident, *, source: str, source_ref: str) -> Household:
    old = household.head.name if household.head_id else None
    Household.objects.filter(pk=household.pk).update(head=head, updated_at=timezone.now())
    household.head = head
    delta = {"head": {"old": old, "new": head.name}}
    history.log_change(
        actor=actor,
        target_type=history.HOUSEHOLD,
        target_id=household.pk,
        action="update",
        changes=delta,
        source=source,
        source_ref=source_ref,
    )
    record(actor=actor, action="people.set_household_head", target=household, data={"head": head.pk})
    return household
