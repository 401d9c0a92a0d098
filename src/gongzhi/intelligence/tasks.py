"""Background jobs of the intelligence app (huey). Thin: each task calls one service (STYLE.md §8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


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
