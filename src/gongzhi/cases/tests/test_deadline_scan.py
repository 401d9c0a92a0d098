"""预警扫描: yellow/red warnings by the periodic scan, catch-up after downtime, bad rows, no double notices.

Times are Asia/Shanghai. 2026-11-23 is a Monday; 23-27 and 30 November are ordinary working days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import Case, CaseStep, Category, Notification
from gongzhi.cases.selectors import department_inbox, supervisor_board
from gongzhi.cases.services import deadline_scan
from gongzhi.cases.services.catalog import create_duty_rule, install_default_categories, seed_calendar_year
from gongzhi.cases.services.deadline_scan import RETRY_AFTER, scan_deadlines
from gongzhi.cases.services.intake import submit_case
from gongzhi.cases.services.workflow import reassign_case, return_case, sign_case
from gongzhi.cases.tasks import scan_deadlines_task
from gongzhi.cases.tests.factories import staff


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def setup(world):
    seed_calendar_year(actor=world.admin, year=2026)
    install_default_categories(actor=world.admin)
    categories = {c.full_name: c for c in Category.objects.all()}
    create_duty_rule(
        actor=world.admin, category=categories["市容环境/占道经营"], lead_department=world.chengguan
    )
    create_duty_rule(actor=world.admin, category=categories["燃气"], lead_department=world.chengguan)
    return categories


STALL = (
    "小区南门流动摊贩",
    "每天傍晚南门外有三四个流动摊贩摆摊卖水果和烤红薯，把人行道全占了，老人推车过不去。",
)
GAS = ("楼道里有煤气味", "幸福里3号楼2单元楼道里一股很重的煤气味，怀疑哪家燃气泄漏了，请尽快派人来查。")


def _dispatched(
    world, categories, moment: datetime, *, text=STALL, category="市容环境/占道经营/流动摊贩"
) -> Case:
    """A hotline case on grid A, dispatched automatically to 城管 by the duty list at ``moment``."""
    with time_machine.travel(moment, tick=False):
        case = submit_case(
            actor=world.dispatcher,
            channel="hotline",
            title=text[0],
            description=text[1],
            category=categories[category],
            grid=world.grid_a,
            reporter_name="张桂兰",
            reporter_phone="13912345678",
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SIGN and case.department == world.chengguan
    return case


def _scan(moment: datetime, django_capture_on_commit_callbacks, **kwargs):
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return scan_deadlines(**kwargs)


def _steps(case: Case, action: str) -> list[CaseStep]:
    return list(CaseStep.objects.filter(case=case, action=action).order_by("at", "pk"))


def test_sign_deadline_turns_yellow_at_80_percent_then_red(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    # 2 hours to sign: due 11:00, yellow from 80% = 10:36
    assert case.sign_due_at == at(2026, 11, 23, 11, 0)

    assert _scan(at(2026, 11, 23, 10, 35), django_capture_on_commit_callbacks).checked == 0

    result = _scan(at(2026, 11, 23, 10, 37), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert (result.checked, result.yellow, result.red) == (1, 1, 0)
    assert case.warning_level == "yellow"
    assert case.warn_at == at(2026, 11, 23, 11, 0, 1)  # next look: the second after the due
    [warning] = _steps(case, "warning")
    assert warning.data["deadline"] == "sign" and warning.department == world.chengguan
    assert warning.region_path == world.grid_a.path
    assert list(
        Notification.objects.filter(case=case, kind="case.warning").values_list("recipient", flat=True)
    ) == [world.handler.pk]

    result = _scan(at(2026, 11, 23, 11, 1), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert (result.yellow, result.red) == (0, 1)
    assert case.warning_level == "red"
    assert case.warn_at > at(2026, 11, 24)  # only the resolve deadline is left to watch
    [escalation] = _steps(case, "escalate")
    assert escalation.data["deadline"] == "sign"
    told = set(
        Notification.objects.filter(case=case, kind="case.escalate").values_list("recipient", flat=True)
    )
    assert told == {world.handler.pk, world.dispatcher.pk, world.district_leader.pk}
    assert world.grid_worker_a.pk not in told and world.admin.pk not in told


def test_resolve_deadline_is_watched_in_working_days(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    with time_machine.travel(at(2026, 11, 23, 9, 30), tick=False):
        sign_case(actor=world.handler, case=case)
    case.refresh_from_db()
    # 5 working days from Monday 09:00: due Monday 30 November 23:59:59. The span counts 15 h of the
    # first day, 4 whole days and the last day: 134:59:59; 80% of it (107:59:59.2) is used up on
    # Friday 27 November at 20:59:59.2.
    assert case.resolve_due_at == at(2026, 11, 30, 23, 59, 59)

    assert _scan(at(2026, 11, 27, 20, 59, 0), django_capture_on_commit_callbacks).yellow == 0
    assert _scan(at(2026, 11, 27, 21, 0, 0), django_capture_on_commit_callbacks).yellow == 1
    # the weekend does not count: nothing happens until the due has passed
    assert _scan(at(2026, 11, 30, 23, 59, 59), django_capture_on_commit_callbacks).checked == 0
    result = _scan(at(2026, 12, 1, 0, 0, 1), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert result.red == 1 and case.warning_level == "red" and case.warn_at is None
    assert [s.data["deadline"] for s in _steps(case, "warning") + _steps(case, "escalate")] == [
        "resolve",
        "resolve",
    ]


def test_job_down_for_three_days_catches_up_in_one_run(world, setup, django_capture_on_commit_callbacks):
    monday = at(2026, 11, 23, 9, 0)
    unsigned = [_dispatched(world, setup, monday + timedelta(minutes=i)) for i in range(3)]
    gas = _dispatched(world, setup, monday, text=GAS, category="燃气/燃气安全/燃气泄漏")
    with time_machine.travel(monday + timedelta(minutes=20), tick=False):
        sign_case(actor=world.handler, case=gas)  # 1 working day to resolve: due Tuesday 23:59:59

    result = _scan(at(2026, 11, 26, 10, 0), django_capture_on_commit_callbacks, limit=2)

    assert result.caught_up and result.batches >= 2
    assert (result.yellow, result.red) == (4, 4)
    for case in [*unsigned, gas]:
        case.refresh_from_db()
        assert len(_steps(case, "warning")) == 1 and len(_steps(case, "escalate")) == 1
        assert case.warning_level == "red"
        warning = _steps(case, "warning")[0]
        assert warning.data["late"] is True  # recorded late, after the moment it applied
    assert _steps(gas, "escalate")[0].data["deadline"] == "resolve"
    assert Case.objects.filter(warn_at__lte=at(2026, 11, 26, 10, 0)).count() == 0

    again = _scan(at(2026, 11, 26, 10, 1), django_capture_on_commit_callbacks)
    assert again.steps == 0


def test_warnings_and_notices_are_never_repeated(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    _scan(at(2026, 11, 23, 11, 30), django_capture_on_commit_callbacks)
    notices = Notification.objects.count()

    # someone (or a restored backup) puts the check back in the past: the scan looks again, adds nothing
    Case.objects.filter(pk=case.pk).update(warn_at=at(2026, 11, 23, 11, 0))
    result = _scan(at(2026, 11, 23, 11, 40), django_capture_on_commit_callbacks)

    assert result.checked == 1 and result.steps == 0
    assert Notification.objects.count() == notices
    assert len(_steps(case, "warning")) == len(_steps(case, "escalate")) == 1


def test_a_row_claimed_by_someone_else_is_skipped(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    stale = case.warn_at
    Case.objects.filter(pk=case.pk).update(warn_at=stale + timedelta(minutes=1))  # another worker moved it
    result = deadline_scan.ScanResult()

    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        deadline_scan._process(
            case.pk,
            stale,
            now=at(2026, 11, 23, 11, 30),
            cal=deadline_scan.policy.work_calendar(),
            system=world.admin,
            result=result,
        )

    assert result.skipped == 1 and result.checked == 0
    assert not _steps(case, "warning")


def test_a_failing_row_is_pushed_forward_and_the_others_go_on(
    world, setup, django_capture_on_commit_callbacks, monkeypatch
):
    bad = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    good = _dispatched(world, setup, at(2026, 11, 23, 9, 1))
    original = deadline_scan.running_deadline

    def broken(case):
        if case.pk == bad.pk:
            raise RuntimeError("corrupt row")
        return original(case)

    monkeypatch.setattr(deadline_scan, "running_deadline", broken)
    now = at(2026, 11, 23, 11, 30)

    result = _scan(now, django_capture_on_commit_callbacks)

    bad.refresh_from_db()
    good.refresh_from_db()
    assert result.failed == 1 and result.red == 1
    assert bad.warn_at == now + RETRY_AFTER and bad.warning_level == "normal" and not _steps(bad, "warning")
    assert good.warning_level == "red"


def test_finished_cases_are_dropped_from_the_scan(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WITHDRAWN)  # as if withdrawn by the reporter

    result = _scan(at(2026, 11, 23, 11, 30), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert result.checked == 1 and result.steps == 0 and case.warn_at is None


def test_the_periodic_task_runs_the_scan(world, setup):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))

    with time_machine.travel(at(2026, 11, 23, 10, 40), tick=False):
        scan_deadlines_task()

    case.refresh_from_db()
    assert case.warning_level == "yellow"


def test_the_scan_can_be_run_by_hand(world, setup):
    from io import StringIO

    from django.core.management import call_command

    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    out = StringIO()

    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        call_command("cases", "scan-deadlines", stdout=out)

    case.refresh_from_db()
    assert case.warning_level == "red" and "red=1" in out.getvalue()


def test_signing_late_clears_the_sign_warning(world, setup, django_capture_on_commit_callbacks):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    _scan(at(2026, 11, 23, 11, 1), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.warning_level == "red"
    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        sign_case(actor=world.handler, case=case)
    case.refresh_from_db()
    assert case.warning_level == "normal"
    assert case.warn_at > at(2026, 11, 24)  # next look: the resolve deadline's 80% point, far ahead
    result = _scan(at(2026, 11, 23, 11, 31), django_capture_on_commit_callbacks)
    assert result.checked == 0


def test_reassign_after_red_gives_the_new_department_a_clean_start(
    world, setup, django_capture_on_commit_callbacks
):

    zhujian_handler = staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴敏")
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    _scan(at(2026, 11, 23, 11, 1), django_capture_on_commit_callbacks)  # 城管 missed its sign deadline
    case.refresh_from_db()
    assert case.warning_level == "red"

    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        case = reassign_case(
            actor=world.dispatcher,
            case=case,
            department=world.zhujian,
            reason="摊贩占用的是在建工地围挡外的临时通道，由住建部门牵头处理。",
        )
        case.refresh_from_db()
        assert case.warning_level == "normal" and case.sign_due_at == at(2026, 11, 23, 13, 30)
        assert list(department_inbox(zhujian_handler, "overdue")) == []
        assert list(department_inbox(zhujian_handler, "to_sign")) == [case]
        assert [(u.department_name, u.red) for u in supervisor_board(world.district_leader)] == []

    # the scan judges the new holder's own deadline: red again only once 住建 misses it
    assert _scan(at(2026, 11, 23, 13, 0), django_capture_on_commit_callbacks).red == 0
    _scan(at(2026, 11, 23, 13, 31), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.warning_level == "red"


def test_a_returned_case_waits_for_dispatch_without_the_old_warning(
    world, setup, django_capture_on_commit_callbacks
):

    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))
    _scan(at(2026, 11, 23, 11, 1), django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.warning_level == "red"

    with time_machine.travel(at(2026, 11, 23, 11, 30), tick=False):
        return_case(
            actor=world.handler, case=case, reason="该路段属于在建工地范围，不属于城管职责，请改派住建部门。"
        )
        case.refresh_from_db()
        assert case.status == "pending_dispatch" and case.warning_level == "normal"
        assert supervisor_board(world.district_leader) == []


def test_signed_with_most_of_the_resolve_time_gone_turns_yellow_at_once(
    world, setup, django_capture_on_commit_callbacks
):
    case = _dispatched(world, setup, at(2026, 11, 23, 9, 0))  # resolve due Monday 30 November 23:59:59
    with time_machine.travel(at(2026, 11, 27, 22, 0), tick=False):  # past 80% (Friday 20:59:59)
        sign_case(actor=world.handler, case=case)
    case.refresh_from_db()
    assert case.warning_level == "normal" and case.warn_at == at(
        2026, 11, 27, 22, 0
    )  # look now, not at the due

    result = _scan(at(2026, 11, 27, 22, 1), django_capture_on_commit_callbacks)

    case.refresh_from_db()
    assert (result.yellow, result.red) == (1, 0) and case.warning_level == "yellow"
    assert [s.data["deadline"] for s in _steps(case, "warning")] == ["resolve"]
    assert case.warn_at == at(2026, 12, 1, 0, 0, 0)  # then the second after the due, once
