"""Scope isolation: a grid worker cannot list, read or export another grid's residents (UI, API, export)."""

from __future__ import annotations

import pytest

from gongzhi.core.masking import mask_id_number

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


@pytest.fixture
def neighbours(world):
    """One resident in grid A (李建国's grid) and one in grid B (赵丽华's grid)."""
    in_a = f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="欧阳秀英")
    in_b = f.resident(actor=world.grid_worker_b, grid=world.grid_b, name="司马建军")
    return in_a, in_b


def _login(client, user):
    client.force_login(user, backend=BACKEND)


def test_grid_worker_cannot_see_neighbouring_grid_in_list_page(client, world, neighbours):
    in_a, in_b = neighbours
    _login(client, world.grid_worker_b)
    page = client.get("/people/").content.decode()
    assert in_b.name in page
    assert in_a.name not in page
    searched = client.get("/people/", {"q": in_a.name}).content.decode()
    assert f"/people/residents/{in_a.pk}/" not in searched
    assert "没有符合条件的居民" in searched


def test_grid_worker_gets_404_for_neighbouring_resident_page(client, world, neighbours):
    in_a, in_b = neighbours
    _login(client, world.grid_worker_b)
    assert client.get(f"/people/residents/{in_a.pk}/").status_code == 404
    assert client.get(f"/people/residents/{in_b.pk}/").status_code == 200
    missing = client.get("/people/residents/999999/")
    out_of_scope = client.get(f"/people/residents/{in_a.pk}/")
    assert missing.status_code == out_of_scope.status_code == 404
    assert client.get(f"/people/residents/{in_a.pk}/edit/").status_code == 404
    assert client.post(f"/people/residents/{in_a.pk}/status/", {"status": "moved_out"}).status_code == 404


def test_grid_worker_cannot_see_neighbouring_grid_by_api(client, world, neighbours):
    in_a, in_b = neighbours
    _login(client, world.grid_worker_b)
    body = client.get("/api/v1/people/residents").json()
    assert [r["id"] for r in body["items"]] == [in_b.pk]
    by_id = client.get("/api/v1/people/residents", {"q": in_a.id_number}).json()
    assert by_id["items"] == []
    response = client.get(f"/api/v1/people/residents/{in_a.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/people/residents/{in_a.pk}/history").status_code == 404


def test_grid_worker_cannot_export_neighbouring_grid(client, world, neighbours):
    in_a, in_b = neighbours
    _login(client, world.grid_worker_b)
    response = client.get("/people/export/residents.xlsx")
    assert response.status_code == 200
    rows = f.xlsx_rows(response.content)
    names = [r[0] for r in rows[1:]]
    assert names == [in_b.name]
    flat = str(rows)
    assert in_a.name not in flat and mask_id_number(in_a.id_number) not in flat
    filtered = f.xlsx_rows(client.get("/people/export/residents.xlsx", {"grid": world.grid_a.code}).content)
    assert filtered[1:] == []


def test_community_worker_sees_both_grids(client, world, neighbours):
    in_a, in_b = neighbours
    _login(client, world.community_worker)
    page = client.get("/people/").content.decode()
    assert in_a.name in page and in_b.name in page
    body = client.get("/api/v1/people/residents").json()
    assert {r["id"] for r in body["items"]} == {in_a.pk, in_b.pk}


def test_other_street_and_departments_see_nothing(client, world, neighbours):
    in_a, _in_b = neighbours
    _login(client, world.handler)
    assert client.get(f"/people/residents/{in_a.pk}/").status_code in (403, 404)
    assert client.get("/api/v1/people/residents").status_code == 403


def test_anonymous_is_sent_to_login_and_api_refuses(client, neighbours):
    in_a, _in_b = neighbours
    response = client.get("/people/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert client.get(f"/api/v1/people/residents/{in_a.pk}").status_code == 401
    assert client.get("/people/export/residents.xlsx").status_code == 302
