"""地点识别: find registered places (regions, estates, roads, buildings) in free text (pure, no Django).

A ``Gazetteer`` is built from ``Entry`` rows — a name, the kind of place it names and the region path it
resolves to. Aliases are added by the caller (the Django side strips 社区/街道/网格/村/小区 …), so this module
only scans and decides:

* **Scan**: left to right, the longest name starting at each position wins and the scan continues after
  it (a dictionary of names indexed by first character and length — the greedy "longest match" of
  Chinese word segmentation; no mention overlaps another). ``Gazetteer.scan`` returns the mentions with
  their character spans as evidence. An entry marked ``needs_context`` (a short form that is also an
  ordinary word: 文明, 和平, 建设, 人民 …) is found only in place context: followed by a place word
  (小区, 社区, 路, 街, 村, 花园, 苑, 里, 3号楼, 5栋 …, ``PLACE_AFTER``) or preceded by a word of residence
  (住在, 家住, 位于 …, ``PLACE_BEFORE``): 文明小区3号楼, 和平路口 and 住在建设… are places, 文明城市,
  很不文明 and 人民群众 are not.
* **Resolve**: every place a mention may mean is a candidate. Candidates are ranked by the kind of name
  (building > estate > grid > road > community > street > district), then by how many *other* mentions
  agree with them (a mention whose path contains or equals the candidate's, e.g. 朝晖社区 before an
  estate name that exists in two communities), then by the length of the name. When the best candidates
  still point to different places, the result is their deepest common region and is marked ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gongzhi.regions.paths import common_ancestor_path

from .text import clean_text

__all__ = [
    "KIND_RANK",
    "PLACE_AFTER",
    "PLACE_BEFORE",
    "Entry",
    "Gazetteer",
    "GazetteerMatch",
    "Mention",
    "in_place_context",
]

#: Specificity of the kinds of names: the most specific kind mentioned decides the place.
KIND_RANK = {
    "building": 7,
    "estate": 6,
    "grid": 5,
    "road": 4,
    "community": 3,
    "street": 2,
    "district": 1,
}
#: Names shorter than this are never matched (two characters: 幸福 would match too much with one).
MIN_NAME = 2
#: What follows a ``needs_context`` name that makes it a place: a kind of place or a building number
#: (文明小区, 和平路口, 光明里, 建设3号楼). Not 里面/里边, 村民/村镇 (道路建设村民, 文明村镇), 1号线, and
#: 栋/幢/座 only after digits (建设一座公园 is a measure word).
PLACE_AFTER = re.compile(
    r"小区|社区|居委会|村委会|村(?![民镇])|街道|大街|大道|路|街|巷|胡同|花园|新村|公寓|苑|里(?![面边头])"
    r"|[\da-z]{1,4}(?:号楼|号院|号(?!线)|栋|幢|座|单元)|[一二三四五六七八九十]{1,3}(?:号楼|号院|单元)"
)
#: What precedes a ``needs_context`` name that makes it a place (住在和平，…). Not 在 or 到 alone:
#: 正在建设, 得到和平 and 看到人民群众 are ordinary.
PLACE_BEFORE = ("住在", "家住", "住址", "位于", "地处", "搬到", "搬进")


@dataclass(frozen=True)
class Entry:
    """One name of a place: ``path`` is the region path it resolves to (a grid for a building)."""

    name: str
    kind: str
    path: str
    label: str = ""  # the registered name the entry comes from (an alias keeps its full name here)
    needs_context: bool = False  # found only in place context (a short form that is an ordinary word)


@dataclass(frozen=True)
class Mention:
    """A name found in the text: its span in the cleaned text and the entries it may mean."""

    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class GazetteerMatch:
    """The place a text names: the region path, the kind of name that decided it and the evidence."""

    path: str
    kind: str
    mentions: tuple[Mention, ...]
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(m.text for m in self.mentions)


def in_place_context(text: str, start: int, end: int) -> bool:
    """Does ``text[start:end]`` stand where a place name stands (before 小区/路/3号楼 …, after 住在 …)?"""
    return PLACE_AFTER.match(text, end) is not None or text.endswith(PLACE_BEFORE, 0, start)


class Gazetteer:
    """A dictionary of place names with a longest-match scanner."""

    def __init__(self, entries: Iterable[Entry]):
        names: dict[str, list[Entry]] = {}
        for entry in entries:
            name = clean_text(entry.name)
            if len(name) < MIN_NAME or entry.kind not in KIND_RANK or not entry.path:
                continue
            bucket = names.setdefault(name, [])
            if entry not in bucket:
                bucket.append(entry)
        self._names = {name: tuple(bucket) for name, bucket in names.items()}
        lengths: dict[str, set[int]] = {}
        for name in self._names:
            lengths.setdefault(name[0], set()).add(len(name))
        #: first character → the lengths of the names starting with it, longest first
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: str) -> bool:
        return clean_text(name) in self._names

    def scan(self, text: object) -> list[Mention]:
        """Every place name in ``text`` (cleaned with ``clean_text``), longest first, without overlaps."""
        text = clean_text(text)
        found: list[Mention] = []
        i, n = 0, len(text)
        names, index = self._names, self._lengths
        while i < n:
            lengths = index.get(text[i])
            if lengths:
                for length in lengths:
                    if i + length <= n:
                        entries = names.get(text[i : i + length])
                        if entries and any(e.needs_context for e in entries):
                            if not in_place_context(text, i, i + length):  # 文明城市, 人民群众
                                entries = tuple(e for e in entries if not e.needs_context)
                        if entries:
                            found.append(Mention(i, i + length, text[i : i + length], entries))
                            i += length
                            break
                else:
                    i += 1
                continue
            i += 1
        return found

    def resolve(self, text: object) -> GazetteerMatch | None:
        """The most specific place ``text`` names; None if none (or only places with nothing in common)."""
        mentions = self.scan(text)
        if not mentions:
            return None
        mention_paths = [{e.path for e in m.entries} for m in mentions]
        best_key: tuple[int, int, int] | None = None
        best: dict[str, Entry] = {}
        deciding: list[int] = []
        for index, mention in enumerate(mentions):
            for entry in mention.entries:
                support = sum(
                    1
                    for other, paths in enumerate(mention_paths)
                    if other != index and any(entry.path.startswith(p) for p in paths)
                )
                key = (KIND_RANK[entry.kind], support, len(mention.text))
                if best_key is None or key > best_key:
                    best_key, best, deciding = key, {entry.path: entry}, [index]
                elif key == best_key:
                    best.setdefault(entry.path, entry)
                    if index not in deciding:
                        deciding.append(index)
        paths = sorted(best)
        path = paths[0] if len(paths) == 1 else common_ancestor_path(paths)
        if not path:
            return None
        kind = next(iter(best.values())).kind
        used = {i for i in deciding} | {
            i for i, paths_i in enumerate(mention_paths) if any(path.startswith(p) for p in paths_i)
        }
        return GazetteerMatch(
            path=path,
            kind=kind,
            mentions=tuple(mentions[i] for i in sorted(used)),
            ambiguous=len(paths) > 1,
            candidates=tuple(paths),
        )
