"""Fixtures of the insights tests: leaders of both streets, the 城管 head, categories, dated cases."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.core.cache import cache

from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.tests import factories as f

#: The scans in these tests run "now" = Friday 2026-11-20 10:00 (Asia/Shanghai).
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cats(world):
    return f.categories(world)


@pytest.fixture
def leader(world):
    return f.staff(world, "leader_xy", "street_leader", region=world.street, name="马立新")


@pytest.fixture
def other_leader(world):
    return f.staff(world, "leader_zh", "street_leader", region=world.other_street, name="高红梅")


@pytest.fixture
def head(world):
    return f.staff(world, "head_cg", "department_head", department=world.chengguan, name="吴国栋")


def case_at(world, when: datetime, **overrides):
    """A hotline case submitted through the services at ``when`` (grid A unless ``grid=`` says otherwise)."""
    with time_machine.travel(when, tick=False):
        return f.submitted_case(world, **overrides)


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """``scan_alerts`` with its on-commit notices delivered (as after a real commit)."""
    from gongzhi.insights.services import scan_alerts

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return scan_alerts(now=now)

    return run
