"""``gongzhi insights scan-alerts``: one scan, its counts as JSON."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from gongzhi.insights.models import Alert

from .conftest import NOW, case_at


def test_scan_alerts_command_raises_the_warning_once(world):
    for days, address in enumerate(["朝晖小区3栋一楼", "朝晖小区3栋", "朝晖小区3栋2单元"]):
        case_at(world, NOW - timedelta(days=days), grid="c", address=address, title="楼道里有煤气味")
    out = io.StringIO()
    call_command("insights", "scan-alerts", "--now", "2026-11-20T10:00", stdout=out)
    assert json.loads(out.getvalue())["raised"] == 1
    out = io.StringIO()
    call_command("insights", "scan-alerts", "--now", "2026-11-20T10:30", stdout=out)
    assert json.loads(out.getvalue())["raised"] == 0
    alert = Alert.objects.get()
    assert alert.region == world.grid_c


def test_the_hourly_task_runs_the_scan(world):
    from gongzhi.insights.tasks import refresh_hotspot_snapshots_task, scan_alerts_task

    for address in ["朝晖小区3栋一楼", "朝晖小区3栋", "朝晖小区3栋2单元"]:
        case_at(world, timezone.now() - timedelta(hours=1), grid="c", address=address, title="楼道里有煤气味")
    scan_alerts_task()  # huey runs immediately in tests
    assert Alert.objects.filter(place="朝晖小区3栋").count() == 1
    refresh_hotspot_snapshots_task()
    from gongzhi.insights.models import HotspotSnapshot

    assert HotspotSnapshot.objects.filter(region=world.other_street, days=30).exists()
