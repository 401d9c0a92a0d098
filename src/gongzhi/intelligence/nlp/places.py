"""Place names in free Chinese text, by pattern (pure Python, no Django, no gazetteer).

``extract_places(text) -> list[str]`` returns the named places a citizen message mentions, most
specific kind first and each once: residential estates and buildings (…小区, …花园, …家园, …苑),
roads and streets (…路, …大道, …街, …巷), villages and towns (…村, …镇), schools, hospitals,
parks, squares, stations and the like — e.g. ``"A市A5区魅力之城小区临街门面油烟扰民"`` →
``["魅力之城小区"]``. ``extract_regions(text)`` returns the administrative prefixes
(``"A市"``, ``"A3区"``, ``"A7县"``, ``"西地省"``, ``"洋湖街道"`` …), which are too coarse to
tell two problems apart but can tell them apart when they differ. ``place_key(name)`` is the
comparable core of a place (``"魅力之城小区"`` → ``"魅力之城"``).

It is deliberately a pattern matcher: it finds names it has never seen (new estates are named every
year), at the cost of some noise. A gazetteer-based extractor for this deployment's own regions lives
in ``gongzhi.intelligence.places``; this module only needs to be good enough to compare two messages.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import clean_text

__all__ = ["extract_places", "extract_regions", "place_key", "places_compatible"]

#: Words ending a place name, longest first within each group. A name is 1–8 characters before one.
_SUFFIXES = (
    # estates and buildings
    "小区|花园|家园|新村|新城|公寓|大厦|山庄|名苑|华府|国际|广场|商城|公馆|雅苑|苑|府|湾|郡|城|园|庭"
    # roads and streets
    "|大道|大街|步行街|路|街|巷|大桥|桥|隧道|立交"
    # villages and towns
    "|社区|村|组|镇|乡"
    # public facilities
    "|小学|中学|大学|学院|学校|幼儿园|一中|二中|三中|医院|卫生院|公园|景区|市场|车站|地铁站|站|机场|码头"
    "|工业园|产业园|园区|工地|项目|湖|山"
)
#: Characters that never belong to a place name: they end the name on its left side.
_BREAK = "的了在与及或对向把被给从到至将于是有为就都也还又请问说要让求不没未很太"
#: Words that never belong to a place name either (verbs, pronouns, "nearby" words, institutions).
_BREAK_WORDS = (
    "影响|严重|设置|开设|架设|位于|地处|距离|紧挨|旁边|附近|门口|对面|周边|还是|但是|因为|所以|已经|可以|"
    "能否|是否|为何|什么|怎么|如何|开发商|政府|问题|我们|他们|业主|居民|市民|要求|希望|建议|反映|投诉|举报|"
    "关于|去往|经过|前往|直接|整个|部分|多个|一个|每个|这个|那个|来自|进入|拆除|搭乘|依靠|放任|打造|导致|"
    "造成|施工|建设|修建|新建|开工|改造|规划|安装|加快|增加|解决|处理|存在|发生|出现|组织|安排|强制|强行|"
    "违规|违法|非法|涉嫌|拖欠|收取|销售|购买|公司|物业|局|委|办|所|院长|老师|家长|学生|孩子|"
    "临街|沿街|门面|底层|一楼|楼下|楼顶"
)
#: Words that start many titles and are not part of the place after them.
_LEAD = re.compile(
    r"^(?:关于|反映|投诉|举报|建议|请问|咨询|恳请|希望|要求|强烈|坚决|反对|申请|呼吁|质疑|询问|"
    r"请求|紧急|再次|有关|为何|为什么|如何|何时|能否|是否|市民|业主|居民|我们|我|小区)+"
)
_REGION = re.compile(r"西地省|[A-Z]\d{0,2}[市区县]|[\u4e00-\u9fff]{2,4}(?:街道|镇|乡)(?=[\u4e00-\u9fff])")
_ADMIN = re.compile(r"西地省|[A-Z]\d{0,2}[市区县]|[\u4e00-\u9fff]{2,4}街道")
_SPLIT = re.compile(rf"[^\u4e00-\u9fffA-Za-z0-9]|[{_BREAK}]|{_BREAK_WORDS}")
_PLACE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{1,8}})(?:{_SUFFIXES})")
_GENERIC = re.compile(rf"^(?:{_SUFFIXES})+$")
#: Names that match the pattern but do not say where (``本小区``, ``这条路`` …).
_VAGUE = re.compile(
    r"^(?:本|该|这|那|此|各|每|某|附近|周边|全|所在|我们|我|一个|一条|一些|多个|其他|旁边|对面|马|道|公|网|出|思|"
    r"线|进|上|下|大|小|老|新|一|二|三|四|五|六|七|八|九|十|\d+)"
)
#: Kinds of facility that are not names: ``搅拌站``, ``垃圾站`` say what, not where.
_FACILITY = re.compile(
    r"^[\u4e00-\u9fff]?(?:搅拌站|搅拌厂|垃圾站|中转站|变电站|基站|收购站|充电站|加油站|公交站|地铁站|汽车站|"
    r"停车场|菜市场|农贸市场|工地|项目|小区|社区|学校|医院|幼儿园|公园|广场|大道|马路|道路|公路)$"
)
#: Trailing words dropped to get the comparable core of a name.
_KEY_SUFFIX = re.compile(r"(?:小区|社区|项目|工地|片区|一期|二期|三期|四期|[一二三四五六七八九十\d]+期)$")


def extract_regions(text: str) -> list[str]:
    """Administrative units named in ``text`` (province, city, district/county, street/town), in order."""
    found: list[str] = []
    for match in _REGION.finditer(clean_text(text).upper()):
        name = match.group(0)
        if name not in found:
            found.append(name)
    return found


def extract_places(text: str) -> list[str]:
    """Named places in ``text`` below district level, in order of first mention, each once."""
    text = clean_text(text).upper()
    text = _ADMIN.sub("，", text)  # "A市A3区麓谷小区" → "，，麓谷小区": the prefix ends the name
    found: list[str] = []
    for chunk in _SPLIT.split(text):
        if len(chunk) < 2:
            continue
        chunk = _LEAD.sub("", chunk)
        for match in _PLACE.finditer(chunk):
            name = match.group(0)
            start = match.start()
            # extend over directly following suffixes ("星沙大道" + "站", "魅力之城" + "小区")
            end = match.end()
            more = re.match(rf"(?:{_SUFFIXES})+", chunk[end:])
            if more:
                name = chunk[start : end + more.end()]
            name = _LEAD.sub("", name)
            if len(name) < 3 or _GENERIC.match(name) or _VAGUE.match(name) or _FACILITY.match(name):
                continue
            if name not in found:
                found.append(name)
    return found


def place_key(name: str) -> str:
    """The comparable core of a place name: without 小区/社区/项目/…期 at its end."""
    key = _KEY_SUFFIX.sub("", name)
    return key if len(key) >= 2 else name


@lru_cache(maxsize=65536)
def places_compatible(a: str, b: str) -> bool:
    """True when two place names may denote the same place: their cores share a run of at least
    4 characters (or all of the shorter core): ``魅力之城小区`` ~ ``劳动东路魅力之城``."""
    ka, kb = place_key(a), place_key(b)
    if len(ka) > len(kb):
        ka, kb = kb, ka
    if ka in kb:
        return True
    size = min(4, len(ka))
    return any(ka[i : i + size] in kb for i in range(len(ka) - size + 1))
