"""REST API of the cases app: idempotent intake, 422 per field, cursor paging, filters, actions, scope."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import create_token
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.cases.tests import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
URL = "/api/v1/cases"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")

NOISE = {
    "title": "楼下烧烤店深夜噪音扰民",
    "description": "3号楼底商的烧烤店天天营业到凌晨两点，客人喝酒划拳声音特别大，孩子没法睡觉。",
    "address": "幸福里小区3号楼底商",
    "lat": 39.905,
    "lng": 116.405,  # inside 幸福里第一网格 (grid A)
}


def login(client, user) -> None:
    client.force_login(user, backend=BACKEND)


def bearer(world, user) -> dict:
    _token, key = create_token(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {key}"}


def post(client, url: str, data: dict, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def zhujian_handler(world):
    return f.staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴敏")


# --- intake ----------------------------------------------------------------------------------------------


def test_create_is_idempotent_with_the_header(world, client):
    headers = bearer(world, world.resident)
    first = post(client, URL, NOISE, **headers, **{"Idempotency-Key": "app-7f3a9c"})
    again = post(client, URL, NOISE, **headers, **{"Idempotency-Key": "app-7f3a9c"})

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="cases.submit").count() == 1
    body = first.json()
    assert body["status"] == "pending_accept" and body["channel"] == "api"
    assert body["grid"] == {"code": world.grid_a.code, "name": world.grid_a.name}
    assert [step["action"] for step in body["timeline"]] == ["submit"]


def test_place_comes_from_the_address_when_there_are_no_coordinates(world, client):
    login(client, world.resident)
    payload = {k: v for k, v in NOISE.items() if k not in ("lat", "lng")}
    body = post(client, URL, dict(payload, address="向阳街道幸福里第二网格 菜市场北门")).json()
    assert body["grid"] == {"code": world.grid_b.code, "name": world.grid_b.name}
    assert body["lat"] is None and body["lng"] is None


def test_an_operator_can_open_a_case_whose_place_is_unknown(world, client):
    operator = f.staff(world, "hotline_1", "hotline_operator", region=world.district, name="周晓燕")
    headers = bearer(world, operator)
    payload = {k: v for k, v in NOISE.items() if k not in ("lat", "lng")}
    created = post(client, URL, dict(payload, address="火星路1号", channel="hotline"), **headers)
    assert created.status_code == 201, created.content
    opened = client.get(f"{URL}/{created.json()['id']}", headers=headers)
    assert opened.status_code == 200, opened.content
    assert opened.json()["grid"] is None


def test_same_key_with_another_payload_is_a_conflict(world, client):
    headers = bearer(world, world.resident)
    assert post(client, URL, NOISE, **headers, **{"Idempotency-Key": "k-1"}).status_code == 201
    other = dict(NOISE, title="垃圾桶满了三天没人清运")
    response = post(client, URL, other, **headers, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 409
    assert response.json()["code"] == "case.idempotency_conflict"
    assert Case.objects.count() == 1


def test_invalid_input_gives_422_per_field_and_stores_nothing(world, client):
    login(client, world.resident)
    response = post(client, URL, {"title": "吵", "lat": 200, "urgency": "very"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert set(body["fields"]) == {"title", "description", "lat", "urgency"}
    assert all(isinstance(m, str) and m for messages in body["fields"].values() for m in messages)
    assert not Case.objects.exists()


def test_business_validation_is_422_too(world, client):
    login(client, world.dispatcher)
    payload = dict(NOISE, channel="hotline", reporter_name="张建华", reporter_phone="12345")
    response = post(client, URL, payload)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["reporter_phone"]
    assert not Case.objects.exists()


def test_residents_cannot_pick_a_staff_channel(world, client):
    login(client, world.resident)
    response = post(client, URL, dict(NOISE, channel="hotline"))
    assert response.status_code == 422 and list(response.json()["fields"]) == ["channel"]


def test_staff_enter_hotline_cases_with_the_reporter(world, client):
    login(client, world.dispatcher)
    payload = dict(
        NOISE, channel="hotline", reporter_name="张建华", reporter_phone="13812345678", urgency="urgent"
    )
    response = post(client, URL, payload)
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.channel == "hotline" and case.reporter_user is None and case.reporter_name == "张建华"
    assert response.json()["reporter"]["phone"] == "138****5678"


def test_anonymous_clients_get_401(world, client):
    assert client.get(URL).status_code == 401
    assert post(client, URL, NOISE).status_code == 401


def test_a_write_with_an_expired_token_is_401_not_a_csrf_error(world):
    """An app whose token was revoked must be told to sign in again, not "CSRF check Failed"."""
    client = Client(enforce_csrf_checks=True)  # what a real HTTP client meets
    for headers in ({"Authorization": "Bearer gz_revoked-or-mistyped"}, {}):
        response = post(client, URL, NOISE, **headers)
        assert response.status_code == 401, response.content
        assert response.json() == {"code": "not_authenticated", "message": "请先登录。", "fields": {}}
    assert Case.objects.count() == 0


def test_a_session_write_without_the_csrf_token_is_403_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    login(client, world.resident)
    response = post(client, URL, NOISE)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "csrf_failed" and body["message"] == "页面已过期，请刷新页面后重试。"
    assert Case.objects.count() == 0


# --- lists -----------------------------------------------------------------------------------------------


def _make_many(world, n: int, *, start: datetime) -> list[Case]:
    """``n`` cases, three at a time sharing exactly the same ``received_at`` (ties broken by id)."""
    cases = []
    for i in range(n):
        with time_machine.travel(start + timedelta(minutes=i // 3), tick=False):
            cases.append(f.submitted_case(world))
    return cases


def test_cursor_pagination_walks_every_case_once(world, client):
    cases = _make_many(world, 27, start=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))
    login(client, world.dispatcher)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        body = client.get(URL, params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.received_at, c.pk), reverse=True)]
    assert pages == 3
    assert seen == expected  # stable order, no duplicates, nothing skipped


def test_cursor_is_stable_when_new_cases_arrive(world, client):
    _make_many(world, 12, start=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))
    login(client, world.dispatcher)
    first = client.get(URL, {"limit": 5}).json()
    f.submitted_case(world)  # newer than everything: must not shift the next page
    second = client.get(URL, {"limit": 5, "cursor": first["next"]}).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get(URL, {"cursor": "not-a-cursor"}).status_code == 422


def test_list_filters(world, client):
    cats = f.categories(world)
    noise = f.submitted_case(world, channel="hotline", category=cats["噪音扰民"])
    dispatched = f.dispatched_case(world)
    in_grid_b = f.submitted_case(world, grid="b", title="菜市场门口井盖松动")
    with time_machine.travel(datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        old = f.submitted_case(world)
    login(client, world.dispatcher)

    def ids(**params):
        return {item["id"] for item in client.get(URL, params).json()["items"]}

    assert ids(status="pending_sign") == {dispatched.pk}
    assert ids(category=cats["噪音扰民"].parent_id) == {noise.pk}
    assert ids(department=world.chengguan.pk) == {dispatched.pk}
    assert ids(region=world.grid_b.code) == {in_grid_b.pk}
    assert ids(q="井盖") == {in_grid_b.pk}
    assert ids(received_to="2026-10-01") == {old.pk}
    assert old.pk not in ids(received_from="2026-10-02")
    assert ids(overdue="true") == set()
    assert noise.pk in ids(channel="hotline")
    assert client.get(URL, {"status": "lost"}).status_code == 422


def test_list_query_count_is_fixed(world, client, django_assert_max_num_queries):
    for _ in range(22):
        f.dispatched_case(world)
    login(client, world.dispatcher)
    client.get(URL)
    with django_assert_max_num_queries(6):
        body = client.get(URL, {"limit": 50}).json()
    assert len(body["items"]) == 22


# --- one case and its actions ----------------------------------------------------------------------------


def test_actions_run_the_whole_loop(world, client):
    headers = bearer(world, world.resident)
    case_id = post(client, URL, NOISE, **headers).json()["id"]

    login(client, world.dispatcher)
    body = post(client, f"{URL}/{case_id}/actions/accept", {}).json()
    assert body["status"] == "pending_dispatch" and "dispatch" in body["allowed_actions"]
    body = post(
        client,
        f"{URL}/{case_id}/actions/dispatch",
        {"department_id": world.chengguan.pk, "expected_version": body["version"]},
    ).json()
    assert body["status"] == "pending_sign" and body["department"]["id"] == world.chengguan.pk

    login(client, world.handler)
    body = post(client, f"{URL}/{case_id}/actions/sign", {"expected_version": body["version"]}).json()
    assert body["status"] == "processing"
    body = post(
        client, f"{URL}/{case_id}/actions/contact", {"note": "已电话联系王女士，约好今晚到现场查看。"}
    ).json()
    assert body["contacted_at"] is not None
    body = post(
        client, f"{URL}/{case_id}/actions/handle", {"note": "晚上十点到现场，责令烧烤店十一点前停止外摆。"}
    ).json()
    assert body["status"] == "processing"
    body = post(
        client,
        f"{URL}/{case_id}/actions/resolve",
        {"reply": "已责令烧烤店取消外摆、夜间十点后停止营业，后续纳入夜间巡查。"},
    ).json()
    assert body["status"] == "pending_review"

    login(client, world.dispatcher)
    body = post(client, f"{URL}/{case_id}/actions/review", {"approve": True, "note": "整改到位。"}).json()
    assert body["status"] == "pending_follow_up"

    response = post(
        client,
        f"{URL}/{case_id}/actions/rate",
        {"rating": "satisfied", "comment": "晚上安静多了。"},
        **headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["rating"] == "satisfied"
    actions = [step["action"] for step in body["timeline"]]
    # the reporter reads the public steps, as on the progress page (the handling note is internal)
    assert actions == ["submit", "accept", "dispatch", "sign", "contact", "resolve", "approve", "rate"]
    login(client, world.dispatcher)
    staff_actions = [step["action"] for step in client.get(f"{URL}/{case_id}").json()["timeline"]]
    assert staff_actions == [*actions[:5], "handle", *actions[5:]]


def test_stale_expected_version_is_409(world, client):
    case = f.dispatched_case(world)
    login(client, world.handler)
    response = post(client, f"{URL}/{case.pk}/actions/sign", {"expected_version": case.version - 1})
    assert response.status_code == 409
    assert response.json()["code"] == "case.conflict"
    case.refresh_from_db()
    assert case.status == "pending_sign"


def test_impossible_action_is_409_and_schema_errors_422(world, client):
    case = f.dispatched_case(world)
    login(client, world.handler)
    response = post(client, f"{URL}/{case.pk}/actions/resolve", {"reply": "已处理完毕，摊位已清理。"})
    assert response.status_code == 409 and response.json()["code"] == "case.invalid_transition"
    assert post(client, f"{URL}/{case.pk}/actions/return", {}).status_code == 422


def test_permission_is_403(world, client):
    case = f.submitted_case(world)
    login(client, world.grid_worker_a)  # sees the case, may not dispatch it
    response = post(client, f"{URL}/{case.pk}/actions/accept", {})
    assert response.status_code == 403


def test_other_department_gets_404_like_a_missing_case(world, client, zhujian_handler):
    case = f.dispatched_case(world)  # to 城管
    login(client, zhujian_handler)
    hidden = client.get(f"{URL}/{case.pk}")
    missing = client.get(f"{URL}/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert post(client, f"{URL}/{case.pk}/actions/sign", {}).status_code == 404
    assert case.pk not in {i["id"] for i in client.get(URL).json()["items"]}


def test_neighbouring_grid_worker_cannot_see_the_case(world, client):
    case = f.submitted_case(world)
    login(client, world.grid_worker_b)
    assert client.get(f"{URL}/{case.pk}").status_code == 404
    login(client, world.grid_worker_a)
    assert client.get(f"{URL}/{case.pk}").status_code == 200


def test_reporter_phone_is_masked_and_never_ciphertext(world, client):
    case = f.submitted_case(world, reporter_phone="13812345678")
    login(client, world.dispatcher)
    response = client.get(f"{URL}/{case.pk}")
    reporter = response.json()["reporter"]
    assert reporter["phone"] == "138****5678" and MASKED.match(reporter["phone"])
    raw = response.content.decode()
    assert "13812345678" not in raw
    assert "reporter_phone" not in raw and "reporter_phone_index" not in raw
    listed = client.get(URL).json()["items"][0]["reporter"]
    assert listed["phone"] == "138****5678"


def test_confidential_reporter_is_hidden_from_department_users(world, client):
    case = f.dispatched_case(world, confidential=True, reporter_phone="13812345678")
    login(client, world.handler)
    assert client.get(f"{URL}/{case.pk}").json()["reporter"] is None
    assert client.get(URL).json()["items"][0]["reporter"] is None
    login(client, world.dispatcher)
    assert client.get(f"{URL}/{case.pk}").json()["reporter"]["phone"] == "138****5678"


def test_merge_by_number(world, client):
    master = f.dispatched_case(world)
    duplicate = f.submitted_case(world)
    login(client, world.dispatcher)
    response = post(
        client,
        f"{URL}/{duplicate.pk}/actions/merge",
        {"master_number": master.number.lower(), "reason": "同一点位重复反映。"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "merged" and response.json()["master_number"] == master.number


def test_summon_and_report_in(world, client, zhujian_handler):
    case = f.processing_case(world)
    login(client, world.dispatcher)
    body = post(
        client,
        f"{URL}/{case.pk}/actions/summon",
        {"department_ids": [world.zhujian.pk], "reason": "违建拆除需住建部门现场认定。"},
    ).json()
    assert body["timeline"][-1]["action"] == "summon"
    summon_id = case.summons.get().pk
    login(client, zhujian_handler)
    detail = client.get(f"{URL}/{case.pk}").json()
    assert "report_in" in detail["allowed_actions"]
    response = post(
        client, f"{URL}/{case.pk}/actions/report_in", {"summon_id": summon_id, "note": "已到场。"}
    )
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["action"] == "report_in"
    assert "report_in" not in response.json()["allowed_actions"]


def test_suggestions_from_the_duty_list(world, client):
    from gongzhi.cases.services.catalog import create_duty_rule

    cats = f.categories(world)
    create_duty_rule(
        actor=world.admin, category=cats["占道经营"], lead_department=world.chengguan, auto_dispatch=False
    )
    case = f.submitted_case(world, category=cats["占道经营"])
    login(client, world.dispatcher)
    suggestions = client.get(f"{URL}/{case.pk}/suggestions").json()
    assert suggestions[0]["department"]["id"] == world.chengguan.pk
    assert suggestions[0]["source"] == "duty_list"


# --- public lookup ---------------------------------------------------------------------------------------


def test_public_lookup_shows_minimal_fields(world, client):
    case = f.approved_case(world, reporter_phone="13812345678")
    response = client.get(f"{URL}/lookup", {"number": case.number, "phone_tail": "5678"})
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number and body["status"] == "pending_follow_up" and body["reply"]
    assert set(body) == {
        "number",
        "title",
        "status",
        "status_label",
        "category",
        "department",
        "received_at",
        "closed_at",
        "reply",
        "steps",
    }
    assert "5678" not in json.dumps(body)
    wrong_tail = client.get(f"{URL}/lookup", {"number": case.number, "phone_tail": "0000"})
    wrong_number = client.get(f"{URL}/lookup", {"number": "GZ000000000000", "phone_tail": "5678"})
    assert wrong_tail.status_code == wrong_number.status_code == 404
    assert wrong_tail.json() == wrong_number.json()
    assert client.get(f"{URL}/lookup", {"number": case.number, "phone_tail": "56"}).status_code == 422


def test_public_lookup_is_rate_limited(world, client):
    from django.core.cache import cache

    cache.clear()
    case = f.submitted_case(world, reporter_phone="13812345678")
    codes = [
        client.get(f"{URL}/lookup", {"number": case.number, "phone_tail": f"{n:04d}"}).status_code
        for n in range(11)
    ]
    assert codes[:10] == [404] * 10
    assert codes[10] == 429  # the 11th guess at one case number within the hour
    blocked = client.get(f"{URL}/lookup", {"number": case.number, "phone_tail": "5678"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "case.lookup_throttled"
    cache.clear()


def test_unknown_category_is_422(world, client):
    login(client, world.resident)
    response = post(client, URL, dict(NOISE, category_id=999999))
    assert response.status_code == 422 and list(response.json()["fields"]) == ["category_id"]
    assert not Case.objects.exists()


def test_confidential_reporter_is_not_named_in_the_timeline(world, client):
    case = f.dispatched_case(world, actor=world.resident, confidential=True)  # the resident submitted it
    login(client, world.handler)
    timeline = client.get(f"{URL}/{case.pk}").json()["timeline"]
    assert timeline[0]["action"] == "submit" and timeline[0]["actor_name"] == ""
    assert world.resident.display_name not in client.get(f"{URL}/{case.pk}").content.decode()
    login(client, world.dispatcher)
    assert client.get(f"{URL}/{case.pk}").json()["timeline"][0]["actor_name"] == world.resident.display_name


def test_extension_request_answers_with_the_paused_case(world, client):
    case = f.processing_case(world)
    login(client, world.handler)
    response = post(
        client,
        f"{URL}/{case.pk}/actions/request_extension",
        {"days": 5, "reason": "供热管线需要停水检修，施工队排期到下周，申请延期五个工作日。"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == case.pk and body["status"] == "processing"
    assert body["version"] == case.version + 1
    assert "request_extension" not in body["allowed_actions"]
    assert body["timeline"][-1]["action"] == "request_extension"


def test_the_reporter_reads_the_public_timeline_without_internal_notes(world, client):
    """The resident's app shows what the progress page shows: no internal notes, no staff names."""
    from gongzhi.cases.services import return_case, sign_case, supervise_case

    case = f.processing_case(world, actor=world.resident)  # reported from the resident's own phone
    supervise_case(actor=world.district_leader, case=case, note="内部提醒：摊主与物业有纠纷，注意处理方式。")
    return_case(actor=world.handler, case=case, reason="不属于我委职责，应由城管执法局处理。")
    case = Case.objects.get(pk=case.pk)
    case = f.dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)
    sign_case(actor=world.handler, case=case)

    login(client, world.resident)
    body = client.get(f"{URL}/{case.pk}").json()
    actions = [step["action"] for step in body["timeline"]]
    assert actions == ["submit", "accept", "dispatch", "sign", "dispatch", "sign"]
    text = json.dumps(body, ensure_ascii=False)
    assert "内部提醒" not in text and "不属于我委职责" not in text
    assert world.handler.display_name not in text and world.dispatcher.display_name not in text
    assert body["timeline"][0]["actor_name"] == world.resident.display_name  # their own step
    assert body["timeline"][3]["department"] == world.chengguan.name  # which unit signed, as on the page

    login(client, world.dispatcher)  # staff still read every step
    staff_actions = [step["action"] for step in client.get(f"{URL}/{case.pk}").json()["timeline"]]
    assert "supervise" in staff_actions and "return" in staff_actions


