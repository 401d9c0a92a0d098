"""Writes to the audit log: ``record()`` appends hash-chained events inside the caller's transaction.

Events are queued per connection and chained in one go just before the outermost atomic block commits
(docs/dev/audit.md), so the single ``ChainHead`` row lock is held for the last statements only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import Model
from django.db.transaction import Atomic
from django.utils import timezone

from gongzhi.core import context
from gongzhi.core.crypto import digest

from .models import AuditEvent, ChainHead
from .registry import is_registered

GENESIS = "0" * 64


def _algorithm() -> str:
    return "sm3" if str(getattr(settings, "GONGZHI_AUDIT_HASH", "sha256")).lower() == "sm3" else "sha256"


def canonical_content(event: AuditEvent) -> bytes:
    """The bytes an event's hash covers (everything but ``id`` and ``hash``)."""
    at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "at": at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "roles": event.roles,
        "scope": event.scope,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "data": event.data,
        "reason": event.reason,
        "ip": event.ip,
        "request_id": event.request_id,
        "algorithm": event.algorithm,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_hash(event: AuditEvent) -> str:
    return digest(canonical_content(event), algorithm=event.algorithm)


def _describe_actor(actor) -> tuple[int | None, str, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "anonymous", "", ""
    from gongzhi.accounts.scoping import _assignments, scope_of

    roles = ",".join(sorted({a.role.code for a in _assignments(actor)}))
    scope = scope_of(actor)
    if scope.is_global:
        scope_text = "*"
    else:
        parts = list(scope.region_paths) + [f"dept:{d}" for d in sorted(scope.department_ids)]
        scope_text = ";".join(parts)
    return actor.pk, str(actor)[:150], roles[:300], scope_text[:500]


def _jsonable(data: dict | None) -> dict:
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def record(
    *,
    actor,
    action: str,
    target: Model | None = None,
    data: dict | None = None,
    reason: str = "",
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
) -> AuditEvent:
    """Append an audit event. ``data`` holds ids and old/new values, never plaintext PII.

    The event joins the caller's transaction: it is queued on the connection and written, hash-chained,
    when the outermost atomic block commits (``_flush``); a rolled-back block or savepoint takes its events
    with it. The returned event gets its ``pk``, ``prev_hash`` and ``hash`` at that moment.
    """
    if not is_registered(action):
        raise ValueError(f"undeclared audit action {action!r}: add it to the app's audit_actions.py")
    if target is not None:
        target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:200]
    actor_id, actor_label, roles, scope = _describe_actor(actor)
    ctx = context.current()
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        roles=roles,
        scope=scope,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=str(target_label)[:200],
        data=_jsonable(data),
        reason=reason or "",
        ip=ctx.ip,
        request_id=ctx.request_id,
        algorithm=_algorithm(),
        prev_hash="",
    )
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    if _own_blocks(connection):
        _queue(connection, event)
    else:
        with transaction.atomic(using=alias):  # outside any service transaction: this block is outermost
            _queue(connection, event)
    return event


# --- the chain is appended once per transaction, right before it commits ---------------------------------

_PENDING = "_gongzhi_audit_pending"


def _own_blocks(connection) -> list:
    """The open atomic blocks of the code under way: those above the innermost test-case transaction.

    A test case wraps each test in atomic blocks that stand in for the database's own transaction; audit
    events flush when the outermost block above them exits, as they would at a real commit.
    """
    blocks = connection.atomic_blocks
    for index in range(len(blocks) - 1, -1, -1):
        if getattr(blocks[index], "_from_testcase", False):
            return blocks[index + 1 :]
    return blocks


def _queue(connection, event: AuditEvent) -> None:
    """Remember ``event`` with the savepoints it lives in (as Django does for ``on_commit``)."""
    sids = frozenset(sid for sid in connection.savepoint_ids if sid is not None)
    connection.__dict__.setdefault(_PENDING, []).append((sids, event))


