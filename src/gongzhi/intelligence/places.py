"""地点识别 (Django side): the registry's region and building names as a gazetteer, and ``extract_location``.

The gazetteer holds, for every region (district, street, community, grid) its name and its short forms
(幸福里社区 → 幸福里, 向阳街道 → 向阳, 幸福里第一网格 → 幸福里第一), and for every building with a grid its
address, its estate (with and without 小区), the road of its address, its name when the name is
distinctive, and estate + building number in the usual spellings (阳光花园3号楼 / 3栋 / 3幢 / 3座).
A building name alone such as "3号楼" is never matched: it exists in every estate. A short form of two
characters is nearly always an ordinary word as well (文明, 和平, 建设, 人民, 光明, 向阳): it is found only
in place context (文明小区, 和平路口, 住在建设…; see ``nlp.gazetteer.PLACE_AFTER``), never in 文明城市 or
人民群众. Full names and longer short forms (幸福里) always match.

The gazetteer is built once per process and rebuilt when the registry changes: its key is
``regions.names.registry_stamp()`` (boundary version plus the count, highest id and latest change time of
regions and buildings, one query per lookup).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from gongzhi.core.memo import KeyedMemo
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Building, Region
from gongzhi.regions.names import registry_stamp

from .nlp.gazetteer import Entry, Gazetteer, GazetteerMatch
from .nlp.text import clean_text

__all__ = ["LocationMatch", "extract_location", "find_place", "forget_gazetteer", "gazetteer"]

#: Suffixes stripped from region and estate names to make the short forms residents write.
SUFFIXES = ("社区居委会", "居委会", "村委会", "街道办事处", "街道办", "社区", "街道", "网格", "小区", "村")
#: Building numbers written in the ways residents write them.
NUMBER_FORMS = ("号楼", "栋", "幢", "座", "号")
_NUMBERED = re.compile(r"^([\da-z]{1,4}|[一二三四五六七八九十]{1,3})(?:号楼|栋|幢|座|号|楼)$")
_ROAD = re.compile(
    r"([\u4e00-\u9fa5]{1,8}?(?:大道|大街|路|巷|胡同|街(?!道)))(?=[\d一二三四五六七八九十东西南北甲乙]|$)"
)

KIND_OF_LEVEL = {
    RegionLevel.DISTRICT: "district",
    RegionLevel.STREET: "street",
    RegionLevel.COMMUNITY: "community",
    RegionLevel.GRID: "grid",
}


@dataclass(frozen=True)
class LocationMatch:
    """The place a text names: the region (a grid when the text is that specific) and the evidence."""

    region: Region
    grid: Region | None
    kind: str
    evidence: tuple[tuple[str, int, int], ...]  # (name as found, start, end) in the cleaned text
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()


#: Short forms this long or shorter are ordinary words as often as places (文明社区 → 文明): they are
#: matched only in place context (``Entry.needs_context``).
WORDLIKE_SHORT = 2


def _short_forms(name: str) -> Iterator[str]:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            yield name[: -len(suffix)]
            return


def _short_entry(short: str, kind: str, path: str, label: str) -> Entry:
    return Entry(short, kind, path, label, needs_context=len(clean_text(short)) <= WORDLIKE_SHORT)


def _region_entries(regions) -> Iterator[Entry]:
    for name, level, path in regions:
        kind = KIND_OF_LEVEL.get(level)
        if kind is None:
            continue
        yield Entry(name, kind, path, name)
        for short in _short_forms(name):
            yield _short_entry(short, kind, path, name)


def _road_of(address: str) -> str:
    match = _ROAD.search(address)
    return match.group(1) if match else ""


def _building_entries(buildings, region_names: set[str]) -> Iterator[Entry]:
    for name, address, estate, path in buildings:
        name, address, estate = clean_text(name), clean_text(address), clean_text(estate)
        if address:
            yield Entry(address, "building", path, address)
            road = _road_of(address)
            for region_name in region_names:  # 向阳区和平路 → 和平路
                if road.startswith(region_name) and len(road) - len(region_name) >= 2:
                    road = road[len(region_name) :]
                    break
            if len(road) >= 3:
                yield Entry(road, "road", path, road)
        estates = [estate, *_short_forms(estate)] if estate else []
        if estate:
            yield Entry(estate, "estate", path, estate)
            for short in _short_forms(estate):  # 锦绣小区 → 锦绣: ordinary word too
                yield _short_entry(short, "estate", path, estate)
        numbered = _NUMBERED.match(name or "")
        if numbered:
            for form in estates:
                for suffix in NUMBER_FORMS:
                    yield Entry(f"{form}{numbered.group(1)}{suffix}", "building", path, f"{estate}{name}")
        elif len(name) >= 4:
            yield Entry(name, "building", path, name)
            for form in estates:
                if not name.startswith(form):
                    yield Entry(f"{form}{name}", "building", path, f"{estate}{name}")


def build_gazetteer() -> Gazetteer:
    """Read every region and every building with a grid into a new gazetteer."""
    regions = list(Region.objects.order_by("path").values_list("name", "level", "path"))
    buildings = (
        Building.objects.filter(grid__isnull=False)
        .order_by("code")
        .values_list("name", "address", "estate", "grid__path")
    )
    region_names = {clean_text(name) for name, _level, _path in regions if len(name) >= 2}
    return Gazetteer([*_region_entries(regions), *_building_entries(buildings, region_names)])


_memo: KeyedMemo[Gazetteer] = KeyedMemo(build_gazetteer)


def gazetteer() -> Gazetteer:
    """The gazetteer of the current registry (built on first use and again after a change)."""
    return _memo.get(registry_stamp())


def forget_gazetteer() -> None:
    """Drop the cached gazetteer (tests)."""
    _memo.forget()


def _to_location(match: GazetteerMatch) -> LocationMatch | None:
    region = Region.objects.filter(path=match.path).first()
    if region is None:
        return None
    return LocationMatch(
        region=region,
        grid=region if region.level == RegionLevel.GRID else None,
        kind=match.kind,
        evidence=tuple((m.text, m.start, m.end) for m in match.mentions),
        ambiguous=match.ambiguous,
        candidates=match.candidates,
    )


def extract_location(text: str) -> LocationMatch | None:
    """地点识别: the most specific registered place ``text`` names (building > grid > community > street)."""
    if not text or not str(text).strip():
        return None
    match = gazetteer().resolve(text)
    return _to_location(match) if match is not None else None


def find_place(text: str) -> Region | None:
    """The intake seam (``cases.services.routing.register_place_finder``): the region ``text`` names."""
    found = extract_location(text)
    return found.region if found is not None else None
