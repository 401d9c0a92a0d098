"""Writes of the organisation tree: organisations and officers with terms."""

from __future__ import annotations

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Role
from gongzhi.accounts.scoping import require
from gongzhi.accounts.services import assign_role, revoke_role
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, ValidationFailed

from .. import rules
from ..choices import UNIT_SECTORS, OrganisationKind, Position
from ..models import Member, Officer, PartyOrganisation
from .common import require_placement

_CODE_RE = re.compile(r"[A-Za-z0-9_-]{2,40}")
SECRETARY_ROLE = "party_secretary"


def _secretary_role_target(officer: Officer):
    """(user, region) that a secretary post gives the ``party_secretary`` role over, or ``None``.

    Only a secretary whose member record is linked to an account, of an organisation placed on a region
    node, gets the role (an organisation in a unit has no area of its own to lead).
    """
    organisation = officer.organisation
    user = officer.member.user
    if officer.position != Position.SECRETARY or user is None or organisation.region_id is None:
        return None
    return user, organisation.region


def _grant_secretary_role(officer: Officer) -> None:
    target = _secretary_role_target(officer)
    if target is not None:
        user, region = target
        assign_role(actor=None, user=user, role=Role.objects.get(code=SECRETARY_ROLE), region=region)


def _revoke_secretary_role(officer: Officer) -> None:
    """Take the role back unless the account still holds another secretary post over the same region."""
    target = _secretary_role_target(officer)
    if target is None:
        return
    user, region = target
    still = (
        Officer.objects.filter(
            position=Position.SECRETARY,
            left_on__isnull=True,
            member__user=user,
            organisation__region=region,
        )
        .exclude(pk=officer.pk)
        .exists()
    )
    if not still:
        revoke_role(actor=None, user=user, role=Role.objects.get(code=SECRETARY_ROLE), region=region)


@transaction.atomic
def create_organisation(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    sector: str,
    parent: PartyOrganisation | None = None,
    region=None,
    unit=None,
    department=None,
    founded_on: date | None = None,
    sort_order: int = 0,
) -> PartyOrganisation:
    """建立党组织: a committee, general branch, branch or group on a region node or in a unit.

    A unit's organisation without an explicit node is built on the unit's grid. The same code with the
    same data again returns the existing organisation (a safe retry); with other data it is a ``Conflict``.
    """
    require(actor, "party.manage_organisation")
    code = (code or "").strip().upper()
    name = " ".join((name or "").split())
    errors = rules.FieldErrors()
    if not _CODE_RE.fullmatch(code):
        errors.add({"code": _("The code may contain only letters, digits, - and _ (2 to 40).")})
    if not name:
        errors.add({"name": _("Enter the organisation's name.")})
    elif len(name) > 120:
        errors.add({"name": _("The name is too long.")})
    if region is None and unit is not None:
        region = unit.grid
    if region is None and department is not None:
        region = department.region
    errors.check(
        rules.check_organisation_placement,
        kind=kind,
        sector=sector,
        parent=parent,
        region=region,
        unit=unit,
        department=department,
    )
    errors.raise_if_any()
    # A unit's organisation is led by its higher organisation, so it lies in that organisation's area
    # (an enterprise branch in grid A belongs to the community committee, not to grid A's branch).
    path = parent.region_path if parent is not None and sector in UNIT_SECTORS else region.path
    require_placement(actor, path)
    if parent is not None:
        require(actor, "party.manage_organisation", parent)  # only under an organisation the actor leads
    existing = PartyOrganisation.objects.filter(code=code).first()
    if existing is not None:
        same = (existing.name, existing.kind, existing.parent_id, existing.region_id) == (
            name,
            kind,
            parent.pk if parent else None,
            region.pk,
        )
        if same:
            return existing
        raise Conflict(_("A party organisation with this code already exists."), code="party.duplicate_code")
    organisation = PartyOrganisation(
        code=code,
        name=name,
        kind=kind,
        sector=sector,
        parent=parent,
        tree_path=(parent.tree_path if parent else "") + code + "/",
        region=region,
        region_path=path,
        unit=unit,
        department=department,
        founded_on=founded_on,
        sort_order=sort_order,
    )
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            organisation.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            _("A party organisation with this code already exists."), code="party.duplicate_code"
        ) from None
    record(
        actor=actor,
        action="party.create_organisation",
        target=organisation,
        data={"kind": kind, "sector": sector, "parent": parent.pk if parent else None, "region": region.code},
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, actor, organisation: PartyOrganisation, name: str | None = None, is_active: bool | None = None
) -> PartyOrganisation:
    """修改/撤销党组织: rename, or close an organisation without active members or sub-organisations."""
    require(actor, "party.manage_organisation", organisation)
    organisation = PartyOrganisation.objects.select_for_update().get(pk=organisation.pk)
    changes: dict = {}
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 120:
            raise ValidationFailed({"name": _("Enter the organisation's name.")})
        if name != organisation.name:
            changes["name"] = {"old": organisation.name, "new": name}
            organisation.name = name
    if is_active is not None and is_active != organisation.is_active:
        if not is_active:
            busy = (
                Member.objects.filter(organisation=organisation, is_active=True).exists()
                or PartyOrganisation.objects.filter(parent=organisation, is_active=True).exists()
            )
            if busy:
                raise ValidationFailed(
                    {"is_active": _("Transfer its members and close its sub-organisations first.")}
                )
        changes["is_active"] = {"old": organisation.is_active, "new": is_active}
        organisation.is_active = is_active
    if not changes:
        return organisation
    organisation.save(update_fields=["name", "is_active", "updated_at"])
    record(actor=actor, action="party.update_organisation", target=organisation, data={"changes": changes})
    return organisation


