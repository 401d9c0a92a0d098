"""One scoping function: grid worker → own grid, dispatcher → own street, department → assigned only."""

from __future__ import annotations

import pytest

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import PermissionDenied
from gongzhi.regions.models import Region
from gongzhi.regions.services import create_building


def test_scope_paths(world):
    assert scope_of(world.grid_worker_a).region_paths == (world.grid_a.path,)
    assert scope_of(world.dispatcher).region_paths == (world.street.path,)
    assert scope_of(world.handler).department_ids == frozenset({world.chengguan.pk})
    assert scope_of(world.handler).region_paths == ()
    assert scope_of(world.admin).is_global
    assert scope_of(world.resident).region_paths == ()


def test_grid_worker_sees_only_own_grid(world):
    visible = set(Region.objects.in_scope(scope_of(world.grid_worker_a)).values_list("code", flat=True))
    assert visible == {world.grid_a.code}


def test_street_dispatcher_sees_own_street_subtree(world):
    visible = set(Region.objects.in_scope(scope_of(world.dispatcher)).values_list("code", flat=True))
    assert world.grid_b.code in visible and world.community.code in visible
    assert world.grid_c.code not in visible and world.other_street.code not in visible


def test_require_checks_object_scope(world):
    building = create_building(
        actor=world.grid_worker_a,
        code="B0001",
        name="幸福里1号楼",
        address="幸福里1号",
        lon=116.405,
        lat=39.905,
    )
    assert building.grid == world.grid_a
    require(world.grid_worker_a, "regions.manage_buildings", building)
    with pytest.raises(PermissionDenied):
        require(world.grid_worker_b, "regions.manage_buildings", building)


def test_grid_worker_cannot_create_building_in_neighbouring_grid(world):
    with pytest.raises(PermissionDenied):
        create_building(
            actor=world.grid_worker_a,
            code="B0002",
            name="幸福里9号楼",
            address="幸福里9号",
            lon=116.415,
            lat=39.905,
        )


def test_the_system_account_has_every_permission_and_holds_no_roles(world):
    from gongzhi.accounts.models import Permission, Role
    from gongzhi.accounts.scoping import permissions_of
    from gongzhi.accounts.services import assign_role, system_actor
    from gongzhi.core.errors import ValidationFailed

    system = system_actor()
    assert permissions_of(system) == set(Permission.objects.values_list("code", flat=True))
    assert scope_of(system).is_global
    with pytest.raises(ValidationFailed) as refused:
        assign_role(
            actor=world.admin,
            user=system,
            role=Role.objects.get(code="street_dispatcher"),
            region=world.street,
        )
    assert "系统账号" in str(refused.value.fields["user"])
    assert not system.assignments.exists()