def _flush(connection) -> None:
    """Write the queued events of this transaction: lock the chain head, link, bulk insert, move the head.

    Runs as the last statements of the outermost atomic block, so the ``ChainHead`` row lock (which
    serialises every audited write) is held only from here to the commit.
    """
    pending = connection.__dict__.get(_PENDING)
    if not pending:
        return
    events = [event for _sids, event in pending]
    pending.clear()
    alias = connection.alias
    head, _ = (
        ChainHead.objects.using(alias)
        .select_for_update()
        .get_or_create(pk=1, defaults={"last_hash": GENESIS})
    )
    prev = head.last_hash
    for event in events:
        event.prev_hash = prev
        event.hash = prev = compute_hash(event)
    AuditEvent.objects.using(alias).bulk_create(events)
    last_id = events[-1].pk
    if last_id is None:  # a backend that cannot return ids from a bulk insert
        last_id = AuditEvent.objects.using(alias).filter(hash=prev).values_list("pk", flat=True).get()
        events[-1].pk = last_id
    ChainHead.objects.using(alias).filter(pk=1).update(last_id=last_id, last_hash=prev)


def _before_exit(connection, ok: bool) -> None:
    """Called as an atomic block exits: flush at the outermost commit, drop the events of a rollback."""
    pending = connection.__dict__.get(_PENDING)
    if not pending:
        return
    blocks = connection.atomic_blocks  # the exiting block is the last one
    outermost = len(_own_blocks(connection)) == 1
    if ok and not connection.needs_rollback and not connection.closed_in_transaction:
        if outermost:  # the commit (or, under a test case's transaction, its stand-in) follows
            _flush(connection)
        return
    sid = connection.savepoint_ids[-1] if connection.savepoint_ids else None
    if sid is not None:  # back to this block's savepoint: its events go, the others stay
        pending[:] = [(sids, event) for sids, event in pending if sid not in sids]
    elif len(blocks) <= 1:  # the whole transaction rolls back
        pending.clear()
    # else: a block without a savepoint marks the transaction for rollback; an outer block drops them


_original_enter = Atomic.__enter__
_original_exit = Atomic.__exit__


def _atomic_enter(self):
    if getattr(self, "_from_testcase", False):
        connection = transaction.get_connection(self.using)
        if connection.__dict__.get(_PENDING) and connection.in_atomic_block:
            # A test opens its transaction inside one a fixture holds open: what the fixture recorded
            # counts as committed before the test, as it would be in production.
            _flush(connection)
    return _original_enter(self)


def _atomic_exit(self, exc_type, exc_value, traceback):
    connection = transaction.get_connection(self.using)
    if connection.__dict__.get(_PENDING):
        try:
            _before_exit(connection, ok=exc_type is None)
        except BaseException as error:  # writing the chain failed: the block rolls back, then re-raise
            _original_exit(self, type(error), error, error.__traceback__)
            raise
    result = _original_exit(self, exc_type, exc_value, traceback)
    if not connection.in_atomic_block and connection.__dict__.get(_PENDING):
        connection.__dict__[_PENDING].clear()  # the transaction ended without a commit (closed, broken)
    return result


def install_transaction_hook() -> None:
    """Let ``Atomic.__exit__`` write queued audit events before the outermost commit (``AuditConfig.ready``).

    Django has no "before commit" signal; this wrapper is the one place that adds it. Idempotent.
    """
    if Atomic.__exit__ is not _atomic_exit:
        Atomic.__enter__ = _atomic_enter
        Atomic.__exit__ = _atomic_exit


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash and link; report the first event that was altered, removed or inserted."""
    prev = GENESIS
    checked = 0
    last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != prev:
            return VerifyResult(
                False, checked, event.pk, "link broken: an earlier event was removed or altered"
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False, checked, event.pk, "content does not match its hash: this event was altered"
            )
        prev = event.hash
        last_id = event.pk
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.last_id != last_id):
        return VerifyResult(False, checked, head.last_id or None, "the newest events were removed")
    return VerifyResult(True, checked)
