"""Hotspot mining (热点发现): messages about the same problem at the same place within a time window.

Pure Python with numpy, scipy and scikit-learn; no Django. The interface is stable — the insights app
calls it on cases, ``gongzhi nlp hotspots`` on CSV/XLSX exports::

    from gongzhi.intelligence.nlp.hotspots import HotspotRecord, find_hotspots

    records = [
        HotspotRecord(id="GZ2024000123", title="丽发新城附近搅拌站噪音扰民", text="…",
                      time=datetime(2024, 5, 3, 9, 30), reporter="u42", support=0,
                      place="A2区丽发新城小区", region="430102.05.03"),
        …,
    ]
    hotspots = find_hotspots(records, window_days=30, min_size=2, now=None)
    for h in hotspots:  # ranked, hottest first
        h.rank, h.heat, h.start, h.end, h.place, h.summary, h.member_ids, h.size, h.reporters, h.support,
        h.growth, h.recency

``HotspotRecord`` fields: ``id`` (any string, returned in ``member_ids``), ``title``, ``text``
(details; may be empty), ``time`` (naive or aware ``datetime``, but all of one kind), ``reporter``
(a stable key of who reported it: user id, hashed phone; empty = unknown, counted as a distinct
reporter), ``support`` (likes − dislikes; 0 where there is no voting), ``place`` (optional hint:
an address or place name, treated like a place named in the title) and ``region`` (optional region
code or path; two records whose regions are both given and neither is a prefix of the other are
never grouped — pass the street or community path, not the grid, if a problem may span grids).
``row`` (optional) is the record's position in its source table; ``member_rows`` returns it, so a
member can be found again even when ids are blank or repeated.

Method (details and measurements in ``docs/intelligence-hotspots.md``):

1. **Similarity.** TF-IDF over character 2–3-grams (sublinear TF, smoothed IDF, grams in more than
   10 % of the texts dropped; below 100 texts the IDF is flattened towards 1, since a handful of
   texts cannot tell common grams from rare ones), fitted on the records themselves, with
   administrative prefixes (``A市``, ``A3区``, ``西地省``) removed: one matrix of titles (t) and one
   of title + first 300 characters of details (f); ``similarity = max(t, (t + f) / 2)`` — a good
   title match is enough, the details can only help (cosines below 0.15 count as 0).
2. **Place agreement** (``nlp.places``). Places named in the title or the ``place`` hint are
   *anchors*. Two records are never linked when their anchors are all incompatible (no shared run
   of 4 characters), when their titles name different districts, or when their regions differ.
   ``PLACE_BONUS`` (0.15) is added when they share a place anywhere in the text or a rare name in
   the titles (a 3-gram in at most 0.5 % of the titles: ``58车贷``), but only if their titles
   *without the places* are still ``PROBLEM_MIN`` (0.1) alike — the same place alone never makes
   two different problems one hotspot.
3. **Grouping.** Pairs whose score reaches ``link`` and whose times are at most ``window_days`` apart
   (defaults: ``link`` 0.35, ``window_days`` 30) form a graph; each connected component is
   re-clustered by average linkage (cut at mean score ``cohesion``, 0.2) so that a chain of loosely
   related messages does not become one group; each cluster is finally split wherever two
   consecutive messages are more than ``window_days`` apart. So a problem that keeps being
   reported stays one hotspot; one that stops and restarts becomes two.
4. **Heat index** (``heat_index``), on a log scale so that no single factor dominates::

       heat = 10 · ( 1.0·ln(1 + reporters) + 0.5·ln(1 + messages) + 0.3·ln(1 + max(0, support))
                   + 0.5·growth + 1.0·recency )

   ``growth`` ∈ [−1, 1] compares the messages of the last ``growth_days`` before ``now`` with the
   average rate of the three periods before: (recent − earlier) / (recent + earlier), 0 when both are
   0. ``recency = 0.5 ** (days since the last message / half_life_days)``. Distinct reporters weigh
   twice as much as messages, so one person posting ten times does not make a hotspot.
5. **Summary and place.** The summary is the title of the most central member (highest mean score
   to the others), as written; the place is the most often named anchor place (with its district
   when the titles name one), else a group of people named in two titles (``…业主``, ``…学生``),
   else the longest phrase 60 % of the titles share (``58车贷``), else the district.

``now`` defaults to the time of the newest record (so historical exports rank as of their end);
``horizon_days`` drops records older than ``now − horizon_days`` before grouping.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .places import extract_places, extract_regions, place_key, places_compatible
from .tables import Table, replacing
from .text import clean_text, is_blank

__all__ = [
    "HEAT_WEIGHTS",
    "TABLE_COLUMNS",
    "HeatWeights",
    "Hotspot",
    "HotspotRecord",
    "find_hotspots",
    "growth_rate",
    "heat_index",
    "hotspot_table",
    "parse_time",
    "recency_of",
    "records_from_table",
    "write_xlsx",
]

#: Added to the text similarity of two records that name a compatible place (or share a rare name)
#: when their titles without the places are at least ``PROBLEM_MIN`` alike (the same problem).
PLACE_BONUS = 0.15
PROBLEM_MIN = 0.1
#: Below this many texts the IDF weights are flattened towards 1 (see ``_tfidf``).
_SMALL = 100
#: Characters of the details that are compared (long letters state their problem first).
DETAIL_CHARS = 300
#: Similarities below this are never looked at (keeps the pair list sparse on large inputs).
_FLOOR = 0.15
_CHUNK = 2000
#: Grams in more than this share of the texts are dropped (they link everything to everything).
MAX_DF = 0.1
#: A title 3-gram found in at most this share of the titles (and in two at least) is a name.
ENTITY_DF = 0.005


@dataclass(frozen=True)
class HotspotRecord:
    """One message or case, as ``find_hotspots`` reads it (see the module docstring)."""

    id: str
    title: str
    time: datetime
    text: str = ""
    reporter: str = ""
    support: int = 0
    place: str = ""
    region: str = ""
    row: int | None = None


@dataclass(frozen=True)
class HeatWeights:
    """Weights of the heat index terms (documented in the module docstring)."""

    reporters: float = 1.0
    messages: float = 0.5
    support: float = 0.3
    growth: float = 0.5
    recency: float = 1.0
    scale: float = 10.0


HEAT_WEIGHTS = HeatWeights()


@dataclass
class Hotspot:
    """One group of records about the same problem at the same place."""

    rank: int
    heat: float
    start: datetime
    end: datetime
    place: str
    summary: str
    member_ids: list[str]
    reporters: int
    support: int
    growth: float
    recency: float
    titles: list[str] = field(default_factory=list, repr=False)
    member_rows: list[int | None] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        return len(self.member_ids)


def heat_index(
    *,
    messages: int,
    reporters: int,
    support: int = 0,
    growth: float = 0.0,
    recency: float = 0.0,
    weights: HeatWeights = HEAT_WEIGHTS,
) -> float:
    """The heat of a hotspot; increasing in every argument (rounded to 2 decimals)."""
    value = (
        weights.reporters * math.log1p(max(0, reporters))
        + weights.messages * math.log1p(max(0, messages))
        + weights.support * math.log1p(max(0, support))
        + weights.growth * max(-1.0, min(1.0, growth))
        + weights.recency * max(0.0, min(1.0, recency))
    )
    return round(weights.scale * value, 2)


def growth_rate(times: Sequence[datetime], *, now: datetime, growth_days: float = 14.0) -> float:
    """(recent − earlier) / (recent + earlier): messages of the last ``growth_days`` against the mean
    of the three periods of the same length before them; 0 when there are none in either."""
    period = timedelta(days=growth_days)
    recent = sum(1 for t in times if now - period < t <= now)
    earlier = sum(1 for t in times if now - 4 * period < t <= now - period) / 3.0
    if recent + earlier == 0:
        return 0.0
    return (recent - earlier) / (recent + earlier)


def recency_of(end: datetime, *, now: datetime, half_life_days: float = 30.0) -> float:
    """1 for a hotspot whose last message is ``now``, halving every ``half_life_days``."""
    age = max(0.0, (now - end).total_seconds() / 86400.0)
    return 0.5 ** (age / half_life_days)


# --- text and places ---------------------------------------------------------------------------------

#: Removed before comparing texts: administrative prefixes (every message has one) and dates (a
#: shared "2019年" says nothing about the problem).
_ADMIN = re.compile(r"西地省|[a-z]\d{0,2}[市区县]|(?:19|20)\d{2}\s*年?(?:度|初|底)?|\d{1,2}月\d{1,2}[日号]?")
_DISTRICT = re.compile(r"^[A-Z]\d{1,2}[区县市]$")
_GROUP = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(学生|职工|业主|教师|老师|家长|投资人|受害人|出借人|员工|农民工|民工|"
    r"司机|商户|村民|老人|患者|考生|退休人员)"
)


@dataclass
class _Prepared:
    title: str
    problem: str
    full: str
    anchors: list[str]
    places: list[str]
    district: str
    region: str
    day: float


def _prepare(record: HotspotRecord, epoch: datetime) -> _Prepared:
    title = clean_text(record.title)
    details = clean_text(record.text)[:DETAIL_CHARS]
    hint = clean_text(record.place)
    anchors = extract_places(record.title)
    for name in extract_places(record.place) if hint else []:
        if name not in anchors:
            anchors.append(name)
    places = list(anchors)
    for name in extract_places(details):
        if name not in places:
            places.append(name)
    districts = [r for r in extract_regions(f"{record.place} {record.title}") if _DISTRICT.match(r)]
    full = f"{title}。{details}" if details else title
    problem = title
    for name in sorted(anchors, key=len, reverse=True):
        problem = problem.replace(name.lower(), " ")
    return _Prepared(
        title=_ADMIN.sub(" ", title),
        problem=_ADMIN.sub(" ", problem),
        full=_ADMIN.sub(" ", full),
        anchors=anchors,
        places=places,
        district=districts[0] if districts else "",
        region=(record.region or "").strip(),
        day=(record.time - epoch).total_seconds() / 86400.0,
    )


_BITS = 21
_SPACE = 32


def _gram_keys(text: str) -> np.ndarray:
    """Character 2- and 3-grams of ``text`` packed into int64 keys (21 bits per code point); grams
    that contain a space are left out."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(codes) < 2:
        return np.zeros(0, dtype=np.int64)
    space = codes == _SPACE
    parts = [((codes[:-1] << _BITS) | codes[1:])[~(space[:-1] | space[1:])]]
    if len(codes) > 2:
        keep = ~(space[:-2] | space[1:-1] | space[2:])
        parts.append(((codes[:-2] << (2 * _BITS)) | (codes[1:-1] << _BITS) | codes[2:])[keep])
    return np.concatenate(parts)


