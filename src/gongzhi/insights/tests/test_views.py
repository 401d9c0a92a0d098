"""Pages of the insights app: the persona matrix, the alert panel, the one-click proactive case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.cases.tests import factories as f
from gongzhi.insights.choices import AlertStatus
from gongzhi.insights.models import Alert, MonthlyProblem

from .conftest import NOW, case_at
from .test_hotspots import MARKET


def login(client, user):
    client.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")


@pytest.fixture
def alert(world, scan):
    for days, address in enumerate(["幸福里小区7号楼2单元501", "幸福里小区7号楼", "幸福里小区7号楼3单元"]):
        case_at(world, NOW - timedelta(days=days), address=address, title="暖气不热室温只有14度")
    scan(NOW)
    return Alert.objects.get()


@pytest.fixture
def market_cases(world):
    return [
        f.submitted_case(world, title=t, description=d, address="幸福里小区南门", reporter_user=None)
        for t, d in MARKET
    ]


@pytest.mark.parametrize(
    ("name", "allowed", "denied"),
    [
        ("insights:dashboard", "leader", "grid_worker_a"),
        ("insights:hotspots", "leader", "handler"),
        ("insights:monthly", "leader", "resident"),
    ],
)
def test_pages_render_for_leaders_and_refuse_others(world, client, leader, name, allowed, denied):
    login(client, leader)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"<html" in response.content
    login(client, getattr(world, denied))
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302  # to the login page


def test_dashboard_lists_the_alert_with_its_cases(world, client, leader, alert):
    login(client, leader)
    response = client.get(reverse("insights:dashboard"))
    content = response.content.decode()
    assert reverse("insights:alert", args=[alert.pk]) in content
    for case in alert.cases.all():
        assert case.number in content
    assert 'id="insights-chart"' in content


def test_alert_detail_is_hidden_from_the_other_street(world, client, leader, other_leader, alert):
    login(client, leader)
    response = client.get(reverse("insights:alert", args=[alert.pk]))
    assert response.status_code == 200
    assert all(c.number in response.content.decode() for c in alert.cases.all())
    login(client, other_leader)
    assert client.get(reverse("insights:alert", args=[alert.pk])).status_code == 404
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 200 and alert.place not in response.content.decode()


def test_acknowledge_and_close_from_the_alert_panel(world, client, leader, alert):
    login(client, leader)
    url = reverse("insights:alert_action", args=[alert.pk, "acknowledge"])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alert-changed"
    assert f'id="alert-{alert.pk}-actions"' in response.content.decode()
    response = client.post(
        reverse("insights:alert_action", args=[alert.pk, "close"]), {"note": "已入户检修。"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.note == "已入户检修。"


def test_one_click_makes_one_proactive_case(world, client, leader, market_cases):
    login(client, leader)
    page = client.get(reverse("insights:hotspots")).content.decode()
    assert "转为主动治理工单" in page or "Turn into a proactive case" in page
    key = f"hotspot-{min(c.pk for c in market_cases)}"
    first = client.post(reverse("insights:proactive"), {"key": key, "days": 30})
    second = client.post(reverse("insights:proactive"), {"key": key, "days": 30})
    case = Case.objects.get(channel=Channel.PROACTIVE)
    assert first["Location"] == second["Location"] == reverse("cases:detail", args=[case.pk])
    login(client, world.grid_worker_a)
    assert client.post(reverse("insights:proactive"), {"key": key, "days": 30}).status_code in (403, 404)


def test_one_click_says_where_the_proactive_case_went(world, client, leader):
    """With a category on the duty list the proactive case is dispatched at once: the message names the
    department instead of saying it waits on the dispatch list."""
    from django.contrib.messages import get_messages

    from gongzhi.cases.services import create_duty_rule

    category = f.categories(world)["占道经营"]
    create_duty_rule(actor=world.admin, category=category, lead_department=world.chengguan)
    cases = [
        f.submitted_case(
            world, title=t, description=d, address="幸福里小区南门", reporter_user=None, category=category
        )
        for t, d in MARKET
    ]
    login(client, leader)
    key = f"hotspot-{min(c.pk for c in cases)}"
    response = client.post(reverse("insights:proactive"), {"key": key, "days": 30})
    case = Case.objects.get(channel=Channel.PROACTIVE)
    assert case.status == "pending_sign" and case.department == world.chengguan
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f"主动治理工单{case.number}已派至{world.chengguan.name}。"


def test_choose_the_problem_of_the_month_from_a_hotspot(world, client, leader, market_cases):
    login(client, leader)
    key = f"hotspot-{min(c.pk for c in market_cases)}"
    form = client.get(reverse("insights:monthly"), {"hotspot": key, "days": 30}).content.decode()
    assert ",".join(str(c.pk) for c in sorted(market_cases, key=lambda c: c.pk)) in form or "早市" in form
    response = client.post(
        reverse("insights:monthly"),
        {
            "region": world.street.code,
            "month": "2026-11",
            "title": "南门早市占道经营",
            "description": "早市疏导到临时便民点。",
            "lead_department": str(world.chengguan.pk),
            "source_case_ids": ",".join(str(c.pk) for c in market_cases),
        },
    )
    assert response.status_code == 302
    problem = MonthlyProblem.objects.get()
    assert problem.lead_department == world.chengguan
    assert sorted(problem.source_case_ids) == sorted(c.pk for c in market_cases)


def test_a_tampered_case_list_is_a_form_error_not_a_server_error(world, client, leader):
    login(client, leader)
    response = client.post(
        reverse("insights:monthly"),
        {
            "region": world.street.code,
            "month": "2026-11",
            "title": "南门早市占道经营",
            "description": "早市疏导到临时便民点。",
            "lead_department": str(world.chengguan.pk),
            "source_case_ids": "10000000000000000000000000",
        },
    )
    assert response.status_code in (200, 422) and not MonthlyProblem.objects.exists()


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_alerts(world, client, leader, alert):
    """A fixed query budget: 1 alert or 21 alerts (rows copied from the real one) cost the same."""
    login(client, leader)
    url = reverse("insights:dashboard")
    _queries(client, url)  # warm the per-process caches (navigation, permissions)
    one = _queries(client, url)
    case_ids = list(alert.cases.values_list("pk", flat=True))
    for n in range(20):
        copy = Alert.objects.get(pk=alert.pk)
        copy.pk = None
        copy.dedupe_key = f"{alert.dedupe_key}:copy{n}"
        copy.save()
        copy.cases.set(case_ids, through_defaults={"added_at": NOW})
    assert _queries(client, url) == one
