"""Small Chinese training fixtures written for these tests (not the TipDM data).

``messages()`` returns (title, details, label) triples for four first-level categories, written the way
residents write to a 12345 hotline: places, times and feelings vary, the problem words repeat.
"""

from __future__ import annotations

import itertools

PLACES = ("幸福里小区", "向阳街道和平路", "朝晖社区", "阳光花园", "建设路菜市场", "滨河新村")

TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "城市管理": (
        ("{p}门口占道经营", "每天早上{p}门口人行道上摆满了卖菜的摊子，行人只能走机动车道，希望城管管一管。"),
        ("{p}流动摊贩堵路", "{p}一到晚上就有流动摊贩推车卖烧烤，把路堵死了，垃圾也扔一地。"),
        ("{p}垃圾几天没人清运", "{p}的垃圾桶已经满了好几天，垃圾堆到地上，天热有臭味，请安排环卫清运。"),
        ("{p}违章搭建", "{p}一楼住户在公共绿地上违章搭建了一间铁皮房，挡住了消防通道，请城管执法拆除。"),
        ("{p}共享单车乱停放", "{p}路口共享单车乱停乱放，盲道都被占了，老人出行很不方便。"),
    ),
    "劳动和社会保障": (
        (
            "{p}工地拖欠农民工工资",
            "我们在{p}工地干了半年，包工头拖欠工资三万多元一直不给，快过年了请帮忙讨薪。",
        ),
        ("{p}公司不交社保", "我在{p}一家公司上班两年，公司一直没给我缴纳社会保险，人社部门能不能查一查。"),
        ("{p}餐馆辞退员工不给补偿", "{p}的餐馆老板无故辞退我，不签劳动合同也不给经济补偿，请劳动监察处理。"),
        ("{p}退休养老金迟迟未发", "我父亲在{p}办理了退休手续，养老金三个月了还没发下来，社保局说在审核。"),
        ("{p}装修队欠薪", "{p}装修队老板欠我们工人工资四个月，电话不接，人也找不到，请劳动部门帮助。"),
    ),
    "教育文体": (
        (
            "{p}幼儿园乱收费",
            "{p}附近的幼儿园每学期额外收取兴趣班费用两千元，不交孩子就不让上课，请教育局调查。",
        ),
        ("{p}学生上学难", "我家住在{p}，孩子按学区应该在附近小学入学，学校却说学位已满，让去很远的学校。"),
        ("{p}学校补课收费", "{p}中学周末强制学生补课并收取补课费，学生负担很重，请教育部门制止。"),
        ("{p}课外培训机构跑路", "{p}的课外培训机构突然关门，老板卷走了几十个家长预交的学费，请教育局处理。"),
        ("{p}体育场馆不开放", "{p}的体育馆建好了一直不对居民开放，篮球场上锁，希望文体部门协调开放。"),
    ),
    "卫生计生": (
        ("{p}诊所无证行医", "{p}有一家小诊所没有医疗执业许可证，给人输液打针，出了事谁负责，请卫健委查处。"),
        ("{p}医院看病排队太久", "{p}附近的医院挂号排队要三个小时，医生态度也不好，希望改进就医流程。"),
        ("{p}生育证办理困难", "在{p}办理二孩生育服务证，街道计生办要求提供的材料太多，跑了五趟还没办下来。"),
        ("{p}疫苗接种预约难", "{p}社区卫生服务中心的疫苗接种一直约不上，孩子的疫苗已经推迟一个月了。"),
        (
            "{p}医院乱收费",
            "我母亲在{p}的医院住院，出院时发现收费清单里有很多没做过的检查项目，请卫生部门核查。",
        ),
    ),
}


def messages() -> list[tuple[str, str, str]]:
    """(title, details, label) for every template at every place: 4 labels × 5 × 6 = 120 rows."""
    rows = []
    for label, templates in TEMPLATES.items():
        for (title, details), place in itertools.product(templates, PLACES):
            rows.append((title.format(p=place), details.format(p=place), label))
    return rows
