"""办理流程的测试: every allowed move, every forbidden one, deadlines, pauses, reopen and notifications.

The transition matrix runs against one world with a case in every status, built once per module through
the services (``factories.case_in_status``); each test runs in its own savepoint and is rolled back.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import workflow
from gongzhi.cases.choices import (
    AssignmentRole,
    CaseStatus,
    ExtensionStatus,
    FollowUpMethod,
    PauseKind,
    Rating,
    Urgency,
    WarningLevel,
)
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import Case, CaseAssignment, CasePause, ExtensionRequest, Notification
from gongzhi.cases.services import (
    accept_case,
    add_handling_note,
    decide_extension,
    dispatch_case,
    merge_case,
    rate_case,
    reassign_case,
    record_contact,
    reject_case,
    release_case,
    reopen_case,
    report_in,
    request_extension,
    resolve_case,
    return_case,
    review_case,
    sign_case,
    summon_departments,
    supervise_case,
    urge_case,
    withdraw_case,
)
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.core.testing import build_world

DOC = Path(__file__).resolve().parents[4] / "docs" / "workflow.md"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.version,
        case.department_id,
        case.round,
        case.steps.count(),
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk)).count(),
    )


def audit_actions(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="cases.case", target_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# =====================================================================================================
# The operator doc lists exactly the table


def test_workflow_doc_matches_table():
    rows = re.findall(
        r"^\| `(\w+)` \| `(\w+)` \| `(\w+)` \|\s*$", DOC.read_text(encoding="utf-8"), re.MULTILINE
    )
    documented = sorted(rows)
    expected = sorted(
        (command, str(src), str(dst))
        for command, moves in workflow.TRANSITIONS.items()
        for src, dst in moves.items()
    )
    assert documented == expected
    assert len(set(documented)) == len(documented), "a row is listed twice"


# =====================================================================================================
# The transition matrix, on one module-wide world


@pytest.fixture(scope="class")
def matrix(django_db_setup, django_db_blocker):
    """A world with one case per status, a summons and an open master case, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        zhujian_handler = f.staff(
            world, "zj_handler", "department_handler", department=world.zhujian, name="吴建华"
        )
        cases = {status: f.case_in_status(world, status).pk for status in CaseStatus}
        master = f.dispatched_case(world)
        summon_case = f.processing_case(world)
        summon = summon_departments(
            actor=world.dispatcher,
            case=summon_case,
            departments=[world.zhujian],
            reason="涉及违建，需要住建部门到场。",
        )
        # a case summoned while processing, then resolved: report-in is still allowed in pending_review
        late = f.processing_case(world)
        late_summon = summon_departments(
            actor=world.community_worker,
            case=late,
            departments=[world.zhujian],
            reason="外墙脱落，需要住建部门到场。",
        )
        resolve_case(actor=world.handler, case=late, reply="已加装防护网，外墙维修已排期。")
        yield SimpleNamespace(
            world=world,
            cases=cases,
            master=master,
            summon=summon,
            late=late,
            late_summon=late_summon,
            zhujian_handler=zhujian_handler,
        )
        transaction.set_rollback(True)


#: Commands as the matrix calls them (a global administrator, so only the status decides; the reporter
#: for withdraw). Arguments are chosen so that a "repeat" is a conflicting one where possible.
def _call(command: str, m: SimpleNamespace, case: Case):
    w, admin = m.world, m.world.admin
    calls = {
        "accept": lambda: accept_case(actor=admin, case=case),
        "reject": lambda: reject_case(actor=admin, case=case, reason="重复反映"),
        "dispatch": lambda: dispatch_case(actor=admin, case=case, department=w.zhujian),
        "sign": lambda: sign_case(actor=admin, case=case),
        "return": lambda: return_case(actor=admin, case=case, reason="非本部门职责"),
        "reassign": lambda: reassign_case(actor=admin, case=case, department=w.zhujian, reason="职责调整"),
        "request_extension": lambda: request_extension(
            actor=admin, case=case, days=3, reason="需协调产权单位"
        ),
        "approve_extension": lambda: decide_extension(actor=admin, case=case, approve=True),
        "deny_extension": lambda: decide_extension(actor=admin, case=case, approve=False, note="理由不充分"),
        "contact": lambda: record_contact(actor=admin, case=case, note="已电话联系"),
        "handle": lambda: add_handling_note(actor=admin, case=case, note="已到现场查看"),
        "resolve": lambda: resolve_case(actor=admin, case=case, reply="已处理完毕"),
        "approve": lambda: review_case(actor=admin, case=case, approve=True),
        "send_back": lambda: review_case(actor=admin, case=case, approve=False, note="答复不完整"),
        "rate": lambda: rate_case(
            actor=admin, case=case, rating=Rating.DISSATISFIED, method=FollowUpMethod.PHONE
        ),
        "reopen": lambda: reopen_case(actor=admin, case=case, reason="居民反映问题仍在"),
        "urge": lambda: urge_case(actor=admin, case=case, note="请尽快处理"),
        "supervise": lambda: supervise_case(actor=admin, case=case, note="列入督办"),
        "summon": lambda: summon_departments(
            actor=admin, case=case, departments=[w.zhujian], reason="联合执法"
        ),
        "report_in": lambda: report_in(actor=admin, case=case, summon=m.summon),
        "withdraw": lambda: withdraw_case(actor=w.resident, case=case, reason="不需要了"),
        "merge": lambda: merge_case(actor=admin, case=case, master=m.master, reason="重复件"),
        "release": lambda: release_case(actor=admin, case=case, reason="并非同一问题"),
    }
    assert set(calls) == set(workflow.TRANSITIONS), "every command of the table needs a call here"
    return calls[command]()


