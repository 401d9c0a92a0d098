"""事项配置 API (/api/v1/catalog): categories, import, duty rules with history, calendar, permissions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.services import create_token
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import CalendarDay, Category, DutyRule
from gongzhi.cases.services.catalog import create_duty_rule, seed_calendar_year
from gongzhi.cases.tests import factories as f

URL = "/api/v1/catalog"
TAXONOMY = Path("/work/shared/data/tipdm2020/taxonomy.csv")


def bearer(user) -> dict:
    _token, key = create_token(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {key}"}


def send(client, method: str, url: str, data: dict, user) -> object:
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=bearer(user)
    )


@pytest.fixture
def tree(world):
    return f.categories(world)


# --- permissions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/categories", "/duty-rules", "/calendar?year=2026"])
def test_reads_need_the_catalog_permission(world, client, tree, path):
    assert client.get(URL + path, headers=bearer(world.admin)).status_code == 200
    response = client.get(URL + path, headers=bearer(world.dispatcher))
    assert response.status_code == 403
    assert (
        response.json()["code"] == "permission_denied"
        and response.json()["message"] == "您没有执行此操作的权限。"
    )
    assert client.get(URL + path).status_code == 401


def test_writes_are_forbidden_to_handlers(world, client, tree):
    rule = create_duty_rule(actor=world.admin, category=tree["欠薪"], lead_department=world.zhujian)
    assert (
        send(
            client, "patch", f"{URL}/categories/{tree['欠薪'].pk}", {"sign_hours": 1}, world.handler
        ).status_code
        == 403
    )
    assert (
        send(client, "patch", f"{URL}/duty-rules/{rule.pk}", {"sign_hours": 1}, world.handler).status_code
        == 403
    )
    assert (
        send(client, "put", f"{URL}/calendar/2026-12-31", {"kind": "holiday"}, world.handler).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action="cases.update_duty_rule").exists()


# --- categories ------------------------------------------------------------------------------------------


def test_category_list_shows_own_and_inherited_limits(world, client, tree):
    send(client, "patch", f"{URL}/categories/{tree['供暖'].parent_id}", {"resolve_days": 2}, world.admin)

    items = {c["name"]: c for c in client.get(f"{URL}/categories", headers=bearer(world.admin)).json()}

    heating = items["供暖"]
    assert heating["resolve_days"] is None
    assert heating["applied_resolve_days"] == {"value": 2, "inherited": True, "source": "房屋管理"}
    assert heating["applied_sign_hours"] == {"value": 2, "inherited": True, "source": "default"}
    assert items["房屋管理"]["applied_resolve_days"] == {"value": 2, "inherited": False, "source": ""}


def test_patching_a_category_changes_only_the_given_fields_and_null_clears(world, client, tree):
    url = f"{URL}/categories/{tree['噪音扰民'].pk}"
    first = send(client, "patch", url, {"sign_hours": 4, "keywords": "噪音，施工 扰民"}, world.admin)
    assert first.status_code == 200 and first.json()["keywords"] == ["噪音", "施工", "扰民"]

    second = send(client, "patch", url, {"sign_hours": None}, world.admin)

    assert second.json()["sign_hours"] is None and second.json()["keywords"] == ["噪音", "施工", "扰民"]
    assert (
        AuditEvent.objects.filter(action="cases.update_category", target_id=str(tree["噪音扰民"].pk)).count()
        == 2
    )


def test_bad_limits_are_422_per_field_in_chinese(world, client, tree):
    response = send(
        client,
        "patch",
        f"{URL}/categories/{tree['噪音扰民'].pk}",
        {"sign_hours": 0, "resolve_days": "很多"},
        world.admin,
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"resolve_days"}  # the schema speaks first
    response = send(
        client, "patch", f"{URL}/categories/{tree['噪音扰民'].pk}", {"sign_hours": 0}, world.admin
    )
    assert response.status_code == 422
    assert response.json()["fields"]["sign_hours"] == ["请输入 1 到 720 之间的整数。"]


def test_unknown_category_is_404(world, client, tree):
    response = send(client, "patch", f"{URL}/categories/999999", {"sign_hours": 3}, world.admin)
    assert response.status_code == 404


@pytest.mark.skipif(not TAXONOMY.exists(), reason="the TipDM 2020 taxonomy is not on this machine")
def test_importing_the_tipdm_taxonomy_through_the_api(world, client):
    upload = SimpleUploadedFile("taxonomy.csv", TAXONOMY.read_bytes(), content_type="text/csv")

    response = client.post(f"{URL}/categories/import", {"file": upload}, headers=bearer(world.admin))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["created_by_level"]["3"] == 517 and body["errors"] == []
    assert Category.objects.filter(level=3).count() == 517


def test_a_dry_run_writes_nothing(world, client):
    upload = SimpleUploadedFile(
        "分类.csv", "一级分类,二级分类,三级分类\n城市管理,市容环境,占道经营\n".encode()
    )

    response = client.post(
        f"{URL}/categories/import", {"file": upload, "dry_run": "true"}, headers=bearer(world.admin)
    )

    assert response.status_code == 200 and response.json()["created"] == 3 and response.json()["dry_run"]
    assert not Category.objects.exists()


def test_an_import_with_bad_rows_is_422_with_the_report_and_writes_nothing(world, client):
    data = "一级分类,二级分类,三级分类\n城市管理,市容环境,占道经营\n城市管理,市容环境,\n"
    upload = SimpleUploadedFile("分类.csv", data.encode("gb18030"))

    response = client.post(f"{URL}/categories/import", {"file": upload}, headers=bearer(world.admin))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 3, "column": "三级分类", "code": "blank_cell", "message": "第 3 行：三级分类为空。"}
    ]
    assert not Category.objects.exists()


# --- duty rules ------------------------------------------------------------------------------------------


def test_rule_create_edit_deactivate_and_history(world, client, tree):
    created = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {
            "category_id": tree["占道经营"].pk,
            "region_code": world.street.code,
            "lead_department_id": world.chengguan.pk,
            "assisting_department_ids": [world.zhujian.pk],
            "sign_hours": 2,
            "note": "向阳街道早市周边",
        },
        world.admin,
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["region"] == {"code": world.street.code, "name": "向阳街道"}
    assert [d["name"] for d in rule["assisting_departments"]] == ["区住房和城乡建设委员会"]
    again = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {
            "category_id": tree["占道经营"].pk,
            "region_code": world.street.code,
            "lead_department_id": world.chengguan.pk,
            "assisting_department_ids": [world.zhujian.pk],
            "sign_hours": 2,
            "note": "向阳街道早市周边",
        },
        world.admin,
    )
    assert again.status_code == 200 and again.json()["id"] == rule["id"]

    edited = send(
        client,
        "patch",
        f"{URL}/duty-rules/{rule['id']}",
        {"sign_hours": None, "reason": "按分类时限执行"},
        world.admin,
    )
    assert edited.status_code == 200
    successor = edited.json()
    assert successor["id"] != rule["id"] and successor["sign_hours"] is None
    retired = send(
        client,
        "post",
        f"{URL}/duty-rules/{successor['id']}/deactivate",
        {"reason": "早市已取缔"},
        world.admin,
    )
    assert retired.status_code == 200 and retired.json()["is_active"] is False

    history = client.get(f"{URL}/duty-rules/{rule['id']}/history", headers=bearer(world.admin)).json()
    assert [h["action"] for h in history] == [
        "cases.deactivate_duty_rule",
        "cases.update_duty_rule",
        "cases.create_duty_rule",
    ]
    assert history[0]["reason"] == "早市已取缔" and history[0]["actor"] == "系统管理员"
    assert {"field": "sign_hours", "old": 2, "new": None} in history[1]["changes"]
    listed = client.get(f"{URL}/duty-rules?include_inactive=true", headers=bearer(world.admin)).json()
    assert listed["count"] == 2


def test_rule_errors_name_the_field(world, client, tree):
    response = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {
            "category_id": tree["欠薪"].pk,
            "lead_department_id": world.chengguan.pk,
            "assisting_department_ids": [world.chengguan.pk],
        },
        world.admin,
    )
    assert response.status_code == 422
    assert response.json()["fields"]["assisting"] == ["主办部门不能同时作为协办部门。"]
    response = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {"category_id": tree["欠薪"].pk, "lead_department_id": 424242},
        world.admin,
    )
    assert response.status_code == 422 and "lead_department_id" in response.json()["fields"]
    response = send(client, "post", f"{URL}/duty-rules", {"category_id": tree["欠薪"].pk}, world.admin)
    assert (
        response.json()["fields"]["lead_department_id"] == ["此项为必填项。"] or response.status_code == 422
    )


def test_retiring_a_rule_needs_a_real_reason(world, client, tree):
    """停用须填写原因: blank or spaces only are refused, the rule stays active and nothing is audited."""
    rule = create_duty_rule(actor=world.admin, category=tree["欠薪"], lead_department=world.chengguan)
    for reason in ("   ", "\u3000"):
        response = send(
            client, "post", f"{URL}/duty-rules/{rule.pk}/deactivate", {"reason": reason}, world.admin
        )
        assert response.status_code == 422
        assert response.json()["fields"]["reason"] == ["请填写停用原因。"]
    assert DutyRule.objects.get(pk=rule.pk).is_active
    assert not AuditEvent.objects.filter(action="cases.deactivate_duty_rule").exists()


def test_rule_history_lists_only_fields_that_changed(world, client, tree):
    """A new rule without assisting departments or note does not list them as changed (— → —)."""
    rule = create_duty_rule(actor=world.admin, category=tree["欠薪"], lead_department=world.chengguan)

    history = client.get(f"{URL}/duty-rules/{rule.pk}/history", headers=bearer(world.admin)).json()

    assert [c["field"] for c in history[0]["changes"]] == ["lead_department", "auto_dispatch"]
    client.force_login(world.admin, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    page = client.get(f"/cases/catalog/duty-rules/{rule.pk}/history/")
    assert page.status_code == 200 and "— → —" not in page.content.decode()


def test_a_street_catalog_admin_cannot_touch_another_streets_rule(world, client, tree):
    street_admin = f.catalog_admin(world)
    theirs = create_duty_rule(
        actor=world.admin, category=tree["供暖"], lead_department=world.zhujian, region=world.other_street
    )
    districtwide = create_duty_rule(actor=world.admin, category=tree["欠薪"], lead_department=world.zhujian)

    listed = client.get(f"{URL}/duty-rules", headers=bearer(street_admin)).json()
    assert listed == {"items": [], "count": 0}
    for rule in (theirs, districtwide):
        assert (
            send(client, "patch", f"{URL}/duty-rules/{rule.pk}", {"sign_hours": 1}, street_admin).status_code
            == 404
        )
        response = send(
            client, "post", f"{URL}/duty-rules/{rule.pk}/deactivate", {"reason": "越权"}, street_admin
        )
        assert response.status_code == 404
    response = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {
            "category_id": tree["供暖"].pk,
            "region_code": world.other_street.code,
            "lead_department_id": world.zhujian.pk,
        },
        street_admin,
    )
    assert response.status_code == 422 and "region_code" in response.json()["fields"]
    response = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {"category_id": tree["供暖"].pk, "lead_department_id": world.zhujian.pk},
        street_admin,
    )
    assert response.status_code == 403  # 全区 rules belong to the district
    ours = send(
        client,
        "post",
        f"{URL}/duty-rules",
        {
            "category_id": tree["供暖"].pk,
            "region_code": world.community.code,
            "lead_department_id": world.zhujian.pk,
        },
        street_admin,
    )
    assert ours.status_code == 201
    assert DutyRule.objects.filter(is_active=True).count() == 3


# --- calendar --------------------------------------------------------------------------------------------


def test_calendar_seed_set_clear_and_reseed(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = send(client, "post", f"{URL}/calendar/seed", {"year": 2026}, world.admin)
    assert seeded.status_code == 200 and len(seeded.json()["created"]) == 25

    with django_capture_on_commit_callbacks(execute=True):
        cleared = send(
            client, "put", f"{URL}/calendar/2026-10-07", {"kind": "normal", "name": "国庆值守"}, world.admin
        )
    assert cleared.status_code == 200
    assert cleared.json() | {"source": ""} == {
        "date": "2026-10-07",
        "kind": "normal",
        "name": "国庆值守",
        "source": "",
        "set_by_hand": True,
        "working_day": True,
    }

    with django_capture_on_commit_callbacks(execute=True):
        again = send(client, "post", f"{URL}/calendar/seed", {"year": 2026}, world.admin).json()
    assert again["created"] == [] and "2026-10-07" in again["kept_manual"]

    days = {
        d["date"]: d
        for d in client.get(f"{URL}/calendar?year=2026", headers=bearer(world.admin)).json()["days"]
    }
    assert days["2026-10-07"]["kind"] == "normal" and days["2026-10-07"]["working_day"] is True
    assert days["2026-10-10"] == days["2026-10-10"] | {
        "kind": "makeup_workday",
        "working_day": True,
        "set_by_hand": False,
    }


def test_calendar_errors(world, client):
    response = send(client, "put", f"{URL}/calendar/2026-11-18", {"kind": "makeup_workday"}, world.admin)
    assert response.status_code == 422
    assert response.json()["fields"]["kind"] == ["只有周六或周日可以设为调休上班日。"]
    assert (
        send(client, "put", f"{URL}/calendar/2026-13-01", {"kind": "holiday"}, world.admin).status_code == 422
    )
    assert (
        send(client, "put", f"{URL}/calendar/2026-12-31", {"kind": "vacation"}, world.admin).status_code
        == 422
    )
    assert send(client, "post", f"{URL}/calendar/seed", {"year": 1999}, world.admin).status_code == 422
    assert not CalendarDay.objects.exists()


def test_a_day_outside_the_calendars_years_is_refused(world, client):
    """The pages and the API list 2004–2100 only: a day set outside could never be seen or cleared."""
    for day in ("1900-01-01", "9999-12-31", "2003-12-31", "2101-01-01"):
        response = send(client, "put", f"{URL}/calendar/{day}", {"kind": "holiday"}, world.admin)
        assert response.status_code == 422, day
        assert response.json()["fields"]["date"] == ["只能设定 2004 年至 2100 年的日期。"]
    last = send(client, "put", f"{URL}/calendar/2100-12-31", {"kind": "holiday"}, world.admin)
    assert last.status_code == 200
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2100, 12, 31)]


def test_making_a_plain_day_normal_stores_nothing(world, client):
    seed_calendar_year(actor=world.admin, year=2026)
    response = send(client, "put", f"{URL}/calendar/2026-11-18", {"kind": "normal"}, world.admin)
    assert response.status_code == 200 and response.json()["set_by_hand"] is False
    assert not CalendarDay.objects.filter(date=date(2026, 11, 18)).exists()
