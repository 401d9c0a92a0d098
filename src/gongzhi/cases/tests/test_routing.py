"""职责清单与分类推荐: duty rules with history, routing by the most specific rule, keyword suggestions."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Case, Category, DutyRule
from gongzhi.cases.services.catalog import (
    create_duty_rule,
    deactivate_duty_rule,
    duty_rule_history,
    install_default_categories,
    suggest_by_keywords,
    update_category,
    update_duty_rule,
)
from gongzhi.cases.services.routing import find_duty_rule, suggest
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed


@pytest.fixture
def tree(world):
    install_default_categories(actor=world.admin)
    return {c.full_name: c for c in Category.objects.all()}


def _case(world, title: str, description: str, grid=None) -> Case:
    grid = grid or world.grid_a
    return Case(title=title, description=description, region_path=grid.path, grid=grid)


# --- duty rules ------------------------------------------------------------------------------------------


def test_rule_for_a_parent_category_routes_its_leaves(world, tree):
    rule = create_duty_rule(
        actor=world.admin,
        category=tree["市容环境/占道经营"],
        lead_department=world.chengguan,
        resolve_days=3,
        note="街面秩序由城管负责",
    )

    found = find_duty_rule(category=tree["市容环境/占道经营/流动摊贩"], region_path=world.grid_a.path)

    assert found == rule
    event = AuditEvent.objects.get(action="cases.create_duty_rule")
    assert event.target_id == str(rule.pk) and event.data["new"]["resolve_days"] == 3


def test_street_rule_wins_over_the_district_wide_rule(world, tree):
    category = tree["物业管理/电梯/电梯故障停运"]
    district_rule = create_duty_rule(actor=world.admin, category=category, lead_department=world.zhujian)
    street_rule = create_duty_rule(
        actor=world.admin, category=category, lead_department=world.chengguan, region=world.street
    )

    assert find_duty_rule(category=category, region_path=world.grid_b.path) == street_rule
    assert find_duty_rule(category=category, region_path=world.grid_c.path) == district_rule


def test_creating_the_same_rule_again_returns_it_and_a_different_one_is_refused(world, tree):
    category = tree["噪音扰民/施工噪音/夜间施工"]
    rule = create_duty_rule(actor=world.admin, category=category, lead_department=world.chengguan)

    assert create_duty_rule(actor=world.admin, category=category, lead_department=world.chengguan) == rule
    with pytest.raises(ValidationFailed) as caught:
        create_duty_rule(actor=world.admin, category=category, lead_department=world.zhujian)
    assert caught.value.code == "duty_rule.exists"
    assert AuditEvent.objects.filter(action="cases.create_duty_rule").count() == 1


def test_editing_a_rule_retires_it_and_keeps_the_history(world, tree):
    category = tree["城市建设/违法建设"]
    first = create_duty_rule(
        actor=world.admin, category=category, lead_department=world.chengguan, resolve_days=15
    )

    second = update_duty_rule(
        actor=world.admin,
        rule=first,
        lead_department=world.zhujian,
        assisting=[world.chengguan],
        resolve_days=20,
        reason="区职责调整",
    )

    first.refresh_from_db()
    assert not first.is_active and second.is_active and second.pk != first.pk
    assert second.lead_department == world.zhujian and list(second.assisting_departments.all()) == [
        world.chengguan
    ]
    assert (
        find_duty_rule(category=tree["城市建设/违法建设/楼顶违建"], region_path=world.grid_a.path) == second
    )
    assert list(duty_rule_history(category, None)) == [second, first]
    event = AuditEvent.objects.get(action="cases.update_duty_rule")
    assert event.reason == "区职责调整"
    assert event.data["previous"] == first.pk and event.data["current"] == second.pk
    assert event.data["changed"] == {
        "lead_department": {"old": world.chengguan.pk, "new": world.zhujian.pk},
        "assisting": {"old": [], "new": [world.chengguan.pk]},
        "resolve_days": {"old": 15, "new": 20},
    }


def test_an_edit_without_changes_keeps_the_rule(world, tree):
    rule = create_duty_rule(actor=world.admin, category=tree["燃气"], lead_department=world.zhujian)

    assert update_duty_rule(actor=world.admin, rule=rule, lead_department=world.zhujian) == rule
    assert DutyRule.objects.count() == 1


def test_a_retired_rule_cannot_be_edited(world, tree):
    rule = create_duty_rule(actor=world.admin, category=tree["燃气"], lead_department=world.zhujian)
    update_duty_rule(actor=world.admin, rule=rule, sign_hours=1)

    with pytest.raises(InvalidTransition):
        update_duty_rule(actor=world.admin, rule=rule, sign_hours=2)


def test_deactivating_a_rule_sends_cases_to_the_dispatcher(world, tree):
    rule = create_duty_rule(actor=world.admin, category=tree["供暖"], lead_department=world.zhujian)

    deactivate_duty_rule(actor=world.admin, rule=rule, reason="供暖季结束")
    deactivate_duty_rule(actor=world.admin, rule=rule)  # repeat: nothing more happens

    assert find_duty_rule(category=tree["供暖/供暖温度/室温不达标"], region_path=world.grid_a.path) is None
    assert AuditEvent.objects.filter(action="cases.deactivate_duty_rule").count() == 1
    assert list(duty_rule_history(tree["供暖"])) == [rule]


def test_rule_values_are_validated(world, tree):
    with pytest.raises(ValidationFailed) as caught:
        create_duty_rule(
            actor=world.admin,
            category=tree["燃气"],
            lead_department=world.zhujian,
            assisting=[world.zhujian],
            sign_hours=0,
        )
    assert set(caught.value.fields) == {"assisting", "sign_hours"}


def test_rules_cannot_be_added_for_an_inactive_category(world, tree):
    update_category(actor=world.admin, category=tree["教育文体"], is_active=False)
    with pytest.raises(ValidationFailed) as caught:
        create_duty_rule(actor=world.admin, category=tree["教育文体"], lead_department=world.zhujian)
    assert "category" in caught.value.fields


def test_only_catalog_managers_edit_the_duty_list(world, tree):
    with pytest.raises(PermissionDenied):
        create_duty_rule(actor=world.dispatcher, category=tree["燃气"], lead_department=world.zhujian)
    rule = create_duty_rule(actor=world.admin, category=tree["燃气"], lead_department=world.zhujian)
    with pytest.raises(PermissionDenied):
        update_duty_rule(actor=world.district_leader, rule=rule, sign_hours=1)
    with pytest.raises(PermissionDenied):
        deactivate_duty_rule(actor=world.handler, rule=rule)


def test_a_street_catalog_admin_edits_only_the_rules_of_their_street(world, tree):
    from gongzhi.cases.tests.factories import catalog_admin

    street_admin = catalog_admin(world)  # cases.manage_catalog over 向阳街道
    ours = create_duty_rule(
        actor=street_admin, category=tree["燃气"], lead_department=world.zhujian, region=world.community
    )
    theirs = create_duty_rule(
        actor=world.admin, category=tree["燃气"], lead_department=world.zhujian, region=world.other_street
    )
    districtwide = create_duty_rule(actor=world.admin, category=tree["燃气"], lead_department=world.zhujian)

    assert update_duty_rule(actor=street_admin, rule=ours, sign_hours=1).sign_hours == 1
    for rule in (theirs, districtwide):
        with pytest.raises(PermissionDenied):
            update_duty_rule(actor=street_admin, rule=rule, sign_hours=1)
        with pytest.raises(PermissionDenied):
            deactivate_duty_rule(actor=street_admin, rule=rule, reason="不归本街道")
    for region in (None, world.district, world.other_street):  # 全区, the district above, a neighbour
        with pytest.raises(PermissionDenied):
            create_duty_rule(
                actor=street_admin, category=tree["供暖"], lead_department=world.zhujian, region=region
            )
    # the tree and the calendar are district-wide: a street cannot change them
    with pytest.raises(PermissionDenied):
        update_category(actor=street_admin, category=tree["燃气"], sign_hours=1)


# --- keyword suggestions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "description", "expected"),
    [
        (
            "小区门口流动摊贩",
            "每天下午四点以后，幸福里小区南门外有好几个流动摊贩摆摊卖水果，三轮车把人行道都堵了。",
            "市容环境/占道经营/流动摊贩",
        ),
        (
            "半夜施工太吵",
            "隔壁工地连续一周凌晨一两点还在施工，打桩声音特别大，孩子根本睡不着，希望管一管夜间施工。",
            "噪音扰民/施工噪音/夜间施工",
        ),
        (
            "楼下饭馆油烟",
            "楼下新开的川菜馆油烟直排，烟道就对着我家窗户，每天中午晚上油烟味呛得没法开窗。",
            "生态环境/餐饮油烟/油烟直排",
        ),
        (
            "暖气不热",
            "今年供暖以来家里暖气一直不热，室温只有十四五度，老人冻得感冒了，找了热力公司也没人来。",
            "供暖/供暖温度/室温不达标",
        ),
        (
            "老板拖欠工资",
            "我在一家装修公司干了三个月，老板一直拖欠工资不发，现在电话也不接了，请帮忙讨薪。",
            "劳动保障/欠薪/企业拖欠工资",
        ),
        (
            "楼道有人飞线充电",
            "3号楼有住户从五楼窗户私拉电线给楼下的电动车充电，电线就挂在楼道口，太危险了。",
            "公共安全/消防安全/飞线充电",
        ),
        (
            "垃圾站好几天没人清",
            "幸福里社区东侧垃圾站的垃圾已经三天没清运了，垃圾桶满了溢出来，臭气熏天。",
            "垃圾清运/生活垃圾/垃圾未及时清运",
        ),
    ],
)
def test_keywords_suggest_the_right_category(world, tree, title, description, expected):
    suggestions = suggest_by_keywords(_case(world, title, description))

    assert suggestions, "no suggestion"
    best = suggestions[0]
    assert best.category.full_name == expected
    assert best.source == "keywords"
    assert 0 < best.confidence <= 0.9
    assert best.reasons and all(word in (title + description).lower() for word in best.reasons)


def test_keyword_suggestion_names_the_department_from_the_duty_list(world, tree):
    create_duty_rule(actor=world.admin, category=tree["市容环境/占道经营"], lead_department=world.chengguan)
    case = _case(world, "占道经营", "超市把货架摆到人行道上店外经营，行人只能走机动车道。")

    best = suggest_by_keywords(case)[0]

    assert best.category.full_name == "市容环境/占道经营/店外经营"
    assert best.department_id == world.chengguan.pk
    assert {"店外经营", "货架"} <= set(best.reasons)


def test_more_matching_words_give_more_confidence(world, tree):
    vague = suggest_by_keywords(_case(world, "反映问题", "小区里有狗叫。"))[0]
    clear = suggest_by_keywords(_case(world, "宠物扰民", "邻居养狗，狗叫一整夜，犬吠不停，宠物扰民严重。"))[0]

    assert vague.category.full_name == clear.category.full_name == "噪音扰民/生活噪音/宠物扰民"
    assert clear.confidence > vague.confidence


def test_no_suggestion_for_text_without_known_words(world, tree):
    assert suggest_by_keywords(_case(world, "咨询", "请问办事大厅周六几点开门？")) == []


def test_inactive_categories_are_not_suggested(world, tree):
    update_category(actor=world.admin, category=tree["噪音扰民/生活噪音/宠物扰民"], is_active=False)

    suggestions = suggest_by_keywords(_case(world, "宠物扰民", "邻居养狗，狗叫一整夜，犬吠不停。"))

    assert all(s.category.full_name != "噪音扰民/生活噪音/宠物扰民" for s in suggestions)


def test_keyword_suggester_is_registered_with_routing(world, tree):
    suggestions = suggest(_case(world, "燃气泄漏", "楼道里闻到很重的煤气味，怀疑燃气泄漏。"))

    assert any(
        s.source == "keywords" and s.category.full_name == "燃气/燃气安全/燃气泄漏" for s in suggestions
    )


def test_intake_classifies_only_through_suggesters_registered_as_automatic(world, tree, monkeypatch):
    from dataclasses import replace

    from gongzhi.cases.services import routing

    gas = tree["燃气/燃气安全/燃气泄漏"]
    asked = []

    def sure_keywords(case):
        asked.append(case)
        return [replace(s, auto=True) for s in suggest_by_keywords(case)]

    monkeypatch.setattr(routing, "_SUGGESTERS", [])
    monkeypatch.setattr(routing, "_AUTOMATIC", [])
    routing.register_suggester(sure_keywords)  # advises people only: intake never asks it
    case = _case(world, "燃气泄漏", "楼道里闻到很重的煤气味，怀疑燃气泄漏。")
    assert routing.automatic_category(case) is None and not asked
    assert suggest(case)[0].category == gas

    routing.register_suggester(sure_keywords, automatic=True)
    assert routing.automatic_category(case).category == gas
    case.category = gas
    assert routing.automatic_category(case) is None  # a person's category is never replaced