#: (command, status) pairs outside the table where the command's target state already holds: a repeat,
#: which returns the case unchanged instead of failing.
REPEATS = {
    ("accept", CaseStatus.PENDING_DISPATCH),
    ("reject", CaseStatus.REJECTED),
    ("sign", CaseStatus.PROCESSING),
    ("resolve", CaseStatus.PENDING_REVIEW),
    ("approve", CaseStatus.PENDING_FOLLOW_UP),
    ("send_back", CaseStatus.PROCESSING),
    ("withdraw", CaseStatus.WITHDRAWN),
}

FORBIDDEN = [
    (command, status)
    for command, moves in workflow.TRANSITIONS.items()
    for status in CaseStatus
    if status not in moves
]
ALLOWED = [
    (command, src, dst) for command, moves in workflow.TRANSITIONS.items() for src, dst in moves.items()
]


def test_matrix_covers_every_pair():
    assert len(FORBIDDEN) + len(ALLOWED) == len(workflow.TRANSITIONS) * len(CaseStatus)
    assert REPEATS <= set(FORBIDDEN)


class TestTransitionMatrix:
    """Every (command, status) pair of the table: allowed ones move, all others raise and change nothing."""

    @pytest.mark.parametrize(("command", "status"), FORBIDDEN, ids=[f"{c}-{s}" for c, s in FORBIDDEN])
    def test_forbidden_transition_changes_nothing(self, db, matrix, command, status):
        _forbidden(matrix, command, status)

    @pytest.mark.parametrize(("command", "src", "dst"), ALLOWED, ids=[f"{c}-{s}" for c, s, _d in ALLOWED])
    def test_allowed_transition(self, db, matrix, command, src, dst):
        _allowed(matrix, command, src, dst)


def _forbidden(matrix: SimpleNamespace, command: str, status: str) -> None:
    case = Case.objects.get(pk=matrix.cases[status])
    assert case.status == status
    before = snapshot(case)
    if (command, status) in REPEATS:
        result = _call(command, matrix, case)
        assert getattr(result, "status", status) == status
    else:
        with pytest.raises(InvalidTransition) as info:
            _call(command, matrix, case)
        assert info.value.code in ("case.invalid_transition", "case.no_pending_extension")
    assert snapshot(case) == before


def _prepare(command: str, m: SimpleNamespace, case: Case) -> None:
    w = m.world
    if command in ("approve_extension", "deny_extension"):
        request_extension(actor=w.handler, case=case, days=2, reason="需要协调燃气公司停气后施工")


