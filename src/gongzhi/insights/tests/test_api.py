"""REST API of the insights app: alerts in scope, acknowledging, hotspots."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongzhi.insights.models import Alert

from .conftest import NOW, case_at


def login(client, user):
    client.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")


@pytest.fixture
def alert(world, scan):
    for days, address in enumerate(["和平路12号川菜馆", "和平路12号", "和平路12号后厨"]):
        case_at(world, NOW - timedelta(days=days), address=address, title="川菜馆油烟直排进居民家")
    scan(NOW)
    return Alert.objects.get()


def test_alert_list_and_detail_for_the_leader(world, client, leader, alert):
    login(client, leader)
    body = client.get("/api/v1/insights/alerts").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["kind"] == "repeat_address" and item["case_count"] == 3
    detail = client.get(f"/api/v1/insights/alerts/{alert.pk}").json()
    assert len(detail["case_numbers"]) == 3


def test_other_street_gets_nothing_and_a_404(world, client, other_leader, alert):
    login(client, other_leader)
    assert client.get("/api/v1/insights/alerts").json()["count"] == 0
    response = client.get(f"/api/v1/insights/alerts/{alert.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "alert.not_found"


def test_acknowledge_through_the_api(world, client, leader, alert):
    login(client, leader)
    response = client.post(
        f"/api/v1/insights/alerts/{alert.pk}/actions/acknowledge",
        data={"note": "已转餐饮油烟专项整治。"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"


def test_hotspots_endpoint_needs_the_permission(world, client, leader, alert):
    login(client, leader)
    response = client.get("/api/v1/insights/hotspots?days=30")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    login(client, world.grid_worker_a)
    assert client.get("/api/v1/insights/hotspots").status_code == 403
