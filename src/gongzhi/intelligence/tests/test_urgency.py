"""紧急识别: emergencies reported as present facts are flagged; denials, hazards and old news are not."""

from __future__ import annotations

import pytest

from gongzhi.intelligence.nlp.urgency import RULES, detect_urgency
from gongzhi.intelligence.services import detect_urgency as service_detect_urgency


@pytest.mark.parametrize(
    ("title", "description", "kind", "term"),
    [
        ("楼道里有煤气味", "三单元二楼楼道里煤气味很浓，敲门没人应，请赶快派人来。", "gas_leak", "煤气味"),
        ("小区燃气泄漏", "幸福里小区7号楼燃气泄漏，已经能听到嘶嘶声。", "gas_leak", "燃气泄漏"),
        ("对面楼着火了", "和平路12号楼五层着火了，窗户往外冒烟。", "fire", "着火"),
        ("电梯困人", "5号楼电梯困人，老人被困在电梯里二十分钟了。", "trapped", "被困"),
        ("电梯故障有人被关", "2单元电梯故障，卡在七楼，里面有个孩子。", "elevator", "电梯故障"),
        ("路面塌陷", "建设路和滨河路口路面突然塌陷，出现一个大坑。", "collapse", "塌陷"),
        ("邻居要跳楼", "12楼的邻居站在阳台上说要跳楼，情绪很激动。", "self_harm", "跳楼"),
        ("工地有人触电", "阳光花园工地有工人触电倒地。", "electrocution", "触电"),
        ("暴雨污水倒灌", "暴雨后污水倒灌进一楼住户家里，水已经积到小腿。", "flooding", "倒灌"),
        ("孩子走失", "六岁孩子走失了，穿红色外套，在菜市场附近不见的。", "missing_child", "孩子走失"),
        ("有人持刀伤人", "菜市场门口两个人吵架，一个人持刀追着砍。", "violence", "持刀"),
    ],
)
def test_present_emergencies_are_urgent(title, description, kind, term):
    result = detect_urgency(title, description)

    assert result.is_urgent
    assert kind in result.kinds
    assert term in result.terms


@pytest.mark.parametrize(
    "text",
    [
        "家里没有煤气味了，燃气公司来看过。",  # denial
        "不是着火，是楼下烧烤冒烟。",  # denial + ordinary smoke
        "消防通道被占，万一着火消防车进不来。",  # hypothetical
        "楼道堆放杂物，存在火灾隐患，请物业清理。",  # hazard, not an event
        "老旧电线裸露，有触电危险。",  # hazard
        "上周电梯困人的问题已解决，谢谢物业。",  # over
        "小区电梯经常故障，希望更换。",  # chronic nuisance
        "商场门口天天喇叭喊跳楼价，噪音扰民。",  # ordinary use
        "烧烤店油烟很大，浓烟直往楼上飘。",  # cooking smoke
        "楼下烧烤店噪音扰民到凌晨两点。",  # nothing urgent at all
        "",
    ],
)
def test_denied_hypothetical_resolved_or_ordinary_mentions_are_not_urgent(text):
    result = detect_urgency(text)

    assert not result.is_urgent, result.matches
    assert result.terms == ()


def test_a_negated_mention_is_kept_with_its_reason_for_the_record():
    result = detect_urgency("经检查不是燃气泄漏，是下水道的味道。")

    assert not result.is_urgent
    (match,) = result.matches
    assert match.term == "燃气泄漏" and match.negated == "negation:不是"


def test_negation_in_another_clause_does_not_cancel_an_emergency():
    result = detect_urgency("物业说没有问题，可是楼道里的煤气味越来越浓了！")

    assert result.is_urgent and result.terms == ("煤气味",)


def test_the_longest_term_wins_and_texts_are_normalised():
    result = detect_urgency("\n\t\t\t电梯困人！！　有人被困")

    assert result.terms == ("电梯困人", "被困")
    assert result.labels == ("电梯险情", "人员被困")


def test_every_rule_has_distinct_terms_and_a_label():
    seen = set()
    for rule in RULES:
        assert rule.label and (rule.terms or rule.patterns)
        assert not seen & set(rule.terms)
        seen |= set(rule.terms)


def test_the_service_is_what_intake_calls():
    assert service_detect_urgency("小区燃气泄漏", "").is_urgent
    assert not service_detect_urgency("小区路灯不亮", None).is_urgent


@pytest.mark.parametrize(
    ("title", "description", "urgent"),
    [
        # an ignore word cancels the term it is part of or stands next to, not every term of the sentence
        ("求助", "我父亲被困在电梯里，呼吸困难，请马上派人", True),
        ("求助", "楼道起火了，防火门被锁住，人出不去", True),
        # a negation is a word before the term, not a character of another word
        ("求助", "工地简易房倒塌，有工人被压在下面", True),
        ("求助", "小区里有未成年人持刀砍人", True),
        ("求助", "一名无辜路人被砍伤，流了很多血", True),
        ("求助", "无人机着火掉在阳台上了", True),
        ("求助", "可怕的大火烧起来了", True),
        ("求助", "没人被困，只是电梯停了", False),
        ("求助", "未发生火灾，只是跳闸了", False),
        # gas: 漏气 / 中毒 / 爆炸 with a gas word in the sentence
        ("厨房漏气", "家里煤气管道漏气了，味道很大，请赶快派人", True),
        ("求助", "液化气罐漏气", True),
        ("求助", "煤气罐爆炸了，有人受伤", True),
        ("求助", "家中老人煤气中毒", True),
        ("求助", "自行车轮胎漏气了", False),
        ("求助", "煤气费太贵", False),
        # people trapped in a lift
        ("电梯卡住了", "3号楼电梯卡住了，里面有位老人出不来，请快派人！", True),
        ("求助", "电梯停在两层中间，我妈被关在里面出不来", True),
        ("求助", "小区电梯故障停运一周无人维修", False),
        ("求助", "电梯停运一周，楼上老人出不来", False),
        ("求助", "电梯经常卡住，经常有人被关在里面", False),
        ("求助", "电梯广告太吵", False),
        # stuck between two floors is a lift even when the word 电梯 is missing
        ("求助", "我们被卡在五楼与六楼之间出不来", True),
        ("电梯突然停了", "我们三个人被卡在五楼与六楼之间", True),
        ("求助", "我和孩子卡在两层楼中间了，按警铃没人应", True),
        ("求助", "老人被关在12楼到13楼之间快半个小时了", True),
        ("求助", "电动车停在一楼与二楼之间的楼道里充电", False),
        ("求助", "6栋楼与1栋楼之间的绿地被开发商占用", False),
        ("求助", "轿厢经常卡在五楼和六楼之间", False),
        ("求助", "没有人被卡在五楼和六楼之间，只是电梯停了", False),
        # a term inside another word, a "what if"
        ("求助", "我拨打人工服务一直没人接", False),
        ("求助", "消防通道被占用，发生火灾后果不堪设想", False),
        ("求助", "电动车充电引起火灾了", True),
    ],
)
def test_words_in_words_nearby_context_gas_and_lifts(title, description, urgent):
    result = detect_urgency(title, description)

    assert result.is_urgent is urgent, result.matches