def _allowed_call(command: str, m: SimpleNamespace, case: Case):
    """The same commands, played by the people who really do them."""
    w = m.world
    if command == "report_in" and case.status == CaseStatus.PENDING_REVIEW:
        case = Case.objects.get(pk=m.late.pk)
        return report_in(actor=m.zhujian_handler, case=case, summon=m.late_summon)
    if command == "report_in":
        summon = summon_departments(
            actor=w.community_worker,
            case=case,
            departments=[w.zhujian],
            reason="楼体外墙脱落，需要住建部门到场。",
        )
        return report_in(actor=m.zhujian_handler, case=case, summon=summon)
    calls = {
        "accept": lambda: accept_case(actor=w.dispatcher, case=case),
        "reject": lambda: reject_case(
            actor=w.dispatcher, case=case, reason="属于民事纠纷，建议通过法律途径解决。"
        ),
        "dispatch": lambda: dispatch_case(actor=w.dispatcher, case=case, department=w.zhujian),
        "sign": lambda: sign_case(actor=w.handler, case=case),
        "return": lambda: return_case(actor=w.handler, case=case, reason="该点位属于住建部门管辖。"),
        "reassign": lambda: reassign_case(
            actor=w.dispatcher, case=case, department=w.zhujian, reason="经核实属于住建职责。"
        ),
        "request_extension": lambda: request_extension(
            actor=w.handler, case=case, days=3, reason="需要协调产权单位。"
        ),
        "approve_extension": lambda: decide_extension(actor=w.dispatcher, case=case, approve=True),
        "deny_extension": lambda: decide_extension(
            actor=w.dispatcher, case=case, approve=False, note="工作量不大，请按期办结。"
        ),
        "contact": lambda: record_contact(
            actor=w.handler, case=case, note="已电话联系诉求人，约定明早到现场。"
        ),
        "handle": lambda: add_handling_note(actor=w.handler, case=case, note="已到现场核实，摊位8处。"),
        "resolve": lambda: resolve_case(actor=w.handler, case=case, reply="已清理占道摊位，纳入日常巡查。"),
        "approve": lambda: review_case(actor=w.dispatcher, case=case, approve=True),
        "send_back": lambda: review_case(
            actor=w.dispatcher, case=case, approve=False, note="缺少整改后照片。"
        ),
        "rate": lambda: rate_case(actor=w.resident, case=case, rating=Rating.SATISFIED),
        "reopen": lambda: reopen_case(actor=w.dispatcher, case=case, reason="回访发现问题反复。"),
        "urge": lambda: urge_case(actor=w.district_leader, case=case, note="群众多次反映，请今天内处理。"),
        "supervise": lambda: supervise_case(actor=w.district_leader, case=case, note="列入区级督办。"),
        "summon": lambda: summon_departments(
            actor=w.community_worker, case=case, departments=[w.zhujian], reason="需要多部门联合处置。"
        ),
        "withdraw": lambda: withdraw_case(actor=w.resident, case=case, reason="邻居已经自行整改了。"),
        "merge": lambda: merge_case(
            actor=w.dispatcher, case=case, master=m.master, reason="同一点位重复反映。"
        ),
        "release": lambda: release_case(actor=w.dispatcher, case=case, reason="核实后不是同一问题。"),
    }
    return calls[command]()


def _allowed(matrix: SimpleNamespace, command: str, src: str, dst: str) -> None:
    pk = matrix.late.pk if (command, src) == ("report_in", CaseStatus.PENDING_REVIEW) else matrix.cases[src]
    case = Case.objects.get(pk=pk)
    _prepare(command, matrix, case)
    case = Case.objects.get(pk=case.pk)
    steps_before = set(case.steps.values_list("pk", flat=True))
    version = case.version
    _allowed_call(command, matrix, case)
    case = Case.objects.get(pk=case.pk)
    assert case.status == dst
    new_steps = list(case.steps.exclude(pk__in=steps_before).order_by("at", "pk"))
    step = [s for s in new_steps if s.action == command][-1]
    assert step.from_status == src and step.to_status == dst
    assert step.region_path == case.region_path
    assert step.actor_role
    assert f"cases.{command}" in audit_actions(case)
    if src != dst or command in ("request_extension", "approve_extension", "deny_extension", "contact"):
        assert case.version > version


# =====================================================================================================
# Repeats and guards


def test_dispatch_to_the_same_department_again_changes_nothing(world):
    case = f.dispatched_case(world)
    before = snapshot(case)
    again = dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    assert again.status == CaseStatus.PENDING_SIGN
    assert snapshot(case) == before


def test_dispatch_to_another_department_while_pending_sign_is_invalid(world):
    case = f.dispatched_case(world)
    with pytest.raises(InvalidTransition):
        dispatch_case(actor=world.dispatcher, case=case, department=world.zhujian)


def test_only_the_lead_department_may_sign(world):
    zj = f.staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴建华")
    case = f.dispatched_case(world)
    with pytest.raises(PermissionDenied):
        sign_case(actor=zj, case=case)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PENDING_SIGN


def test_grid_worker_cannot_dispatch(world):
    case = f.accepted_case(world)
    with pytest.raises(PermissionDenied):
        dispatch_case(actor=world.grid_worker_a, case=case, department=world.chengguan)


def test_dispatch_needs_a_department_that_takes_cases(world):
    from gongzhi.accounts.services import create_department

    office = create_department(
        actor=None,
        code="JD",
        name="向阳街道办事处",
        kind="street_office",
        region=world.street,
        accepts_cases=False,
    )
    case = f.accepted_case(world)
    with pytest.raises(ValidationFailed) as info:
        dispatch_case(actor=world.dispatcher, case=case, department=office)
    assert "department" in info.value.fields


def test_return_and_reject_need_a_reason(world):
    case = f.processing_case(world)
    with pytest.raises(ValidationFailed):
        return_case(actor=world.handler, case=case, reason="  ")
    with pytest.raises(ValidationFailed):
        reject_case(actor=world.dispatcher, case=f.submitted_case(world), reason="")