@transaction.atomic
def appoint_officer(
    *,
    actor,
    organisation: PartyOrganisation,
    member: Member,
    position: str,
    term_start: date,
    term_end: date | None = None,
) -> Officer:
    """任职: a member takes a post in the organisation's committee for a term.

    The officer must be a member of the organisation or of one of its sub-organisations. Appointing a
    new secretary ends the current secretary's term on the new term's first day. Appointing the same
    member to a post they hold already changes nothing. A secretary linked to an account gets the
    ``party_secretary`` role over the organisation's region node; it goes when the term ends.
    """
    require(actor, "party.manage_organisation", organisation)
    if position not in Position.values:
        raise ValidationFailed({"position": _("Choose one of the allowed values.")})
    if position == Position.GROUP_LEADER and organisation.kind != OrganisationKind.GROUP:
        raise ValidationFailed({"position": _("Only a party group has a group leader.")})
    if not member.is_active or not member.organisation.tree_path.startswith(organisation.tree_path):
        raise ValidationFailed({"member": _("The officer must be a member of this organisation.")})
    if term_end is not None and term_end <= term_start:
        raise ValidationFailed({"term_end": _("The term must end after it starts.")})
    current = Officer.objects.select_for_update().filter(
        organisation=organisation, position=position, left_on__isnull=True
    )
    if current.filter(member=member).exists():
        return current.get(member=member)
    if position == Position.SECRETARY:
        for old in current:
            Officer.objects.filter(pk=old.pk).update(left_on=term_start, updated_at=timezone.now())
            _revoke_secretary_role(old)
            record(
                actor=actor,
                action="party.end_officer_term",
                target=old,
                data={"member": old.member_id, "left_on": term_start},
            )
    officer = Officer.objects.create(
        organisation=organisation,
        member=member,
        position=position,
        term_start=term_start,
        term_end=term_end,
        appointed_by=actor,
    )
    record(
        actor=actor,
        action="party.appoint_officer",
        target=officer,
        data={"member": member.pk, "position": position, "term_start": term_start, "term_end": term_end},
    )
    _grant_secretary_role(officer)
    return officer


@transaction.atomic
def end_officer_term(*, actor, officer: Officer, left_on: date | None = None) -> Officer:
    """离任: the officer leaves the post (a repeat changes nothing)."""
    require(actor, "party.manage_organisation", officer.organisation)
    if officer.left_on is not None:
        return officer
    left_on = left_on or timezone.localdate()
    if left_on < officer.term_start:
        raise ValidationFailed({"left_on": _("The date cannot be before the term started.")})
    changed = Officer.objects.filter(pk=officer.pk, left_on__isnull=True).update(
        left_on=left_on, updated_at=timezone.now()
    )
    officer.refresh_from_db()
    if changed:
        _revoke_secretary_role(officer)
        record(
            actor=actor,
            action="party.end_officer_term",
            target=officer,
            data={"member": officer.member_id, "left_on": left_on},
        )
    return officer
