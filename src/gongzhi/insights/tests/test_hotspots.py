"""热点榜 and 未诉先办: hotspots over the user's own cases, one proactive case per hotspot."""

from __future__ import annotations

import dataclasses

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.insights.models import HotspotSnapshot
from gongzhi.insights.selectors import get_hotspot, hotspot_list, hotspots_for, proactive_link_for
from gongzhi.insights.services import create_proactive_case, refresh_hotspot_snapshots

MARKET = [
    ("幸福里小区南门早市占道经营", "每天早上南门外人行道上全是卖菜的摊子，轮椅过不去，希望管一管。"),
    ("幸福里小区南门早市占道经营严重", "南门早市摊贩把人行道占满了，老人买菜只能走机动车道，太危险。"),
    ("南门早市又占道经营了", "幸福里小区南门外早市摊位越摆越多，占道经营问题一直没解决。"),
]


@pytest.fixture
def market_cases(world):
    return [
        f.submitted_case(world, title=t, description=d, address="幸福里小区南门", reporter_user=None)
        for t, d in MARKET
    ]


@pytest.fixture
def other_street_case(world):
    return f.submitted_case(
        world,
        grid="c",
        title="朝晖小区南门早市占道经营",
        description="朝晖小区南门早市占道，人行道走不了。",
        reporter_user=None,
    )


def test_hotspot_groups_the_market_complaints_for_the_street_leader(world, leader, market_cases):
    rows = hotspots_for(leader)
    assert rows, "the three market complaints form a hotspot"
    top = rows[0]
    assert set(top.member_ids) == {c.pk for c in market_cases}
    assert top.rank == 1 and top.heat > 0 and top.reporters == 3
    assert "早市" in top.summary
    assert top.key == f"hotspot-{min(c.pk for c in market_cases)}"


def test_a_hotspot_without_a_place_in_its_words_shows_where_its_cases_are(world, leader):
    """Four residents of one building copy one title and give only flat numbers: the grid is the place."""
    heating = [
        f.submitted_case(
            world,
            title="暖气不热室温只有14度",
            description="家里暖气片一直是凉的，老人孩子冻得睡不着，请供热公司来看看。",
            address=f"3号楼{unit}单元{flat}",
            reporter_user=None,
        )
        for unit, flat in ((1, 301), (1, 502), (2, 402), (3, 601))
    ]

    (row,) = [r for r in hotspots_for(leader) if set(r.member_ids) == {c.pk for c in heating}]
    assert row.place == world.grid_a.name  # not a piece of the title, not empty


def test_the_same_complaint_in_two_communities_of_one_street_is_two_hotspots(world, leader):
    """Two estates of one street each have a night market at the gate: two problems, two places."""
    from gongzhi.accounts.services import system_actor
    from gongzhi.core.testing import square
    from gongzhi.regions.services import create_region

    guangming = create_region(
        actor=system_actor(),
        code="110199001002",
        name="光明社区",
        level="community",
        parent=world.street,
        boundary=square(116.40, 39.91, 0.02),
    )
    create_region(
        actor=system_actor(),
        code="110199001002001",
        name="光明第一网格",
        level="grid",
        parent=guangming,
        boundary=square(116.40, 39.91, 0.02),
    )
    title, text = "小区门口夜市占道经营", "每天晚上小区门口夜市摊位占满人行道，油烟噪音扰民，希望管一管。"
    xingfu = [
        f.submitted_case(world, title=title, description=text, address="", reporter_user=None)
        for _ in range(2)
    ]
    there = [
        f.submitted_case(
            world, title=title, description=text, address="", reporter_user=None, lon=116.405, lat=39.915
        )
        for _ in range(2)
    ]
    assert {c.region_path for c in there} != {c.region_path for c in xingfu}

    groups = [set(row.member_ids) for row in hotspots_for(leader)]
    assert {c.pk for c in xingfu} in groups
    assert {c.pk for c in there} in groups


def test_hotspots_never_show_cases_of_another_street(
    world, leader, other_leader, market_cases, other_street_case
):
    for row in hotspots_for(other_leader):
        assert not set(row.member_ids) & {c.pk for c in market_cases}
    for row in hotspots_for(leader):
        assert other_street_case.pk not in row.member_ids
    with pytest.raises(NotFound):
        get_hotspot(user=other_leader, key=f"hotspot-{min(c.pk for c in market_cases)}")


def test_hotspots_need_the_permission(world, market_cases):
    assert hotspots_for(world.grid_worker_a) == []
    assert hotspots_for(world.handler) == []


def test_proactive_case_from_a_hotspot_is_made_once(world, leader, market_cases):
    hotspot = hotspots_for(leader)[0]
    first = create_proactive_case(actor=leader, hotspot=hotspot)
    second = create_proactive_case(actor=leader, hotspot=hotspots_for(leader)[0])
    assert first.pk == second.pk and first.case_id == second.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.channel == Channel.PROACTIVE
    assert case.idempotency_key == hotspot.key
    assert case.submitted_by == leader
    assert case.grid == world.grid_a
    assert "未诉先办" in case.tags
    assert all(c.number in case.description for c in market_cases)
    assert Case.objects.filter(channel=Channel.PROACTIVE).count() == 1
    assert AuditEvent.objects.filter(action="insights.create_proactive_case").count() == 1
    # the list now shows the link instead of the button, and the proactive case is no hotspot member
    row = hotspots_for(leader)[0]
    assert row.proactive is not None and row.proactive.case_id == case.pk
    assert case.pk not in row.member_ids


def test_the_same_problem_under_another_key_gets_the_case_already_made(world, leader, market_cases):
    hotspot = hotspots_for(leader)[0]
    made = create_proactive_case(actor=leader, hotspot=hotspot)
    # the 7-day list, or the 30-day list once the oldest report has aged out, keys the group by its
    # oldest remaining member: another key for the same reports
    later = dataclasses.replace(
        hotspot, key=f"hotspot-{market_cases[1].pk}", member_ids=hotspot.member_ids[1:]
    )

    again = create_proactive_case(actor=leader, hotspot=later)

    assert again.pk == made.pk
    assert Case.objects.filter(channel=Channel.PROACTIVE).count() == 1
    assert proactive_link_for(later.key, later.member_ids).pk == made.pk


def test_a_second_person_clicking_gets_the_same_case(world, leader, market_cases):
    hotspot = hotspots_for(leader)[0]
    made = create_proactive_case(actor=leader, hotspot=hotspot)
    again = create_proactive_case(actor=world.dispatcher, hotspot=hotspots_for(world.dispatcher)[0])
    assert again.case_id == made.case_id


def test_roles_without_the_permission_cannot_make_proactive_cases(world, leader, market_cases):
    hotspot = hotspots_for(leader)[0]
    with pytest.raises(PermissionDenied):
        create_proactive_case(actor=world.grid_worker_a, hotspot=hotspot)
    assert not Case.objects.filter(channel=Channel.PROACTIVE).exists()


def test_the_periodic_snapshot_serves_street_leaders_their_own_street(
    world, leader, other_leader, market_cases, other_street_case
):
    result = refresh_hotspot_snapshots()
    assert result["regions"] == 3 and result["failed"] == 0  # the district and both streets
    assert HotspotSnapshot.objects.get(region=world.street).case_count == 3
    listing = hotspot_list(leader)
    assert listing.from_snapshot
    assert {c.pk for c in market_cases} == set(listing.rows[0].member_ids)
    for row in hotspot_list(other_leader).rows:
        assert not set(row.member_ids) & {c.pk for c in market_cases}
    # another window is computed on the spot
    assert not hotspot_list(leader, days=7).from_snapshot
