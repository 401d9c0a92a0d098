"""三率与考核 API (/api/v1/rates): rows and totals, the trend, the ranking, scope, permission, 422s.

Same small example as test_rates_views.py: 城管 on 向阳街道 (4 hand-overs, 3 on time, 2 ratings), 住建 on
朝晖街道 (2 hand-overs, 1 on time, no rating).
"""

from __future__ import annotations

import pytest
import time_machine

from gongzhi.accounts.services import create_token
from gongzhi.cases.tests.test_rates import at

URL = "/api/v1/rates"
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


def bearer(user) -> dict:
    _token, key = create_token(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {key}"}


def test_rates_per_department_with_total(world, client, example):
    response = client.get(URL, NOVEMBER, headers=bearer(world.district_leader))

    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"], body["group_by"], body["within"]) == (
        "2026-11-01",
        "2026-11-30",
        "department",
        None,
    )
    rows = {row["label"]: row for row in body["rows"]}
    assert rows["城管"]["key"] == world.chengguan.pk
    assert (rows["城管"]["dispatched"], rows["城管"]["signed_on_time"], rows["城管"]["response_rate"]) == (
        4,
        3,
        0.75,
    )
    assert (rows["城管"]["rated"], rows["城管"]["satisfaction_rate"], rows["城管"]["resolution_rate"]) == (
        2,
        0.5,
        0.5,
    )
    assert rows["住建"]["response_rate"] == 0.5
    assert rows["住建"]["satisfaction_rate"] is None and rows["住建"]["on_time_rate"] is None  # no data
    total = body["total"]
    assert (total["key"], total["label"], total["dispatched"], total["signed_on_time"]) == (
        None,
        "合计",
        6,
        4,
    )
    assert total["response_rate"] == pytest.approx(4 / 6)


def test_rates_per_grid_within_a_street_given_by_path_code_or_id(world, client, example):
    headers = bearer(world.district_leader)
    for ref in (world.street.path, world.street.code, str(world.street.pk)):
        body = client.get(URL, {**NOVEMBER, "group_by": "grid", "within": ref}, headers=headers).json()
        assert body["within"] == world.street.path
        assert [(row["key"], row["label"], row["dispatched"]) for row in body["rows"]] == [
            (world.grid_a.path, "幸福里第一网格", 4)
        ]


def test_the_session_works_as_well(world, client, example):
    client.force_login(world.district_leader, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    assert client.get(URL, NOVEMBER).status_code == 200


def test_a_street_leader_gets_only_the_street(world, client, example, street_leader):
    headers = bearer(street_leader)

    body = client.get(URL, {**NOVEMBER, "group_by": "street"}, headers=headers).json()
    assert [(row["label"], row["dispatched"]) for row in body["rows"]] == [("向阳街道", 4)]
    assert body["total"]["dispatched"] == 4

    response = client.get(URL, {**NOVEMBER, "within": world.other_street.code}, headers=headers)
    assert response.status_code == 422
    assert response.json()["fields"] == {"within": ["该区划不存在或您无权查看。"]}

    ranked = client.get(f"{URL}/assessment", {"year": 2026, "month": 11}, headers=headers).json()
    assert [row["label"] for row in ranked["rows"]] == ["城管"]


def test_the_monthly_trend_has_a_row_for_every_month(world, client, example):
    body = client.get(
        f"{URL}/monthly", {"start": "2026-09-01", "end": "2026-11-30"}, headers=bearer(world.district_leader)
    ).json()

    assert [(row["label"], row["dispatched"], row["response_rate"]) for row in body["rows"]] == [
        ("2026-09", 0, None),
        ("2026-10", 0, None),
        ("2026-11", 6, pytest.approx(4 / 6)),
    ]


def test_the_defaults_are_the_last_full_month_and_the_12_months_up_to_it(world, client, example):
    headers = bearer(world.district_leader)
    with time_machine.travel(at(2026, 12, 6, 9), tick=False):
        rates = client.get(URL, headers=headers).json()
        trend = client.get(f"{URL}/monthly", headers=headers).json()
        ranked = client.get(f"{URL}/assessment", headers=headers).json()

    assert (rates["start"], rates["end"], rates["total"]["dispatched"]) == ("2026-11-01", "2026-11-30", 6)
    assert (trend["start"], trend["end"], len(trend["rows"])) == ("2025-12-01", "2026-11-30", 12)
    assert (ranked["year"], ranked["month"]) == (2026, 11)


def test_the_assessment_ranks_by_score(world, client, example):
    body = client.get(
        f"{URL}/assessment",
        {"year": 2026, "month": 11, "level": "department"},
        headers=bearer(world.district_leader),
    ).json()

    # 城管: 75 × 0.2 + 50 × 0.4 + 50 × 0.4 = 55; 住建: only the response rate, 50
    assert [(row["rank"], row["label"], row["score"], row["volume"]) for row in body["rows"]] == [
        (1, "城管", 55.0, 6),
        (2, "住建", 50.0, 2),
    ]


@pytest.mark.parametrize("path", ["", "/monthly", "/assessment"])
def test_residents_and_handlers_are_refused(world, client, example, path):
    for user in (world.resident, world.handler):
        response = client.get(URL + path, headers=bearer(user))
        assert response.status_code == 403
        assert response.json()["message"] == "您没有执行此操作的权限。"
    assert client.get(URL + path).status_code == 401


@pytest.mark.parametrize(
    ("path", "params", "field", "message"),
    [
        ("", {"start": "2026-11-30", "end": "2026-11-01"}, "end", "结束日期不能早于开始日期，请重新选择。"),
        ("", {"start": "2026-02-30", "end": "2026-03-01"}, "start", "请输入正确的日期和时间。"),
        ("", {"start": "2020-01-01", "end": "2026-11-30"}, "end", "统计期间最长两年，请缩短后再查看。"),
        ("", {"group_by": "building"}, "group_by", "请选择允许的选项。"),
        (
            "/monthly",
            {"start": "2026-12-01", "end": "2026-01-01"},
            "end",
            "结束日期不能早于开始日期，请重新选择。",
        ),
        ("/assessment", {"year": 2026, "month": 13}, "month", "请选择 1 到 12 月。"),
        ("/assessment", {"year": "二〇二六", "month": 11}, "year", "请输入数字。"),
    ],
)
def test_invalid_input_is_422_with_chinese_messages(world, client, path, params, field, message):
    response = client.get(URL + path, params, headers=bearer(world.district_leader))

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["fields"][field] == [message]
