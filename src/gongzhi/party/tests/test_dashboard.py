"""Coverage and dashboard numbers on a hand-built example (formulas: docs/party.md)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.cases.services import rate_case, resolve_case, review_case, summon_departments
from gongzhi.cases.tests import factories as cf
from gongzhi.party import selectors, services

from . import factories as f


def test_coverage_flags_grids_without_a_branch_or_group(world, pw):
    # 幸福里: grid A has a branch and a group, grid B a branch. Retire grid B's branch: B is uncovered.
    services.transfer_member(
        actor=world.admin, member=pw.member_b, to_organisation=pw.branch_a, reason="调整"
    )
    services.update_organisation(actor=world.admin, organisation=pw.branch_b, is_active=False)
    f.members(2, pw.group_a1)
    f.member(pw.branch_a, grid=world.grid_b, name="彭勇")  # lives in grid B

    coverage = selectors.coverage(pw.community_secretary)
    by_code = {g.code: g for g in coverage.grids}
    assert set(by_code) == {world.grid_a.code, world.grid_b.code}
    assert by_code[world.grid_a.code].organisations == ["幸福里第一网格党支部", "幸福里第一网格第一党小组"]
    # grid A: 郭志明, the 2 group members, 邓强 (lives in A); 蔡丽 moved branch but still lives in grid B
    assert by_code[world.grid_a.code].members == 1 + 2 + 1
    assert by_code[world.grid_b.code].members == 2  # 蔡丽 still lives in grid B, and 彭勇
    assert (coverage.total, coverage.covered, coverage.rate) == (2, 1, 0.5)
    assert [g.name for g in coverage.uncovered] == ["幸福里第二网格"]

    district = selectors.coverage(world.district_leader)
    assert (district.total, district.covered) == (
        3,
        2,
    )  # grid C has 朝晖第一网格党支部; the enterprise branch does not count


def test_dashboard_numbers(world, pw):
    now = timezone.now()
    today = timezone.localdate()
    meeting = services.create_activity(
        actor=pw.secretary_a,
        organisation=pw.branch_a,
        kind="branch_meeting",
        title="支部党员大会",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )
    f.members(3, pw.branch_a)  # branch A subtree: 郭志明 + 3 = 4 expected
    services.check_in(actor=pw.member_a_user, activity=meeting, code=meeting.checkin_code)
    services.create_activity(
        actor=pw.secretary_a,
        organisation=pw.branch_a,
        kind="volunteer",
        title="义务理发",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )
    registration = services.register_at_community(actor=pw.in_service_user, community=world.community)
    services.approve_registration(actor=pw.community_secretary, registration=registration)
    task = services.post_task(
        actor=pw.community_secretary, community=world.community, title="看望独居老人", hours=2
    )
    claim = services.claim_task(actor=pw.in_service_user, task=task)
    services.finish_task(actor=pw.in_service_user, claim=claim, hours=3)
    services.confirm_task(actor=pw.community_secretary, claim=claim)
    for title in ("想要一把轮椅", "想学用智能手机", "希望有人陪伴聊天"):
        wish = services.post_wish(actor=world.resident, community=world.community, title=title)
        if title != "希望有人陪伴聊天":
            wish = services.review_wish(actor=world.community_worker, wish=wish, approve=True)
            wish = services.claim_wish(actor=pw.member_a_user, wish=wish)
        if title == "想要一把轮椅":
            services.fulfil_wish(actor=pw.member_a_user, wish=wish, evidence="已送达")
    summoned = cf.dispatched_case(world)
    summon_departments(
        actor=pw.community_secretary, case=summoned, departments=[world.zhujian], reason="联合处置"
    )
    helped = cf.processing_case(world)
    services.assign_case_help(actor=pw.secretary_a, case=helped, member=pw.member_a)
    helped = resolve_case(actor=world.handler, case=helped, reply="党员协助劝导，摊贩已入市经营。")
    helped = review_case(actor=world.dispatcher, case=helped, approve=True)
    rate_case(actor=world.resident, case=helped, rating="basically_satisfied")
    cf.closed_case(world)  # no party involvement: not counted

    board = selectors.dashboard(pw.community_secretary, start=today - timedelta(days=30), end=today)
    assert (
        board.members_total == 2 + 3 and board.in_service_members == 0
    )  # 郭志明, 蔡丽 + 3 (邓强 is the district's)
    assert board.registered_in_service == 1 and board.service_hours == 3.0 and board.served_members == 1
    assert board.activities_held == 2 and board.activities_by_kind == {"branch_meeting": 1, "volunteer": 1}
    assert (board.check_ins, board.expected) == (1, 4) and board.attendance_rate == 0.25
    assert (board.wishes_posted, board.wishes_claimed, board.wishes_fulfilled) == (3, 2, 1)
    assert (board.party_cases, board.party_cases_rated, board.satisfaction_rate) == (2, 1, 1.0)
    assert board.ranking[0].name in {"郭志明", "邓强"}
    chart = selectors.chart_data(board)
    assert chart["wishes"] == [3, 2, 1] and len(chart["grids"]) == 2
