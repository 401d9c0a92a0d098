"""Where a member may act for themselves: the communities they live or serve in, or registered with."""

from __future__ import annotations

from ..choices import RegistrationStatus
from ..models import DualRegistration, Member
from ..rules import community_path_of, member_home_grid


def member_reach_paths(member: Member) -> tuple[str, ...]:
    """Community-level region paths a member may claim tasks and wishes in.

    The community of their own organisation (when it sits on a community or grid), every community that
    approved their dual registration, and — for members who are not in-service members — the community
    of the grid they live in. An in-service member serves where they live only after registering there
    (双报到), so the community knows who they are.
    """
    paths: set[str] = set()
    grid = member_home_grid(member)
    if grid is not None and not member.is_in_service:
        paths.add(community_path_of(grid.path))
    org_path = member.organisation.region_path
    if org_path.count("/") >= 3:
        paths.add(community_path_of(org_path))
    paths.update(
        DualRegistration.objects.filter(member=member, status=RegistrationStatus.APPROVED).values_list(
            "region_path", flat=True
        )
    )
    return tuple(sorted(paths))


def unit_reach_paths(unit) -> tuple[str, ...]:
    """Community-level paths a unit's organisation may claim wishes in: its own and its registrations."""
    paths = {community_path_of(unit.region_path)} if unit.region_path.count("/") >= 3 else set()
    paths.update(
        DualRegistration.objects.filter(unit=unit, status=RegistrationStatus.APPROVED).values_list(
            "region_path", flat=True
        )
    )
    return tuple(sorted(paths))
