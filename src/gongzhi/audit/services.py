"""Writes to the audit log: ``record()`` appends one hash-chained event inside the caller's transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
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


@transaction.atomic
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
    """Append an audit event. ``data`` holds ids and old/new values, never plaintext PII."""
    if not is_registered(action):
        raise ValueError(f"undeclared audit action {action!r}: add it to the app's audit_actions.py")
    if target is not None:
        target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:200]
    actor_id, actor_label, roles, scope = _describe_actor(actor)
    ctx = context.current()
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
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
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_id=event.pk, last_hash=event.hash)
    return event


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
