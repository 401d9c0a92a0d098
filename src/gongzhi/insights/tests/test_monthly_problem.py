"""每月一题: leaders choose one problem per region and month; others cannot."""

from __future__ import annotations

from datetime import date

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.insights.choices import ProblemStatus
from gongzhi.insights.selectors import monthly_problems_visible_to
from gongzhi.insights.services import choose_monthly_problem, update_monthly_problem


@pytest.fixture
def heating_cases(world):
    return [
        f.submitted_case(
            world, title="暖气不热室温只有14度", address=f"幸福里小区7号楼{n}单元", reporter_user=None
        )
        for n in (1, 2)
    ]


def test_street_leader_chooses_the_problem_of_the_month(world, leader, heating_cases):
    problem = choose_monthly_problem(
        actor=leader,
        region=world.street,
        month=date(2026, 11, 18),
        title="老旧小区冬季供暖不热",
        description="7号楼多户反映室温不达标，由住建委牵头排查管网。",
        source_case_ids=[c.pk for c in heating_cases],
        lead_department=world.zhujian,
    )
    assert problem.month == date(2026, 11, 1)
    assert problem.region_path == world.street.path
    assert problem.status == ProblemStatus.ACTIVE
    assert AuditEvent.objects.filter(action="insights.choose_monthly_problem").count() == 1
    # choosing the same again is the same row; another title for the month is refused
    same = choose_monthly_problem(
        actor=leader, region=world.street, month=date(2026, 11, 2), title="老旧小区冬季供暖不热"
    )
    assert same.pk == problem.pk
    with pytest.raises(ValidationFailed) as exc:
        choose_monthly_problem(
            actor=leader, region=world.street, month=date(2026, 11, 2), title="南门早市占道经营"
        )
    assert "month" in exc.value.fields


def test_dispatchers_and_other_streets_cannot_choose(world, leader, other_leader, heating_cases):
    with pytest.raises(PermissionDenied):
        choose_monthly_problem(actor=world.dispatcher, region=world.street, title="老旧小区冬季供暖不热")
    with pytest.raises(PermissionDenied):
        choose_monthly_problem(actor=other_leader, region=world.street, title="老旧小区冬季供暖不热")
    with pytest.raises(ValidationFailed) as exc:  # cases of another street cannot be its source
        choose_monthly_problem(
            actor=other_leader,
            region=world.other_street,
            title="老旧小区冬季供暖不热",
            source_case_ids=[c.pk for c in heating_cases],
        )
    assert "source_case_ids" in exc.value.fields
    assert not AuditEvent.objects.filter(action="insights.choose_monthly_problem").exists()


def test_problem_status_updates_are_audited_and_scoped(world, leader, other_leader):
    problem = choose_monthly_problem(actor=leader, region=world.street, title="老旧小区冬季供暖不热")
    assert monthly_problems_visible_to(other_leader).count() == 0
    with pytest.raises(PermissionDenied):
        update_monthly_problem(actor=other_leader, problem=problem, status=ProblemStatus.SOLVED)
    done = update_monthly_problem(
        actor=leader, problem=problem, status=ProblemStatus.SOLVED, note="管网改造完成，室温达标。"
    )
    assert done.status == ProblemStatus.SOLVED
    assert AuditEvent.objects.filter(action="insights.update_monthly_problem").count() == 1
    cancelled = update_monthly_problem(actor=leader, problem=done, status=ProblemStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        update_monthly_problem(actor=leader, problem=cancelled, status=ProblemStatus.ACTIVE)
