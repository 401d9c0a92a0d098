"""任职: appointing a branch secretary gives the linked account the party secretary role, leaving takes it."""

from __future__ import annotations

from datetime import date

import pytest

from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.scoping import require
from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import PermissionDenied
from gongzhi.party import services

from . import factories as f


def _secretary_roles(user):
    return RoleAssignment.objects.filter(user=user, role__code="party_secretary")


def test_a_secretary_linked_to_an_account_gets_the_role_over_the_branchs_grid(world, pw):
    assert not _secretary_roles(pw.member_a_user).exists()

    services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_a,
        member=pw.member_a,
        position="secretary",
        term_start=date(2026, 11, 1),
    )

    (assignment,) = _secretary_roles(pw.member_a_user)
    assert assignment.region == world.grid_a
    require(pw.member_a_user, "party.manage_organisation", pw.branch_a)  # does not raise
    with pytest.raises(PermissionDenied):
        require(pw.member_a_user, "party.manage_organisation", pw.branch_b)
    assert AuditEvent.objects.filter(action="accounts.assign_role", data__role="party_secretary").exists()


def test_the_role_goes_when_the_term_ends_or_a_successor_is_appointed(world, pw):
    first = services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_a,
        member=pw.member_a,
        position="secretary",
        term_start=date(2026, 1, 1),
    )
    services.end_officer_term(actor=world.admin, officer=first, left_on=date(2026, 10, 31))
    assert not _secretary_roles(pw.member_a_user).exists()
    assert AuditEvent.objects.filter(action="accounts.revoke_role", data__role="party_secretary").count() == 1

    services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_a,
        member=pw.member_a,
        position="secretary",
        term_start=date(2026, 11, 1),
    )
    successor = f.member(pw.branch_a, name="韩冬梅")
    services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_a,
        member=successor,
        position="secretary",
        term_start=date(2026, 11, 20),
    )
    assert not _secretary_roles(pw.member_a_user).exists()


def test_other_posts_and_members_without_an_account_get_no_role(world, pw):
    services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_a,
        member=pw.member_a,
        position="committee_member",
        term_start=date(2026, 11, 1),
    )
    services.appoint_officer(
        actor=world.admin,
        organisation=pw.branch_b,
        member=pw.member_b,
        position="secretary",
        term_start=date(2026, 11, 1),
    )

    assert not _secretary_roles(pw.member_a_user).exists()
    assert (
        not RoleAssignment.objects.filter(role__code="party_secretary", region=world.grid_b)
        .exclude(user=pw.secretary_b)
        .exists()
    )
