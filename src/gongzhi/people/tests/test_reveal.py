"""Unmasking personal data: only with people.reveal_pii, inside scope, and every reveal is audited."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.people import selectors, services

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


def test_community_worker_reveals_id_number_and_it_is_audited(world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    value = services.reveal_resident_pii(actor=world.community_worker, resident=resident, field="id_number")
    assert value == resident.id_number
    event = AuditEvent.objects.get(action="people.reveal_id_number")
    assert event.actor_id == world.community_worker.pk
    assert event.target_id == str(resident.pk)
    assert resident.id_number not in str(event.data)


def test_phone_reveal_has_its_own_audit_code(world):
    resident = f.resident(grid=world.grid_a)
    assert services.reveal_resident_pii(actor=world.admin, resident=resident, field="phone") == resident.phone
    assert AuditEvent.objects.filter(action="people.reveal_phone", target_id=str(resident.pk)).count() == 1


def test_grid_worker_may_not_reveal(world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    with pytest.raises(PermissionDenied):
        services.reveal_resident_pii(actor=world.grid_worker_a, resident=resident, field="id_number")
    assert not AuditEvent.objects.filter(action__startswith="people.reveal").exists()


def test_reveal_outside_scope_is_denied(world):
    resident = f.resident(grid=world.grid_c)
    with pytest.raises(NotFound):
        selectors.get_resident(user=world.community_worker, pk=resident.pk)
    with pytest.raises(PermissionDenied):
        services.reveal_resident_pii(actor=world.community_worker, resident=resident, field="phone")


def test_reveal_button_returns_fragment_and_audits(client, world):
    resident = f.resident(grid=world.grid_a)
    client.force_login(world.community_worker, backend=BACKEND)
    detail = client.get(f"/people/residents/{resident.pk}/").content.decode()
    assert resident.id_number not in detail and "显示完整号码" in detail
    response = client.post(f"/people/residents/{resident.pk}/reveal/id_number/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert resident.id_number in body and "<html" not in body
    assert f'id="resident-{resident.pk}-id_number"' in body
    assert AuditEvent.objects.filter(
        action="people.reveal_id_number", actor_id=world.community_worker.pk
    ).exists()


def test_reveal_without_javascript_renders_the_page(client, world):
    resident = f.resident(grid=world.grid_a)
    client.force_login(world.community_worker, backend=BACKEND)
    response = client.post(f"/people/residents/{resident.pk}/reveal/phone/")
    assert response.status_code == 200
    assert resident.phone in response.content.decode() and "<html" in response.content.decode()


def test_grid_worker_sees_no_reveal_button_and_is_refused(client, world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    client.force_login(world.grid_worker_a, backend=BACKEND)
    assert "显示完整号码" not in client.get(f"/people/residents/{resident.pk}/").content.decode()
    response = client.post(f"/people/residents/{resident.pk}/reveal/id_number/")
    assert response.status_code == 403
    assert resident.id_number not in response.content.decode()


def test_api_reveal_is_audited_and_needs_permission(client, world):
    resident = f.resident(grid=world.grid_a)
    client.force_login(world.grid_worker_a, backend=BACKEND)
    denied = client.post(
        f"/api/v1/people/residents/{resident.pk}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert denied.status_code == 403
    client.force_login(world.community_worker, backend=BACKEND)
    allowed = client.post(
        f"/api/v1/people/residents/{resident.pk}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert allowed.status_code == 200
    assert allowed.json() == {"field": "phone", "value": resident.phone}
    assert AuditEvent.objects.filter(action="people.reveal_phone").count() == 1


def test_organisation_contact_phone_reveal_is_audited(client, world):
    org = services.create_organisation(
        actor=world.admin,
        name="幸福里社区卫生服务站",
        kind="resident_unit",
        contact_phone="13866667777",
        grid=world.grid_a,
    )
    client.force_login(world.community_worker, backend=BACKEND)
    page = client.get(f"/people/organisations/{org.pk}/").content.decode()
    assert "13866667777" not in page and "138****7777" in page
    response = client.post(f"/people/organisations/{org.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert "13866667777" in response.content.decode()
    assert AuditEvent.objects.filter(action="people.reveal_contact_phone").exists()
