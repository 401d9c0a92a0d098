"""告知诉求人: a reporter who left only a phone (a 12345 caller) is told by SMS; an account gets a notice."""

from __future__ import annotations

from typing import ClassVar

import pytest

from gongzhi.cases import services
from gongzhi.cases.choices import Rating
from gongzhi.cases.models import Notification
from gongzhi.cases.tests import factories as f


class RecordingSms:
    """An SMS backend for tests: keeps what it was asked to send."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture
def sms(settings):
    settings.GONGZHI_SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent.clear()
    return RecordingSms.sent


def caller(world, **overrides):
    """A hotline case whose reporter has no account: a name and a phone only."""
    return {"reporter_user": None, "reporter_name": "王大爷", "reporter_phone": "13911112222", **overrides}


def test_a_caller_whose_case_is_not_accepted_gets_an_sms(world, sms, django_capture_on_commit_callbacks):
    case = f.submitted_case(world, **caller(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_case(
            actor=world.dispatcher, case=case, reason="不属于本市受理范围，请向物业公司反映。"
        )

    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13911112222" and case.number in text and "不属于本市受理范围" in text


def test_a_caller_is_asked_by_sms_to_rate_the_result(world, sms, django_capture_on_commit_callbacks):
    case = f.resolved_case(world, **caller(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.review_case(actor=world.dispatcher, case=case, approve=True)

    assert [phone for phone, _text in sms] == ["13911112222"]
    assert case.number in sms[0][1]


def test_callers_of_merged_duplicates_get_the_masters_reply_by_sms(
    world, sms, django_capture_on_commit_callbacks
):
    master = f.approved_case(world)
    duplicate = f.accepted_case(world, **caller(world, reporter_phone="13922223333"))
    with django_capture_on_commit_callbacks(execute=True):
        services.merge_case(actor=world.dispatcher, case=duplicate, master=master, reason="同一处占道经营")
    assert [phone for phone, _text in sms] == ["13922223333"]  # told it is handled with the master

    with django_capture_on_commit_callbacks(execute=True):
        services.rate_case(actor=world.resident, case=master, rating=Rating.SATISFIED)

    assert [phone for phone, _text in sms] == ["13922223333", "13922223333"]
    assert master.number in sms[1][1] and master.reply in sms[1][1]


def test_a_reporter_with_an_account_gets_a_notice_and_no_sms(world, sms, django_capture_on_commit_callbacks):
    case = f.submitted_case(world)  # the resident's account is the reporter
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_case(actor=world.dispatcher, case=case, reason="重复反映，已有诉求正在办理。")

    assert sms == []
    assert Notification.objects.filter(recipient=world.resident, case=case, kind="case.rejected").exists()


def test_an_anonymous_caller_is_not_contacted(world, sms, django_capture_on_commit_callbacks):
    case = f.submitted_case(world, reporter_user=None, anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_case(actor=world.dispatcher, case=case, reason="信息不全，无法核实。")

    assert sms == []


def test_a_resident_entered_at_the_desk_gets_the_case_number_by_sms(
    world, sms, django_capture_on_commit_callbacks
):
    """代办: a resident without a smartphone needs the number to look the case up later (编号 + 手机后4位)."""
    with django_capture_on_commit_callbacks(execute=True):
        case = services.submit_case(
            actor=world.community_worker,
            channel="walk_in",
            title="楼道灯坏了一个多月",
            description="7号楼3单元楼道灯坏了一个多月，老人晚上上下楼很危险。",
            address="幸福里社区7号楼3单元",
            reporter_name="赵桂芳",
            reporter_phone="13812349876",
        )
    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13812349876" and case.number in text and "后4位" in text


def test_a_resident_reporting_from_the_phone_gets_no_intake_sms(
    world, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_case(
            actor=world.resident,
            channel="mobile",
            title="楼道灯坏了一个多月",
            description="7号楼3单元楼道灯坏了一个多月，老人晚上上下楼很危险。",
            address="幸福里社区7号楼3单元",
            reporter_user=world.resident,
        )
    assert sms == []  # the number is on the page they are looking at


def test_a_grid_worker_reporting_a_patrol_finding_gets_no_sms(world, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_case(
            actor=world.grid_worker_a,
            channel="patrol",
            title="路口井盖缺失",
            description="巡查发现幸福路与光明街路口井盖缺失，已设置临时警示。",
            address="幸福里社区幸福路口",
            reporter_name=str(world.grid_worker_a),
            reporter_phone=world.grid_worker_a.phone,
        )
    assert sms == []
