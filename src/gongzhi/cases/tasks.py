"""Background jobs of the cases app (huey). Thin: each task calls one service (STYLE.md §8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def scan_deadlines_task() -> dict:
    """每分钟预警扫描: yellow warnings and red escalation for every case whose check is due.

    Catches up by itself after downtime (the service loops over batches); safe to run twice.
    """
    from .services.deadline_scan import scan_deadlines

    return scan_deadlines().as_dict()


@db_periodic_task(crontab(hour="4", minute="10"))
def sweep_orphan_files_task() -> dict:
    """每日清理孤儿附件: delete attachment files no row refers to (left by failed submissions)."""
    from .services.intake import sweep_orphan_files

    return sweep_orphan_files()


@db_task(retries=3, retry_delay=60)
def send_reporter_sms_task(case_id: int, text: str) -> None:
    """短信告知诉求人: send ``text`` to the reporter of a case (the phone is read here, never queued).

    Enqueue through ``transaction.on_commit``. A case without a phone gets nothing.
    """
    from .services.notify import send_sms_to_reporter

    send_sms_to_reporter(case_id=case_id, text=text)
