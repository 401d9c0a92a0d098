"""Scope: a branch secretary sees only their branch; the community secretary the whole committee."""

from __future__ import annotations

import pytest

from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.party import selectors, services

from . import factories as f


def test_branch_secretary_sees_only_their_branch(world, pw):
    organisations = {o.code for o in selectors.organisations_visible_to(pw.secretary_a)}
    assert organisations == {"ZB001A", "XZ001A1"}  # not the enterprise branch located in grid A
    names = {m.name for m in selectors.members_visible_to(pw.secretary_a)}
    assert "郭志明" in names and "蔡丽" not in names
    with pytest.raises(NotFound):
        selectors.get_member(user=pw.secretary_a, pk=pw.member_b.pk)
    with pytest.raises(NotFound):
        selectors.get_organisation(user=pw.secretary_a, pk=pw.branch_b.pk)


def test_neighbouring_branch_secretary_cannot_see_or_change_grid_a(world, pw):
    assert {m.name for m in selectors.members_visible_to(pw.secretary_b)} == {"蔡丽"}
    with pytest.raises(PermissionDenied):
        services.update_member(actor=pw.secretary_b, member=pw.member_a, changes={"work_unit": "某单位"})
    with pytest.raises(PermissionDenied):
        f.member(pw.branch_a, actor=pw.secretary_b)


def test_community_secretary_sees_every_branch_of_the_committee(world, pw):
    codes = {o.code for o in selectors.organisations_visible_to(pw.community_secretary)}
    assert {"DW001", "ZB001A", "XZ001A1", "ZB001B", "FG001"} <= codes
    assert "ZB002C" not in codes and "JG001CG" not in codes
    names = {m.name for m in selectors.members_visible_to(pw.community_secretary)}
    assert {"郭志明", "蔡丽"} <= names and "邓强" not in names


def test_member_sees_only_their_own_record(world, pw):
    assert selectors.get_my_member(pw.member_a_user) == pw.member_a
    with pytest.raises(PermissionDenied):
        selectors.members_visible_to(pw.member_a_user)


def test_tree_roots_are_the_top_of_the_users_area(world, pw):
    roots = selectors.organisation_tree(pw.community_secretary)
    assert [r.organisation.code for r in roots] == ["DW001"]
    children = {c.organisation.code for c in roots[0].children}
    assert children == {"ZB001A", "ZB001B", "FG001"}
    assert [r.organisation.code for r in selectors.organisation_tree(pw.secretary_a)] == ["ZB001A"]