def _tfidf(texts: list[str], *, max_df: float = MAX_DF) -> sp.csr_matrix:
    """TF-IDF of character 2–3-grams (sublinear TF, smoothed IDF, L2 rows), fitted on ``texts``.

    The same weighting as scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``,
    computed with numpy on packed grams (about 10× faster). On 50 texts or more, grams in fewer than
    2 texts (they cannot link two records) or in more than ``max_df`` of them (``小区``, ``扰民``:
    they link everything to everything) are dropped.
    """
    n = len(texts)
    keys = [_gram_keys(t) for t in texts]
    lengths = np.array([len(k) for k in keys], dtype=np.int64)
    if not lengths.sum():
        return sp.csr_matrix((n, 1))
    all_keys = np.concatenate(keys)
    docs = np.repeat(np.arange(n, dtype=np.int64), lengths)
    terms, term_of = np.unique(all_keys, return_inverse=True)
    pair, counts = np.unique(docs * len(terms) + term_of, return_counts=True)
    doc, term = pair // len(terms), pair % len(terms)
    df = np.bincount(term, minlength=len(terms))
    keep = np.ones(len(doc), dtype=bool)
    if n >= 50:
        keep = (df[term] >= 2) & (df[term] <= max(2, max_df * n))
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    if n < _SMALL:
        # a handful of texts says little about which grams are common: flatten the weights
        idf = 1.0 + (idf - 1.0) * (n / _SMALL)
    values = (1.0 + np.log(counts[keep])) * idf[term[keep]]
    matrix = sp.csr_matrix((values, (doc[keep], term[keep])), shape=(n, len(terms)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _prune(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix.data[matrix.data < _FLOOR] = 0.0
    matrix.eliminate_zeros()
    return matrix


def _pairs(title: sp.csr_matrix, full: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs i < j with combined similarity ≥ the floor: (i, j, similarity)."""
    n = title.shape[0]
    rows, cols, vals = [], [], []
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        # cosines below the floor count as 0 (keeps both products sparse; a weak title match adds
        # nothing to a strong detail match anyway)
        t = sp.triu(_prune(title[start:stop] @ title.T), k=start + 1, format="csr")
        f = sp.triu(_prune(full[start:stop] @ full.T), k=start + 1, format="csr")
        block = t.maximum(0.5 * (t + f)).tocoo()
        keep = (block.data >= _FLOOR) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        vals.append(block.data[keep])
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _rare_title_grams(titles: list[str]) -> list[set[int]]:
    """Per title, its character 3-grams found in at least 2 and at most ``ENTITY_DF`` of the titles
    (at most 3 in small sets): names such as ``58车贷``, ``滨河苑``."""
    n = len(titles)
    grams = []
    for title in titles:
        keys = _gram_keys(title)
        grams.append(np.unique(keys[keys >= (1 << (2 * _BITS))]))
    all_keys, counts = np.unique(np.concatenate(grams), return_counts=True)
    rare = set(all_keys[(counts >= 2) & (counts <= max(3, ENTITY_DF * n))].tolist())
    return [{k for k in g.tolist() if k in rare} for g in grams]


def _compatible(a: _Prepared, b: _Prepared) -> bool:
    """False when the two records are certainly about different places."""
    if a.district and b.district and a.district != b.district:
        return False
    if a.region and b.region and not (a.region.startswith(b.region) or b.region.startswith(a.region)):
        return False
    if a.anchors and b.anchors:
        return any(places_compatible(x, y) for x in a.anchors for y in b.anchors)
    return True


def _share_place(a: _Prepared, b: _Prepared) -> bool:
    return any(places_compatible(x, y) for x in a.places for y in b.places)


# --- grouping ----------------------------------------------------------------------------------------


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from scipy.sparse.csgraph import connected_components

    graph = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _average_linkage(
    members: np.ndarray, scores: dict[tuple[int, int], float], cohesion: float
) -> list[list[int]]:
    """Split one component where the average score between two parts falls below ``cohesion``."""
    from scipy.cluster.hierarchy import fcluster, linkage

    m = len(members)
    if m <= 2:
        return [members.tolist()]
    index = members.tolist()
    distance = np.ones(m * (m - 1) // 2)
    k = 0
    for a in range(m):
        for b in range(a + 1, m):
            score = scores.get((index[a], index[b]))
            if score is not None:
                distance[k] = max(0.0, 1.0 - score)
            k += 1
    labels = fcluster(linkage(distance, method="average"), t=1.0 - cohesion, criterion="distance")
    groups: dict[int, list[int]] = {}
    for member, label in zip(index, labels, strict=True):
        groups.setdefault(int(label), []).append(member)
    return list(groups.values())


def _split_by_time(group: list[int], days: np.ndarray, window: float) -> list[list[int]]:
    ordered = sorted(group, key=lambda k: days[k])
    parts = [[ordered[0]]]
    for prev, cur in itertools.pairwise(ordered):
        if days[cur] - days[prev] > window:
            parts.append([])
        parts[-1].append(cur)
    return parts


def _display(value: object) -> str:
    """Text as people read it: NFKC and single spaces, but the case kept (``A市``, not ``a市``)."""
    if is_blank(value):
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


#: A shared phrase that may name something: Chinese with letters or digits (``58车贷``, ``地铁1号线``)
#: or four Chinese characters or more (``南山十里天池``); never a date.
_NAME_LIKE = re.compile(
    r"^(?!.*[年月日])(?:(?=.*[a-z0-9])(?=.*[\u4e00-\u9fff])[\u4e00-\u9fffa-z0-9]+|[\u4e00-\u9fff]{4,})$"
)


def _common_phrase(titles: list[str]) -> str:
    """The longest name-like phrase (3–8 characters, see ``_NAME_LIKE``) found in at least 60 % of the
    distinct ``titles``: ``58车贷``, ``地铁1号线``. A title posted again counts once: in copies of one
    title every piece is shared, and "热室温只有14度" is no name."""
    texts = list(dict.fromkeys(_ADMIN.sub(" ", clean_text(t)) for t in titles))
    need = max(2, math.ceil(0.6 * len(texts)))
    for size in range(8, 2, -1):
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update({text[i : i + size] for i in range(len(text) - size + 1)})
        found = [(c, phrase) for phrase, c in counts.items() if c >= need and _NAME_LIKE.match(phrase)]
        if found:
            return max(found)[1].upper()
    return ""


def _label(members: list[int], prepared: list[_Prepared], titles: list[str]) -> str:
    """Where (or whom) the hotspot is about: the most named place in the titles (with the district),
    else a group of people named in two titles or more, else a phrase most titles share, else the
    district."""
    keys: Counter[str] = Counter()
    names: dict[str, Counter[str]] = {}
    for k in members:
        seen = set()
        for name in prepared[k].anchors:
            key = place_key(name)
            if key in seen:
                continue
            seen.add(key)
            keys[key] += 1
            names.setdefault(key, Counter())[name] += 1
    districts = Counter(prepared[k].district for k in members if prepared[k].district)
    district = districts.most_common(1)[0][0] if districts else ""
    if keys:
        best_count = keys.most_common(1)[0][1]
        if best_count >= 2 or len(keys) == 1:
            # among the most named places, the most specific (longest) core
            key = max((k for k, c in keys.items() if c == best_count), key=lambda k: (len(k), k))
            name = names[key].most_common(1)[0][0]
            return f"{district}{name}" if district and not name.startswith(district) else name
    groups: Counter[str] = Counter()
    for title in titles:
        for match in _GROUP.finditer(_ADMIN.sub(" ", clean_text(title))):
            groups[match.group(0).strip().upper()] += 1
    if groups and groups.most_common(1)[0][1] >= 2:
        return groups.most_common(1)[0][0]
    phrase = _common_phrase(titles)
    if phrase:
        return f"{district}{phrase}"
    return district


def find_hotspots(
    records: Iterable[HotspotRecord],
    *,
    window_days: float = 30.0,
    min_size: int = 2,
    min_reporters: int = 1,
    now: datetime | None = None,
    horizon_days: float | None = None,
    link: float = 0.35,
    cohesion: float = 0.2,
    growth_days: float = 14.0,
    half_life_days: float = 30.0,
    weights: HeatWeights = HEAT_WEIGHTS,
) -> list[Hotspot]:
    """Group ``records`` into hotspots and rank them by heat, hottest first (``rank`` 1, 2, …).

    Only groups with at least ``min_size`` records and ``min_reporters`` distinct reporters are
    returned. See the module docstring for the method and the meaning of every parameter.
    """
    records = list(records)
    if not records:
        return []
    if now is None:
        now = max(r.time for r in records)
    if horizon_days is not None:
        since = now - timedelta(days=horizon_days)
        records = [r for r in records if r.time >= since]
    records = [r for r in records if r.time <= now]
    if not records:
        return []
    epoch = min(r.time for r in records)
    prepared = [_prepare(r, epoch) for r in records]
    n = len(records)
    days = np.array([p.day for p in prepared])

    i, j, sim = _pairs(_tfidf([p.title for p in prepared]), _tfidf([p.full for p in prepared]))
    problem = _tfidf([p.problem for p in prepared])
    scores: dict[tuple[int, int], float] = {}
    rare = _rare_title_grams([p.title for p in prepared])
    same_problem = np.asarray(problem[i].multiply(problem[j]).sum(axis=1)).ravel() >= PROBLEM_MIN
    for a, b, s, related in zip(i.tolist(), j.tolist(), sim.tolist(), same_problem.tolist(), strict=True):
        pa, pb = prepared[a], prepared[b]
        if not _compatible(pa, pb):
            continue
        if related and (_share_place(pa, pb) or not rare[a].isdisjoint(rare[b])):
            s += PLACE_BONUS
        scores[(a, b)] = s
    linked = [(a, b) for (a, b), s in scores.items() if s >= link and abs(days[a] - days[b]) <= window_days]
    if linked:
        la, lb = (np.array(x, dtype=np.int64) for x in zip(*linked, strict=True))
    else:
        la = lb = np.zeros(0, dtype=np.int64)
    component = _components(n, la, lb)

    by_component: dict[int, list[int]] = {}
    for k, c in enumerate(component.tolist()):
        by_component.setdefault(c, []).append(k)
    groups: list[list[int]] = []
    for members in by_component.values():
        if len(members) < min_size:
            continue
        for cluster in _average_linkage(np.array(members), scores, cohesion):
            groups.extend(_split_by_time(cluster, days, window_days))

    hotspots: list[Hotspot] = []
    for members in groups:
        if len(members) < min_size:
            continue
        reporters = len({records[k].reporter or f"#{k}" for k in members})
        if reporters < min_reporters:
            continue
        members.sort(key=lambda k: (records[k].time, str(records[k].id)))
        times = [records[k].time for k in members]
        support = sum(int(records[k].support or 0) for k in members)
        growth = growth_rate(times, now=now, growth_days=growth_days)
        recency = recency_of(times[-1], now=now, half_life_days=half_life_days)
        heat = heat_index(
            messages=len(members),
            reporters=reporters,
            support=support,
            growth=growth,
            recency=recency,
            weights=weights,
        )
        centrality = [
            sum(scores.get((min(a, b), max(a, b)), 0.0) for b in members if b != a) for a in members
        ]
        central = members[int(np.argmax(centrality))]
        titles = [records[k].title for k in members]
        hotspots.append(
            Hotspot(
                rank=0,
                heat=heat,
                start=times[0],
                end=times[-1],
                place=_label(members, prepared, titles),
                summary=_display(records[central].title) or _display(records[central].text)[:40],
                member_ids=[str(records[k].id) for k in members],
                reporters=reporters,
                support=support,
                growth=round(growth, 3),
                recency=round(recency, 3),
                titles=titles,
                member_rows=[records[k].row for k in members],
            )
        )
    hotspots.sort(key=lambda h: (-h.heat, -h.size, h.start, h.member_ids[0]))
    for rank, hotspot in enumerate(hotspots, 1):
        hotspot.rank = rank
    return hotspots


# --- tables: the ranked list as the TipDM task lays it out ---------------------------------------------

#: Columns of the ranked table (表1 热点问题表 of the TipDM task, plus counts and the member ids).
TABLE_COLUMNS = [
    "热度排名",
    "问题ID",
    "热度指数",
    "时间范围",
    "地点/人群",
    "问题描述",
    "留言数",
    "留言用户数",
    "点赞数",
    "留言编号",
]

_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*T?\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}(?:\.\d+)?))?)?"
)


def parse_time(value: object) -> datetime | None:
    """A naive datetime from ``2019/1/6 12:09:38``, ``2019-01-06 12:09``, ``2019年1月6日``, a
    ``datetime`` or a ``date``; ``None`` when the value is not a time."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return datetime(value.year, value.month, value.day)  # type: ignore[attr-defined]
    match = _TIME.match(str(value or ""))
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(float(second or 0))
        )
    except ValueError:
        return None


def hotspot_table(hotspots: Sequence[Hotspot]) -> list[list[object]]:
    """One row per hotspot in ``TABLE_COLUMNS`` order (time span as ``2019/07/21 至 2019/09/25``)."""
    return [
        [
            h.rank,
            h.rank,
            h.heat,
            f"{h.start:%Y/%m/%d} 至 {h.end:%Y/%m/%d}",
            h.place,
            h.summary,
            h.size,
            h.reporters,
            h.support,
            ",".join(h.member_ids),
        ]
        for h in hotspots
    ]


def _int(value: object) -> int:
    try:
        return int(float(str(value).strip() or 0))
    except ValueError:
        return 0


def records_from_table(
    table: Table,
    *,
    id_col: str = "留言编号",
    time_col: str = "留言时间",
    text_cols: Sequence[str] = ("留言主题", "留言详情"),
    user_col: str = "留言用户",
    likes_col: str = "点赞数",
    dislikes_col: str = "反对数",
    place_col: str = "",
) -> tuple[list[HotspotRecord], int]:
    """Records from a table of messages (TipDM column names by default) and the number of rows
    skipped for want of a readable time. ``id_col``, ``time_col`` and the first text column must
    exist; the user, likes, dislikes and place columns are used when the table has them."""
    table.require([id_col, time_col, *text_cols])

    def getter(name: str):
        if not name or name not in table.columns:
            return lambda row: ""
        index = table.index(name)
        return lambda row: row[index] if index < len(row) else ""

    ident, when, user, likes, dislikes, place = (
        getter(c) for c in (id_col, time_col, user_col, likes_col, dislikes_col, place_col)
    )
    title, *details = (getter(c) for c in text_cols)
    records: list[HotspotRecord] = []
    skipped = 0
    for number, row in enumerate(table.rows, 1):
        moment = parse_time(when(row))
        if moment is None:
            skipped += 1
            continue
        records.append(
            HotspotRecord(
                id=str(ident(row)).strip() or f"#{number}",
                title=title(row),
                text=" ".join(d(row) for d in details),
                time=moment,
                reporter=str(user(row)).strip(),
                support=_int(likes(row)) - _int(dislikes(row)),
                place=place(row),
                row=number - 1,
            )
        )
    return records, skipped


def write_xlsx(
    path: str | Path, hotspots: Sequence[Hotspot], table: Table | None = None, *, id_col: str = "留言编号"
) -> None:
    """The ranked table (sheet 热点问题表) and, given the input ``table``, every member message
    with its 问题ID (sheet 热点问题留言明细), as the TipDM task asks. Members are found by their row
    (``member_rows``, set by ``records_from_table`` from the same ``table``), else by ``id_col``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def append(sheet, values) -> None:
        # openpyxl stores a string starting with "=" as a formula and "#N/A" as an error: text of
        # citizens (=HYPERLINK(…), ==标题==) must stay text, so every string is a string cell
        cells = []
        for value in values:
            cell = WriteOnlyCell(
                sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
            )
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("热点问题表")
    append(sheet, TABLE_COLUMNS)
    for row in hotspot_table(hotspots):
        append(sheet, row)
    if table is not None and id_col in table.columns:
        index = table.index(id_col)
        by_id: dict[str, list[str]] = {}
        for row in table.rows:
            if index < len(row):
                by_id.setdefault(row[index].strip(), row)
        detail = workbook.create_sheet("热点问题留言明细")
        append(detail, ["问题ID", *table.columns])
        for hotspot in hotspots:
            # the rows the records came from (records_from_table); ids only for records made elsewhere
            for member, position in itertools.zip_longest(hotspot.member_ids, hotspot.member_rows):
                row = table.rows[position] if position is not None else by_id.get(member)
                if row is not None:
                    append(detail, [hotspot.rank, *(v.strip() for v in row)])
    with replacing(path) as tmp:
        workbook.save(tmp)
