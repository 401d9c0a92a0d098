"""REST API: scope (allowed, neighbour, anonymous), masked personal data, commands under actions/,
idempotent wish posting, the public wall and the dashboard numbers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.core.masking import mask_phone
from gongzhi.party import services
from gongzhi.party.models import Wish


def test_member_list_is_scoped_and_masked(world, pw, login, client):
    login(pw.secretary_a)
    body = client.get("/api/v1/party/members").json()
    names = {m["name"] for m in body["items"]}
    assert names == {"郭志明"}
    item = body["items"][0]
    assert item["phone_masked"] == mask_phone(pw.member_a.phone) and pw.member_a.phone not in str(body)
    assert client.get(f"/api/v1/party/members/{pw.member_b.pk}").status_code == 404
    by_phone = client.get("/api/v1/party/members", {"q": pw.member_b.phone}).json()
    assert by_phone["items"] == []


def test_anonymous_and_residents_are_refused(world, pw, login, client):
    assert client.get("/api/v1/party/members").status_code == 401
    assert client.get("/api/v1/party/wall").status_code == 200
    login(world.resident)
    response = client.get("/api/v1/party/members")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_create_member_and_transfer_through_the_api(world, pw, login, client):
    from . import factories as f

    login(pw.community_secretary)
    payload = {
        "name": "卢海燕",
        "organisation_code": "ZB001A",
        "id_number": f.id_number(),
        "phone": "13711112222",
        "joined_on": "2015-07-01",
    }
    created = client.post("/api/v1/party/members", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["grid_code"] == world.grid_a.code
    again = client.post("/api/v1/party/members", payload, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    member_id = created.json()["id"]
    moved = client.post(
        f"/api/v1/party/members/{member_id}/actions/transfer",
        {"to_organisation_code": "ZB001B", "reason": "搬家"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["organisation_code"] == "ZB001B"
    bad = client.post(
        "/api/v1/party/members",
        {**payload, "id_number": "110105199001011234"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "id_number" in bad.json()["fields"]


def test_reveal_needs_the_permission(world, pw, login, client):
    login(world.community_worker)
    assert (
        client.post(
            f"/api/v1/party/members/{pw.member_a.pk}/reveal",
            {"field": "phone"},
            content_type="application/json",
        ).status_code
        == 403
    )
    login(pw.community_secretary)
    response = client.post(
        f"/api/v1/party/members/{pw.member_a.pk}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert response.json()["value"] == pw.member_a.phone


def test_wish_lifecycle_over_the_api(world, pw, login, client):
    login(world.resident)
    body = {"community_code": world.community.code, "title": "想要一台电暖器", "category": "goods"}
    first = client.post(
        "/api/v1/party/wishes", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = client.post(
        "/api/v1/party/wishes", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert Wish.objects.count() == 1
    wish_id = first.json()["id"]
    assert first.json()["wisher_name_masked"].endswith("*")
    login(pw.member_a_user)
    early = client.post(f"/api/v1/party/wishes/{wish_id}/actions/claim", {}, content_type="application/json")
    assert early.status_code == 404  # not published: not shown to members
    login(world.community_worker)
    client.post(
        f"/api/v1/party/wishes/{wish_id}/actions/review", {"approve": True}, content_type="application/json"
    )
    login(pw.member_a_user)
    claimed = client.post(
        f"/api/v1/party/wishes/{wish_id}/actions/claim", {}, content_type="application/json"
    )
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    fulfilled = client.post(
        f"/api/v1/party/wishes/{wish_id}/actions/fulfil",
        {"note": "已送到家中"},
        content_type="application/json",
    )
    assert fulfilled.json()["status"] == "fulfilled"
    login(world.resident)
    confirmed = client.post(
        f"/api/v1/party/wishes/{wish_id}/actions/confirm", {}, content_type="application/json"
    )
    assert confirmed.json()["status"] == "confirmed"
    replay = client.post(
        f"/api/v1/party/wishes/{wish_id}/actions/cancel", {}, content_type="application/json"
    )
    assert replay.status_code == 409 and replay.json()["code"] == "party.wish_invalid_transition"
    assert [w["id"] for w in client.get("/api/v1/party/wall").json()] == [wish_id]


def test_check_in_and_points_over_the_api(world, pw, login, client):
    now = timezone.now()
    activity = services.create_activity(
        actor=pw.secretary_a,
        organisation=pw.branch_a,
        kind="party_day",
        title="主题党日",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    login(pw.member_a_user)
    url = f"/api/v1/party/me/activities/{activity.pk}/actions/check-in"
    assert client.post(url, {"code": "12345"}, content_type="application/json").status_code == 422
    ok = client.post(url, {"code": activity.checkin_code}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["checked_in_at"]
    client.post(url, {"code": activity.checkin_code}, content_type="application/json")
    ledger = client.get("/api/v1/party/me/points").json()
    assert [(e["source_type"], e["source_id"], e["points"]) for e in ledger["items"]] == [
        ("activity", activity.pk, 2)
    ]
    login(pw.community_secretary)
    ranking = client.get("/api/v1/party/points/ranking").json()
    assert ranking[0]["name"] == "郭志明" and ranking[0]["points"] == 2


def test_dashboard_endpoint(world, pw, login, client):
    login(pw.community_secretary)
    body = client.get("/api/v1/party/dashboard").json()
    assert body["coverage"]["total"] == 2 and body["coverage"]["covered"] == 2
    assert body["members_total"] == 2
    login(pw.member_a_user)
    assert client.get("/api/v1/party/dashboard").status_code == 403


def test_member_list_endpoint_has_a_fixed_query_count(
    world, pw, login, client, django_assert_max_num_queries
):
    from . import factories as f

    f.members(24, pw.branch_a)
    login(pw.community_secretary)
    client.get("/api/v1/party/members")
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/party/members", {"limit": 30}).json()
    assert body["count"] == 26 and len(body["items"]) == 26
