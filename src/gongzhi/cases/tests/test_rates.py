"""三率与考核: hand-computed examples (the worked example of docs/formulas.md), grouping, periods, scope.

Rates read ``CaseStep`` rows only, so most tests write the steps directly; one test goes through the
workflow services end to end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from gongzhi.accounts.models import Role
from gongzhi.accounts.services import assign_role, create_user
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import Case, CaseStep, Category
from gongzhi.cases.rates import (
    month_bounds,
    monthly_assessment,
    rates_by_month,
    rates_for,
    rates_visible_to,
    score_of,
    total_of,
)
from gongzhi.cases.services.catalog import create_duty_rule, install_default_categories, seed_calendar_year
from gongzhi.cases.services.intake import submit_case
from gongzhi.cases.services.workflow import rate_case, resolve_case, review_case, sign_case
from gongzhi.core.errors import PermissionDenied, ValidationFailed


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


class Steps:
    """Writes timeline rows the way the workflow services do (only the fields rates read)."""

    def __init__(self):
        self.cases: dict[str, Case] = {}

    def case(self, region) -> Case:
        if region.path not in self.cases:
            n = len(self.cases) + 1
            self.cases[region.path] = Case.objects.create(
                number=f"GZ20261101{n:04d}",
                title="占道经营",
                description="门口有人摆摊。",
                channel="hotline",
                received_at=at(2026, 11, 1, 8),
                region_path=region.path,
                grid=region,
            )
        return self.cases[region.path]

    def add(
        self,
        action: str,
        department,
        region,
        when: datetime,
        *,
        count: int = 1,
        on_time=None,
        rating="",
        resolved_in_fact="missing",
    ):
        data = {} if resolved_in_fact == "missing" else {"resolved_in_fact": resolved_in_fact}
        for _ in range(count):
            CaseStep.objects.create(
                case=self.case(region),
                action=action,
                department=department,
                at=when,
                on_time=on_time,
                rating=rating,
                data=data,
                region_path=region.path,
            )


@pytest.fixture
def november(world):
    """The worked example of docs/formulas.md: 城管 on grid A (向阳街道), 住建 on grid C (朝晖街道)."""
    s = Steps()
    cg, zj, a, c = world.chengguan, world.zhujian, world.grid_a, world.grid_c
    day = at(2026, 11, 16, 10)
    # 城管: 10 hand-overs (8 dispatch, 1 reassign, 1 reopen), 9 signs (8 on time), 8 resolves (6 on time)
    s.add("dispatch", cg, a, day, count=8)
    s.add("reassign", cg, a, day)
    s.add("reopen", cg, a, day)
    s.add("sign", cg, a, day, count=8, on_time=True)
    s.add("sign", cg, a, day, on_time=False)
    s.add("resolve", cg, a, day, count=6, on_time=True)
    s.add("resolve", cg, a, day, count=2, on_time=False)
    # 8 ratings: 5 satisfied (3 solved, 1 not asked, 1 "not solved"), 2 basically satisfied (solved),
    # 1 dissatisfied (not solved) → resolved 3 + 1 + 2 = 6, satisfied 7
    s.add("rate", cg, a, day, count=3, rating="satisfied", resolved_in_fact=True)
    s.add("rate", cg, a, day, rating="satisfied")
    s.add("rate", cg, a, day, rating="satisfied", resolved_in_fact=False)
    s.add("rate", cg, a, day, count=2, rating="basically_satisfied", resolved_in_fact=True)
    s.add("rate", cg, a, day, rating="dissatisfied", resolved_in_fact=False)
    # 住建: 5 hand-overs, 5 signs on time, 4 resolves on time, 4 ratings
    s.add("dispatch", zj, c, day, count=5)
    s.add("sign", zj, c, day, count=5, on_time=True)
    s.add("resolve", zj, c, day, count=4, on_time=True)
    s.add("rate", zj, c, day, count=2, rating="satisfied", resolved_in_fact=True)
    s.add("rate", zj, c, day, rating="basically_satisfied", resolved_in_fact=None)  # asked, no answer
    s.add("rate", zj, c, day, rating="dissatisfied")
    # events that are not counted: other actions, and steps outside November (Asia/Shanghai)
    s.add("submit", None, a, day, count=3)
    s.add("urge", cg, a, day)
    s.add("dispatch", cg, a, at(2026, 10, 31, 23, 59, 59))
    s.add("dispatch", cg, a, at(2026, 12, 1, 0, 0, 0))
    return s


def _by_key(rows):
    return {row.key: row for row in rows}


def test_department_rates_match_the_worked_example(world, november):
    rows = _by_key(rates_for(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)))

    cg = rows[world.chengguan.pk]
    assert cg.label == "城管"
    assert (cg.dispatched, cg.signed, cg.signed_on_time) == (10, 9, 8)
    assert (cg.rated, cg.resolved, cg.satisfied) == (8, 6, 7)
    assert (cg.resolve_steps, cg.resolved_on_time, cg.reopened) == (8, 6, 1)
    assert cg.response_rate == 0.8
    assert cg.resolution_rate == 0.75
    assert cg.satisfaction_rate == 0.875
    assert cg.on_time_rate == 0.75
    assert cg.reopen_rate == 0.125

    zj = rows[world.zhujian.pk]
    assert (zj.response_rate, zj.resolution_rate, zj.satisfaction_rate, zj.on_time_rate) == (
        1.0,
        0.75,
        0.75,
        1.0,
    )
    assert zj.reopen_rate == 0.0
    assert set(rows) == {world.chengguan.pk, world.zhujian.pk}  # submit steps have no department and no rate


def test_monthly_assessment_ranks_by_weighted_score(world, november):
    rows = monthly_assessment(year=2026, month=11)

    assert [(r.rank, r.label, r.score) for r in rows] == [(1, "城管", 81.0), (2, "住建", 80.0)]


def test_ties_are_broken_by_volume(world):
    s = Steps()
    day = at(2026, 11, 10, 9)
    for department, region, n in ((world.zhujian, world.grid_c, 2), (world.chengguan, world.grid_a, 4)):
        s.add("dispatch", department, region, day, count=n)
        s.add("sign", department, region, day, count=n, on_time=True)
        s.add("rate", department, region, day, count=n, rating="satisfied", resolved_in_fact=True)

    rows = monthly_assessment(year=2026, month=11)

    assert [(r.rank, r.label, r.score, r.volume) for r in rows] == [
        (1, "城管", 100.0, 8),
        (2, "住建", 100.0, 4),
    ]


def test_a_rate_without_data_is_left_out_of_the_score(world):
    s = Steps()
    s.add("dispatch", world.chengguan, world.grid_a, at(2026, 11, 3, 9), count=4)
    s.add("sign", world.chengguan, world.grid_a, at(2026, 11, 3, 9), count=3, on_time=True)
    # no ratings yet this month: only the response rate (75%) counts, scaled to the full weight
    [row] = monthly_assessment(year=2026, month=11)
    assert row.resolution_rate is None and row.satisfaction_rate is None
    assert row.score == 75.0 and row.rank == 1


def test_street_community_and_grid_groups_roll_up_region_paths(world, november):
    kwargs = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}

    streets = _by_key(rates_for(group_by="street", **kwargs))
    assert set(streets) == {world.street.path, world.other_street.path}
    assert streets[world.street.path].label == "向阳街道"
    assert streets[world.street.path].response_rate == 0.8
    assert streets[world.other_street.path].satisfaction_rate == 0.75

    grids = _by_key(rates_for(group_by="grid", within_path=world.street.path, **kwargs))
    assert set(grids) == {world.grid_a.path}
    assert grids[world.grid_a.path].rated == 8

    district = total_of(rates_for(group_by="district", **kwargs))
    assert (district.dispatched, district.signed_on_time, district.rated, district.satisfied) == (
        15,
        13,
        12,
        10,
    )


def test_steps_located_above_the_level_are_grouped_apart(world):
    s = Steps()
    s.add("dispatch", world.chengguan, world.street, at(2026, 11, 3, 9))  # located to the street only

    rows = rates_for(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), group_by="community")

    assert [(r.key, r.dispatched) for r in rows] == [(None, 1)]


def test_period_boundaries_are_shanghai_days(world):
    s = Steps()
    s.add(
        "dispatch", world.chengguan, world.grid_a, datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
    )  # 11-01 00:30
    s.add(
        "dispatch", world.chengguan, world.grid_a, datetime(2026, 10, 31, 15, 59, tzinfo=UTC)
    )  # 10-31 23:59
    s.add("dispatch", world.chengguan, world.grid_a, at(2026, 11, 30, 23, 59, 59))

    [row] = rates_for(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))
    assert row.dispatched == 2
    [row] = rates_for(period_start=at(2026, 11, 1), period_end=at(2026, 11, 30, 12))
    assert row.dispatched == 1
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert month_bounds(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))


def test_monthly_series(world, november):
    rows = rates_by_month(period_start=date(2026, 10, 1), period_end=date(2026, 12, 31))

    assert [(r.label, r.dispatched) for r in rows] == [("2026-10", 1), ("2026-11", 15), ("2026-12", 1)]


def test_bad_arguments_are_refused(world):
    with pytest.raises(ValidationFailed):
        rates_for(period_start=date(2026, 11, 30), period_end=date(2026, 11, 29))
    with pytest.raises(ValidationFailed):
        rates_for(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), group_by="building")
    with pytest.raises(ValidationFailed):
        monthly_assessment(year=2026, month=13)


def test_score_formula(world):
    from gongzhi.cases.rates import RateRow

    row = RateRow(key=1, label="城管", dispatched=10, signed_on_time=8, rated=8, resolved=6, satisfied=7)
    assert score_of(row) == 81.0
    assert score_of(RateRow(key=2, label="空")) is None


# --- scope ----------------------------------------------------------------------------------------------


def test_a_street_sees_only_its_own_steps(world, november):
    rows = rates_visible_to(world.dispatcher, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))

    assert [(r.key, r.dispatched) for r in rows] == [(world.chengguan.pk, 10)]


def test_a_department_head_sees_the_steps_of_the_department(world, november):
    head = create_user(
        actor=None,
        username="zj_head",
        password="Gongzhi#2026",
        display_name="吴敏",
        phone="13100131008",
        is_staff=True,
    )
    assign_role(
        actor=None, user=head, role=Role.objects.get(code="department_head"), department=world.zhujian
    )

    rows = rates_visible_to(
        head, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), group_by="street"
    )

    assert [(r.key, r.rated) for r in rows] == [(world.other_street.path, 4)]


def test_the_district_leader_sees_everything_and_handlers_nothing(world, november):
    rows = monthly_assessment(year=2026, month=11, user=world.district_leader)
    assert [r.label for r in rows] == ["城管", "住建"]

    with pytest.raises(PermissionDenied):
        rates_visible_to(world.handler, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))


# --- end to end -----------------------------------------------------------------------------------------


def test_rates_follow_the_workflow_services(world, django_capture_on_commit_callbacks):
    seed_calendar_year(actor=world.admin, year=2026)
    install_default_categories(actor=world.admin)
    category = Category.objects.get(full_name="噪音扰民/施工噪音/夜间施工")
    create_duty_rule(actor=world.admin, category=category.parent, lead_department=world.chengguan)
    texts = [
        ("工地夜间施工", "幸福里东侧工地每天晚上十一点以后还在打桩，吵得睡不着觉。"),
        ("半夜还在施工", "小区北边的工地凌晨两点还有渣土车进出和电钻声，希望管一管。"),
    ]
    cases = []
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        for title, description in texts:
            cases.append(
                submit_case(
                    actor=world.dispatcher,
                    channel="hotline",
                    title=title,
                    description=description,
                    category=category,
                    grid=world.grid_a,
                    reporter_name="李桂芳",
                    reporter_phone="13812345678",
                )
            )
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):  # 1 hour to sign: on time
        sign_case(actor=world.handler, case=cases[0])
    with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):  # late
        sign_case(actor=world.handler, case=cases[1])
    with time_machine.travel(at(2026, 11, 24, 16, 0), tick=False):
        for case in cases:
            resolve_case(
                actor=world.handler, case=case, reply="已责令施工单位停止夜间施工，并对其进行了处罚。"
            )
            review_case(actor=world.dispatcher, case=case, approve=True)
        rate_case(
            actor=world.dispatcher, case=cases[0], rating="satisfied", method="phone", resolved_in_fact=True
        )
        rate_case(
            actor=world.dispatcher,
            case=cases[1],
            rating="basically_satisfied",
            method="phone",
            resolved_in_fact=False,
        )

    [row] = rates_for(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))

    assert row.key == world.chengguan.pk
    assert (row.dispatched, row.signed_on_time) == (2, 1)
    assert (row.rated, row.resolved, row.satisfied) == (2, 1, 2)
    assert (row.resolve_steps, row.resolved_on_time) == (2, 2)
    assert (row.response_rate, row.resolution_rate, row.satisfaction_rate) == (0.5, 0.5, 1.0)
