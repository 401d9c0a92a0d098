"""Sign-in by username or phone, lockout after repeated failures, bearer tokens."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.audit.models import AuditEvent
from gongzhi.core.testing import PASSWORD


def test_login_with_username(world, client):
    response = client.post("/accounts/login/", {"identifier": "grid_a", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.login", target_id=str(world.grid_worker_a.pk)).exists()


def test_login_with_phone(world, client):
    response = client.post("/accounts/login/", {"identifier": "139 0013 9001", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_shows_chinese_message(world, client):
    response = client.post("/accounts/login/", {"identifier": "grid_a", "password": "wrong-password"})
    assert response.status_code == 422
    assert "用户名或密码错误" in response.content.decode()


def test_lockout_after_repeated_failures(world, client, settings):
    settings.GONGZHI_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/accounts/login/", {"identifier": "grid_a", "password": "nope-nope"})
    assert User.objects.get(pk=world.grid_worker_a.pk).locked_until is not None
    response = client.post("/accounts/login/", {"identifier": "grid_a", "password": PASSWORD})
    assert response.status_code == 422
    assert "锁定" in response.content.decode()


def test_login_page_has_csrf_protection(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"identifier": "grid_a", "password": PASSWORD})
    assert response.status_code == 403


def test_api_bearer_token(world, client, capsys):
    call_command("token", "create", "grid_a")
    key = capsys.readouterr().out.strip()
    assert key.startswith("gz_")
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()["items"]}
    assert codes == {world.grid_a.code}


def test_api_rejects_bad_token(world, client):
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION="Bearer gz_nope")
    assert response.status_code == 401
    assert response.json()["message"] == "请先登录。"


def test_login_page_links_the_public_case_lookup(world, client):
    """Residents who reported by phone or at the desk have no account: the page they land on leads them to
    the lookup by case number and phone tail (no sign-in), which is linked from nowhere else."""
    html = client.get("/accounts/login/").content.decode()
    assert f'href="{reverse("cases:lookup")}"' in html
    assert "查询办理进度" in html
    assert client.get(reverse("cases:lookup")).status_code == 200
