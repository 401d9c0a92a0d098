"""Party roles in case handling: the community secretary summons departments; a branch assigns a member."""

from __future__ import annotations

import pytest

from gongzhi.cases.services import summon_departments
from gongzhi.cases.tests import factories as cf
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.party import selectors, services
from gongzhi.party.models import PointsEntry


def test_community_party_secretary_summons_departments_on_a_case(world, pw):
    case = cf.dispatched_case(world)  # grid A, led by 城管
    assert case.pk in [c.pk for c in selectors.party_cases(pw.community_secretary)]
    summon = summon_departments(
        actor=pw.community_secretary,
        case=case,
        departments=[world.zhujian],
        reason="违建拆除涉及住建部门，请到现场联合处置。",
        meeting_place="幸福里社区党群服务中心",
    )
    case.refresh_from_db()
    assert case.party_involved and summon.region == world.community
    involved = selectors.party_cases(pw.community_secretary, involved_only=True)
    assert [c.pk for c in involved] == [case.pk]


def test_grid_branch_sees_its_grid_cases_and_assigns_a_member(world, pw):
    in_a = cf.dispatched_case(world, grid="a")
    in_b = cf.dispatched_case(world, grid="b")
    visible = {c.pk for c in selectors.party_cases(pw.secretary_a)}
    assert in_a.pk in visible and in_b.pk not in visible
    help_ = services.assign_case_help(
        actor=pw.secretary_a, case=in_a, member=pw.member_a, note="上门了解摊贩情况"
    )
    assert services.assign_case_help(actor=pw.secretary_a, case=in_a, member=pw.member_a).pk == help_.pk
    with pytest.raises(PermissionDenied):
        services.assign_case_help(actor=pw.secretary_a, case=in_b, member=pw.member_a)
    with pytest.raises(PermissionDenied):
        services.assign_case_help(actor=pw.secretary_a, case=in_a, member=pw.member_b)
    done = services.record_case_help(
        actor=pw.secretary_a, help_=help_, contribution="劝导摊贩进入便民市场经营"
    )
    services.record_case_help(actor=pw.secretary_a, help_=done, contribution="重复提交")
    assert PointsEntry.objects.filter(member=pw.member_a, source_type="case_help").count() == 1
    assert [c.pk for c in selectors.party_cases(pw.secretary_a, involved_only=True)] == [in_a.pk]
    with pytest.raises(NotFound):
        selectors.get_case_help(user=pw.secretary_b, pk=help_.pk)
