"""Background jobs of the core kernel (huey). Thin: each task calls one function."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="15"))
def refresh_planner_statistics_task() -> dict:
    """每晚更新查询统计信息 (SQLite ``ANALYZE``; nothing on PostgreSQL). Safe to run twice."""
    from .maintenance import refresh_planner_statistics

    return refresh_planner_statistics()
