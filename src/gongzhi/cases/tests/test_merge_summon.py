"""合并与吹哨报到的测试: duplicates follow their master; summoned departments report in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.choices import AssignmentRole, CaseStatus, Rating
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import Case, CaseAssignment, Notification, SummonResponse
from gongzhi.cases.selectors import cases_visible_to, department_inbox, get_case
from gongzhi.cases.services import (
    add_handling_note,
    dispatch_case,
    merge_case,
    rate_case,
    record_contact,
    reject_case,
    release_case,
    report_in,
    resolve_case,
    return_case,
    review_case,
    sign_case,
    summon_departments,
    withdraw_case,
)
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def zhujian_handler(world):
    return f.staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴建华")


@pytest.fixture
def neighbour(world):
    """Another resident who reported the same stalls."""
    from gongzhi.accounts.models import Role
    from gongzhi.accounts.services import assign_role, create_user

    user = create_user(
        actor=None, username="neighbour", password="Gongzhi#2026", display_name="马玉兰", phone="13611112222"
    )
    assign_role(actor=None, user=user, role=Role.objects.get(code="resident"))
    return user


# --- merge ---------------------------------------------------------------------------------------------


def test_duplicate_follows_the_master_and_hears_its_reply(
    world, neighbour, django_capture_on_commit_callbacks
):
    master = f.processing_case(world)
    duplicate = f.submitted_case(
        world,
        actor=neighbour,
        title="南门早市又占道了",
        description="南门外卖菜的摊子把人行道全占了，跟上周反映的一样。",
    )
    with django_capture_on_commit_callbacks(execute=True):
        merge_case(actor=world.dispatcher, case=duplicate, master=master, reason="同一点位重复反映。")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.master_id, duplicate.warn_at) == (CaseStatus.MERGED, master.pk, None)
    assert duplicate.steps.get(action="merge").data["master_number"] == master.number
    merged_notice = Notification.objects.get(recipient=neighbour, case=duplicate, kind="case.merged")
    assert master.number in merged_notice.message

    with django_capture_on_commit_callbacks(execute=True):
        resolve_case(actor=world.handler, case=master, reply="已联合市场监管清理南门早市摊位，设置引导标识。")
        review_case(actor=world.dispatcher, case=master, approve=True)
        rate_case(actor=world.resident, case=master, rating=Rating.SATISFIED)

    step = duplicate.steps.get(action="master_closed")
    assert (step.from_status, step.to_status) == (CaseStatus.MERGED, CaseStatus.MERGED)
    assert step.data["master"] == master.pk
    assert step.note.startswith("已联合市场监管")
    notice = Notification.objects.get(recipient=neighbour, case=duplicate, kind="case.master_closed")
    assert "已联合市场监管清理南门早市摊位" in notice.message
    assert master.number in notice.message and duplicate.number in notice.message
    assert Case.objects.get(pk=duplicate.pk).status == CaseStatus.MERGED
    assert duplicate.pk in set(cases_visible_to(neighbour).values_list("pk", flat=True))


def test_merge_repeat_and_bad_masters(world):
    master = f.dispatched_case(world)
    case = f.submitted_case(world)
    with pytest.raises(ValidationFailed):
        merge_case(actor=world.dispatcher, case=case, master=case)
    closed = f.closed_case(world)
    with pytest.raises(ValidationFailed):
        merge_case(actor=world.dispatcher, case=case, master=closed)
    merge_case(actor=world.dispatcher, case=case, master=master)
    steps = case.steps.count()
    merge_case(actor=world.dispatcher, case=case, master=master)  # the same again: nothing happens
    assert case.steps.count() == steps
    other = f.dispatched_case(world)
    with pytest.raises(InvalidTransition):
        merge_case(actor=world.dispatcher, case=case, master=other)
    with pytest.raises(ValidationFailed):  # a duplicate cannot be a master
        merge_case(actor=world.dispatcher, case=f.submitted_case(world), master=case)


def test_merging_a_master_moves_its_duplicates(world):
    final = f.dispatched_case(world)
    middle = f.submitted_case(world)
    duplicate = f.merged_case(world, master=middle)
    merge_case(actor=world.dispatcher, case=middle, master=final, reason="三件为同一问题。")
    assert Case.objects.get(pk=duplicate.pk).master_id == final.pk
    assert middle.steps.get(action="merge").data["moved_duplicates"] == [duplicate.pk]


def test_a_department_told_to_sign_hears_that_the_case_was_merged_away(
    world, django_capture_on_commit_callbacks
):
    master = f.dispatched_case(world)
    waiting = f.dispatched_case(world)  # 城管 was asked to sign it
    queued = f.accepted_case(world)  # no department yet
    with django_capture_on_commit_callbacks(execute=True):
        merge_case(actor=world.dispatcher, case=waiting, master=master, reason="同一处占道经营。")
        merge_case(actor=world.dispatcher, case=queued, master=master, reason="同一处占道经营。")

    told = Notification.objects.filter(kind="case.merged_away")
    assert [(n.recipient_id, n.case_id) for n in told] == [(world.handler.pk, waiting.pk)]
    assert master.number in told.get().message


def test_only_dispatchers_merge(world):
    master = f.dispatched_case(world)
    with pytest.raises(PermissionDenied):
        merge_case(actor=world.grid_worker_a, case=f.submitted_case(world), master=master)


def test_a_withdrawn_master_releases_its_duplicates_to_the_queue(
    world, neighbour, django_capture_on_commit_callbacks
):
    master = f.submitted_case(world, actor=world.resident)
    duplicate = f.submitted_case(world, actor=neighbour, title="南门早市又占道了")
    merge_case(actor=world.dispatcher, case=duplicate, master=master, reason="同一点位重复反映。")

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_case(actor=world.resident, case=master, reason="我自己和摊主谈好了。")

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.master_id) == (CaseStatus.PENDING_DISPATCH, None)
    step = duplicate.steps.get(action="release")
    assert (step.from_status, step.to_status) == (CaseStatus.MERGED, CaseStatus.PENDING_DISPATCH)
    assert master.number in step.note and step.data["master"] == master.pk
    assert AuditEvent.objects.filter(action="cases.release", target_id=str(duplicate.pk)).exists()
    notice = Notification.objects.get(recipient=world.dispatcher, case=duplicate, kind="case.released")
    assert duplicate.number in notice.message


def test_a_rejected_master_releases_its_duplicates(world):
    master = f.submitted_case(world)
    first, second = f.merged_case(world, master=master), f.merged_case(world, master=master)

    reject_case(actor=world.dispatcher, case=master, reason="不属于政务服务范围。")

    assert set(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        CaseStatus.PENDING_DISPATCH
    }


def test_a_dispatcher_releases_a_wrong_merge_and_can_dispatch_it(world):
    master = f.dispatched_case(world)
    duplicate = f.merged_case(world, master=master)

    with pytest.raises(ValidationFailed):
        release_case(actor=world.dispatcher, case=duplicate, reason="")
    with pytest.raises(PermissionDenied):
        release_case(actor=world.grid_worker_a, case=duplicate, reason="不是同一问题。")
    release_case(actor=world.dispatcher, case=duplicate, reason="一个是早市，一个是夜市，不是同一问题。")

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.master_id) == (CaseStatus.PENDING_DISPATCH, None)
    with pytest.raises(InvalidTransition):
        release_case(actor=world.dispatcher, case=duplicate, reason="再来一次。")


# --- summon and report-in ------------------------------------------------------------------------------


def test_summon_and_report_in(world, zhujian_handler, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        case = f.processing_case(world)
        with django_capture_on_commit_callbacks(execute=True):
            summon = summon_departments(
                actor=world.community_worker,
                case=case,
                departments=[world.chengguan, world.zhujian],
                reason="楼顶违建加盖，涉及城管执法和住建安全鉴定，请两部门到场。",
                meeting_place="幸福里社区党群服务中心",
            )
    assert summon.summoned_by_id == world.community_worker.pk
    assert summon.region_id == world.community.pk
    assert summon.report_due_at == at(2026, 11, 20, 9, 0) + timedelta(hours=24)
    responses = list(SummonResponse.objects.filter(summon=summon).order_by("department_id"))
    assert {r.department_id for r in responses} == {world.chengguan.pk, world.zhujian.pk}
    assert all(r.reported_at is None for r in responses)
    assert CaseAssignment.objects.filter(
        case=case, department=world.zhujian, role=AssignmentRole.ASSIST, is_active=True
    ).exists()
    assert get_case(user=zhujian_handler, pk=case.pk).pk == case.pk  # the summoned department can see it
    assert Notification.objects.filter(recipient=zhujian_handler, kind="case.summoned").exists()
    assert Notification.objects.filter(recipient=world.handler, kind="case.summoned").exists()
    step = case.steps.get(action="summon")
    assert step.data["departments"] == sorted([world.chengguan.pk, world.zhujian.pk])

    with (
        time_machine.travel(at(2026, 11, 20, 14, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = report_in(
            actor=zhujian_handler, case=case, summon=summon, note="住建科已到场，安排安全鉴定。"
        )
    assert (response.department_id, response.reported_by_id, response.reported_at) == (
        world.zhujian.pk,
        zhujian_handler.pk,
        at(2026, 11, 20, 14, 0),
    )
    report_step = case.steps.get(action="report_in")
    assert report_step.department_id == world.zhujian.pk and report_step.data["on_time"] is True
    assert Notification.objects.filter(recipient=world.community_worker, kind="case.reported_in").exists()
    # reporting in again changes nothing
    again = report_in(actor=zhujian_handler, case=case, summon=summon)
    assert again.reported_at == at(2026, 11, 20, 14, 0)
    assert case.steps.filter(action="report_in").count() == 1


def test_a_late_report_in_is_marked_late_where_the_summoner_looks(world, zhujian_handler, client):
    """报到超时: the street sees on the case which department came after the deadline it was given."""
    with time_machine.travel(at(2026, 11, 20, 9, 0), tick=False):
        case = f.processing_case(world)
        summon = summon_departments(
            actor=world.community_worker,
            case=case,
            departments=[world.zhujian],
            reason="楼顶违建加盖，请住建部门两小时内到场做安全鉴定。",
            report_within_hours=2,
        )
    with time_machine.travel(at(2026, 11, 20, 13, 30), tick=False):
        report_in(actor=zhujian_handler, case=case, summon=summon, note="住建科到场。")

    step = case.steps.get(action="report_in")
    assert step.data["on_time"] is False
    assert step.on_time is False  # the column the timeline and the API show
    client.force_login(world.community_worker, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    body = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [s["on_time"] for s in body["timeline"] if s["action"] == "report_in"] == [False]
    html = client.get(f"/cases/{case.pk}/timeline/").content.decode()
    late_item = html.split('data-action="report_in"')[1].split("</li>")[0]
    assert "超时" in late_item


def test_a_department_not_summoned_cannot_report_in(world, zhujian_handler):
    case = f.processing_case(world, assisting=[world.zhujian])
    summon = summon_departments(
        actor=world.dispatcher, case=case, departments=[world.chengguan], reason="请城管到场。"
    )
    with pytest.raises(PermissionDenied):
        report_in(actor=zhujian_handler, case=case, summon=summon)
    other = f.processing_case(world)
    with pytest.raises(ValidationFailed):
        report_in(actor=world.handler, case=other, summon=summon)


def test_summon_rules(world):
    case = f.processing_case(world)
    with pytest.raises(PermissionDenied):
        summon_departments(actor=world.grid_worker_a, case=case, departments=[world.zhujian], reason="到场")
    with pytest.raises(ValidationFailed):
        summon_departments(actor=world.dispatcher, case=case, departments=[], reason="到场")
    with pytest.raises(ValidationFailed):
        summon_departments(
            actor=world.dispatcher,
            case=case,
            departments=[world.zhujian],
            reason="到场",
            report_within_hours=0,
        )
    with pytest.raises(InvalidTransition):
        summon_departments(
            actor=world.dispatcher, case=f.submitted_case(world), departments=[world.zhujian], reason="到场"
        )


def test_party_secretary_summons_mark_party_involvement(world):
    secretary = f.staff(world, "secretary", "party_secretary", region=world.community, name="党委书记张红")
    case = f.processing_case(world)
    summon_departments(actor=secretary, case=case, departments=[world.zhujian], reason="党建引领，吹哨报到。")
    assert Case.objects.get(pk=case.pk).party_involved is True


def test_a_summoned_department_keeps_assisting_after_the_case_is_dispatched(world, zhujian_handler):
    case = f.accepted_case(world)  # pending_dispatch: the community summons before the street dispatches
    summon = summon_departments(
        actor=world.community_worker,
        case=case,
        departments=[world.zhujian],
        reason="小区内私搭乱建的彩钢房存在安全隐患，请住建部门到场做安全鉴定。",
    )
    case = dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    case = sign_case(actor=world.handler, case=case)
    report_in(actor=zhujian_handler, case=case, summon=summon, note="住建科两名同志已到场。")

    step = add_handling_note(
        actor=zhujian_handler, case=case, note="经现场鉴定，彩钢房结构不稳，已建议城管依法拆除。"
    )

    assert step.actor_department_id == world.zhujian.pk
    assert list(department_inbox(zhujian_handler, "in_progress")) == [case]
    assert case.steps.get(action="dispatch").data["assisting"] == [world.zhujian.pk]


def test_a_return_and_new_dispatch_do_not_end_the_summons(world, zhujian_handler):
    case = f.processing_case(world)
    summon_departments(
        actor=world.dispatcher, case=case, departments=[world.zhujian], reason="需住建部门到场做安全鉴定。"
    )
    case = return_case(actor=world.handler, case=case, reason="违建属于住建部门职责，请改派。")
    case = dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    case = sign_case(actor=world.handler, case=case)
    add_handling_note(actor=zhujian_handler, case=case, note="住建科已安排安全鉴定。")
    active = CaseAssignment.objects.filter(case=case, is_active=True).order_by("role")
    assert [(a.department_id, a.role) for a in active] == [
        (world.zhujian.pk, AssignmentRole.ASSIST),
        (world.chengguan.pk, AssignmentRole.LEAD),
    ]


def test_dispatching_the_lead_ends_the_assisting_departments_chosen_with_the_old_one(world, zhujian_handler):
    case = f.dispatched_case(world, assisting=[world.zhujian])
    case = return_case(actor=world.handler, case=case, reason="不属于城管职责。")
    case = dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    assert not CaseAssignment.objects.filter(case=case, department=world.zhujian, is_active=True).exists()


@pytest.mark.parametrize("status", [CaseStatus.PENDING_DISPATCH, CaseStatus.PENDING_SIGN])
def test_a_summoned_case_waits_in_the_departments_inbox_until_it_reports_in(world, zhujian_handler, status):
    case = f.case_in_status(world, status)
    summon = summon_departments(
        actor=world.community_worker,
        case=case,
        departments=[world.zhujian],
        reason="楼道电动车飞线充电，请住建部门到场排查。",
    )
    assert list(department_inbox(zhujian_handler, "to_sign")) == [case]
    report_in(actor=zhujian_handler, case=case, summon=summon)
    assert list(department_inbox(zhujian_handler, "to_sign")) == []


def test_a_released_duplicate_is_dispatched_with_fresh_deadlines(world, zhujian_handler):
    master = f.dispatched_case(world)
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):  # Monday
        duplicate = f.dispatched_case(world)  # 城管: resolve due Monday 30 November
        old_due = duplicate.resolve_due_at
        duplicate = merge_case(
            actor=world.dispatcher, case=duplicate, master=master, reason="同一摊点重复反映。"
        )
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):  # the following Wednesday
        duplicate = release_case(
            actor=world.dispatcher, case=duplicate, reason="一处是南门早市，一处是北门夜市，不是同一问题。"
        )
        duplicate.refresh_from_db()
        assert (duplicate.status, duplicate.round) == (CaseStatus.PENDING_DISPATCH, 2)
        assert (duplicate.department_id, duplicate.resolve_due_at, duplicate.warning_level) == (
            None,
            None,
            "normal",
        )
    with time_machine.travel(at(2026, 12, 2, 9, 30), tick=False):
        duplicate = dispatch_case(actor=world.dispatcher, case=duplicate, department=world.zhujian)
        assert duplicate.resolve_due_at == at(2026, 12, 9, 23, 59, 59) != old_due
        assert duplicate.sign_due_at == at(2026, 12, 2, 11, 30)
        assert list(department_inbox(zhujian_handler, "overdue")) == []
        assert list(department_inbox(zhujian_handler, "to_sign")) == [duplicate]
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        duplicate = sign_case(actor=zhujian_handler, case=duplicate)
        duplicate = record_contact(
            actor=zhujian_handler, case=duplicate, note="已电话联系诉求人，约定明早到北门现场查看。"
        )
    duplicate.refresh_from_db()
    # the yellow warning comes at 80% of the new resolve clock, not of the clock before the merge
    # (Wednesday 09:30 → Wednesday 9 December 23:59:59 is 134.5 h of working days; 80% falls on Tuesday
    # 8 December at 21:06; counted from the first dispatch on 23 November it would be 7 December 11:24)
    assert at(2026, 12, 8, 21, 0) < duplicate.warn_at < at(2026, 12, 8, 21, 10)
