"""三率与考核 pages: hand-computed figures, "—" for no data, scope, the assessment and its CSV, errors.

The figures come from ``CaseStep`` rows written as the workflow services write them (``Steps`` of
test_rates.py). The small example of November 2026:

* 城管 on 幸福里第一网格 (向阳街道): 4 hand-overs, 3 signed on time and 1 late → 响应率 75.0%; 2 ratings
  (满意 and solved, 不满意 and not solved) → 解决率 50.0%, 满意率 50.0%; 2 resolves, 1 on time →
  按期办结率 50.0%.
* 住建 on 朝晖第一网格 (朝晖街道): 2 hand-overs, 1 signed on time → 50.0%; no rating yet → "—".
* 合计: 6 hand-overs, 4 on time → 66.7%.
"""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.urls import reverse

from gongzhi.cases.tests.test_rates import at

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
HTMX = {"HX-Request": "true"}
NOVEMBER = {"period": "month", "month": "2026-11"}


def login(client, user) -> None:
    client.force_login(user, backend=BACKEND)


def _cells(html: str, testid: str) -> list[list[str]]:
    """The text of each cell of the rows marked ``data-testid=testid``."""
    rows = re.findall(rf'<tr[^>]*data-testid="{testid}"[^>]*>(.*?)</tr>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]


# --- the table ------------------------------------------------------------------------------------------


def test_the_page_shows_hand_computed_rates_and_the_total(world, client, example):
    login(client, world.district_leader)

    response = client.get(reverse("cases:rates"), NOVEMBER)

    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-11-01 至 2026-11-30 三率统计" in html
    rows = {cells[0]: cells for cells in _cells(html, "rates-row")}
    # name, 派单, 按时签收, 响应率, 参评, 解决率, 满意率, 办结, 按期办结率, 重办, 重办率
    assert rows["城管"] == ["城管", "4", "3", "75.0%", "2", "50.0%", "50.0%", "2", "50.0%", "0", "0.0%"]
    assert rows["住建"] == ["住建", "2", "1", "50.0%", "0", "—", "—", "0", "—", "0", "—"]
    [total] = _cells(html, "rates-total")
    assert total == ["合计", "6", "4", "66.7%", "2", "50.0%", "50.0%", "2", "50.0%", "0", "0.0%"]
    assert "口径说明" in html and "按时签收数 ÷ 派单数" in html


def test_the_default_period_is_the_last_full_month_in_shanghai(world, client, example):
    login(client, world.district_leader)
    with time_machine.travel(at(2026, 12, 1, 0, 30), tick=False):  # still 30 November in UTC
        response = client.get(reverse("cases:rates"))

    html = response.content.decode()
    assert 'value="2026-11"' in html
    assert sorted(cells[:2] for cells in _cells(html, "rates-row")) == [["住建", "2"], ["城管", "4"]]
    chart = json.loads(re.search(r'id="rates-chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert chart["labels"][0] == "2025-12" and chart["labels"][-1] == "2026-11" and len(chart["labels"]) == 12
    assert chart["series"][0]["name"] == "响应率"
    assert chart["series"][0]["data"][-1] == 66.7 and chart["series"][0]["data"][0] is None


def test_a_period_without_records_shows_no_data_not_zero(world, client, example):
    login(client, world.district_leader)

    html = client.get(reverse("cases:rates"), {"period": "month", "month": "2026-10"}).content.decode()

    assert "该期间没有办理记录。" in html and "rates-total" not in html
    trend = re.search(r'data-testid="trend-table">(.*?)</table>', html, re.S).group(1)
    assert "%" not in trend and trend.count("—") == 12 * 3  # twelve months without data, three rates each


def test_groups_by_street_and_a_date_range(world, client, example):
    login(client, world.district_leader)

    response = client.get(
        reverse("cases:rates"),
        {"period": "range", "start": "2026-11-18", "end": "2026-11-18", "group_by": "street"},
    )

    rows = {cells[0]: cells[:4] for cells in _cells(response.content.decode(), "rates-row")}
    assert rows == {"向阳街道": ["向阳街道", "4", "3", "75.0%"], "朝晖街道": ["朝晖街道", "2", "1", "50.0%"]}


def test_htmx_gets_only_the_results_fragment(world, client, example):
    login(client, world.district_leader)

    response = client.get(reverse("cases:rates"), NOVEMBER, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="rates-results"') and "<html" not in html


# --- scope and permission ---------------------------------------------------------------------------------


def test_a_street_leader_sees_only_the_groups_of_the_street(world, client, example, street_leader):
    login(client, street_leader)

    by_department = client.get(reverse("cases:rates"), NOVEMBER).content.decode()
    by_street = client.get(reverse("cases:rates"), {**NOVEMBER, "group_by": "street"}).content.decode()

    assert [cells[:4] for cells in _cells(by_department, "rates-row")] == [["城管", "4", "3", "75.0%"]]
    assert "住建" not in by_department
    assert [cells[0] for cells in _cells(by_street, "rates-row")] == ["向阳街道"]
    assert "朝晖" not in by_street  # not even as a region to limit by


def test_a_street_leader_cannot_limit_to_another_street(world, client, example, street_leader):
    login(client, street_leader)

    response = client.get(reverse("cases:rates"), {**NOVEMBER, "within": world.other_street.code})

    assert response.status_code == 422
    assert 'data-field-error="within"' in response.content.decode()
    assert "rates-row" not in response.content.decode()


def test_the_district_leader_may_limit_to_one_street(world, client, example):
    login(client, world.district_leader)

    html = client.get(
        reverse("cases:rates"), {**NOVEMBER, "within": world.other_street.code}
    ).content.decode()

    assert [cells[:2] for cells in _cells(html, "rates-row")] == [["住建", "2"]]


@pytest.mark.parametrize("name", ["cases:rates", "cases:rates_assessment", "cases:rates_assessment_csv"])
def test_residents_and_handlers_are_refused(world, client, example, name):
    for user in (world.resident, world.handler):
        login(client, user)
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "城管" not in response.content.decode()
    client.logout()
    assert client.get(reverse(name)).status_code == 302  # to the sign-in page


def test_the_navigation_entry_shows_only_with_the_permission(world, client, street_leader):
    login(client, street_leader)
    labels = [str(item["label"]) for item in client.get(reverse("core:home")).context["nav_items"]]
    assert "三率与考核" in labels

    login(client, world.handler)
    labels = [str(item["label"]) for item in client.get(reverse("core:home")).context["nav_items"]]
    assert "三率与考核" not in labels


# --- invalid input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "range", "start": "2026-11-30", "end": "2026-11-01"}, "end", "结束日期不能早于开始日期"),
        ({"period": "range", "start": "2026-02-30", "end": "2026-03-01"}, "start", ""),
        ({"period": "range", "start": "2026-11-01"}, "end", "请选择结束日期。"),
        ({"period": "range", "start": "2020-01-01", "end": "2026-11-30"}, "end", "统计期间最长两年"),
        ({"period": "month", "month": "2026-13"}, "month", "请按“年-月”填写月份，例如 2026-11。"),
        ({"period": "month", "month": "2026-11", "group_by": "building"}, "group_by", ""),
    ],
)
def test_invalid_filters_come_back_with_chinese_messages(world, client, example, params, field, message):
    login(client, world.district_leader)

    response = client.get(reverse("cases:rates"), params)

    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(rf'data-field-error="{field}">(.*?)</p>', html).group(1)
    assert message in error and re.search(r"[\u4e00-\u9fff]", error)
    assert "rates-row" not in html


def test_page_needs_a_fixed_number_of_queries(world, client, example, django_assert_max_num_queries):
    login(client, world.district_leader)
    client.get(reverse("cases:rates"), NOVEMBER)  # warm the template cache
    with django_assert_max_num_queries(12):
        client.get(reverse("cases:rates"), {**NOVEMBER, "group_by": "grid"})


# --- the monthly assessment -------------------------------------------------------------------------------


@pytest.fixture
def assessment_example(world, example):
    # a resolve step without a department: a row without any of the three rates, so without a score
    example.add("resolve", None, world.grid_a, at(2026, 11, 20, 9), on_time=True)
    return example


def test_the_assessment_ranks_by_score_and_lists_groups_without_data_last(world, client, assessment_example):
    login(client, world.district_leader)

    response = client.get(reverse("cases:rates_assessment"), {"year": 2026, "month": 11})

    html = response.content.decode()
    assert response.status_code == 200 and "2026年11月考核" in html
    # 城管: 75 × 0.2 + 50 × 0.4 + 50 × 0.4 = 55; 住建: only the response rate, 50
    assert _cells(html, "assessment-row") == [
        ["1", "城管", "55.00", "75.0%", "50.0%", "50.0%", "6"],
        ["2", "住建", "50.00", "50.0%", "—", "—", "2"],
        ["—", "未派单", "—", "—", "—", "—", "0"],
    ]


def test_the_assessment_ranks_streets(world, client, example):
    login(client, world.district_leader)

    html = client.get(
        reverse("cases:rates_assessment"), {"year": 2026, "month": 11, "level": "street"}
    ).content.decode()

    assert [cells[:3] for cells in _cells(html, "assessment-row")] == [
        ["1", "向阳街道", "55.00"],
        ["2", "朝晖街道", "50.00"],
    ]


def test_the_assessment_downloads_as_csv_with_a_bom(world, client, assessment_example):
    login(client, world.district_leader)

    response = client.get(reverse("cases:rates_assessment_csv"), {"year": 2026, "month": 11})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "名次,部门,得分,响应率,解决率,满意率,工作量（派单 + 参评）,派单,按时签收,参评"
    assert lines[1:] == [
        "1,城管,55.00,75.0%,50.0%,50.0%,6,4,3,2",
        "2,住建,50.00,50.0%,—,—,2,2,1,0",
        ",未派单,,—,—,—,0,0,0,0",
    ]


def test_the_csv_of_a_street_leader_holds_only_the_street(world, client, example, street_leader):
    login(client, street_leader)

    text = client.get(reverse("cases:rates_assessment_csv"), {"year": 2026, "month": 11}).content.decode()

    assert "城管" in text and "住建" not in text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year": 2026, "month": 13}, "month", "请选择 1 到 12 月。"),
        ({"year": "二〇二六", "month": 11}, "year", ""),
        ({"year": 2026, "month": 11, "level": "district"}, "level", ""),
    ],
)
def test_invalid_assessment_input_comes_back_with_chinese_messages(world, client, params, field, message):
    login(client, world.district_leader)

    for name in ("cases:rates_assessment", "cases:rates_assessment_csv"):
        response = client.get(reverse(name), params)
        assert response.status_code == 422
        error = re.search(rf'data-field-error="{field}">(.*?)</p>', response.content.decode()).group(1)
        assert message in error and re.search(r"[\u4e00-\u9fff]", error)
