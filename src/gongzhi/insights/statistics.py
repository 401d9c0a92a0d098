"""预警统计: the pure arithmetic behind early warnings (no Django, no database).

Every figure an alert shows comes from here, so a leader can recompute it by hand (docs/insights.md):

* ``surge_test`` — is this week's count of a category in a region far above its usual weekly count?
  Baseline = the 8 weeks before; ``sigma = max(sqrt(mean), std, 1)`` (Poisson noise, or the observed
  week-to-week spread when that is larger); flag when ``count >= max(min_count, mean + k * sigma)``.
* ``address_key`` — a building-level key of a free-text address, so "7号楼2单元501" and "7号楼" agree.
* ``drop_nested`` — keep one alert per situation when a street/level-1 series and a community/level-2
  series inside it are both flagged for the same cases.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "BUILDING",
    "SURGE_BASELINE_WEEKS",
    "SURGE_K",
    "SURGE_MIN_COUNT",
    "SurgeTest",
    "address_key",
    "drop_nested",
    "surge_test",
    "week_index",
]

#: Weeks of history that make the baseline of a surge test.
SURGE_BASELINE_WEEKS = 8
#: How many sigmas above the baseline mean count as a surge.
SURGE_K = 3.0
#: A surge needs at least this many cases in the current week, whatever the baseline.
SURGE_MIN_COUNT = 5


@dataclass(frozen=True)
class SurgeTest:
    """The result of one surge test: the figures shown next to the alert."""

    count: int
    mean: float
    std: float
    sigma: float
    threshold: float
    z: float
    flagged: bool


def surge_test(
    count: int, baseline: Sequence[int], *, k: float = SURGE_K, min_count: int = SURGE_MIN_COUNT
) -> SurgeTest:
    """Compare the current week's ``count`` with the weekly counts of ``baseline`` (oldest first).

    ``mean`` and ``std`` (population standard deviation) come from the baseline weeks. Weekly complaint
    counts behave roughly like Poisson counts, whose standard deviation is ``sqrt(mean)``; when the
    baseline varies more than that, its own ``std`` is used instead, and never less than 1 so that a
    category that was quiet (mean 0) is not flagged by a handful of cases. ``z = (count - mean) / sigma``;
    the alert fires when ``count >= threshold = max(min_count, mean + k * sigma)``.
    """
    weeks = [max(0, int(v)) for v in baseline]
    mean = sum(weeks) / len(weeks) if weeks else 0.0
    std = math.sqrt(sum((v - mean) ** 2 for v in weeks) / len(weeks)) if weeks else 0.0
    sigma = max(math.sqrt(mean), std, 1.0)
    threshold = max(float(min_count), mean + k * sigma)
    z = (count - mean) / sigma
    return SurgeTest(
        count=int(count),
        mean=round(mean, 3),
        std=round(std, 3),
        sigma=round(sigma, 3),
        threshold=round(threshold, 3),
        z=round(z, 3),
        flagged=count >= threshold,
    )


def week_index(at: datetime, *, now: datetime) -> int:
    """0 for the 7 days up to ``now`` (included), 1 for the 7 days before that, …; -1 for the future."""
    if at > now:
        return -1
    return int((now - at) // timedelta(days=7))


#: The start of an address up to its building number ("幸福里小区7号楼").
BUILDING = re.compile(r"^(.*?\d+\s*(?:号楼|号院|栋|幢|座|号))")
BARE_BUILDING = re.compile(r"^\d+(?:号楼|号院|栋|幢|座|号)$")
_NOISE = re.compile(r"[\s,，.。;；:：!！?？()（）\[\]【】\-—_/、\"'“”‘’#＃]+")
_CN_DIGITS = str.maketrans("零一二三四五六七八九", "0123456789")


def address_key(address: str) -> str:
    """A comparable key of a free-text address at building level ("" when there is nothing to compare).

    Full-width characters become half-width (NFKC), letters lower case, spaces and punctuation go, and
    single Chinese digits before 号楼/栋/幢 become Arabic digits; the address is then cut after the first
    "<number>号楼/栋/幢/座/号院/号", so flats of one building share a key (幸福里小区7号楼2单元501 →
    幸福里小区7号楼). An address without a building number is compared whole.
    """
    text = unicodedata.normalize("NFKC", address or "").lower()
    text = _NOISE.sub("", text)
    text = re.sub(r"([零一二三四五六七八九十]+)(?=号楼|栋|幢)", lambda m: _chinese_number(m.group(1)), text)
    match = BUILDING.match(text)
    if match:
        text = match.group(1)
        if is_bare_building(text):
            return text  # "1号楼": kept, but only comparable within one community (``is_bare_building``)
    return text if len(text) >= 4 else ""


def is_bare_building(key: str) -> bool:
    """A key that is only a building number ("10号楼", "3栋"): every estate has one, so it names a place
    only together with the community the case was located in."""
    return BARE_BUILDING.match(key) is not None


def _chinese_number(text: str) -> str:
    """十二 → 12, 二十 → 20, 二十三 → 23, 十 → 10, 七 → 7 (building numbers written in Chinese)."""
    if "十" not in text:
        return text.translate(_CN_DIGITS)
    tens, _sep, ones = text.partition("十")
    value = (int(tens.translate(_CN_DIGITS)) if tens else 1) * 10 + (
        int(ones.translate(_CN_DIGITS)) if ones else 0
    )
    return str(value)


def _nested(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    return inner != outer and all(i.startswith(o) for i, o in zip(inner, outer, strict=True))


def drop_nested(flagged: Iterable[tuple[tuple[str, ...], set[int]]], *, share: float = 0.5) -> list[int]:
    """Indexes of the series to keep, given ``(key, case ids)`` of each flagged series.

    A key is a tuple of path prefixes (region path, category path). A series is dropped when flagged
    series nested inside it (each prefix longer or equal, not all equal) together hold at least ``share``
    of its cases: the narrower alerts already tell the story. Otherwise the broad one stays too.
    """
    items = list(flagged)
    keep: list[int] = []
    for index, (key, ids) in enumerate(items):
        inner_ids: set[int] = set()
        for other_key, other_ids in items:
            if _nested(other_key, key):
                inner_ids |= other_ids
        if not ids or len(inner_ids & ids) < share * len(ids):
            keep.append(index)
    return keep
