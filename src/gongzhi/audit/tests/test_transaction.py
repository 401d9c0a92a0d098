"""Audit events join the caller's transaction and are chained in one go right before it commits."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.models import AuditEvent, ChainHead
from gongzhi.audit.services import record, verify_chain
from gongzhi.regions.models import Region


class Boom(Exception):
    pass


def _rename(region: Region, name: str) -> None:
    Region.objects.filter(pk=region.pk).update(name=name)


def test_events_of_one_transaction_are_written_at_its_end(world):
    with transaction.atomic():
        first = record(actor=world.admin, action="regions.update", target=world.grid_a, data={"name": "一"})
        second = record(actor=world.admin, action="regions.update", target=world.grid_b, data={"name": "二"})
        assert first.pk is None and not AuditEvent.objects.filter(data={"name": "一"}).exists()
    assert first.pk is not None and second.pk == first.pk + 1
    assert second.prev_hash == first.hash
    assert ChainHead.objects.get(pk=1).last_hash == second.hash
    assert verify_chain().ok


def test_chain_head_is_locked_after_the_last_write(world):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record(actor=world.dispatcher, action="regions.update", target=world.grid_a)
        _rename(world.grid_a, "幸福里第一网格（东）")
    sql = [q["sql"] for q in queries.captured_queries]
    rename = next(i for i, s in enumerate(sql) if s.startswith("UPDATE") and "regions_region" in s)
    head = next(i for i, s in enumerate(sql) if "audit_chainhead" in s)
    assert head > rename
    assert sum("INSERT INTO" in s and "audit_auditevent" in s for s in sql) == 1


def test_rolled_back_savepoint_takes_its_events_with_it(world):
    with transaction.atomic():
        record(actor=world.admin, action="regions.update", target=world.grid_a, data={"kept": 1})
        with pytest.raises(Boom), transaction.atomic():
            record(actor=world.admin, action="regions.update", target=world.grid_a, data={"lost": 1})
            raise Boom
        record(actor=world.admin, action="regions.update", target=world.grid_a, data={"kept": 2})
    assert [e.data for e in AuditEvent.objects.filter(target_id=str(world.grid_a.pk)).order_by("id")][
        -2:
    ] == [
        {"kept": 1},
        {"kept": 2},
    ]
    assert not AuditEvent.objects.filter(data={"lost": 1}).exists()
    assert verify_chain().ok


def test_failed_service_leaves_no_event(world):
    before = AuditEvent.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        record(actor=world.admin, action="regions.update", target=world.grid_c)
        raise Boom
    assert AuditEvent.objects.count() == before
    record(actor=world.admin, action="regions.update", target=world.grid_c)
    assert AuditEvent.objects.count() == before + 1
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_committed_and_rolled_back_transactions(world):
    with transaction.atomic():
        record(actor=world.admin, action="regions.update", target=world.grid_a, data={"n": 1})
        record(actor=world.admin, action="regions.update", target=world.grid_b, data={"n": 2})
    with pytest.raises(Boom), transaction.atomic():
        record(actor=world.admin, action="regions.update", target=world.grid_a, data={"n": 3})
        raise Boom
    with transaction.atomic():
        record(actor=world.admin, action="regions.update", target=world.grid_c, data={"n": 4})
    numbers = [e.data.get("n") for e in AuditEvent.objects.filter(action="regions.update").order_by("id")]
    assert numbers[-3:] == [1, 2, 4]
    assert verify_chain().ok