def test_only_the_reporter_may_withdraw(world):
    case = f.submitted_case(world)
    with pytest.raises(PermissionDenied):
        withdraw_case(actor=world.dispatcher, case=case, reason="代为撤回")
    withdraw_case(actor=world.resident, case=case, reason="已经解决了")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN


def test_rating_by_the_reporter_or_a_follow_up_worker(world):
    case = f.approved_case(world)
    with pytest.raises(PermissionDenied):
        rate_case(actor=world.grid_worker_a, case=case, rating=Rating.SATISFIED)  # not the reporter
    with pytest.raises(PermissionDenied):
        rate_case(actor=world.handler, case=case, rating=Rating.SATISFIED, method=FollowUpMethod.PHONE)
    rated = rate_case(
        actor=world.dispatcher,
        case=case,
        rating=Rating.BASICALLY_SATISFIED,
        comment="电话回访，居民表示基本满意。",
        method=FollowUpMethod.PHONE,
        resolved_in_fact=True,
    )
    assert rated.status == CaseStatus.CLOSED
    assert (rated.rating, rated.follow_up_method, rated.resolved_in_fact) == (
        Rating.BASICALLY_SATISFIED,
        FollowUpMethod.PHONE,
        True,
    )
    step = rated.steps.get(action="rate")
    assert step.rating == Rating.BASICALLY_SATISFIED
    assert not CaseAssignment.objects.filter(case=rated, is_active=True).exists()
    # the same rating again is a repeat; another one is a conflict
    before = snapshot(rated)
    rate_case(
        actor=world.dispatcher, case=rated, rating=Rating.BASICALLY_SATISFIED, method=FollowUpMethod.PHONE
    )
    assert snapshot(rated) == before
    with pytest.raises(InvalidTransition):
        rate_case(actor=world.resident, case=rated, rating=Rating.SATISFIED)


def test_steps_record_role_unit_and_on_time(world):
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.dispatched_case(world)
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        sign_case(actor=world.handler, case=case)
    with time_machine.travel(at(2026, 3, 10, 12, 0), tick=False):  # contact limit 24 h: 10:00 next day
        record_contact(actor=world.handler, case=case, note="已电话联系王女士。")
    with time_machine.travel(at(2026, 3, 12, 16, 0), tick=False):
        resolve_case(actor=world.handler, case=case, reply="已清理。")
    steps = {s.action: s for s in case.steps.all()}
    assert steps["sign"].on_time is True
    assert steps["contact"].on_time is False
    assert steps["resolve"].on_time is True
    assert steps["sign"].actor_department_id == world.chengguan.pk
    assert steps["sign"].department_id == world.chengguan.pk
    assert steps["dispatch"].actor_department_id is None
    assert steps["dispatch"].actor_role == world.dispatcher.assignments.get().role.name
    assert {s.region_path for s in steps.values()} == {world.grid_a.path}
    assert [s.round for s in steps.values()] == [1] * len(steps)


def test_record_contact_twice_keeps_the_first(world):
    case = f.processing_case(world)
    record_contact(actor=world.handler, case=case, note="第一次联系。")
    before = snapshot(case)
    record_contact(actor=world.handler, case=case, note="第二次联系。")
    assert snapshot(case) == before


def test_handling_note_by_an_assisting_department(world):
    zj = f.staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴建华")
    case = f.processing_case(world, assisting=[world.zhujian])
    step = add_handling_note(actor=zj, case=case, note="住建已核查外墙，安排维修单位进场。")
    assert step.action == "handle" and step.actor_department_id == world.zhujian.pk
    with pytest.raises(PermissionDenied):
        resolve_case(actor=zj, case=case, reply="住建代为办结")


def test_send_back_returns_to_processing(world):
    case = f.resolved_case(world)
    with pytest.raises(ValidationFailed):
        review_case(actor=world.dispatcher, case=case, approve=False)
    review_case(actor=world.dispatcher, case=case, approve=False, note="缺少整改后照片。")
    case.refresh_from_db()
    assert case.status == CaseStatus.PROCESSING and case.resolved_at is None


# =====================================================================================================
# Deadlines


def test_dispatch_sets_deadlines_across_a_weekend(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 13, 15, 0), tick=False):  # Friday
        case = f.dispatched_case(world)
    assert case.sign_due_at == at(2026, 3, 13, 17, 0)
    assert case.contact_due_at == at(2026, 3, 14, 15, 0)  # clock hours run over the weekend
    assert case.resolve_due_at == at(2026, 3, 20, 23, 59, 59)  # Mon 16 … Fri 20
    assert case.warning_level == WarningLevel.NORMAL
    # the next check is the sign limit's 80% point: 1 h 36 min after dispatch
    assert abs(case.warn_at - at(2026, 3, 13, 16, 36)) <= timedelta(seconds=1)
    step = case.steps.get(action="dispatch")
    assert step.data["resolve_due_at"] == case.resolve_due_at.isoformat()


