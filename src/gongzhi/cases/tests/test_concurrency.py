"""并发的测试: version checks, compare-and-set on stale objects, and numbers that never repeat.

Two people "load" a case by reading it separately (two model instances of the same row), as two
browser tabs or two API clients would.
"""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.models import Case, CaseNumberSequence
from gongzhi.cases.selectors import get_case
from gongzhi.cases.services import (
    accept_case,
    dispatch_case,
    record_contact,
    resolve_case,
    return_case,
    sign_case,
    submit_case,
    urge_case,
)
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import Conflict, InvalidTransition


@pytest.fixture
def second_handler(world):
    return f.staff(world, "handler2", "department_handler", department=world.chengguan, name="郑海涛")


def audits(case: Case, action: str) -> int:
    return AuditEvent.objects.filter(action=action, target_id=str(case.pk)).count()


def test_second_sign_with_the_seen_version_is_a_conflict(world, second_handler):
    case = f.dispatched_case(world)
    mine = get_case(user=world.handler, pk=case.pk)
    theirs = get_case(user=second_handler, pk=case.pk)
    seen = mine.version
    assert theirs.version == seen

    sign_case(actor=world.handler, case=mine, expected_version=seen)
    with pytest.raises(Conflict) as info:
        sign_case(actor=second_handler, case=theirs, expected_version=seen)
    assert info.value.code == "case.conflict"

    row = Case.objects.get(pk=case.pk)
    assert row.status == CaseStatus.PROCESSING and row.version == seen + 1
    assert row.steps.filter(action="sign").count() == 1
    assert row.steps.get(action="sign").actor_id == world.handler.pk
    assert audits(row, "cases.sign") == 1


def test_expected_version_older_than_the_loaded_row_is_a_conflict(world):
    case = f.processing_case(world)
    fresh = Case.objects.get(pk=case.pk)
    with pytest.raises(Conflict):
        resolve_case(actor=world.handler, case=fresh, reply="已处理。", expected_version=fresh.version - 1)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PROCESSING


def test_expected_version_also_guards_commands_that_keep_the_status(world):
    case = f.processing_case(world)
    stale = Case.objects.get(pk=case.pk)
    record_contact(actor=world.handler, case=Case.objects.get(pk=case.pk), note="已电话联系。")
    with pytest.raises(Conflict):
        urge_case(
            actor=world.district_leader, case=stale, note="请加快办理。", expected_version=stale.version
        )
    assert not Case.objects.get(pk=case.pk).steps.filter(action="urge").exists()
    # with the current version it goes through
    fresh = Case.objects.get(pk=case.pk)
    urge_case(actor=world.district_leader, case=fresh, note="请加快办理。", expected_version=fresh.version)


def test_stale_object_whose_status_moved_is_an_invalid_transition(world, second_handler):
    case = f.dispatched_case(world)
    stale = Case.objects.get(pk=case.pk)  # loaded while pending_sign
    return_case(actor=world.handler, case=Case.objects.get(pk=case.pk), reason="不属于城管职责。")
    before = Case.objects.get(pk=case.pk)
    with pytest.raises(InvalidTransition):
        sign_case(actor=second_handler, case=stale)  # no expected_version: compare-and-set decides
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version, after.steps.count()) == (
        CaseStatus.PENDING_DISPATCH,
        before.version,
        before.steps.count(),
    )
    assert stale.status == CaseStatus.PENDING_DISPATCH  # the caller's object was reloaded


def test_stale_repeat_of_a_state_that_already_holds_is_a_no_op(world, second_handler):
    case = f.dispatched_case(world)
    mine = Case.objects.get(pk=case.pk)
    theirs = Case.objects.get(pk=case.pk)
    sign_case(actor=world.handler, case=mine)
    result = sign_case(actor=second_handler, case=theirs)
    assert result.status == CaseStatus.PROCESSING
    assert Case.objects.get(pk=case.pk).steps.filter(action="sign").count() == 1
    assert audits(case, "cases.sign") == 1


def test_stale_object_whose_version_only_moved_is_retried(world):
    case = f.processing_case(world)
    stale = Case.objects.get(pk=case.pk)
    record_contact(actor=world.handler, case=Case.objects.get(pk=case.pk), note="已联系。")  # version + 1
    resolve_case(actor=world.handler, case=stale, reply="已处理完毕。")
    row = Case.objects.get(pk=case.pk)
    assert row.status == CaseStatus.PENDING_REVIEW
    assert row.contacted_at is not None  # the concurrent change survived
    assert row.version == stale.version


def test_two_dispatchers_dispatching_to_different_departments(world):
    case = f.accepted_case(world)
    a = Case.objects.get(pk=case.pk)
    b = Case.objects.get(pk=case.pk)
    dispatch_case(actor=world.dispatcher, case=a, department=world.chengguan)
    with pytest.raises(InvalidTransition):
        dispatch_case(actor=world.dispatcher, case=b, department=world.zhujian)
    assert Case.objects.get(pk=case.pk).department_id == world.chengguan.pk


def test_accept_twice_from_two_tabs(world):
    case = f.submitted_case(world)
    a = Case.objects.get(pk=case.pk)
    b = Case.objects.get(pk=case.pk)
    accept_case(actor=world.dispatcher, case=a)
    accept_case(actor=world.dispatcher, case=b)  # a repeat: the target state holds
    assert Case.objects.get(pk=case.pk).steps.filter(action="accept").count() == 1
    c = Case.objects.get(pk=case.pk)
    with pytest.raises(Conflict):
        accept_case(actor=world.dispatcher, case=b, expected_version=a.version - 1)
    assert c.status == CaseStatus.PENDING_DISPATCH


def test_case_numbers_are_unique_and_gapless_within_a_day(world):
    numbers = [
        submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=world.grid_a)).number for _ in range(25)
    ]
    assert len(set(numbers)) == 25
    prefix = numbers[0][:10]
    assert [n[:10] for n in numbers] == [prefix] * 25
    assert [int(n[10:]) for n in numbers] == list(range(1, 26))
    assert CaseNumberSequence.objects.get().last == 25


def test_rejected_input_takes_no_number_and_a_failed_store_never_gives_its_number_again(world, monkeypatch):
    from gongzhi.cases.services import intake
    from gongzhi.core.errors import ValidationFailed

    first = submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=world.grid_a)).number
    with pytest.raises(ValidationFailed):
        submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=world.grid_a, title=""))
    assert CaseNumberSequence.objects.get().last == 1  # the checks run before a number is taken

    def broken_store(*args, **kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr(intake, "store_attachments", broken_store)
    with pytest.raises(RuntimeError):
        submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=world.grid_a))
    monkeypatch.undo()
    third = submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=world.grid_a)).number
    assert Case.objects.count() == 2
    # the failed submission's number stays used: a gap, never a second case with the same number
    assert int(third[10:]) == int(first[10:]) + 2
