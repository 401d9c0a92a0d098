"""紧急诉求识别: rules that flag danger to life or property in a message (pure Python, no Django).

A message is urgent when it reports, as a present fact, one of: a gas leak, gas poisoning or
explosion, a fire, someone trapped, an elevator emergency, a collapse, self-harm, electrocution,
flooding into homes, a missing child or violence. Rules beat a model here: the cases are rare, the
words are specific, and every flag must be explainable to the dispatcher ("matched 燃气泄漏").

A match does not count when its clause says it is *not* happening or is hypothetical — a negating or
precaution word shortly before it (不是 / 没有 / 未发生 / 防止 / 万一 / 担心 …; the one-character negators
没 / 无 / 未 / 易 only as words of their own, so 未成年人, 无辜, 简易房 and 无人机 negate nothing), a hazard
word right after it (火灾 **隐患**, 触电 **危险**), a "what if" later in its clause (**不堪设想**) —
or when its sentence says the danger is over (已解决 / 已扑灭 / 已救出 …).

Some terms are also common in ordinary words or complaints (拨**打人**工, **跳楼价**, 电梯故障**频发**);
each rule lists such context words, and one cancels a term that is part of it or that it stands next
to in its clause (frequency adverbs of the lift rules: anywhere earlier in the clause) — not every
term of the sentence. Smoke words are the exception: a sentence naming an ordinary source of smoke
(烧烤, 油烟, 工厂 …) cancels them wherever it names it. A few terms report a danger only together with
another word of their sentence (漏气 with a gas word, 出不来 with 电梯 and 里面, 电梯故障 with someone
inside). Someone stuck between two floors (被卡在五楼与六楼之间) is in a lift even when 电梯 is not said.

The result only raises a flag for a person to look at: it never closes, rejects or downgrades a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import clean_text

__all__ = ["RULES", "UrgencyMatch", "UrgencyResult", "UrgencyRule", "detect_urgency"]


def _w(words: str) -> tuple[str, ...]:
    """A tuple of the space-separated words (keeps the long Chinese word lists readable)."""
    return tuple(words.split())


@dataclass(frozen=True)
class UrgencyRule:
    """One kind of emergency: the words that report it and the contexts in which they do not."""

    kind: str
    label: str
    terms: tuple[str, ...]
    #: Words that make a term ordinary: a word the term is part of (拨打人工 ⊃ 打人) or one at most
    #: ``NEAR_WINDOW`` characters before or after it in its clause (电梯故障频发). With ``ignore_scope``
    #: "clause" also one anywhere earlier in the clause (the frequency adverb of its verb: 经常有老人被关在
    #: 里面), with "sentence" one anywhere in its sentence (烧烤店油烟很大，浓烟…).
    ignore_in: tuple[str, ...] = ()
    ignore_scope: str = "near"
    #: Groups of words: a term counts only when its sentence has a word of every group (漏气 + 煤气).
    needs: tuple[tuple[str, ...], ...] = ()
    #: Regular expressions for terms a word list cannot spell (卡在五楼与六楼之间); the match is the term.
    patterns: tuple[str, ...] = ()


#: Words that make a report a repeated nuisance rather than an emergency (经常有人被关在里面).
OFTEN = _w("频发 经常 多次 频繁 屡次 时常 常常 老是 总是 三天两头 隔三差五 每天 天天 长期 每当 曾经")
#: … and a chronic one (电梯故障问题, 电梯一直故障); 一直 is not chronic for a person 一直出不来.
CHRONIC = (*OFTEN, *_w("不断 一直 问题"))
#: Gas words that make 漏气 / 泄漏 a gas leak, 中毒 a gas poisoning and 爆炸 a gas explosion (轮胎漏气,
#: 信息泄漏, 食物中毒 in a letter and 知识爆炸 are not).
GAS = _w("煤气 燃气 天然气 液化气 气罐 沼气 一氧化碳")
#: Words that put an elevator in the sentence (出不来 alone may be a flat whose lift is out of service).
LIFT = _w("电梯 轿厢")
#: Words that say someone is inside the lift now: 电梯故障 with nobody inside is a repair request.
INSIDE = _w(
    "里面有 里边有 里头有 在里面 在里边 在里头 关在里 卡在里 轿厢 被困 被卡 困住 困在 关在 出不来 出不去"
)

#: A floor (五楼, 12层, 负一楼) and a place between two floors: only a lift car stops there (6栋楼与1栋楼之间
#: is between two buildings: a floor number stands right before 楼 / 层).
FLOOR = r"(?:负|地下)?[0-9一二三四五六七八九十两]{1,3}(?:楼|层)"
BETWEEN_FLOORS = rf"(?:{FLOOR}(?:与|和|到|跟|至|、|-){FLOOR}|两个?(?:楼层|层楼?))(?:之间|中间)"

RULES: tuple[UrgencyRule, ...] = (
    UrgencyRule(
        "gas_leak",
        "燃气泄漏",
        _w(
            "燃气泄漏 煤气泄漏 天然气泄漏 液化气泄漏 燃气漏气 煤气漏气 天然气漏气 煤气味 燃气味 "
            "天然气味 液化气味 闻到煤气 闻到燃气 闻到天然气"
        ),
    ),
    UrgencyRule("gas_leak", "燃气泄漏", _w("漏气 泄漏"), needs=(GAS,)),
    UrgencyRule("poisoning", "燃气中毒", _w("中毒"), needs=(GAS,)),
    UrgencyRule(
        "fire",
        "火灾",
        _w("着火 起火 失火 火灾 烧起来 火势 大火"),
        ignore_in=_w("防火 防火灾 消防检查 火灾自动 火灾探测 大火车 引起火 一起火"),
    ),
    UrgencyRule(
        "fire",
        "火灾",
        _w("冒烟 浓烟 冒黑烟"),
        ignore_in=_w(
            "烧烤 油烟 烟囱 抽烟 吸烟 排放 排烟 工厂 厂区 污染 焚烧 秸秆 烟尘 粉尘 垃圾 臭 气味 砖厂"
        )
        + CHRONIC,
        ignore_scope="sentence",
    ),
    UrgencyRule(
        "explosion",
        "爆炸",
        _w("爆炸 爆燃"),
        needs=((*GAS, *_w("气瓶 钢瓶")),),
    ),
    UrgencyRule(
        "trapped",
        "人员被困",
        (),
        ignore_in=OFTEN,
        ignore_scope="clause",
        patterns=(rf"被?(?:卡|困|关)在了?{BETWEEN_FLOORS}",),  # 被卡在五楼与六楼之间: a lift, said or not
    ),
    UrgencyRule(
        "trapped",
        "人员被困",
        _w("被困 困在电梯 困在里面 困在屋 困在楼 关在电梯 卡在电梯"),
        ignore_in=_w("被困扰 被困难"),
    ),
    UrgencyRule(
        "trapped",
        "人员被困",
        _w("关在里面 关在里边 卡在里面 卡在里边 被卡在 困住"),
        ignore_in=OFTEN,
        ignore_scope="clause",
        needs=(LIFT,),
    ),
    UrgencyRule(
        "trapped",
        "人员被困",
        _w("出不来 出不去"),
        ignore_in=OFTEN,
        ignore_scope="clause",
        needs=(LIFT, _w("里面 里边 里头 轿厢")),
    ),
    UrgencyRule(
        "elevator",
        "电梯险情",
        _w("电梯困人 电梯关人 电梯坠落 电梯下坠 电梯急坠 电梯冲顶 电梯溜梯 电梯蹲底"),
        ignore_in=CHRONIC,
        ignore_scope="clause",
    ),
    UrgencyRule(
        "elevator",
        "电梯险情",
        _w("电梯故障 卡住 卡在"),
        ignore_in=CHRONIC,
        ignore_scope="clause",
        needs=(LIFT, INSIDE),
    ),
    UrgencyRule(
        "collapse",
        "坍塌",
        _w("坍塌 塌陷 倒塌 垮塌 塌方 地陷 楼塌 房屋开裂倾斜"),
    ),
    UrgencyRule(
        "self_harm",
        "自伤轻生",
        _w("轻生 自杀 跳楼 割腕 寻死 不想活 喝农药 跳河"),
        ignore_in=_w("跳楼价 跳楼甩卖 跳楼大甩卖"),
    ),
    UrgencyRule(
        "electrocution",
        "触电",
        _w("触电 电到人 被电击 漏电伤人 电死"),
    ),
    UrgencyRule(
        "flooding",
        "积水倒灌",
        _w("倒灌 积水过膝 水淹进 淹进家 被水淹 水漫进 淹到腰 淹到膝盖 进水淹"),
    ),
    UrgencyRule(
        "missing_child",
        "儿童走失",
        _w(
            "孩子走失 小孩走失 儿童走失 孩子丢了 小孩丢了 孩子不见了 小孩不见了 孩子失踪 小孩失踪 "
            "儿童失踪 女儿走失 儿子走失 女儿失踪 儿子失踪"
        ),
    ),
    UrgencyRule(
        "violence",
        "暴力伤人",
        _w("打人 持刀 拿刀 砍人 行凶 殴打 斗殴 捅伤 砍伤 家暴"),
        ignore_in=_w("拨打人 打人工"),
    ),
)

#: Words shortly before a term (same clause) that make it a denial, a precaution or a hypothesis.
NEGATION_BEFORE = _w(
    "不是 没有 没 无 未 并非 不存在 排除 防止 预防 以防 以免 避免 谨防 杜绝 万一 如果 假如 一旦 "
    "若 担心 害怕 容易 怕 会不会 易"
)
#: The one-character negators 没 无 未 易 are also characters of ordinary words (未成年, 无辜, 简易, 无人机):
#: one negates only when what stands between it and the term is nothing or a verb and its object
#: (未发生火灾, 无人员被困, 没闻到煤气味, 易引发火灾). 若 and 怕 open a clause as 如果 and 担心 do (怕楼道
#:里着火), except inside the words of ``NOT_CUES``.
WORD_NEGATORS = frozenset("没无未易")
NOT_CUES = _w("可怕 若干")
NEGATED_GAP = re.compile(
    r"(?:有|发生|出现|发现|造成|引发|引起|导致|见|闻到|听到|看到|再|曾|会|能)?过?"
    r"(?:任何|明显|什么)?(?:人员|人)?被?"
)
#: Words later in the same clause that make the term a "what if": 发生火灾后果不堪设想.
HYPOTHETICAL_AFTER = _w("不堪设想 谁负责 谁来负责")
#: Words right after a term (same clause) that make it a hazard, not an event: 火灾隐患, 触电危险.
NEGATION_AFTER = _w("隐患 风险 危险 的可能 事故隐患 报警器 预案 演练 逃生")
#: Words later in the same sentence that say the danger is over.
RESOLVED_AFTER = _w(
    "已解决 已经解决 已处理 已经处理 已修好 已经修好 已修复 "
    "已排除 已扑灭 已被扑灭 已经扑灭 已救出 已被救出 "
    "已经救出 已恢复 已经恢复 已找到 已经找到"
)
_PATTERNS = {rule: tuple(re.compile(p) for p in rule.patterns) for rule in RULES}
BEFORE_WINDOW = 6
AFTER_WINDOW = 4
#: How far from a term (characters, same clause) an ignore word may stand to make it ordinary.
NEAR_WINDOW = 4

_CLAUSE_END = re.compile(r"[，,；;。！!？?\n]")
_SENTENCE_END = re.compile(r"[。！!？?\n]")


@dataclass(frozen=True)
class UrgencyMatch:
    """A term found in the text; ``negated`` says why it does not count (empty when it counts)."""

    kind: str
    label: str
    term: str
    start: int
    negated: str = ""


@dataclass(frozen=True)
class UrgencyResult:
    """Is the message urgent, and which terms (not negated) say so."""

    is_urgent: bool
    matches: tuple[UrgencyMatch, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """The matched terms that count, in text order, without repeats."""
        return tuple(dict.fromkeys(m.term for m in self.matches if not m.negated))

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.kind for m in self.matches if not m.negated))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.label for m in self.matches if not m.negated))


def _clause_bounds(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[int, int]:
    left = max((m.end() for m in pattern.finditer(text, 0, start)), default=0)
    right_match = pattern.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _ignored_by(text: str, rule: UrgencyRule, start: int, end: int, clause, sentence) -> str:
    """The ignore word of ``rule`` that makes the term at ``start:end`` ordinary, or ""."""
    if rule.ignore_scope == "sentence":  # 烧烤店油烟很大，浓烟直往楼上飘
        return next((w for w in rule.ignore_in if w in text[sentence[0] : sentence[1]]), "")
    for word in rule.ignore_in:
        for found in re.finditer(re.escape(word), text[clause[0] : clause[1]]):
            w_start, w_end = clause[0] + found.start(), clause[0] + found.end()
            if (
                (w_start <= start and end <= w_end)  # the term is part of it: 拨打人工, 引起火灾
                or 0 <= w_start - end <= NEAR_WINDOW  # right after: 电梯故障频发
                or (w_end <= start and (rule.ignore_scope == "clause" or start - w_end <= NEAR_WINDOW))
            ):
                return word
    return ""


def _negating_cue(before: str) -> str:
    """The denial, precaution or hypothesis word in ``before`` (the text right before a term), or ""."""
    for word in NOT_CUES:  # 可怕的大火: no 怕 there
        before = before.replace(word, "\0" * len(word))
    for cue in NEGATION_BEFORE:
        if cue not in WORD_NEGATORS:
            if cue in before:
                return cue
            continue
        for found in re.finditer(cue, before):  # 未发生火灾, not 未成年人持刀
            if NEGATED_GAP.fullmatch(before, found.end()):
                return cue
    return ""


def _why_not(text: str, rule: UrgencyRule, start: int, end: int) -> str:
    clause = _clause_bounds(text, start, end, _CLAUSE_END)
    sentence = _clause_bounds(text, start, end, _SENTENCE_END)
    context = _ignored_by(text, rule, start, end, clause, sentence)
    if context:
        return f"context:{context}"
    for group in rule.needs:  # 漏气 without a gas word, 出不来 without an elevator
        if not any(word in text[sentence[0] : sentence[1]] for word in group):
            return f"missing:{group[0]}"
    cue = _negating_cue(text[max(clause[0], start - BEFORE_WINDOW) : start])
    if cue:
        return f"negation:{cue}"
    after = text[end : min(clause[1], end + AFTER_WINDOW + 2)]
    for cue in NEGATION_AFTER:
        if after.startswith(cue) or cue in after[: AFTER_WINDOW + len(cue)]:
            return f"hazard:{cue}"
    for cue in HYPOTHETICAL_AFTER:
        if cue in text[end : clause[1]]:
            return f"hypothetical:{cue}"
    rest = text[end : sentence[1]]
    for cue in RESOLVED_AFTER:
        if cue in rest:
            return f"resolved:{cue}"
    return ""


def detect_urgency(*texts: object) -> UrgencyResult:
    """紧急识别: scan the title and description (any number of texts) for present emergencies."""
    text = "。".join(t for t in (clean_text(x) for x in texts) if t)
    if not text:
        return UrgencyResult(is_urgent=False)
    matches: list[UrgencyMatch] = []
    taken: list[tuple[int, int]] = []
    for rule in RULES:
        searches = [
            *_PATTERNS[rule],
            *(re.compile(re.escape(t)) for t in sorted(rule.terms, key=len, reverse=True)),
        ]
        for search in searches:
            for found in search.finditer(text):
                start, end = found.start(), found.end()
                if any(s <= start and end <= e for s, e in taken):
                    continue  # inside a longer term already matched (电梯困人 ⊃ 困人)
                taken.append((start, end))
                why = _why_not(text, rule, start, end)
                matches.append(UrgencyMatch(rule.kind, rule.label, found.group(), start, why))
    matches.sort(key=lambda m: (m.start, m.kind))
    return UrgencyResult(is_urgent=any(not m.negated for m in matches), matches=tuple(matches))
