"""Notifications: in-app rows for the right people, plus a pluggable SMS sender.

The SMS backend is chosen by ``GONGZHI_SMS_BACKEND`` (dotted path of a class with
``send(phone: str, text: str) -> None``); the default logs the message and claims no delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from ..models import Case, Notification

logger = logging.getLogger("gongzhi.sms")


class ConsoleSmsBackend:
    """Writes SMS to the log only (no delivery is attempted or claimed)."""

    def send(self, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        logger.info("SMS (not sent, console backend) to %s: %s", masked, text)


def sms_backend():
    path = getattr(settings, "GONGZHI_SMS_BACKEND", "") or "gongzhi.cases.services.notify.ConsoleSmsBackend"
    return import_string(path)()


def notify(
    *,
    recipients: Iterable,
    case: Case | None,
    kind: str,
    message: str,
    dedupe_key: str = "",
    key_is_new: bool = False,
) -> int:
    """Create in-app notifications (once per recipient and ``dedupe_key``); returns how many were new.

    One insert for all recipients; with a ``dedupe_key`` those who already have the notice are skipped
    (and a concurrent duplicate is ignored by the unique constraint). ``key_is_new``: the caller made the
    key from a row its transaction created (a step's id), so the look-up for existing notices is skipped.
    """
    people = {u.pk: u for u in recipients if u is not None}
    if dedupe_key and people and not key_is_new:
        had = Notification.objects.filter(recipient_id__in=list(people), dedupe_key=dedupe_key)
        for pk in had.values_list("recipient_id", flat=True):
            people.pop(pk, None)
    if not people:
        return 0
    text = str(message)[:300]
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, case=case, kind=kind, message=text, dedupe_key=dedupe_key)
            for user in people.values()
        ],
        ignore_conflicts=bool(dedupe_key),
    )
    return len(people)


def send_sms(*, phone: str, text: str) -> None:
    """Send through the configured backend (call from ``transaction.on_commit`` or a task, never inside)."""
    if phone:
        sms_backend().send(phone, text)


def send_sms_to_reporter(*, case_id: int, text: str) -> None:
    """短信告知诉求人: look the reporter's phone up at send time (it is never put on the queue)."""
    phone = Case.objects.filter(pk=case_id).values_list("reporter_phone", flat=True).first()
    if phone:
        send_sms(phone=phone, text=text)


def mark_notifications_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """全部已读: mark the actor's unread notices (all, or those in ``ids``) read; returns how many.

    Only the actor's own notices are touched; reading is not audited (it changes no case).
    """
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
