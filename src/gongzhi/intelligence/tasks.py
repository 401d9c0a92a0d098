"""Background jobs of the intelligence app (huey). Thin: each task calls one service (STYLE.md §8)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(day_of_week="0", hour="3", minute="30"))
def retrain_classifiers_task() -> list[dict]:
    """每周重训: Sunday 03:30, retrain each classifier kind that has enough new decided cases or labels.

    Safe to run twice: the second run finds no new examples since the version the first one made.
    """
    from gongzhi.accounts.services import system_actor

    from .choices import LabelKind
    from .services import retrain_if_due

    actor = system_actor()
    return [retrain_if_due(actor=actor, kind=kind).as_dict() for kind in LabelKind.values]


@db_task()
def train_classifier_task(kind: str, requested_at: str) -> dict:
    """立即重训: train a new ``kind`` version an administrator asked for (``request_retraining``).

    Trains as the system account; the version is registered, not activated. Too few examples (found only
    after repeated texts are merged) are logged, not retried: more labels are needed, not another run.
    """
    from datetime import datetime

    from gongzhi.accounts.services import system_actor
    from gongzhi.core.errors import ValidationFailed

    from .services import train_requested

    try:
        row = train_requested(
            actor=system_actor(), kind=kind, requested_at=datetime.fromisoformat(requested_at)
        )
    except ValidationFailed as exc:
        logger.warning("training %s asked for by an administrator failed: %s", kind, exc.message)
        return {"kind": kind, "version": None, "reason": str(exc.message)}
    return {"kind": kind, "version": row.version, "reason": "registered"}
