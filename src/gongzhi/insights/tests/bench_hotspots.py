"""Benchmark (not part of the suite): the hotspot list and the early-warning scan on ~5,000 real messages.

    GONGZHI_TESTING=1 .venv/bin/pytest -p no:cacheprovider -q -s src/gongzhi/insights/tests/bench_hotspots.py

pytest collects this file only when it is named on the command line. It loads the TipDM 2020 hotspot
messages (topped up from the labelled messages to ``CASES``) as cases of the test district, their times
scaled into the last 30 days in their original order, and prints one JSON line: the cold computation of
``hotspots_for`` (database read + ``find_hotspots``), the cached call, the periodic snapshot refresh
(district + streets), the district leader's list read from the snapshot, and one ``scan_alerts`` run.
"""

from __future__ import annotations

import csv
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.insights.selectors import hotspot_list, hotspots_for
from gongzhi.insights.services import refresh_hotspot_snapshots, scan_alerts

DATA = Path("/work/shared/data/tipdm2020")
CASES = 5000

pytestmark = pytest.mark.skipif(not (DATA / "hotspot_messages.csv").exists(), reason="TipDM data missing")


def _time(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return datetime(2019, 1, 1)


def _messages() -> list[dict]:
    rows: list[dict] = []
    for name in ("hotspot_messages.csv", "messages_labeled.csv"):
        with open(DATA / name, encoding="utf-8-sig", newline="") as fh:
            rows.extend(csv.DictReader(fh))
        if len(rows) >= CASES:
            break
    return rows[:CASES]


def test_hotspots_and_scan_on_5000_cases(world, django_capture_on_commit_callbacks):
    rows = _messages()
    times = [_time(r.get("留言时间", "")) for r in rows]
    first, last = min(times), max(times)
    span = (last - first).total_seconds() or 1.0
    now = timezone.now()
    grids = [world.grid_a, world.grid_b, world.grid_c]
    streets = [world.street, world.street, world.other_street]
    cases = []
    for n, (row, at) in enumerate(zip(rows, times, strict=True)):
        k = n % 3
        cases.append(
            Case(
                number=f"BENCH{n:07d}",
                title=(row.get("留言主题") or "无标题")[:120],
                description=(row.get("留言详情") or "").strip()[:2000] or "无",
                channel="web",
                received_at=now - timedelta(days=30) * (1 - (at - first).total_seconds() / span),
                region_path=grids[k].path,
                grid=grids[k],
                street=streets[k],
                reporter_phone_index=(row.get("留言用户") or "")[:64],
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)

    started = time.perf_counter()
    rows_cold = hotspots_for(world.district_leader, days=30)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    hotspots_for(world.district_leader, days=30)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    refreshed = refresh_hotspot_snapshots(now=now)
    refresh = time.perf_counter() - started
    cache.clear()
    started = time.perf_counter()
    listing = hotspot_list(world.district_leader, days=30)
    from_snapshot = time.perf_counter() - started
    assert listing.from_snapshot
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        result = scan_alerts(now=now)
    scan = time.perf_counter() - started
    print(
        json.dumps(
            {
                "cases": len(cases),
                "hotspots": len(rows_cold),
                "largest_hotspot": max((r.size for r in rows_cold), default=0),
                "hotspots_cold_s": round(cold, 2),
                "hotspots_cached_s": round(warm, 3),
                "snapshot_refresh_s": round(refresh, 2),
                "snapshot_refresh": refreshed,
                "page_from_snapshot_s": round(from_snapshot, 3),
                "scan_alerts_s": round(scan, 2),
                "scan": result.as_dict(),
            },
            ensure_ascii=False,
        )
    )
    assert rows_cold
