"""Database upkeep: the nightly statistics refresh, and every periodic job documented."""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from huey.contrib.djhuey import HUEY

from gongzhi.cases.tests import factories as f
from gongzhi.core.maintenance import refresh_planner_statistics

JOBS_DOC = Path(__file__).resolve().parents[4] / "docs" / "dev" / "jobs.md"


def test_statistics_are_refreshed_on_sqlite_and_left_to_autovacuum_on_postgresql(world):
    f.submitted_case(world)
    result = refresh_planner_statistics()
    if connection.vendor != "sqlite":
        assert result == {"engine": connection.vendor, "analyzed": False}
        return
    assert result["analyzed"] is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert "case_status_received_cov_idx" in indexes  # the planner now knows the list indexes
    out = io.StringIO()
    call_command("refresh_statistics", stdout=out)
    assert out.getvalue().startswith("Statistics updated in ")


def test_every_periodic_job_is_in_the_jobs_table():
    for config in apps.get_app_configs():
        if config.name.startswith("gongzhi.") and importlib.util.find_spec(f"{config.name}.tasks"):
            importlib.import_module(f"{config.name}.tasks")
    documented = set(re.findall(r"`([a-z_]+\.tasks\.[a-z_]+_task)`", JOBS_DOC.read_text(encoding="utf-8")))
    periodic = {
        f"{t.__module__}.{t.__name__}".removeprefix("gongzhi.") for t in HUEY._registry._periodic_tasks
    }
    assert "core.tasks.refresh_planner_statistics_task" in periodic
    assert periodic <= documented, periodic - documented
