"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.accounts.scoping import require

from .models import AuditEvent


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The audit log is readable only with ``audit.view``; it is not region-scoped (it is the watchdog)."""
    require(user, "audit.view")
    return AuditEvent.objects.order_by("-id")


def events_for(*, user, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("id")


def events_for_targets(*, target_type: str, target_ids: list[str]) -> QuerySet[AuditEvent]:
    """The events of several objects of one type (e.g. the successive rows of one duty rule), oldest first.

    Not permission-checked: callers show it only with the history of an object the user may already see.
    """
    return AuditEvent.objects.filter(target_type=target_type, target_id__in=target_ids).order_by("id")
