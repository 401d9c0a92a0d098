"""Demo step for cases: the default category tree, the 2026–2027 working calendar, a duty list for the
demo departments, and sample cases in every stage of the closed loop (idempotent)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from gongzhi.demo.build import register_step

# level-1 category → department code of the demo district
DUTY = {
    "市容环境": "CGW",
    "垃圾清运": "CGW",
    "噪音扰民": "STHJ",
    "生态环境": "STHJ",
    "交通出行": "JTW",
    "城市建设": "ZJW",
    "物业管理": "ZJW",
    "供暖": "GRGS",
    "供水排水": "SWJ",
    "燃气": "CGW",
    "园林绿化": "YLJ",
    "劳动保障": "RSJ",
    "教育文体": "JW",
    "医疗卫生": "WJW",
    "市场监管": "SCJG",
    "社区服务": "MZJ",
    "公共安全": "GAFJ",
}

# (category full name, title, description) written the way residents write
SAMPLES = [
    (
        "市容环境/占道经营",
        "小区南门早市占道经营",
        "每天早上6点到9点，南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去，希望管一管。",
    ),
    (
        "噪音扰民/施工噪音",
        "工地夜间施工噪音扰民",
        "东边工地连续一周晚上11点以后还在打桩，声音特别大，老人孩子都睡不着觉，请核实是否办理了夜间施工许可。",
    ),
    (
        "生态环境/餐饮油烟",
        "楼下烧烤店油烟直排",
        "一层新开的烧烤店没装油烟净化器，油烟直接往楼上窜，家里窗户都不敢开。",
    ),
    (
        "垃圾清运/生活垃圾",
        "垃圾桶满了两天没人清",
        "3号楼旁边的垃圾桶已经满了两天，垃圾堆在地上，天热味道很大，招苍蝇。",
    ),
    (
        "交通出行/乱停乱放",
        "消防通道被私家车占用",
        "小区消防通道上长期停着几辆私家车，万一着火消防车进不来，物业说管不了。",
    ),
    (
        "供暖/供暖温度",
        "暖气不热室温只有16度",
        "供暖开始以后家里暖气一直温乎乎的，室温只有16度，给供热公司打电话说排队等。",
    ),
    (
        "劳动保障/欠薪",
        "装修公司拖欠三个月工资",
        "我在一家装修公司干了半年，老板拖欠我们三个月工资一共两万多元，一直说下个月给。",
    ),
    ("物业管理/电梯", "电梯经常停运", "5号楼电梯这个月已经坏了三次，楼里好几位老人住高层，上下楼特别困难。"),
    (
        "城市建设/违法建设",
        "楼顶私搭乱建",
        "顶楼住户在楼顶搭了一间彩钢房，担心影响楼体安全和防水，请有关部门来看看。",
    ),
    ("供水排水/排水", "雨水井堵塞路面积水", "小区门口雨水井堵了，一下雨路面积水十几厘米，行人只能踩着水走。"),
    (
        "园林绿化/树木管理",
        "大树枝干快断了",
        "楼前一棵杨树的大枝干裂开了，刮风的时候晃得厉害，下面是停车位和人行道，很危险。",
    ),
    (
        "市场监管/食品安全",
        "超市卖过期酸奶",
        "在小区门口超市买的酸奶回家发现已经过期两天了，找店家只说给换，希望查一查。",
    ),
    (
        "社区服务/养老服务",
        "独居老人需要助餐服务",
        "我家楼下的独居老人腿脚不方便，想问社区有没有助餐或者送餐服务。",
    ),
    ("燃气/燃气安全", "楼道里有煤气味", "2单元楼道里一股很重的煤气味，怀疑哪家燃气泄漏了，请尽快派人来查。"),
    (
        "公共安全/消防安全",
        "楼道堆放杂物和电动车充电",
        "楼道里堆满纸箱杂物，还有人从窗户拉电线给电动车充电，存在火灾隐患。",
    ),
]

# how far each sample case goes: 0 submitted … 6 rated
STAGES = [2, 1, 0, 3, 3, 4, 5, 6, 6, 6, 6, 6]
# how long ago a sample case in each stage came in (days, low–high): closed cases spread over the past
# month; some open ones are old enough to run late, so the supervisor board and the rates have content
AGE_DAYS = {0: (0.02, 0.15), 1: (0.05, 0.3), 2: (0.05, 0.6), 3: (0.5, 12), 4: (1, 9), 5: (2, 6), 6: (4, 30)}
# when each step happens, as a share of the case's age: accept, dispatch, sign, contact, resolve,
# review, rate (later stages of an old case were late, as in life); signing is ``_signed_at``
STEP_AT = (0.02, 0.05, 0.12, 0.3, 0.7, 0.8, 0.9)
# signing: three departments in four sign within the usual 2-hour limit, the fourth some hours late, so
# the response rate (三率与考核) looks like a real district's rather than 0%
SIGN_LATE_EVERY = 4
# handling: in three cases out of four the reporter is contacted 6–17 hours after dispatch and the case is
# resolved one to three days later (within any limit of the default tree), reviewed hours later and rated
# the next day; the fourth takes its share of its age (STEP_AT), late for an old case. Without this every
# resolve of the last full month was late and its ratings fell in this month, so the rates page showed 0%
# on time and no ratings for last month.
RESOLVE_LATE_EVERY = 4
# a case still being handled after more than a month: overdue whatever the category and the holidays
LONG_OVERDUE = {4: 40.0}
RATINGS = ["satisfied", "satisfied", "basically_satisfied", "dissatisfied"]
# sample cases that demo_resident reported on the phone: one being handled, one handled and waiting for
# the resident's own rating, one the resident rated, so 我的诉求 shows the whole loop
RESIDENT_SAMPLES = {3: "handling", 9: "to_rate", 10: "rated"}


def _signed_at(index: int, *, dispatched: datetime, contacted: datetime) -> datetime:
    """When sample case ``index`` is signed: 20–100 minutes after dispatch, or 3–7 hours for every fourth
    one (late), and always before the reporter is contacted."""
    if index % SIGN_LATE_EVERY == 1:
        delay = timedelta(hours=3 + index % 5)
    else:
        delay = timedelta(minutes=20 + (index * 37) % 80)
    return min(dispatched + delay, dispatched + (contacted - dispatched) / 2)


@register_step
def cases_demo(*, actor, tree, rng: random.Random, say) -> None:
    from django.utils import timezone

    from gongzhi.accounts.selectors import get_department_by_code, get_user_by_username
    from gongzhi.accounts.services import system_actor
    from gongzhi.demo.clock import demo_clock
    from gongzhi.regions.geometry import parse_boundary

    from . import selectors
    from .models import Category
    from .services.catalog import create_duty_rule, install_default_categories, seed_calendar_year
    from .services.deadline_scan import scan_deadlines
    from .services.intake import submit_case
    from .services.routing import find_duty_rule
    from .services.workflow import (
        accept_case,
        dispatch_case,
        rate_case,
        record_contact,
        resolve_case,
        review_case,
        sign_case,
    )

    say("cases: categories, calendar, duty list, sample cases …")
    system = system_actor()
    install_default_categories(actor=system)
    for year in (2026, 2027):
        seed_calendar_year(actor=system, year=year)
    level1 = {c.name: c for c in Category.objects.filter(level=1).order_by("path")}
    for name, code in DUTY.items():
        category = level1.get(name)
        if category is not None and find_duty_rule(category=category, region_path=tree.district.path) is None:
            create_duty_rule(actor=system, category=category, lead_department=get_department_by_code(code))
    if selectors.cases_visible_to(system).filter(idempotency_key__startswith="demo-").exists():
        return
    by_name = {c.full_name: c for c in Category.objects.filter(level=2)}
    grids = [grid for _community, grid in tree.grids]
    resident = get_user_by_username("demo_resident")
    now = timezone.now()
    for index in range(60):
        full_name, title, description = SAMPLES[index % len(SAMPLES)]
        grid = grids[(index * 7) % len(grids)]
        shape = parse_boundary(grid.boundary).representative_point()
        stage = STAGES[index % len(STAGES)]
        age = rng.uniform(*AGE_DAYS[stage])
        received = now - timedelta(days=LONG_OVERDUE.get(index, age))
        at = [received + (now - received) * share for share in STEP_AT]
        if index % RESOLVE_LATE_EVERY != 2:  # handled promptly; each step stays before its share of the age
            at[3] = min(at[1] + timedelta(hours=6 + index % 12), at[3])
            at[4] = min(at[3] + timedelta(days=1 + index % 3), at[4])
            at[5] = min(at[4] + timedelta(hours=4), at[5])
            at[6] = min(at[5] + timedelta(days=1), at[6])
        mine = RESIDENT_SAMPLES.get(index)
        reporter = (
            {"actor": resident, "channel": "mobile", "reporter_user": resident}
            if mine
            else {
                "actor": system,
                "channel": ["hotline", "mobile", "web", "patrol"][index % 4],
                "reporter_name": ["张桂兰", "李明", "王建华", "赵淑芬", "刘伟"][index % 5],
                "reporter_phone": f"139{rng.randint(10000000, 99999999)}",
            }
        )
        with demo_clock(received):
            case = submit_case(
                **reporter,
                title=title,
                description=description,
                address=f"{grid.name}辖区",
                lon=round(shape.x, 6),
                lat=round(shape.y, 6),
                idempotency_key=f"demo-{index}",
            )
        if stage >= 1:
            with demo_clock(at[0]):
                case = accept_case(actor=system, case=case)
        if stage >= 2:
            rule = find_duty_rule(category=by_name.get(full_name), region_path=case.region_path)
            if rule is None:
                continue
            with demo_clock(at[1]):
                case = dispatch_case(actor=system, case=case, department=rule.lead_department)
        if stage >= 3:
            with demo_clock(_signed_at(index, dispatched=at[1], contacted=at[3])):
                case = sign_case(actor=system, case=case)
        if stage >= 4:
            with demo_clock(at[3]):
                case = record_contact(actor=system, case=case, note="已电话联系诉求人，约定现场查看时间。")
        if stage >= 5:
            with demo_clock(at[4]):
                case = resolve_case(
                    actor=system, case=case, reply="经现场核实，已协调责任单位处理完毕，后续将加强巡查。"
                )
        if stage >= 6:
            with demo_clock(at[5]):
                case = review_case(actor=system, case=case, approve=True)
            if mine == "to_rate":
                continue
            with demo_clock(at[6]):
                case = rate_case(
                    actor=resident if mine else system,
                    case=case,
                    rating=RATINGS[index % len(RATINGS)],
                    method="self" if mine else "phone",
                    comment="处理及时" if index % 4 != 3 else "问题没有彻底解决",
                )
    scan_deadlines(now=now)  # the warnings a running job would have given by now
