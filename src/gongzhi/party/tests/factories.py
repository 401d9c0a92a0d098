"""党建测试数据: an organisation tree on the test world, secretaries, members — built through the services.

``party_world(world)`` extends ``core.testing.build_world``:

* 幸福里社区党委 (community committee on 幸福里社区) with 幸福里第一网格党支部 (grid A, and its
  第一党小组) and 幸福里第二网格党支部 (grid B); 朝晖社区党委 with 朝晖第一网格党支部 (grid C);
* 区直机关工委 (district) with 区城管委机关党支部 (the 城管 department's branch, in-service members);
* an enterprise branch in grid A bound to a registered enterprise;
* secretaries with the party_secretary role: 张红梅 (community), 马红 (grid A), 宋伟 (grid B);
* members: 郭志明 (grid A branch, login ``member_a``), 蔡丽 (grid B branch), 邓强 (in-service, 城管委
  branch, lives in grid A, login ``in_service``).

Names are Chinese, ID numbers valid (GB 11643), phones 11 digits; randomness is seeded.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from faker import Faker

from gongzhi.accounts.models import Role
from gongzhi.accounts.services import assign_role, create_user, system_actor
from gongzhi.core.testing import PASSWORD
from gongzhi.core.validators import make_credit_code, make_id_number
from gongzhi.party import services

fake = Faker("zh_CN")
fake.seed_instance(4242)
_counter = itertools.count(1)


def id_number(birth: date | None = None) -> str:
    n = next(_counter)
    return make_id_number("110105", birth or date(1960 + n % 40, 1 + n % 12, 1 + n % 28), (n * 7) % 999 + 1)


def mobile() -> str:
    n = next(_counter)
    return f"139{(n * 7919) % 10**8:08d}"


def user(username: str, name: str, role: str, *, region=None, department=None):
    account = create_user(
        actor=None, username=username, password=PASSWORD, display_name=name, phone=mobile(), is_staff=True
    )
    assign_role(
        actor=None, user=account, role=Role.objects.get(code=role), region=region, department=department
    )
    return account


def organisation(parent, code: str, name: str, kind: str, sector: str, region=None, **extra):
    return services.create_organisation(
        actor=system_actor(),
        code=code,
        name=name,
        kind=kind,
        sector=sector,
        parent=parent,
        region=region,
        **extra,
    )


def member(organisation, *, name: str | None = None, actor=None, **fields):
    fields.setdefault("id_number", id_number())
    fields.setdefault("phone", mobile())
    fields.setdefault("joined_on", date(2008, 7, 1))
    return services.create_member(
        actor=actor or system_actor(), organisation=organisation, name=name or fake.name(), **fields
    )


def members(n: int, organisation, **fields) -> list:
    return [member(organisation, **fields) for _ in range(n)]


@dataclass
class PartyWorld:
    committee: object
    branch_a: object
    group_a1: object
    branch_b: object
    other_committee: object
    branch_c: object
    agency_committee: object
    agency_branch: object
    enterprise: object
    enterprise_branch: object
    community_secretary: object
    secretary_a: object
    secretary_b: object
    member_a: object
    member_a_user: object
    member_b: object
    in_service: object
    in_service_user: object


def party_world(world) -> PartyWorld:
    from gongzhi.people.services import create_organisation as create_unit

    committee = organisation(None, "DW001", "幸福里社区党委", "committee", "region", world.community)
    branch_a = organisation(committee, "ZB001A", "幸福里第一网格党支部", "branch", "grid", world.grid_a)
    group_a1 = organisation(branch_a, "XZ001A1", "幸福里第一网格第一党小组", "group", "grid", world.grid_a)
    branch_b = organisation(committee, "ZB001B", "幸福里第二网格党支部", "branch", "grid", world.grid_b)
    other = organisation(None, "DW002", "朝晖社区党委", "committee", "region", world.other_community)
    branch_c = organisation(other, "ZB002C", "朝晖第一网格党支部", "branch", "grid", world.grid_c)
    agency = organisation(
        None,
        "JG001",
        "向阳区直机关工委",
        "committee",
        "institution",
        world.district,
        department=world.chengguan,
    )
    agency_branch = organisation(
        agency, "JG001CG", "区城管委机关党支部", "branch", "institution", department=world.chengguan
    )
    enterprise = create_unit(
        actor=system_actor(),
        name="向阳幸福里物业服务有限公司",
        kind="enterprise",
        credit_code=make_credit_code("110199", 7001),
        grid=world.grid_a,
    )
    enterprise_branch = organisation(
        committee, "FG001", "幸福里物业公司党支部", "branch", "enterprise", unit=enterprise
    )

    community_secretary = user("party_secretary", "张红梅", "party_secretary", region=world.community)
    secretary_a = user("secretary_a", "马红", "party_secretary", region=world.grid_a)
    secretary_b = user("secretary_b", "宋伟", "party_secretary", region=world.grid_b)
    member_a_user = user("member_a", "郭志明", "party_member")
    in_service_user = user("in_service", "邓强", "party_member")
    member_a = member(branch_a, name="郭志明", user=member_a_user)
    member_b = member(branch_b, name="蔡丽")
    in_service = member(
        agency_branch,
        name="邓强",
        user=in_service_user,
        is_in_service=True,
        work_unit="区城市管理委员会",
        grid=world.grid_a,
    )
    services.install_default_points_rules(actor=system_actor())
    return PartyWorld(
        committee=committee,
        branch_a=branch_a,
        group_a1=group_a1,
        branch_b=branch_b,
        other_committee=other,
        branch_c=branch_c,
        agency_committee=agency,
        agency_branch=agency_branch,
        enterprise=enterprise,
        enterprise_branch=enterprise_branch,
        community_secretary=community_secretary,
        secretary_a=secretary_a,
        secretary_b=secretary_b,
        member_a=member_a,
        member_a_user=member_a_user,
        member_b=member_b,
        in_service=in_service,
        in_service_user=in_service_user,
    )


def household(world, number: str, *, grid=None, head_name: str = "王德福"):
    """A household with a head in ``grid`` (grid A by default), through the people services."""
    from gongzhi.people.services import create_household, create_resident

    actor = system_actor()
    household_ = create_household(actor=actor, number=number, grid=grid or world.grid_a)
    create_resident(
        actor=actor,
        name=head_name,
        id_number=id_number(date(1948, 3, 5)),
        phone=mobile(),
        grid=grid or world.grid_a,
        household=household_,
        relation_to_head="户主",
    )
    household_.refresh_from_db()
    return household_
