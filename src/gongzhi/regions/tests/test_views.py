"""Region pages: tree, detail, map GeoJSON — allowed, neighbour-denied, anonymous."""

from __future__ import annotations

import pytest

from gongzhi.regions.services import create_building

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


@pytest.mark.parametrize("url", ["/regions/", "/regions/map/", "/regions/grids.geojson"])
def test_anonymous_is_sent_to_login(world, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_grid_worker_sees_own_grid_only(world, client):
    client.force_login(world.grid_worker_a, backend=BACKEND)
    assert client.get(f"/regions/{world.grid_a.code}/").status_code == 200
    assert client.get(f"/regions/{world.grid_b.code}/").status_code == 404
    geojson = client.get("/regions/grids.geojson").json()
    assert [f["properties"]["code"] for f in geojson["features"]] == [world.grid_a.code]


def test_dispatcher_tree_and_children_fragment(world, client):
    client.force_login(world.dispatcher, backend=BACKEND)
    page = client.get("/regions/").content.decode()
    assert world.street.name in page
    fragment = client.get(f"/regions/{world.street.code}/children/", HTTP_HX_REQUEST="true").content.decode()
    assert world.community.name in fragment and "<html" not in fragment
    assert client.get(f"/regions/{world.other_street.code}/children/").status_code == 404


def test_building_list_is_paginated_and_fragment_for_htmx(world, client, django_assert_max_num_queries):
    for i in range(30):
        create_building(
            actor=world.admin,
            code=f"B{i:04d}",
            name=f"幸福里{i}号楼",
            address=f"幸福大街{i}号",
            lon=116.401 + i * 0.0002,
            lat=39.905,
        )
    client.force_login(world.grid_worker_a, backend=BACKEND)
    with django_assert_max_num_queries(12):
        response = client.get(f"/regions/{world.grid_a.code}/")
    assert response.content.decode().count("<tr>") == 26  # header + 25 rows
    fragment = client.get(f"/regions/{world.grid_a.code}/?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "幸福里29号楼" in fragment
