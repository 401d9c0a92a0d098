"""The audit log is hash-chained: verify passes on an intact chain and names the first altered event."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gongzhi.audit.models import AuditEvent
from gongzhi.audit.services import record, verify_chain


def _events(world, n=5):
    for i in range(n):
        record(actor=world.admin, action="regions.update", target=world.grid_a, data={"step": i})
    return list(AuditEvent.objects.order_by("id"))


def _drop_update_guard():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")


def test_intact_chain_verifies(world):
    _events(world)
    result = verify_chain()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


def test_rejects_undeclared_action(world):
    with pytest.raises(ValueError):
        record(actor=world.admin, action="regions.teleport", target=world.grid_a)


def test_database_refuses_update(world):
    _events(world, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(reason="rewritten")


def test_altered_event_is_named(world):
    events = _events(world)
    victim = events[-3]
    _drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["篡改", victim.pk])
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_id == victim.pk


def test_deleted_event_breaks_the_link(world):
    events = _events(world)
    victim = events[-3]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_id == events[-2].pk


def test_deleted_newest_event_is_detected(world):
    events = _events(world)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    assert not verify_chain().ok


def test_verify_command_exit_codes(world, capsys):
    events = _events(world)
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    _drop_update_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"step": 99}', events[1].pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"#{events[1].pk}" in capsys.readouterr().err


def test_sm3_chain(world, settings):
    settings.GONGZHI_AUDIT_HASH = "sm3"
    events = _events(world, 3)
    assert events[-1].algorithm == "sm3"
    assert verify_chain().ok


def test_event_records_actor_roles_scope_and_ip(world, client):
    client.force_login(world.grid_worker_a, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    client.post("/accounts/profile/", {"elderly_mode": "on"}, REMOTE_ADDR="10.1.2.3")
    event = record(actor=world.grid_worker_a, action="regions.update", target=world.grid_a)
    assert event.roles == "grid_worker"
    assert event.scope == world.grid_a.path
    assert event.actor_label == "李建国"
