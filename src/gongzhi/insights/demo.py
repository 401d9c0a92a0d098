"""演示数据 of the insights app: a noise surge in one grid and repeated complaints from one building,
then one early-warning scan, so the dashboard and the hotspot list show something. Idempotent."""

from __future__ import annotations

import random

from gongzhi.demo.build import register_step

NOISE = [
    ("工地夜间施工噪音扰民", "小区东侧工地每天晚上十一点以后还在打桩，声音特别大，老人孩子都睡不着。"),
    ("晚上工地打桩太吵了", "东边工地夜里施工打桩，吵得整栋楼都睡不好，希望管一管夜间施工。"),
    ("夜间施工噪音严重", "工地连续一周夜间施工，噪音很大，已经影响到居民正常休息。"),
]
HEATING = "暖气不热室温只有14度", "供暖开始了家里暖气还是温的，室温只有14度，家里有老人，请尽快上门看看。"


@register_step
def insights_demo(*, actor, tree, rng: random.Random, say) -> None:
    from gongzhi.accounts.services import system_actor
    from gongzhi.cases.models import Category
    from gongzhi.cases.selectors import cases_visible_to
    from gongzhi.cases.services.intake import submit_case
    from gongzhi.regions.geometry import parse_boundary

    from .services import scan_alerts

    say("insights: a noise surge, repeated heating complaints, the early-warning scan …")
    system = system_actor()
    if not cases_visible_to(system).filter(idempotency_key__startswith="demo-insights-").exists():
        noise = Category.objects.filter(level=2, full_name="噪音扰民/施工噪音").first()
        heating = Category.objects.filter(level=2, full_name="供暖/供暖温度").first()
        grid = tree.grids[0][1]
        point = parse_boundary(grid.boundary).representative_point()
        for index in range(7):
            title, description = NOISE[index % len(NOISE)]
            submit_case(
                actor=system,
                channel="hotline",
                title=title,
                description=description,
                category=noise,
                address=f"{grid.name}辖区东侧工地",
                lon=round(point.x, 6),
                lat=round(point.y, 6),
                reporter_name=["张桂兰", "李明", "王建华", "赵淑芬", "刘伟", "陈红", "杨帆"][index],
                reporter_phone=f"137{rng.randint(10000000, 99999999)}",
                idempotency_key=f"demo-insights-noise-{index}",
            )
        for index, unit in enumerate(("1单元301", "2单元502", "3单元101", "2单元201")):
            submit_case(
                actor=system,
                channel="hotline",
                title=HEATING[0],
                description=HEATING[1],
                category=heating,
                address=f"{grid.name}辖区3号楼{unit}",
                lon=round(point.x, 6),
                lat=round(point.y, 6),
                reporter_name=["周敏", "吴刚", "郑丽", "孙强"][index],
                reporter_phone=f"136{rng.randint(10000000, 99999999)}",
                idempotency_key=f"demo-insights-heating-{index}",
            )
    result = scan_alerts()
    say(f"insights: {result.raised} new early warnings")
