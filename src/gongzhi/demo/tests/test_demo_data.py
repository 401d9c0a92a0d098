"""The demo district loads through the real commands, is idempotent, and leaves no plaintext PII at rest.

Runs `gongzhi migrate` and `gongzhi demo-data` in a subprocess against a scratch database of the same
engine as the test run (a SQLite file, or a throwaway PostgreSQL database), then scans the raw bytes
(the SQLite file and its WAL, or a `pg_dump`) for the ID numbers and phones the demo created.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

SNIPPET = """
import json
from gongzhi.people.models import Resident, Organisation
from gongzhi.accounts.models import User
ids = [r.id_number for r in Resident.objects.order_by("pk")]
phones = [r.phone for r in Resident.objects.order_by("pk") if r.phone]
phones += [o.contact_phone for o in Organisation.objects.order_by("pk") if o.contact_phone]
phones += [u.phone for u in User.objects.order_by("pk") if u.phone]
from gongzhi.demo.build import _counts
from gongzhi.cases.models import Case
mine = sorted(Case.objects.filter(reporter_user__username="demo_resident").values_list("status", flat=True))
warned = sorted(set(Case.objects.exclude(warning_level="normal").values_list("warning_level", flat=True)))
received = Case.objects.filter(status="closed").values_list("received_at", flat=True)
span = (max(received) - min(received)).days
from datetime import timedelta
from django.utils import timezone
from gongzhi.cases.rates import rates_for, total_of
month = total_of(rates_for(period_start=timezone.now() - timedelta(days=30), period_end=timezone.now()))
rates = {"rated": month.rated, "on_time": month.on_time_rate, "response": month.response_rate}
print(json.dumps({"ids": ids, "phones": phones, "counts": _counts(), "resident_cases": mine,
                  "warned": warned, "closed_span_days": span, "rates": rates}))
"""


def _gongzhi(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "gongzhi", *args], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture
def scratch_env(tmp_path, django_db_blocker):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "GONGZHI_TESTING": "0",
            "GONGZHI_DEBUG": "1",
            "GONGZHI_VAR_DIR": str(tmp_path),
            "GONGZHI_DATA_KEY": "scan-test-data-key",
            "GONGZHI_SECRET_KEY": "scan-test-secret",
        }
    )
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3]) + os.pathsep + env.get("PYTHONPATH", "")
    if connection.vendor == "postgresql":
        import psycopg

        settings_dict = connection.settings_dict
        name = f"gongzhi_scan_{uuid.uuid4().hex[:8]}"
        dsn = dict(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"] or "postgres",
            password=settings_dict["PASSWORD"] or None,
        )
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["GONGZHI_DATABASE_URL"] = (
            f"postgresql://{dsn['user']}{':' + dsn['password'] if dsn['password'] else ''}"
            f"@{dsn['host']}:{dsn['port']}/{name}"
        )
        yield env, {"vendor": "postgresql", "name": name, "dsn": dsn}
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "scan.sqlite3"
        env["GONGZHI_DATABASE_URL"] = f"sqlite:///{path}"
        yield env, {"vendor": "sqlite", "path": path}


def _raw_bytes(target: dict) -> bytes:
    if target["vendor"] == "sqlite":
        path: Path = target["path"]
        data = path.read_bytes()
        for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
            if extra.exists():
                data += extra.read_bytes()
        return data
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    dsn = target["dsn"]
    env = dict(os.environ, PGPASSWORD=dsn["password"] or "")
    return subprocess.run(
        [
            pg_dump,
            "-h",
            str(dsn["host"]),
            "-p",
            str(dsn["port"]),
            "-U",
            dsn["user"],
            "--data-only",
            target["name"],
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=600,
    ).stdout


@pytest.mark.django_db
def test_demo_loads_idempotently_and_stores_no_plaintext_pii(scratch_env):
    env, target = scratch_env
    _gongzhi(env, "migrate", "--noinput")
    out = _gongzhi(env, "demo-data", "--residents", "400", "--buildings-per-grid", "2")
    assert "demo_grid_worker" in out and "demo_admin" in out
    first = json.loads(_gongzhi(env, "shell", "--no-imports", "-c", SNIPPET))
    _gongzhi(env, "demo-data", "--residents", "400", "--buildings-per-grid", "2")
    second = json.loads(_gongzhi(env, "shell", "--no-imports", "-c", SNIPPET))
    assert first["counts"] == second["counts"], "running demo-data twice must change nothing"
    counts = first["counts"]
    assert counts["streets"] == 3 and counts["communities"] >= 12 and counts["grids"] >= 60
    assert counts["residents"] >= 400 and counts["organisations"] >= 100 and counts["departments"] >= 13
    # the demo resident sees the loop in 我的诉求: a case being handled, one to rate, one rated
    assert first["resident_cases"] == ["closed", "pending_follow_up", "processing"]
    # a month of history: closed cases spread over weeks, some open ones late (the supervisor board)
    assert first["closed_span_days"] >= 14
    assert "red" in first["warned"]
    # and the 三率 page has figures like a real district's: ratings, most resolved and signed on time
    rates = first["rates"]
    assert rates["rated"] >= 10 and rates["on_time"] >= 0.6 and rates["response"] >= 0.4, rates

    raw = _raw_bytes(target)
    assert len(first["ids"]) >= 400 and len(first["phones"]) >= 300
    leaked_ids = [v for v in first["ids"] if v.encode() in raw]
    leaked_phones = [v for v in first["phones"] if v.encode() in raw]
    assert not leaked_ids, f"plaintext ID numbers at rest: {leaked_ids[:3]}"
    assert not leaked_phones, f"plaintext phones at rest: {leaked_phones[:3]}"
    # and nothing that merely looks like one of the demo's ID numbers (birth-date digits in place)
    pattern = re.compile(rb"(?<![0-9A-Za-z])\d{6}(19|20)\d{2}(0[1-9]|1[0-2])\d{5}[0-9X](?![0-9A-Za-z])")
    assert not pattern.search(raw)
