"""紧急诉求识别: rules that flag danger to life or property in a message (pure Python, no Django).

A message is urgent when it reports, as a present fact, one of: a gas leak, a fire, someone trapped,
an elevator emergency, a collapse, self-harm, electrocution, flooding into homes, a missing child or
violence. Rules beat a model here: the cases are rare, the words are specific, and every flag must be
explainable to the dispatcher ("matched 燃气泄漏").

A match does not count when its clause says it is *not* happening or is hypothetical — a negation or
precaution word shortly before it (不是 / 没有 / 未 / 防止 / 万一 / 担心 …), a hazard word right after it
(火灾 **隐患**, 触电 **危险**) — or when its sentence says the danger is over (已解决 / 已扑灭 / 已救出 …).
Some terms are also common in ordinary complaints (烧烤 **冒烟**, **跳楼价**); each rule lists such
context words and ignores its terms in a sentence that contains one.

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
    ignore_in: tuple[str, ...] = ()


#: Words that make a report a chronic nuisance rather than an emergency (电梯故障频发).
CHRONIC = _w(
    "频发 经常 多次 频繁 屡次 时常 常常 老是 总是 三天两头 隔三差五 不断 每天 天天 长期 一直 每当 问题"
)

RULES: tuple[UrgencyRule, ...] = (
    UrgencyRule(
        "gas_leak",
        "燃气泄漏",
        _w(
            "燃气泄漏 煤气泄漏 天然气泄漏 液化气泄漏 燃气漏气 煤气漏气 天然气漏气 煤气味 燃气味 "
            "天然气味 液化气味 闻到煤气 闻到燃气 闻到天然气"
        ),
    ),
    UrgencyRule(
        "fire",
        "火灾",
        _w("着火 起火 失火 火灾 烧起来 火势 大火"),
        ignore_in=_w("防火 消防检查 火灾自动 火灾探测 大火车"),
    ),
    UrgencyRule(
        "fire",
        "火灾",
        _w("冒烟 浓烟 冒黑烟"),
        ignore_in=_w(
            "烧烤 油烟 烟囱 抽烟 吸烟 排放 排烟 工厂 厂区 污染 焚烧 秸秆 烟尘 粉尘 垃圾 臭 气味 砖厂"
        )
        + CHRONIC,
    ),
    UrgencyRule(
        "trapped",
        "人员被困",
        _w("被困 困在电梯 困在里面 困在屋 困在楼 关在电梯 卡在电梯"),
        ignore_in=_w("被困扰 困难"),
    ),
    UrgencyRule(
        "elevator",
        "电梯险情",
        _w("电梯故障 电梯困人 电梯关人 电梯坠落 电梯下坠 电梯急坠 电梯冲顶 电梯溜梯 电梯蹲底"),
        ignore_in=CHRONIC,
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
    ),
)

#: Words shortly before a term (same clause) that make it a denial, a precaution or a hypothesis.
NEGATION_BEFORE = _w(
    "不是 没有 没 无 未 并非 不存在 排除 防止 预防 以防 以免 避免 谨防 杜绝 万一 如果 假如 一旦 "
    "若 担心 害怕 容易 怕 会不会 易"
)
#: Words right after a term (same clause) that make it a hazard, not an event: 火灾隐患, 触电危险.
NEGATION_AFTER = _w("隐患 风险 危险 的可能 事故隐患 报警器 预案 演练 逃生")
#: Words later in the same sentence that say the danger is over.
RESOLVED_AFTER = _w(
    "已解决 已经解决 已处理 已经处理 已修好 已经修好 已修复 "
    "已排除 已扑灭 已被扑灭 已经扑灭 已救出 已被救出 "
    "已经救出 已恢复 已经恢复 已找到 已经找到"
)
BEFORE_WINDOW = 6
AFTER_WINDOW = 4

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


def _why_not(text: str, rule: UrgencyRule, start: int, end: int) -> str:
    clause_start, clause_end = _clause_bounds(text, start, end, _CLAUSE_END)
    sentence_start, sentence_end = _clause_bounds(text, start, end, _SENTENCE_END)
    sentence = text[sentence_start:sentence_end]
    for context in rule.ignore_in:
        if context in sentence:  # 烧烤冒烟, 油烟 … 浓烟, 跳楼价: ordinary use of the word
            return f"context:{context}"
    before = text[max(clause_start, start - BEFORE_WINDOW) : start]
    for cue in NEGATION_BEFORE:
        if cue in before:
            return f"negation:{cue}"
    after = text[end : min(clause_end, end + AFTER_WINDOW + 2)]
    for cue in NEGATION_AFTER:
        if after.startswith(cue) or cue in after[: AFTER_WINDOW + len(cue)]:
            return f"hazard:{cue}"
    rest = text[end:sentence_end]
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
        for term in sorted(rule.terms, key=len, reverse=True):
            for found in re.finditer(re.escape(term), text):
                start, end = found.start(), found.end()
                if any(s <= start and end <= e for s, e in taken):
                    continue  # inside a longer term already matched (电梯困人 ⊃ 困人)
                taken.append((start, end))
                why = _why_not(text, rule, start, end)
                matches.append(UrgencyMatch(rule.kind, rule.label, term, start, why))
    matches.sort(key=lambda m: (m.start, m.kind))
    return UrgencyResult(is_urgent=any(not m.negated for m in matches), matches=tuple(matches))
