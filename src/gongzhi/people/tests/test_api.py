"""REST API: masked output, filters, pagination, create with Chinese 422 messages, query budget."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.models import AuditEvent
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.people import services

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


def _login(client, user):
    client.force_login(user, backend=BACKEND)


def test_list_is_masked_paginated_and_never_exposes_ciphertext(client, world):
    tag = f.tag()
    residents = f.residents(22, grid=world.grid_a)
    services.tag_resident(actor=world.admin, resident=residents[0], tag=tag)
    _login(client, world.grid_worker_a)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/people/residents", {"limit": 20}).json()
    assert len(queries) <= 10
    assert body["count"] == 22 and len(body["items"]) == 20
    item = next(i for i in body["items"] if i["id"] == residents[0].pk)
    assert item["id_number_masked"] == mask_id_number(residents[0].id_number)
    assert item["phone_masked"] == mask_phone(residents[0].phone)
    assert item["tags"] == ["独居老人"] and item["grid_code"] == world.grid_a.code
    text = str(body)
    assert "v1:" not in text and residents[0].id_number not in text and residents[0].phone not in text
    assert "id_number" not in item and "phone" not in item


def test_create_resident_and_replay(client, world):
    _login(client, world.grid_worker_a)
    payload = {
        "name": "蔡文华",
        "id_number": f.id_number(),
        "phone": "13912340000",
        "grid_code": world.grid_a.code,
    }
    first = client.post("/api/v1/people/residents", payload, content_type="application/json")
    assert first.status_code == 201
    body = first.json()
    assert body["grid_code"] == world.grid_a.code and body["birth_date"]
    again = client.post("/api/v1/people/residents", payload, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert AuditEvent.objects.filter(action="people.create_resident").count() == 1
    conflict = client.post(
        "/api/v1/people/residents", {**payload, "name": "蔡文军"}, content_type="application/json"
    )
    assert conflict.status_code == 409 and "id_number" in conflict.json()["fields"]


def test_create_resident_validation_is_chinese_422(client, world):
    _login(client, world.grid_worker_a)
    response = client.post(
        "/api/v1/people/residents",
        {
            "name": "蔡文华",
            "id_number": f.id_number_with_bad_checksum(),
            "phone": "139",
            "grid_code": "nope",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "grid" in fields and "网格" in fields["grid"][0]
    response = client.post(
        "/api/v1/people/residents",
        {
            "name": "蔡文华",
            "id_number": f.id_number_with_bad_checksum(),
            "phone": "139",
            "grid_code": world.grid_a.code,
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    fields = response.json()["fields"]
    assert "身份证号码校验位不正确" in fields["id_number"][0] and "手机号码不正确" in fields["phone"][0]
    missing = client.post(
        "/api/v1/people/residents", {"id_number": f.id_number()}, content_type="application/json"
    )
    assert missing.status_code == 422 and "name" in missing.json()["fields"]


def test_patch_changes_only_sent_fields(client, world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="邓丽君")
    house = f.house(building=f.building(grid=world.grid_a))
    _login(client, world.grid_worker_a)
    response = client.patch(
        f"/api/v1/people/residents/{resident.pk}",
        {
            "building_code": house.building.code,
            "unit": house.unit,
            "room": house.room,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["house"] and response.json()["name"] == "邓丽君"
    history = client.get(f"/api/v1/people/residents/{resident.pk}/history").json()["items"]
    assert [h["action"] for h in history] == ["update", "create"]
    assert "house" in history[0]["changes"]


def test_households_organisations_and_tags(client, world):
    house = f.house(building=f.building(grid=world.grid_a))
    household = services.create_household(actor=world.admin, number="H5001", house=house)
    f.resident(house=house, household=household, relation_to_head="户主", name="唐振华")
    services.create_organisation(
        actor=world.admin,
        name="幸福里五金店",
        kind="merchant",
        contact_phone="13600001234",
        grid=world.grid_a,
    )
    f.tag()
    _login(client, world.grid_worker_a)
    households = client.get("/api/v1/people/households").json()["items"]
    assert households == [
        {
            "id": household.pk,
            "number": "H5001",
            "head_name": "唐振华",
            "member_count": 1,
            "house": households[0]["house"],
            "grid_code": world.grid_a.code,
        }
    ]
    orgs = client.get("/api/v1/people/organisations").json()["items"]
    assert orgs[0]["contact_phone_masked"] == "136****1234" and "contact_phone" not in orgs[0]
    assert [t["name"] for t in client.get("/api/v1/people/tags").json()] == ["独居老人"]
    _login(client, world.grid_worker_b)
    assert client.get("/api/v1/people/households").json()["items"] == []
    assert client.get(f"/api/v1/people/households/{household.pk}").status_code == 404
