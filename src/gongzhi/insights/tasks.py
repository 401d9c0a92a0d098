"""Background jobs of the insights app (huey). Thin: each task calls one service (STYLE.md §8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def scan_alerts_task() -> dict:
    """每小时预警扫描: category surges, repeated complaints from one place, departments with many reopens.

    Runs at minute 7 of every hour; safe to run twice (an open alert is updated, never raised again).
    """
    from .services import scan_alerts

    return scan_alerts().as_dict()


@db_periodic_task(crontab(minute="*/30"))
def refresh_hotspot_snapshots_task() -> dict:
    """热点快照: every 30 minutes, the 30-day hotspot list of the district and of each street.

    Safe to run twice: each run replaces the snapshot of each region.
    """
    from .services import refresh_hotspot_snapshots

    return refresh_hotspot_snapshots()
