"""答复质量: the reply scorer, the score kept in the resolve step, the "检查答复质量" check in the form."""

from __future__ import annotations

import csv
import random
import statistics
from pathlib import Path

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.services import resolve_case
from gongzhi.cases.services.routing import _REPLY_CHECKERS, check_reply
from gongzhi.cases.tests import factories as f
from gongzhi.intelligence.nlp.reply_quality import PERFUNCTORY_CAP, score_reply

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
HTMX = {"HX-Request": "true"}
DATA = Path("/work/shared/data/tipdm2020/replies.csv")

TITLE = "幸福里小区南门早市占道经营"
COMPLAINT = (
    "每天早上6点到9点，幸福里小区南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去，希望城管管一管。"
)
GOOD = (
    "王女士：您好！您反映的幸福里小区南门早市占道经营问题已收悉。经核查，11月20日上午，向阳街道城管执法队"
    "会同幸福里社区工作人员到南门现场查看，南门外人行道确有12个菜摊占道经营。执法队员当场劝离摊贩，"
    "清理了占道物品，并责令周边两家门店不得出店经营。下一步，我们将把南门纳入早间重点巡查点位，"
    "每天6点至9点安排队员值守，持续跟进整治效果。如再发现占道情况，可拨打城管热线010-12319反映。"
    "感谢您对我们工作的理解和支持！"
)
PERFUNCTORY = "网友您好，您反映的问题已收悉，已转交相关部门处理，请耐心等待。谢谢！"
HEATING = "您好！经现场检测，您家室温已达到18度，供热站已对2单元管道进行排气，今后将加强巡检。感谢您的支持！"


# --- the scorer -----------------------------------------------------------------------------------------


def test_a_specific_reply_scores_high_without_flags_of_substance():
    score = score_reply(TITLE, COMPLAINT, GOOD)

    assert score.overall >= 80 and not score.perfunctory
    assert {"action", "who", "when", "next", "contact", "greeting", "thanks"} <= {
        name for name, present in score.features.items() if present
    }
    assert not {"no_result", "no_time", "no_who", "no_next", "boilerplate", "too_short"} & set(
        score.flag_codes
    )
    assert "占道" in score.shared_terms or "南门" in score.shared_terms


def test_a_boilerplate_reply_is_flagged_as_perfunctory_and_capped():
    score = score_reply(TITLE, COMPLAINT, PERFUNCTORY)

    assert score.perfunctory and score.overall <= PERFUNCTORY_CAP
    assert {"boilerplate", "too_short", "forwarded_only", "low_relevance"} <= set(score.flag_codes)
    hints = {flag.code: flag.hint for flag in score.flags}
    assert hints["boilerplate"] == "疑似敷衍：套话"
    assert hints["forwarded_only"] == "仅说明已转交，未说明办理结果"
    assert score.politeness > 0.5  # polite words do not make a template a good reply


def test_flags_name_what_is_missing():
    reply = "您好，摊贩已经清理，感谢您的监督，我们会继续关注这个小区门口的占道经营情况。"
    score = score_reply(TITLE, COMPLAINT, reply)

    assert "no_time" in score.flag_codes and "no_who" in score.flag_codes
    assert "no_result" not in score.flag_codes and "boilerplate" not in score.flag_codes
    assert {flag.hint for flag in score.flags} >= {"未说明时间", "未说明办理单位或人员"}


STALLS_TITLE = "锦绣小区北门商户占道摆摊"
STALLS = "锦绣小区北门几家水果店把摊位摆到人行道上，老人推着轮椅只能走机动车道，太危险了。"


def test_a_short_reply_that_says_what_was_done_and_what_follows_is_not_perfunctory():
    reply = "已联系商户并现场整改，摊位已清理，后续纳入日常巡查。"
    score = score_reply(STALLS_TITLE, STALLS, reply)

    assert not score.perfunctory
    assert score.overall > score_reply(STALLS_TITLE, STALLS, "已处理。").overall
    assert "too_short" not in score.flag_codes and "boilerplate" not in score.flag_codes


@pytest.mark.parametrize(
    "reply",
    [
        "已收悉。",
        "正在处理中。",
        "请耐心等待。",
        "已转相关部门。",
        "已处理。",
        "已整改完毕。",
        "您好，已将您反映的问题转相关部门进行处理，敬请关注后续回复。",
        "您的留言已收悉。关于您反映的问题，已转市城管局调查处理。",
    ],
)
def test_short_replies_without_a_result_and_a_next_step_stay_perfunctory(reply):
    score = score_reply(STALLS_TITLE, STALLS, reply)

    assert score.perfunctory and score.overall <= PERFUNCTORY_CAP


def test_relevance_is_higher_for_the_complaint_answered():
    own = score_reply(TITLE, COMPLAINT, GOOD)
    other = score_reply("暖气不热室温只有14度", "供暖一周了我家暖气片还是温的，室温就14度。", GOOD)
    heating = score_reply("暖气不热室温只有14度", "供暖一周了我家暖气片还是温的，室温就14度。", HEATING)

    assert own.relevance > 0.5 > other.relevance
    assert heating.relevance > other.relevance
    assert "low_relevance" in score_reply(TITLE, COMPLAINT, HEATING).flag_codes


def test_quoting_the_title_back_does_not_make_a_reply_relevant():
    reply = f"网友您好！关于您反映的“{TITLE}”的问题，我们已收悉，正在处理中，请耐心等待。"

    score = score_reply(TITLE, COMPLAINT, reply)

    assert score.relevance < 0.15 and score.perfunctory


def test_rude_words_are_flagged_and_sink_the_score():
    score = score_reply(TITLE, COMPLAINT, "这事不归我们管，你自己看着办，别再乱投诉了。")

    assert "impolite" in score.flag_codes and score.politeness == 0 and score.overall <= 20