def test_dispatch_before_national_day_2026(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False):  # Wednesday before 国庆
        case = f.dispatched_case(world)
    # 10-1..10-7 off; day 1 = Thu 10-8, 2 = Fri 10-9, 3 = Sat 10-10 (调休上班), 4 = Mon 10-12, 5 = Tue 10-13
    assert case.resolve_due_at == at(2026, 10, 13, 23, 59, 59)
    assert case.sign_due_at == at(2026, 9, 30, 12, 0)


def test_dispatch_before_mid_autumn_2026(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 9, 18, 9, 0), tick=False):  # Friday; Sun 9-20 is worked, Fri 9-25 off
        case = f.dispatched_case(world)
    # 9-20 (Sun, 调休), 9-21, 9-22, 9-23, 9-24
    assert case.resolve_due_at == at(2026, 9, 24, 23, 59, 59)


def test_urgent_case_gets_the_short_limits(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 13, 15, 0), tick=False):
        case = f.dispatched_case(world, urgency=Urgency.URGENT)
    assert case.sign_due_at == at(2026, 3, 13, 16, 0)
    assert case.contact_due_at == at(2026, 3, 13, 16, 0)
    assert case.resolve_due_at == at(2026, 3, 16, 23, 59, 59)


def test_return_pauses_the_clock_until_redispatch(world, django_capture_on_commit_callbacks):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):  # Monday
        case = f.processing_case(world)
    assert case.resolve_due_at == at(2026, 3, 16, 23, 59, 59)
    with (
        time_machine.travel(at(2026, 3, 10, 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return_case(actor=world.handler, case=case, reason="该工地归住建部门监管。")
    case.refresh_from_db()
    assert (case.status, case.department_id, case.paused_at, case.warn_at) == (
        CaseStatus.PENDING_DISPATCH,
        None,
        at(2026, 3, 10, 10, 0),
        None,
    )
    pause = CasePause.objects.get(case=case)
    assert (pause.kind, pause.ended_at) == (PauseKind.RETURN, None)
    assert not CaseAssignment.objects.filter(case=case, is_active=True).exists()
    assert Notification.objects.filter(recipient=world.dispatcher, case=case, kind="case.returned").exists()
    with time_machine.travel(at(2026, 3, 12, 10, 0), tick=False):  # two working days later
        dispatch_case(actor=world.dispatcher, case=case, department=world.zhujian)
    case.refresh_from_db()
    pause.refresh_from_db()
    assert pause.ended_at == at(2026, 3, 12, 10, 0)
    assert case.paused_at is None
    assert case.resolve_due_at == at(2026, 3, 18, 23, 59, 59)  # moved by the two paused working days
    assert case.sign_due_at == at(2026, 3, 12, 12, 0)
    assert case.signed_at is None and case.department_id == world.zhujian.pk
    assert case.warn_at is not None


def test_return_over_a_weekend_moves_the_due_only_by_working_time(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.processing_case(world)
    with time_machine.travel(at(2026, 3, 13, 18, 0), tick=False):  # Friday evening
        return_case(actor=world.handler, case=case, reason="不属于本部门。")
    with time_machine.travel(at(2026, 3, 16, 0, 0), tick=False):  # Monday midnight: only 6 h of Friday paused
        dispatch_case(actor=world.dispatcher, case=case, department=world.zhujian)
    case.refresh_from_db()
    assert case.resolve_due_at == at(2026, 3, 17, 5, 59, 59)


def test_extension_pauses_and_approval_moves_the_deadline(world, django_capture_on_commit_callbacks):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 9, 21, 9, 0), tick=False):  # Monday
        case = f.processing_case(world)
    assert case.resolve_due_at == at(2026, 9, 29, 23, 59, 59)  # 22, 23, 24, (25-27 off), 28, 29
    with (
        time_machine.travel(at(2026, 9, 22, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        extension = request_extension(actor=world.handler, case=case, days=3, reason="需要协调燃气公司配合。")
    assert extension.status == ExtensionStatus.PENDING
    case.refresh_from_db()
    assert case.paused_at == at(2026, 9, 22, 9, 0) and case.warn_at is None
    assert Notification.objects.filter(recipient=world.dispatcher, kind="case.extension_requested").exists()
    # asking again while pending returns the same request
    assert request_extension(actor=world.handler, case=case, days=5, reason="再申请").pk == extension.pk
    with (
        time_machine.travel(at(2026, 9, 23, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decide_extension(actor=world.dispatcher, case=case, approve=True, note="同意延期。")
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED and extension.decided_by_id == world.dispatcher.pk
    # paused one working day (22 → 23): due 9-29 → 9-30 23:59:59; then +3 working days after 国庆 (10-1..7):
    # 10-8, 10-9 and the make-up Saturday 10-10
    assert case.resolve_due_at == at(2026, 10, 10, 23, 59, 59)
    assert case.paused_at is None and case.warn_at is not None
    assert CasePause.objects.get(case=case).ended_at == at(2026, 9, 23, 9, 0)
    step = case.steps.get(action="approve_extension")
    assert step.data["days"] == 3
    assert Notification.objects.filter(recipient=world.handler, kind="case.approve_extension").exists()
    # a second decision is a repeat or has nothing to decide
    before = snapshot(case)
    decide_extension(actor=world.dispatcher, case=case, approve=True)
    assert snapshot(case) == before
    with pytest.raises(InvalidTransition):
        decide_extension(actor=world.dispatcher, case=case, approve=False, note="不同意")


def test_denied_extension_only_moves_by_the_pause(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.processing_case(world)
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        request_extension(actor=world.handler, case=case, days=5, reason="工作量大。")
    with time_machine.travel(at(2026, 3, 11, 10, 0), tick=False):
        decide_extension(actor=world.dispatcher, case=case, approve=False, note="请按期办结。")
    case.refresh_from_db()
    assert case.resolve_due_at == at(2026, 3, 17, 23, 59, 59)
    assert ExtensionRequest.objects.get(case=case).status == ExtensionStatus.DENIED


def test_extension_request_limits(world):
    case = f.processing_case(world)
    with pytest.raises(ValidationFailed) as info:
        request_extension(actor=world.handler, case=case, days=31, reason="太复杂")
    assert "days" in info.value.fields
    with pytest.raises(ValidationFailed):
        request_extension(actor=world.handler, case=case, days=2, reason="")


def test_resolve_with_a_pending_extension_cancels_it(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.processing_case(world)
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        request_extension(actor=world.handler, case=case, days=2, reason="等待配件。")
    with time_machine.travel(at(2026, 3, 11, 10, 0), tick=False):
        resolve_case(actor=world.handler, case=case, reply="配件已到，维修完毕。")
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_REVIEW
    assert case.resolve_due_at == at(2026, 3, 17, 23, 59, 59)  # moved by the paused day
    assert ExtensionRequest.objects.get(case=case).status == ExtensionStatus.DENIED
    assert not CasePause.objects.filter(case=case, ended_at__isnull=True).exists()


def test_reassign_keeps_the_resolve_clock(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.processing_case(world)
    with time_machine.travel(at(2026, 3, 11, 10, 0), tick=False):
        reassign_case(
            actor=world.dispatcher, case=case, department=world.zhujian, reason="经核实属于住建职责。"
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SIGN and case.department_id == world.zhujian.pk
    assert case.resolve_due_at == at(2026, 3, 16, 23, 59, 59)
    assert case.sign_due_at == at(2026, 3, 11, 12, 0)
    lead = CaseAssignment.objects.get(case=case, is_active=True, role=AssignmentRole.LEAD)
    assert lead.department_id == world.zhujian.pk
    step = case.steps.get(action="reassign")
    assert step.data["from_department"] == world.chengguan.pk


def test_next_warn_at_moves_to_the_due_after_the_yellow_point(world):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
        case = f.processing_case(world)
        record_contact(actor=world.handler, case=case, note="已联系。")
    from gongzhi.cases.services import next_warn_at

    # resolve: 5 working days from Monday 10:00 → 80% of the working time used on Friday 3-13
    moment = next_warn_at(case, now=at(2026, 3, 9, 12, 0))
    assert at(2026, 3, 13, 0, 0) < moment < at(2026, 3, 14, 0, 0)
    # past that point and not warned yet: look at once (the scan turns it yellow) …
    assert next_warn_at(case, now=at(2026, 3, 16, 12, 0)) == at(2026, 3, 16, 12, 0)
    case.warning_level = "yellow"  # … once yellow, the next look is the second after the due
    assert next_warn_at(case, now=at(2026, 3, 16, 12, 0)) == at(2026, 3, 17, 0, 0, 0)
    assert next_warn_at(case, now=at(2026, 3, 17, 1, 0)) is None


# =====================================================================================================
# Reopen


def test_dissatisfied_reporter_reopens_a_new_round(world, django_capture_on_commit_callbacks):
    f.seed_calendar(2026)
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        case = f.closed_case(world, rating=Rating.DISSATISFIED)
    first_round_steps = case.steps.count()
    with (
        time_machine.travel(at(2026, 3, 6, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reopen_case(actor=world.resident, case=case, reason="摊位第二天又回来了，问题没有解决。")
    case.refresh_from_db()
    assert (case.status, case.round, case.department_id) == (CaseStatus.PENDING_SIGN, 2, world.chengguan.pk)
    assert case.rating == "" and case.closed_at is None and case.signed_at is None
    assert case.dispatched_at == at(2026, 3, 6, 9, 0)
    assert case.resolve_due_at == at(2026, 3, 13, 23, 59, 59)
    assert case.steps.filter(round=1).count() == first_round_steps  # history kept
    assert case.steps.get(round=2).action == "reopen"
    assert case.steps.get(action="rate").rating == Rating.DISSATISFIED
    leads = CaseAssignment.objects.filter(case=case, role=AssignmentRole.LEAD).order_by("round")
    assert [(a.round, a.is_active) for a in leads] == [(1, False), (2, True)]
    assert Notification.objects.filter(recipient=world.handler, kind="case.reopened").exists()
    # round 2 runs through the normal loop
    with time_machine.travel(at(2026, 3, 6, 10, 0), tick=False):
        sign_case(actor=world.handler, case=case)
    assert case.steps.get(action="sign", round=2).on_time is True


def test_warn_at_written_with_each_command_is_the_fresh_computation(world):
    """Dispatch, sign, re-dispatch after a return and reopen compute ``warn_at`` before their UPDATE of the
    case row; it must equal ``next_warn_at`` of the row as stored (pauses and round start included)."""
    from gongzhi.cases.services import next_warn_at

    f.seed_calendar(2026)

    def stored_warn_at_is_fresh(case, moment):
        case.refresh_from_db()
        assert case.warn_at is not None and case.warn_at == next_warn_at(case, now=moment)

    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):  # Monday
        case = f.dispatched_case(world)
    stored_warn_at_is_fresh(case, at(2026, 3, 9, 10, 0))
    with time_machine.travel(at(2026, 3, 9, 11, 0), tick=False):
        sign_case(actor=world.handler, case=case)
    stored_warn_at_is_fresh(case, at(2026, 3, 9, 11, 0))
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        return_case(actor=world.handler, case=case, reason="该工地归住建部门监管。")
    with time_machine.travel(at(2026, 3, 12, 10, 0), tick=False):  # the return pause ends with this dispatch
        dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    assert CasePause.objects.get(case=case).ended_at == at(2026, 3, 12, 10, 0)
    stored_warn_at_is_fresh(case, at(2026, 3, 12, 10, 0))
    with time_machine.travel(at(2026, 3, 12, 11, 0), tick=False):
        sign_case(actor=world.handler, case=case)
    stored_warn_at_is_fresh(case, at(2026, 3, 12, 11, 0))

    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        closed = f.closed_case(world, rating=Rating.DISSATISFIED)
    with time_machine.travel(at(2026, 3, 6, 9, 0), tick=False):
        reopen_case(actor=world.resident, case=closed, reason="摊位第二天又回来了，问题没有解决。")
    stored_warn_at_is_fresh(closed, at(2026, 3, 6, 9, 0))


def test_a_reporter_reopening_twice_gets_the_case_unchanged_then_a_state_message(world):
    """The second tap on 重办 (a double click, a retry) changes nothing; once the department is at work
    the reporter is told the state changed, not to "rate it dissatisfied" (which they did)."""
    case = f.closed_case(world, rating=Rating.DISSATISFIED)
    reopen_case(actor=world.resident, case=case, reason="摊位第二天又回来了，问题没有解决。")
    case = Case.objects.get(pk=case.pk)
    again = reopen_case(actor=world.resident, case=case, reason="摊位第二天又回来了，问题没有解决。")
    assert (again.round, again.status) == (2, CaseStatus.PENDING_SIGN)
    assert case.steps.filter(action="reopen").count() == 1

    sign_case(actor=world.handler, case=case)
    with pytest.raises(InvalidTransition):
        reopen_case(actor=world.resident, case=Case.objects.get(pk=case.pk), reason="还是没有解决。")


def test_reporter_cannot_reopen_a_satisfied_case(world):
    case = f.closed_case(world, rating=Rating.SATISFIED)
    with pytest.raises(PermissionDenied):
        reopen_case(actor=world.resident, case=case, reason="再看看")
    reopen_case(actor=world.dispatcher, case=case, reason="抽查发现问题反复。")
    assert Case.objects.get(pk=case.pk).round == 2


# =====================================================================================================
# Notifications


def test_notifications_go_to_the_right_people(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = f.dispatched_case(world)
    assert Notification.objects.filter(recipient=world.handler, case=case, kind="case.dispatch").count() == 1
    assert not Notification.objects.filter(recipient=world.grid_worker_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        urge_case(actor=world.district_leader, case=case, note="群众反映强烈，请尽快签收。")
    assert Notification.objects.filter(recipient=world.handler, case=case, kind="case.urge").exists()
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(actor=world.handler, case=case)
        resolve_case(actor=world.handler, case=case, reply="已处理。")
    assert Notification.objects.filter(recipient=world.dispatcher, case=case, kind="case.resolved").exists()
    with django_capture_on_commit_callbacks(execute=True):
        review_case(actor=world.dispatcher, case=case, approve=True)
    rate_request = Notification.objects.get(recipient=world.resident, case=case, kind="case.rate_request")
    assert case.number in rate_request.message


def test_a_repeat_sends_no_second_notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = f.dispatched_case(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    assert callbacks == []
    assert Notification.objects.filter(recipient=world.handler, case=case).count() == 1


def test_urging_a_result_under_review_presses_the_reviewer_not_the_department(
    world, django_capture_on_commit_callbacks
):
    """The department has finished and waits for review: the street's dispatchers (reviewers) must act."""
    case = f.resolved_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        urge_case(actor=world.district_leader, case=case, note="结果已报两天，请尽快审核。")
    urged = set(
        Notification.objects.filter(case=case, kind="case.urge").values_list("recipient_id", flat=True)
    )
    assert world.dispatcher.pk in urged
    assert world.handler.pk not in urged

    processing = f.processing_case(world)  # while the department handles it, the department is pressed
    with django_capture_on_commit_callbacks(execute=True):
        urge_case(actor=world.district_leader, case=processing, note="群众多次反映，请今天内处理。")
    urged = set(
        Notification.objects.filter(case=processing, kind="case.urge").values_list("recipient_id", flat=True)
    )
    assert world.handler.pk in urged and world.dispatcher.pk not in urged


def test_the_dispatcher_files_the_case_under_a_category_and_routing_follows_it(
    world, django_capture_on_commit_callbacks
):
    """A resident's report carries no category; the dispatcher picks 欠薪 while dispatching: the case is
    filed under it, its deadlines are 欠薪's, and the choice is kept as a training label."""
    from gongzhi.cases.services import update_category
    from gongzhi.intelligence.models import Label

    f.seed_calendar(2026)
    wages = f.categories(world)["欠薪"]
    wages = update_category(actor=world.admin, category=wages, resolve_days=10)
    with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):  # Monday
        case = f.submitted_case(world, title="装修公司拖欠三个月工资", description="老板一直拖着不发工资。")
        assert case.category_id is None
        with django_capture_on_commit_callbacks(execute=True):
            case = dispatch_case(
                actor=world.dispatcher, case=case, department=world.chengguan, category=wages
            )
    case.refresh_from_db()
    assert (case.category_id, case.category_certain) == (wages.pk, True)
    assert case.resolve_due_at == at(2026, 3, 23, 23, 59, 59)  # 10 working days, not the default 5
    assert case.steps.get(action="dispatch").data["category"] == wages.pk
    assert AuditEvent.objects.filter(action="cases.dispatch", data__category=wages.pk).exists()
    labels = dict(Label.objects.filter(case=case).values_list("kind", "category_id"))
    assert labels["category"] == wages.pk

    inactive = f.categories(world)["供暖"]  # a category taken out of use cannot be filed under
    inactive = update_category(actor=world.admin, category=inactive, is_active=False)
    other = f.submitted_case(world)
    with pytest.raises(ValidationFailed):
        dispatch_case(actor=world.dispatcher, case=other, department=world.chengguan, category=inactive)
    assert Case.objects.get(pk=other.pk).status == CaseStatus.PENDING_ACCEPT


def test_a_corrected_category_keeps_the_previous_one_in_the_audit_and_timeline(world):
    """The resident filed the case under 供暖; the dispatcher corrects it to 欠薪: the step and the audit
    event keep both (old and new value), so the correction stays traceable after ``case.category`` changed."""
    tree = f.categories(world)
    case = f.submitted_case(
        world,
        actor=world.resident,
        title="装修公司拖欠工资",
        description="老板拖欠三个月工资。",
        category=tree["供暖"],
    )
    assert (case.category_id, case.category_certain) == (tree["供暖"].pk, False)

    dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan, category=tree["欠薪"])

    step = Case.objects.get(pk=case.pk).steps.get(action="dispatch")
    assert (step.data["category"], step.data["from_category"]) == (tree["欠薪"].pk, tree["供暖"].pk)
    event = AuditEvent.objects.get(action="cases.dispatch", target_id=str(case.pk))
    assert (event.data["category"], event.data["from_category"]) == (tree["欠薪"].pk, tree["供暖"].pk)

    confirmed = f.submitted_case(world, actor=world.resident, category=tree["供暖"])  # confirmed as it is
    dispatch_case(actor=world.dispatcher, case=confirmed, department=world.chengguan, category=tree["供暖"])
    assert "from_category" not in Case.objects.get(pk=confirmed.pk).steps.get(action="dispatch").data
