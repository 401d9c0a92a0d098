"""API kernel: error format with Chinese messages, auth, OpenAPI document kept in step with the code."""

from __future__ import annotations

import json
from pathlib import Path

from gongzhi.core.management.commands.export_openapi import openapi_text

OPENAPI = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.json"


def test_anonymous_gets_401_in_chinese(db, client):
    response = client.get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录。", "fields": {}}


def test_schema_errors_have_chinese_field_messages(world, client):
    client.force_login(world.grid_worker_a, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    response = client.post(
        "/api/v1/regions/locate", data=json.dumps({"lon": "东经"}), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["fields"]["lat"] == ["此项为必填项。"]
    assert body["fields"]["lon"] == ["请输入数字。"]


def test_out_of_scope_and_missing_look_the_same(world, client):
    client.force_login(world.grid_worker_a, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    hidden = client.get(f"/api/v1/regions/{world.grid_b.code}")
    missing = client.get("/api/v1/regions/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_docs_page_served(db, client):
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_committed_openapi_matches_code():
    assert OPENAPI.exists(), "run `make openapi` and commit docs/api/openapi.json"
    assert OPENAPI.read_text(encoding="utf-8") == openapi_text(), "API changed: run `make openapi` and commit"
