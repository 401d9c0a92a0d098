"""答复质量: score a department's reply to a resident before it is submitted (pure Python, no Django).

``score_reply(complaint_title, complaint_text, reply) -> ReplyScore`` rates three things, each in [0, 1]:

* **relevance** (关联度) — does the reply talk about the complaint? The cosine of the character-bigram
  profiles of complaint and reply (bigrams of greetings, thanks and other stock phrases are ignored,
  so a template never looks relevant), blended with the share of the title's bigrams the reply repeats.
* **completeness** (完整性) — rule features: what was done (经核查 / 已整改 / 已清理 …), by whom (a named
  unit or person, not "相关部门"), when (a date or time in the body, not the signature date), what
  happens next (下一步 / 将继续 / 纳入日常巡查 …), and an explanation (policy basis) or a contact number.
* **politeness** (规范性) — a greeting (您好 / 网友), thanks (感谢 / 谢谢), a respectful form of address
  (您) and no rude words.

The overall score (0–100) weights them 0.35 / 0.45 / 0.20; a reply judged perfunctory (敷衍) is capped
at 40. Flags carry a stable code and a Chinese hint for the handler. Thresholds are calibrated on the
TipDM 2020 official replies (see docs/intelligence-replies-places.md). The score is advice: it never
blocks a submission.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .text import clean_text

__all__ = [
    "FLAG_HINTS",
    "PERFUNCTORY_CAP",
    "WEIGHTS",
    "ReplyFlag",
    "ReplyScore",
    "score_reply",
]

#: Weights of relevance, completeness and politeness in the overall score.
WEIGHTS = {"relevance": 0.35, "completeness": 0.45, "politeness": 0.20}
#: Weights of the completeness features (they add up to 1).
COMPLETENESS_WEIGHTS = {"action": 0.30, "who": 0.20, "when": 0.15, "next": 0.20, "explain": 0.15}
#: Highest overall score of a reply judged perfunctory.
PERFUNCTORY_CAP = 40
#: Below this relevance a reply is flagged as not about the complaint.
LOW_RELEVANCE = 0.15
#: Fewer substantive characters (after stock phrases, dates and ids are removed) than this is too short.
MIN_SUBSTANCE = 25
#: A reply shorter than ``MIN_SUBSTANCE`` is still complete when at least this much of it says what was
#: done and what follows (已联系商户并现场整改，摊位已清理，后续纳入日常巡查。).
MIN_COMPLETE_SUBSTANCE = 15
#: A reply with only stock phrases and at most this many other characters reads as a template.
BOILERPLATE_SUBSTANCE = 45
#: A reply that forwards the case and says this much else is more than a forwarding note.
FORWARD_SUBSTANCE = 60

#: Chinese hints of the flag codes (the Django side may translate them through its catalogue).
FLAG_HINTS: dict[str, str] = {
    "too_short": "答复过短",
    "no_result": "未说明办理结果",
    "forwarded_only": "仅说明已转交，未说明办理结果",
    "no_time": "未说明时间",
    "no_who": "未说明办理单位或人员",
    "no_next": "未说明后续安排",
    "low_relevance": "与诉求关联度低",
    "boilerplate": "疑似敷衍：套话",
    "impolite": "用语不当",
    "no_courtesy": "缺少称呼或致谢",
}


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


# --- completeness features -------------------------------------------------------------------------------

#: What was done: investigation and concrete handling verbs, mostly in the perfective (已 …).
ACTION = _rx(
    r"经(?:过)?(?:调查|核查|核实|查实|现场|实地|了解|查|研究|协调|排查)",
    r"(?:现场|实地)(?:查看|核查|勘查|勘察|调查|走访|检查|处置)",
    r"已(?:经)?(?:对|将|会同|组织|安排|派|责令|要求|督促|约谈|联系|协调|完成|整改|清理|清运|拆除|维修|"
    r"修复|修缮|疏通|更换|恢复|处理|处置|查处|立案|取缔|关停|暂扣|罚款|补发|发放|支付|兑现|办理|解决|"
    r"落实|开展|启动|下达|制定|召开|签订|移交执法|回填|铺设|安装|加装|设置|开通|调整|纠正)",
    r"(?:责令|督促|要求)(?:其|该|商户|企业|公司|物业|施工方|业主|学校|医院)",
    r"(?:整改|清理|拆除|维修|修复|疏通|处理|清运|恢复)(?:完毕|到位|完成|结束)",
    r"(?:已|均已|现已|目前已)(?:全部|基本)?(?:恢复|到位|完成|解决|整改|办结|消除|停止|清除)",
    r"(?:立案|处罚|罚款|约谈|查处|取缔|没收|扣押|查扣|扣留)",
    r"已(?:经)?(?:做好|出台|规划|批复|审批|公示|编制|纳入|列入|上报|申报|核定|核发)",
    r"(?:进行|实行|采取|开展|组织|下发|完成|实施|作出|给予|启动|召开|安排)了",
)
#: "已将 / 已对" only open a sentence: what follows decides whether anything was done (已将您的问题转…).
_OPENING_ONLY = frozenset({"已将", "已对", "已把", "已经将", "已经对", "已经把"})
#: Completed handling (no next step is needed after these).
DONE = _rx(
    r"(?:整改|清理|拆除|维修|修复|疏通|处理|清运|恢复|施工|安装)(?:完毕|到位|完成|结束)",
    r"(?:已|均已|现已)(?:全部|基本)?(?:恢复|完成|解决|办结|消除|停止|清除|发放|补发|支付|兑现|拆除)",
    r"问题已(?:经)?(?:得到)?解决",
)
#: What happens next.
NEXT = _rx(
    r"下一步",
    r"后续",
    r"今后",
    r"接下来",
    r"将(?:继续|持续|进一步|加强|加大|督促|安排|尽快|及时|组织|于|在|会同|对|把|按照|依法|根据|严格|"
    r"定期|认真|积极|联合|协调|启动|开展|推进|跟踪|跟进|完成|实施|纳入|重点)",
    r"(?:持续|跟踪|跟进)(?:关注|督办|监管|巡查|落实|处理)",
    r"纳入(?:日常|常态|重点)",
    r"(?:定期|长效|常态化)(?:巡查|检查|监管|机制|管理)",
    r"预计|计划于|拟于|争取",
)
#: Policy basis or an explanation of why (a reply may rightly explain rather than act).
EXPLAIN = _rx(
    r"(?:根据|依据|按照|依照)[^，。,]{0,20}(?:《|规定|条例|办法|政策|文件|标准|要求|法)",
    r"《[^》]{2,40}》",
    r"第[一二三四五六七八九十百\d]+条",
    r"(?:原因|因为|由于)[^，。]{2,}",
)
#: A way to follow up: a phone number or an invitation to call or visit.
CONTACT = _rx(
    r"1[3-9]\d{9}",
    r"0\d{2,3}[-—－]?\d{7,8}",
    r"(?:联系|咨询|服务|举报|投诉)电话",
    r"(?:可|请|建议)(?:您)?(?:直接)?(?:拨打|致电|联系|咨询|前往|到|向)",
    r"\d{5,8}(?:热线)?(?!年)",
)
#: A named unit (not 相关部门 / 有关单位) or a person doing the work.
WHO = _rx(
    r"(?<![相有所])[\u4e00-\u9fa5a-z\d]{1,12}(?<!相关)(?<!有关)(?:局|委员会|管委会|居委会|村委会|业委会|"
    r"办公室|办事处|街道办|(?<=[市区县镇乡])[\u4e00-\u9fa5]{0,6}办(?![理法事公])|派出所|事务所|管理所|"
    r"卫生院|街道|社区|镇政府|乡政府|政府|公司|大队|中队|支队|分局|法院|检察院|学校|小学|中学|幼儿园|医院|"
    r"物业|执法队|管理处|服务中心|管理中心|指挥中心|供电|供水|燃气|车管所|交警)",
    r"(?:工作人员|执法人员|网格员|民警|城管队员|队员|负责人|书记|主任|站长|所长|局长|科长|干部|专班|工作组)",
)
#: Dates and times in the body of the reply.
WHEN = _rx(
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?",
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]",
    r"20\d\d[-/.]\d{1,2}[-/.]\d{1,2}",
    r"(?:上|下|中|当|今|昨|前|次|近|本)(?:午|晚|天|日|周|月)",
    r"\d+\s*(?:个)?(?:工作日|日|天|小时|周)(?:内|前|后)",
    r"(?:月底|年底|年内|月内|近期|即日起|至今)",
)
#: A date at the end of the reply is its signature, not when something was done.
TRAILING_DATE = re.compile(
    r"(?:\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?|[一二〇○零]{4}年[^。]{1,6}日)[\s。.]*$"
)

# --- politeness ------------------------------------------------------------------------------------------

GREETING = _rx(r"您好", r"你好", r"尊敬的", r"网友", r"同志", r"先生", r"女士", r"市民朋友", r"居民朋友")
THANKS = _rx(r"感谢", r"谢谢", r"致谢", r"理解", r"支持")
RESPECT = _rx(r"您")
RUDE = _rx(
    r"爱管不管",
    r"别烦",
    r"少管",
    r"不关我们的事",
    r"不归我们管",
    r"自己看着办",
    r"无理取闹",
    r"瞎投诉",
    r"乱投诉",
    r"恶意投诉",
    r"没空",
    r"滚(?:开|蛋|出去)",
    r"你有病",
    r"有病吧",
    r"你烦不烦",
    r"刁民",
)

# --- stock phrases (removed before measuring substance and relevance) ------------------------------------

FORWARD = _rx(
    r"(?:已|现已|我们已|我办已|并)?(?<!由)(?:转交|转至|转给|转到|转办|转|移交|交办|批转|转送)(?:至|给|到)?"
    r"[^，。！!；;]{0,20}?(?:部门|单位|局|办|委|政府|中心|所|处理|办理|核实|调查|答复|处置|参考)",
)
#: Stock phrases that say nothing about the complaint.
BOILERPLATE = _rx(
    r"(?:网友|尊敬的网友|尊敬的市民|市民朋友)[:：,，]?",
    r"您好[!！,，。]?",
    r"你好[!！,，。]?",
    r"(?:您|你)(?:所)?(?:反映|提出|咨询|反应)(?:的)?(?:问题|情况|事项)?(?:已|我们已)?(?:收悉|获悉|收到)?",
    r"(?:您|你)的(?:留言|来信|帖文|诉求|来帖)(?:已)?(?:收悉|获悉|收到)?",
    r"(?:留言|来信|帖文|诉求|来帖)(?:已)?(?:收悉|获悉|收到)",
    r"已收悉",
    r"(?:您的)?(?:留言|来信)?转由(?:我|本)(?:单位|局|办|中心)办理",
    r"关于(?:您|你)(?:所)?反映的问题",
    r"(?:相关|有关)(?:部门|单位)",
    r"(?:正在|正)(?:处理|办理|核实|调查|协调处理)(?:中|当中)?",
    r"(?:请|敬请)(?:您)?耐心等待",
    r"(?:如有|有)(?:进展|结果|回复)[^，。]{0,12}(?:告知|回复|反馈)",
    r"待[^，。]{0,10}(?:后|清楚后)(?:予以|再)?(?:回复|答复|反馈)",
    r"(?:第一时间|及时)(?:告知|回复|反馈)",
    r"(?:高度重视|非常重视)",
    r"(?:感谢|谢谢)(?:您|你)?(?:对|的)?[^，。！!]{0,20}(?:关心|支持|理解|信任|监督|来信|留言|关注)[!！。]?",
    r"感谢(?:您的)?(?:留言|来信|来帖)[!！。]?",
    r"谢谢[!！。]?",
    r"(?:此复|特此回复|特此答复)[。!！]?",
    r"(?:现|特)?(?:将|把)?[^，。]{0,6}(?:情况|结果)?答复如下[:：]?",
    r"“?(?:uu|a)\d+”?",
)
_DATES = _rx(
    r"\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?",
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]",
)
_NOT_CONTENT = re.compile(r"[\s\W_\d]+")

#: Characters that carry no topic on their own; bigrams made only of them are ignored.
_FUNCTION_CHARS = frozenset("的了是在和与及或对把被将已于为也就都而并其之这那有个们我你您他她它此该等")
#: Bigrams of replies in general (service words), ignored when comparing complaint and reply.
_STOP_BIGRAMS = frozenset(
    """网友 您好 你好 反映 问题 感谢 谢谢 留言 收悉 相关 部门 有关 单位 情况 工作 处理 办理 进行 关于
    我们 您的 你的 支持 理解 关心 监督 答复 回复 如下 现将 调查 核实 了解 目前 已经 根据 按照 要求 规定
    一步 下一 后续 如有 进展 及时 告知 反馈 耐心 等待 转交 转至 移交 尊敬 市民 朋友 来信 信任 平台 栏目
    问政 西地 地省 领导 书记 市长 县长 区长 同志 特此 此复 重视 高度 非常 认真 积极 表示 存在 没有 可以
    一个 这个 但是 因为 所以 如果 希望 请求 能够 是否 什么 怎么 为什么 现在 已经 时间 年月 月日""".split()
)


@dataclass(frozen=True)
class ReplyFlag:
    """One problem of a reply: a stable code and a short Chinese hint for the handler."""

    code: str
    hint: str


@dataclass(frozen=True)
class ReplyScore:
    """The quality of one reply: three part scores in [0, 1], an overall 0–100 and the flags."""

    overall: int
    relevance: float
    completeness: float
    politeness: float
    perfunctory: bool
    flags: tuple[ReplyFlag, ...] = ()
    features: dict[str, bool] = field(default_factory=dict)
    shared_terms: tuple[str, ...] = ()
    substance: int = 0

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    def as_dict(self) -> dict:
        """Plain JSON data (for ``CaseStep.data``, templates and the API)."""
        return {
            "score": self.overall,
            "relevance": round(self.relevance, 3),
            "completeness": round(self.completeness, 3),
            "politeness": round(self.politeness, 3),
            "perfunctory": self.perfunctory,
            "flags": [{"code": f.code, "hint": f.hint} for f in self.flags],
            "features": dict(self.features),
            "shared_terms": list(self.shared_terms),
        }


# --- relevance -------------------------------------------------------------------------------------------


def _bigrams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for chunk in re.findall(r"[\u4e00-\u9fa5]{2,}|[a-z]+\d*|\d+[a-z\u4e00-\u9fa5]?", text):
        if chunk.isascii():
            if len(chunk) >= 2:
                grams[chunk] += 1
            continue
        for i in range(len(chunk) - 1):
            gram = chunk[i : i + 2]
            if gram in _STOP_BIGRAMS or (gram[0] in _FUNCTION_CHARS and gram[1] in _FUNCTION_CHARS):
                continue
            grams[gram] += 1
    return grams


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    # sublinear term frequency: a long letter repeating a word should not dominate
    wa = {k: 1.0 + math.log(v) for k, v in a.items()}
    wb = {k: 1.0 + math.log(v) for k, v in b.items()}
    dot = sum(w * wb[k] for k, w in wa.items() if k in wb)
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(w * w for w in wa.values())) * math.sqrt(sum(w * w for w in wb.values())))


def _relevance(title: str, text: str, reply_body: str) -> tuple[float, tuple[str, ...]]:
    complaint = _bigrams(f"{title}。{title}。{text[:1500]}")
    answer = _bigrams(reply_body[:3000])
    cosine = _cosine(complaint, answer)
    title_grams = set(_bigrams(title)) or set(complaint)
    shared = sorted(title_grams & set(answer), key=lambda g: (-complaint[g], g))
    coverage = len(shared) / len(title_grams) if title_grams else 0.0
    # A true reply's cosine rarely passes 0.35, its title coverage 0.6: scale both to [0, 1].
    score = 0.5 * min(1.0, cosine / 0.35) + 0.5 * min(1.0, coverage / 0.6)
    return score, tuple(shared[:8])


# --- the score -------------------------------------------------------------------------------------------


def _substance(text: str) -> str:
    """The reply without stock phrases, ids, dates and punctuation: what it actually says."""
    text = BOILERPLATE.sub("", text)
    text = FORWARD.sub("", text)
    text = _DATES.sub("", text)
    return _NOT_CONTENT.sub("", text)


def _says_what_was_done_and_next(substance: str) -> bool:
    """A short reply is complete when its substance names a handling step and a next step or result."""
    if len(substance) < MIN_COMPLETE_SUBSTANCE:
        return False
    acted = any(m.group() not in _OPENING_ONLY for m in ACTION.finditer(substance))
    return acted and bool(NEXT.search(substance) or DONE.search(substance))


def score_reply(complaint_title: object, complaint_text: object, reply: object) -> ReplyScore:
    """Score a reply to a complaint (title + text); never raises on content."""
    title = clean_text(complaint_title)
    text = clean_text(complaint_text)
    answer = clean_text(reply)
    body = TRAILING_DATE.sub("", answer)

    substance = _substance(body)
    stripped = BOILERPLATE.sub(" ", body)
    # quoting the title back (您反映的"…"问题) says nothing about the complaint
    unquoted = stripped.replace(title, " ") if len(title) >= 4 else stripped
    relevance, shared = _relevance(title, text, unquoted)

    features = {
        "action": bool(ACTION.search(body)),
        "done": bool(DONE.search(body)),
        "who": bool(WHO.search(stripped)),
        "when": bool(WHEN.search(body)),
        "next": bool(NEXT.search(body)),
        "explain": bool(EXPLAIN.search(body)),
        "contact": bool(CONTACT.search(body)),
        "forwarded": bool(FORWARD.search(stripped)),
        "greeting": bool(GREETING.search(answer)),
        "thanks": bool(THANKS.search(answer)),
        "respect": bool(RESPECT.search(answer)),
        "rude": bool(RUDE.search(answer)),
    }
    parts = {
        "action": features["action"],
        "who": features["who"],
        "when": features["when"],
        "next": features["next"] or features["done"],
        "explain": features["explain"] or features["contact"],
    }
    completeness = sum(COMPLETENESS_WEIGHTS[name] for name, present in parts.items() if present)
    politeness = (
        0.0
        if features["rude"]
        else (0.35 * features["greeting"] + 0.35 * features["thanks"] + 0.30 * features["respect"])
    )

    codes: list[str] = []
    # short is fine when what is there says what was done and what follows; stock phrases and forwarding
    # notes are not in ``substance``, so "已转相关部门处理，敬请关注后续回复" is still too short
    too_short = len(substance) < MIN_SUBSTANCE and not _says_what_was_done_and_next(substance)
    has_result = features["action"] or features["explain"]
    if too_short:
        codes.append("too_short")
    forwarded_only = features["forwarded"] and not (has_result or features["next"])
    if forwarded_only and len(substance) < FORWARD_SUBSTANCE:
        codes.append("forwarded_only")
    elif not has_result:
        codes.append("no_result")
    if not features["when"]:
        codes.append("no_time")
    if not features["who"]:
        codes.append("no_who")
    if not (features["next"] or features["done"] or features["explain"]):
        codes.append("no_next")
    if relevance < LOW_RELEVANCE:
        codes.append("low_relevance")
    boilerplate = len(substance) <= BOILERPLATE_SUBSTANCE and not has_result and not features["contact"]
    if boilerplate:
        codes.append("boilerplate")
    if features["rude"]:
        codes.append("impolite")
    elif not (features["greeting"] or features["thanks"]):
        codes.append("no_courtesy")

    perfunctory = (
        boilerplate
        or too_short
        or "forwarded_only" in codes
        or (relevance < LOW_RELEVANCE and not has_result)
    )
    overall = 100 * (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["completeness"] * completeness
        + WEIGHTS["politeness"] * politeness
    )
    if perfunctory:
        overall = min(overall, PERFUNCTORY_CAP)
    if features["rude"]:
        overall = min(overall, 20)
    return ReplyScore(
        overall=round(overall),
        relevance=round(relevance, 3),
        completeness=round(completeness, 3),
        politeness=round(politeness, 3),
        perfunctory=perfunctory,
        flags=tuple(ReplyFlag(code, FLAG_HINTS[code]) for code in codes),
        features=features,
        shared_terms=shared,
        substance=len(substance),
    )