def test_the_signature_date_is_not_a_time_of_handling():
    assert "no_time" in score_reply(TITLE, COMPLAINT, "您好，已安排人员清理。2019年5月9日").flag_codes
    assert (
        "no_time" not in score_reply(TITLE, COMPLAINT, "您好，5月8日已安排人员清理。2019年5月9日").flag_codes
    )


@pytest.mark.parametrize("value", [None, float("nan"), "", "   ", 42])
def test_never_raises_on_empty_or_odd_input(value):
    score = score_reply(value, value, value)

    assert 0 <= score.overall <= 100 and score.perfunctory
    assert score.as_dict()["score"] == score.overall


# --- resolve keeps the score; the check endpoint ---------------------------------------------------------


def test_the_scorer_is_registered_with_the_cases_app(world):
    assert score_reply in _REPLY_CHECKERS
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)

    result = check_reply(case, PERFUNCTORY)

    assert result["perfunctory"] is True and result["score"] <= PERFUNCTORY_CAP
    assert {"code": "boilerplate", "hint": "疑似敷衍：套话"} in result["flags"]


def test_resolve_stores_the_reply_score_in_the_step_and_the_audit(world):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)

    resolve_case(actor=world.handler, case=case, reply=PERFUNCTORY)  # advice only: still submitted

    step = case.steps.get(action="resolve")
    quality = step.data["reply_quality"]
    assert quality["perfunctory"] is True and quality["score"] <= PERFUNCTORY_CAP
    assert "boilerplate" in quality["flags"] and step.note == PERFUNCTORY
    event = AuditEvent.objects.filter(action="cases.resolve", target_id=str(case.pk)).get()
    assert event.data["reply_quality"]["score"] == quality["score"]


def test_a_good_reply_is_stored_with_a_high_score(world):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)

    resolve_case(actor=world.handler, case=case, reply=GOOD)

    quality = case.steps.get(action="resolve").data["reply_quality"]
    assert quality["score"] >= 80 and quality["perfunctory"] is False


def _login(client, user):
    client.force_login(user, backend=BACKEND)


def _post_check(client, case, reply, **headers):
    return client.post(
        reverse("cases:reply_check", args=[case.pk]),
        {f"resolve-{case.pk}-reply": reply, "return_to": "panel"},
        headers=headers,
    )


def test_the_resolve_form_offers_the_check(world, client):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)
    _login(client, world.handler)

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert f'data-testid="check-reply-{case.pk}"' in page
    assert reverse("cases:reply_check", args=[case.pk]) in page


def test_the_check_returns_the_score_and_flags_as_a_fragment(world, client):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)
    _login(client, world.handler)

    response = _post_check(client, case, PERFUNCTORY, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and f'id="case-{case.pk}-reply-check"' in body
    assert 'data-flag="boilerplate"' in body and "疑似敷衍：套话" in body
    assert 'data-testid="reply-perfunctory"' in body
    case.refresh_from_db()
    assert case.status == "processing" and not case.steps.filter(action="resolve").exists()


def test_the_check_without_javascript_returns_the_form_with_the_reply_kept(world, client):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)
    _login(client, world.handler)

    response = _post_check(client, case, GOOD)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "南门纳入早间重点巡查点位" in body  # the draft is kept in the form
    assert 'data-testid="reply-score"' in body and 'data-testid="reply-perfunctory"' not in body


def test_an_empty_draft_asks_for_the_reply_first(world, client):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)
    _login(client, world.handler)

    body = _post_check(client, case, "  ", **HTMX).content.decode()

    assert 'data-testid="reply-check-empty"' in body and 'data-testid="reply-score"' not in body


@pytest.mark.parametrize(("persona", "status"), [("grid_worker_b", 404), ("dispatcher", 403)])
def test_only_the_handling_department_may_check(world, client, persona, status):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)
    _login(client, getattr(world, persona))

    assert _post_check(client, case, GOOD, **HTMX).status_code == status


def test_anonymous_users_are_sent_to_log_in(world, client):
    case = f.processing_case(world, title=TITLE, description=COMPLAINT)

    response = _post_check(client, case, GOOD)

    assert response.status_code == 302 and "login" in response["Location"]


# --- calibration on real official replies (TipDM 2020) ----------------------------------------------------


@pytest.mark.skipif(not DATA.exists(), reason="TipDM 2020 data not available")
def test_scores_on_real_replies_are_sensible():
    with open(DATA, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows = random.Random(11).sample(rows, 800)
    scores = [score_reply(r["留言主题"], r["留言详情"], r["答复意见"]) for r in rows]

    detailed = [
        s.overall for s in scores if s.features["action"] and s.features["who"] and s.features["when"]
    ]
    template = [s.overall for s in scores if "boilerplate" in s.flag_codes]
    assert len(detailed) > 100 and len(template) > 10
    assert statistics.median(detailed) >= statistics.median(template) + 30
    flagged = sum(s.perfunctory for s in scores) / len(scores)
    assert 0.05 < flagged < 0.35  # most official replies are substantive; a real minority is not
    overall = sorted(s.overall for s in scores)
    assert (
        overall[len(overall) // 10] < 40 < 55 < overall[len(overall) // 2] < 75 < overall[-len(overall) // 10]
    )

    shuffled = rows[1:] + rows[:1]
    other = [
        score_reply(a["留言主题"], a["留言详情"], b["答复意见"]).relevance
        for a, b in zip(rows, shuffled, strict=True)
    ]
    assert statistics.median(s.relevance for s in scores) > 0.4 > 0.05 > statistics.median(other)