def test_the_reporter_reads_the_reply_only_once_it_was_approved(world, client):
    """A draft reply under review may still be sent back; the resident's app shows it after approval."""
    from gongzhi.cases.services import review_case

    case = f.resolved_case(world, actor=world.resident)
    assert case.reply
    login(client, world.resident)
    assert client.get(f"{URL}/{case.pk}").json()["reply"] == ""
    login(client, world.dispatcher)  # the reviewer reads the draft
    assert client.get(f"{URL}/{case.pk}").json()["reply"] == case.reply

    review_case(actor=world.dispatcher, case=case, approve=True)
    login(client, world.resident)
    assert client.get(f"{URL}/{case.pk}").json()["reply"] == case.reply


def test_the_case_lists_its_summons_and_who_reported_in_when(world, client, zhujian_handler):
    """吹哨报到 over the API: the summoned department finds the summons id on the case and reports in;
    the street then reads who came, when, and who came late."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        case = f.processing_case(world)
        login(client, world.community_worker)
        post(
            client,
            f"{URL}/{case.pk}/actions/summon",
            {
                "department_ids": [world.chengguan.pk, world.zhujian.pk],
                "reason": "楼顶违建加盖，请城管和住建两小时内到场。",
                "report_within_hours": 2,
                "meeting_place": "幸福里社区党群服务中心",
            },
        )
    login(client, zhujian_handler)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        summons = client.get(f"{URL}/{case.pk}").json()["summons"]
        assert len(summons) == 1 and summons[0]["meeting_place"] == "幸福里社区党群服务中心"
        response = post(
            client, f"{URL}/{case.pk}/actions/report_in", {"summon_id": summons[0]["id"], "note": "已到场。"}
        )
    assert response.status_code == 200, response.content
    with time_machine.travel(start + timedelta(hours=4), tick=False):  # a retry changes nothing
        again = post(client, f"{URL}/{case.pk}/actions/report_in", {"summon_id": summons[0]["id"]})
    assert again.status_code == 200, again.content
    assert [s["action"] for s in again.json()["timeline"]].count("report_in") == 1
    login(client, world.community_worker)
    (summon,) = client.get(f"{URL}/{case.pk}").json()["summons"]
    rows = {row["department"]["id"]: row for row in summon["responses"]}
    assert rows[world.zhujian.pk]["on_time"] is False and rows[world.zhujian.pk]["note"] == "已到场。"
    assert rows[world.zhujian.pk]["reported_at"].startswith("2026-11-20T04:00:00")  # 12:00 北京时间
    assert rows[world.chengguan.pk]["reported_at"] is None and rows[world.chengguan.pk]["on_time"] is None
    login(client, world.resident)  # the reporter does not see the internal summons
    assert client.get(f"{URL}/{case.pk}").json()["summons"] == []


def test_dispatch_files_the_case_under_the_category_given(world, client):
    cats = f.categories(world)
    case = f.submitted_case(world)
    login(client, world.dispatcher)
    url = f"{URL}/{case.pk}/actions/dispatch"
    bad = post(client, url, {"department_id": world.chengguan.pk, "category_id": 999_999})
    assert bad.status_code == 422 and "category_id" in bad.json()["fields"]
    assert Case.objects.get(pk=case.pk).status == "pending_accept"  # nothing changed

    response = post(client, url, {"department_id": world.chengguan.pk, "category_id": cats["占道经营"].pk})
    assert response.status_code == 200, response.content
    assert response.json()["category"]["id"] == cats["占道经营"].pk
    assert Case.objects.get(pk=case.pk).category_certain


def test_the_workbench_offers_the_suggested_category_and_dispatch_files_it(world, client):
    cats = f.categories(world)
    case = f.submitted_case(world, title="南门早市占道经营", description="南门外早市摊位占满人行道。")
    login(client, world.dispatcher)
    html = client.get(reverse("cases:workbench")).content.decode()
    assert f'name="dispatch-{case.pk}-category"' in html
    response = client.post(
        reverse("cases:action", args=[case.pk, "dispatch"]),
        {
            "return_to": "workbench",
            f"dispatch-{case.pk}-department": world.chengguan.pk,
            f"dispatch-{case.pk}-category": cats["占道经营"].pk,
            f"dispatch-{case.pk}-expected_version": case.version,
        },
    )
    assert response.status_code in (200, 302)
    assert Case.objects.get(pk=case.pk).category_id == cats["占道经营"].pk


# --- photos ----------------------------------------------------------------------------------------------


def test_case_photos_are_served_to_those_who_may_see_them(world, client, settings, tmp_path, zhujian_handler):
    """The photos of the staff pages and of ``AttachmentOut.url`` load (uploads are not served from
    MEDIA_URL): staff of the case read them all, another department none, and the reporter the report's
    and the result photos but not the handling notes' (internal, like the notes themselves)."""
    from gongzhi.cases import services

    settings.MEDIA_ROOT = tmp_path
    photo = f.upload("site.jpg", f.jpeg_with_exif(), "image/jpeg")
    case = f.processing_case(world, attachments=(f.upload("report.jpg", f.jpeg_with_exif(), "image/jpeg"),))
    services.add_handling_note(actor=world.handler, case=case, note="现场查看，摊位仍在。", photos=[photo])
    case = services.resolve_case(
        actor=world.handler,
        case=Case.objects.get(pk=case.pk),
        reply="您好，城管已于今日清理摊位，后续纳入日常巡查，感谢您的反映。",
        photos=[f.upload("after.jpg", f.jpeg_with_exif(), "image/jpeg")],
    )
    files = {a.kind: a for a in case.attachments.all()}
    assert set(files) == {"report", "before", "after"}

    login(client, world.handler)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for attachment in files.values():
        url = attachment.get_absolute_url()
        assert f'src="{url}"' in detail
        response = client.get(url)
        assert response.status_code == 200, (attachment.kind, response.content)
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert detail.count(f'src="{files["report"].get_absolute_url()}"') == 1  # with the report, not twice
    api_urls = {
        a["url"] for step in client.get(f"{URL}/{case.pk}").json()["timeline"] for a in step["attachments"]
    }
    assert api_urls == {a.get_absolute_url() for a in files.values()}

    other = Client()
    for attachment in files.values():  # another department: the same 404 as a missing file
        assert (
            other.get(attachment.get_absolute_url(), headers=bearer(world, zhujian_handler)).status_code
            == 404
        )
    assert other.get(files["report"].get_absolute_url()).status_code == 401

    reporter = bearer(world, world.resident)
    assert other.get(files["report"].get_absolute_url(), headers=reporter).status_code == 200
    assert other.get(files["after"].get_absolute_url(), headers=reporter).status_code == 200
    assert other.get(files["before"].get_absolute_url(), headers=reporter).status_code == 404


def test_a_timeline_step_names_the_street_a_street_dispatcher_acted_for(world, client):
    """Who, role and unit: a street's staff belong to no department, so the unit is their street."""
    case = f.submitted_case(world, actor=world.resident)  # reported on the website by the resident
    services.accept_case(actor=world.dispatcher, case=case)
    response = client.get(f"/api/v1/cases/{case.pk}", headers=bearer(world, world.dispatcher))
    accept = next(step for step in response.json()["timeline"] if step["action"] == "accept")
    assert (accept["actor_role"], accept["actor_unit"], accept["actor_department"]) == (
        "街道派单员",
        world.street.name,
        "",
    )
    submit = next(step for step in response.json()["timeline"] if step["action"] == "submit")
    assert submit["actor_unit"] == ""  # the resident's own place is not recorded
    login(client, world.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    accept_html = html.split('data-action="accept"')[1].split("</li>")[0]
    assert f"街道派单员 · {world.street.name}" in accept_html
