"""The insights demo step: a noise surge and repeated heating complaints raise warnings; idempotent."""

from __future__ import annotations

import random
from types import SimpleNamespace

from gongzhi.accounts.services import system_actor
from gongzhi.cases.models import Case
from gongzhi.cases.services import install_default_categories
from gongzhi.insights.choices import AlertKind
from gongzhi.insights.demo import insights_demo
from gongzhi.insights.models import Alert


def test_demo_step_shows_warnings_and_runs_twice_safely(world, django_capture_on_commit_callbacks):
    system = system_actor()
    install_default_categories(actor=system)
    tree = SimpleNamespace(grids=[(world.community, world.grid_a)])
    with django_capture_on_commit_callbacks(execute=True):
        insights_demo(actor=system, tree=tree, rng=random.Random(7), say=lambda _m: None)
        insights_demo(actor=system, tree=tree, rng=random.Random(7), say=lambda _m: None)
    assert Case.objects.filter(idempotency_key__startswith="demo-insights-").count() == 11
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert {AlertKind.CATEGORY_SURGE, AlertKind.REPEAT_ADDRESS} <= kinds
    heating = Alert.objects.get(kind=AlertKind.REPEAT_ADDRESS, place__contains="3号楼")
    assert heating.cases.count() == 4
