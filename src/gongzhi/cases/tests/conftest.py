"""Fixtures shared by the 三率与考核 page and API tests (test_rates_views.py, test_rates_api.py)."""

from __future__ import annotations

import pytest

from gongzhi.cases.tests import factories as f
from gongzhi.cases.tests.test_rates import Steps, at


@pytest.fixture
def example(world):
    s = Steps()
    day = at(2026, 11, 18, 10)
    cg, zj, a, c = world.chengguan, world.zhujian, world.grid_a, world.grid_c
    s.add("dispatch", cg, a, day, count=4)
    s.add("sign", cg, a, day, count=3, on_time=True)
    s.add("sign", cg, a, day, on_time=False)
    s.add("resolve", cg, a, day, on_time=True)
    s.add("resolve", cg, a, day, on_time=False)
    s.add("rate", cg, a, day, rating="satisfied", resolved_in_fact=True)
    s.add("rate", cg, a, day, rating="dissatisfied", resolved_in_fact=False)
    s.add("dispatch", zj, c, day, count=2)
    s.add("sign", zj, c, day, on_time=True)
    return s


@pytest.fixture
def street_leader(world):
    return f.staff(world, "xiangyang_leader", "street_leader", region=world.street, name="郑国华")
