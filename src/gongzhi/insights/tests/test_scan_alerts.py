"""预警扫描: category surges, repeated complaints from one place, departments with many reopens —
raised once per situation, updated by later scans, told to the right people."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.choices import Rating
from gongzhi.cases.models import Notification
from gongzhi.cases.services import reopen_case
from gongzhi.cases.tests import factories as f
from gongzhi.insights.choices import AlertKind, AlertStatus
from gongzhi.insights.models import Alert
from gongzhi.insights.selectors import alerts_visible_to
from gongzhi.insights.services import acknowledge_alert, close_alert

from .conftest import NOW, case_at


def _surge(world, cats, *, baseline_per_week: int = 1, current: int = 6, grid: str = "a"):
    """``baseline_per_week`` 占道经营 cases in each of 8 weeks before NOW, ``current`` in the last 7 days."""
    cases = []
    for week in range(1, 9):
        for n in range(baseline_per_week):
            when = NOW - timedelta(days=7 * week + 1, hours=n)
            cases.append(case_at(world, when, category=cats["占道经营"], address="", grid=grid))
    for n in range(current):
        when = NOW - timedelta(days=n % 6, hours=2 + n)
        cases.append(case_at(world, when, category=cats["占道经营"], address="", grid=grid))
    return cases


def test_flags_a_category_surge_in_the_community_with_the_cases_behind_it(scan, world, cats, leader):
    cases = _surge(world, cats)
    result = scan(NOW)
    alerts = list(Alert.objects.filter(kind=AlertKind.CATEGORY_SURGE))
    assert result.raised == len(alerts) == 1  # street/community × level 1/2 fold into one alert
    alert = alerts[0]
    assert alert.region == world.community
    assert alert.category.name == "市容环境"
    assert (alert.observed, alert.expected, alert.threshold, alert.score) == (6, 1.0, 5.0, 5.0)
    assert alert.details["weeks"] == [1, 1, 1, 1, 1, 1, 1, 1, 6]
    assert set(alert.cases.values_list("pk", flat=True)) == {c.pk for c in cases[-6:]}
    assert AuditEvent.objects.filter(action="insights.raise_alert", target_id=str(alert.pk)).count() == 1


def test_no_surge_alert_when_the_week_stays_below_the_bar(scan, world, cats):
    _surge(world, cats, baseline_per_week=1, current=4)
    assert scan(NOW).raised == 0
    assert not Alert.objects.exists()


def test_scanning_twice_keeps_one_alert_and_adds_new_cases_to_it(scan, world, cats, leader):
    _surge(world, cats)
    scan(NOW)
    second = scan(NOW)
    assert (second.raised, second.unchanged) == (0, 1)
    alert = Alert.objects.get()
    later = case_at(world, NOW + timedelta(hours=1), category=cats["占道经营"], address="")
    third = scan(NOW + timedelta(hours=2))
    assert (third.raised, third.updated) == (0, 1)
    assert Alert.objects.count() == 1
    alert.refresh_from_db()
    assert later.pk in set(alert.cases.values_list("pk", flat=True))
    assert alert.observed == 7
    # one notice per person for the one situation
    assert Notification.objects.filter(recipient=leader, kind="insights.alert").count() == 1


def test_a_closed_alert_comes_back_only_with_new_cases(scan, world, cats, leader):
    _surge(world, cats)
    scan(NOW)
    alert = Alert.objects.get()
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        acknowledge_alert(actor=leader, alert=alert, note="已安排城管和社区联合整治。")
        close_alert(actor=leader, alert=alert, note="早市已规范到临时疏导点。")
    assert scan(NOW + timedelta(hours=1)).suppressed == 1
    assert Alert.objects.count() == 1
    case_at(world, NOW + timedelta(hours=2), category=cats["占道经营"], address="")
    assert scan(NOW + timedelta(hours=3)).raised == 1
    assert list(Alert.objects.order_by("pk").values_list("status", flat=True)) == [
        AlertStatus.CLOSED,
        AlertStatus.OPEN,
    ]


def test_surge_alert_is_told_to_the_street_leader_and_dispatcher_only(
    scan, world, cats, leader, other_leader, head
):
    _surge(world, cats)
    scan(NOW)
    told = set(Notification.objects.filter(kind="insights.alert").values_list("recipient_id", flat=True))
    assert told == {leader.pk, world.dispatcher.pk}
    message = Notification.objects.filter(recipient=leader).get().message
    assert "幸福里社区" in message and "市容环境" in message


def test_repeated_complaints_from_one_building(scan, world, leader):
    for days, address in enumerate(
        ["幸福里小区7号楼2单元501", "幸福里小区７号楼", "幸福里小区7号楼3单元楼道"]
    ):
        case_at(world, NOW - timedelta(days=days * 5), address=address, title="暖气不热室温只有14度")
    case_at(world, NOW - timedelta(days=40), address="幸福里小区7号楼1单元")  # outside the 30 days
    case_at(world, NOW - timedelta(days=1), address="幸福里小区8号楼")  # another building
    scan(NOW)
    alert = Alert.objects.get(kind=AlertKind.REPEAT_ADDRESS)
    assert alert.observed == 3
    assert alert.place == "幸福里小区7号楼"
    assert alert.cases.count() == 3
    assert alert.region == world.grid_a  # every case is in grid A
    assert Notification.objects.filter(recipient=leader, kind="insights.alert").exists()


def test_a_bare_building_number_counts_only_within_one_community(scan, world):
    from gongzhi.accounts.services import system_actor
    from gongzhi.cases.services import submit_case
    from gongzhi.regions.services import create_region

    system = system_actor()
    other = create_region(
        actor=system, code="110199001002", name="和平里社区", level="community", parent=world.street
    )
    other_grid = create_region(
        actor=system, code="110199001002001", name="和平里第一网格", level="grid", parent=other
    )
    # three unrelated complaints from "10号楼" of two estates in one street: no alert
    case_at(world, NOW - timedelta(days=1), address="10号楼2单元", title="楼道灯不亮")
    case_at(world, NOW - timedelta(days=2), address="10号楼", title="电梯异响")
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        submit_case(actor=world.dispatcher, **f.CaseInputFactory(grid=other_grid, address="10号楼1单元301"))
    scan(NOW)
    assert not Alert.objects.filter(kind=AlertKind.REPEAT_ADDRESS).exists()

    case_at(world, NOW - timedelta(days=4), address="10号楼3单元", title="楼顶漏水")  # a third in 幸福里社区
    scan(NOW)
    alert = Alert.objects.get(kind=AlertKind.REPEAT_ADDRESS)
    assert alert.observed == 3 and alert.place == "10号楼"


def test_two_complaints_from_one_address_are_not_yet_an_alert(scan, world):
    case_at(world, NOW - timedelta(days=1), address="和平路12号")
    case_at(world, NOW - timedelta(days=2), address="和平路12号川菜馆")
    scan(NOW)
    assert not Alert.objects.filter(kind=AlertKind.REPEAT_ADDRESS).exists()


@pytest.fixture
def three_reopens(world):
    cases = []
    for _ in range(3):
        case = f.closed_case(world, rating=Rating.DISSATISFIED, address="")
        cases.append(
            reopen_case(actor=world.dispatcher, case=case, reason="群众反映问题没有解决，重新办理。")
        )
    return cases


def test_department_with_many_reopens_is_flagged_and_its_head_told(scan, world, head, leader, three_reopens):
    result = scan()
    alert = Alert.objects.get(kind=AlertKind.DEPARTMENT_REOPENS)
    assert result.raised >= 1
    assert alert.department == world.chengguan
    assert alert.observed == 3 and alert.rate == 1.0
    assert set(alert.cases.values_list("pk", flat=True)) == {c.pk for c in three_reopens}
    told = set(
        Notification.objects.filter(kind="insights.alert", message__contains="城管").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {head.pk}
    # the department head and the district leader see it; the street leader does not
    assert alerts_visible_to(head).filter(pk=alert.pk).exists()
    assert alerts_visible_to(world.district_leader).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(leader).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(world.handler).exists()  # handlers have no alert permission


def test_other_streets_leader_sees_no_alert_of_this_street(scan, world, cats, leader, other_leader):
    _surge(world, cats)
    scan(NOW)
    assert alerts_visible_to(leader).count() == 1
    assert alerts_visible_to(other_leader).count() == 0
    assert not Notification.objects.filter(recipient=other_leader).exists()


def test_acknowledge_needs_the_permission_and_the_region(scan, world, cats, leader, other_leader):
    from gongzhi.core.errors import PermissionDenied

    _surge(world, cats)
    scan(NOW)
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        acknowledge_alert(actor=other_leader, alert=alert)
    with pytest.raises(PermissionDenied):
        acknowledge_alert(actor=world.grid_worker_a, alert=alert)
    acknowledge_alert(actor=leader, alert=alert)
    again = acknowledge_alert(actor=leader, alert=alert)  # a repeat is a no-op
    assert again.status == AlertStatus.ACKNOWLEDGED
    assert AuditEvent.objects.filter(action="insights.acknowledge_alert").count() == 1
