"""MinHash signatures and LSH band keys of Chinese messages, for duplicate detection (pure numpy).

A message (``dedupe_text``: title and the start of the details, cleaned with ``text.clean_text``,
boilerplate removed) becomes the set of its character n-grams (``shingle_ids``: letters, digits and CJK
only, each n-gram packed into one integer from its code points, no Python hashing, so ids are the same
in every process). ``MinHasher`` turns sets into signatures of
``bands * rows`` 32-bit minima under multiply-shift hash functions drawn from a fixed seed: the share
of equal positions of two signatures estimates the Jaccard similarity of the two sets. LSH splits a
signature into ``bands`` bands of ``rows`` values and hashes each band into a signed 64-bit key
(``band_keys``); two messages whose Jaccard similarity is ``s`` share at least one key with probability
``1 - (1 - s**rows)**bands``. A ``salt`` (for example the street) is mixed into every key, so keys of
different partitions never meet.

Everything is vectorised over a whole batch of messages (``signatures``), which is what makes indexing
a million stored cases a matter of minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .text import clean_text

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_NGRAM",
    "DEFAULT_ROWS",
    "HEAD_CHARS",
    "MinHasher",
    "collision_probability",
    "dedupe_text",
    "exact_jaccard",
    "shared_phrases",
    "shingle_ids",
    "stable_salt",
]

#: Chosen on the labelled sample (benchmarks/data/duplicate_pairs.csv, see docs/intelligence-duplicates.md).
DEFAULT_BANDS = 32
DEFAULT_ROWS = 2
DEFAULT_NGRAM = 2
#: Characters of the details that are compared after the title: residents name the place and the problem
#: first, and the rest of a long letter (history, feelings, laws quoted) differs between two reporters of
#: one problem while it resembles other letters of the same writer. Chosen on the labelled sample.
HEAD_CHARS = 60
#: Upper bound of characters shingled (titles are at most 120 characters).
SHINGLE_CHARS = 600
#: Phrases every letter uses (greetings, "please solve the problem"): removed before shingling so that two
#: letters do not look alike because both are polite.
BOILERPLATE = (
    "尊敬的", "领导", "您好", "你好", "请问", "希望", "谢谢", "反映", "反应", "问题", "投诉", "市民",
    "业主", "严重", "什么", "时候", "政府", "相关部门", "部门", "解决", "我们", "本人", "一个", "没有",
    "现在", "已经", "可以", "请求", "恳请", "书记", "市长", "关于", "情况", "进行", "要求", "建议",
    "咨询", "如何", "为何", "为什么", "能否", "是否", "大背景下", "在国家大力倡导", "刻不容缓", "加快",
    "力度", "步伐",
)  # fmt: skip
_BOILERPLATE = re.compile("|".join(re.escape(p) for p in sorted(BOILERPLATE, key=len, reverse=True)))

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_EMPTY = np.uint32(0xFFFFFFFF)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on an array of uint64 (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _C1
    x = x ^ (x >> np.uint64(27))
    x = x * _C2
    return x ^ (x >> np.uint64(31))


def _keep(cp: np.ndarray) -> np.ndarray:
    """Letters, digits and CJK ideographs: punctuation and spaces carry no meaning here."""
    return (
        ((cp >= 0x30) & (cp <= 0x39))
        | ((cp >= 0x61) & (cp <= 0x7A))
        | ((cp >= 0x41) & (cp <= 0x5A))
        | ((cp >= 0x3400) & (cp <= 0x9FFF))
    )


def dedupe_text(title: object = "", details: object = "", *, head_chars: int = HEAD_CHARS) -> str:
    """The text that is compared: the title and the start of the details, cleaned, boilerplate removed."""
    head = clean_text(title)
    body = clean_text(details)[:head_chars]
    text = f"{head}。{body}" if body and body != head else (head or body)
    return _BOILERPLATE.sub("。", text)


def shingle_ids(text: str, *, n: int = DEFAULT_NGRAM, limit: int = SHINGLE_CHARS) -> np.ndarray:
    """Sorted unique uint64 ids of the character ``n``-grams of ``text`` (1 ≤ n ≤ 3).

    Only letters, digits and CJK characters are kept; a text shorter than ``n`` such characters gives
    its whole run as one shingle, an empty text none.
    """
    if not 1 <= n <= 3:
        raise ValueError("n must be 1, 2 or 3")
    if not text:
        return np.empty(0, dtype=np.uint64)
    cp = np.frombuffer(text[:limit].encode("utf-32-le"), dtype=np.uint32)
    cp = cp[_keep(cp)].astype(np.uint64)
    if cp.size == 0:
        return np.empty(0, dtype=np.uint64)
    if cp.size < n:
        n = int(cp.size)
    ids = cp[: cp.size - n + 1].copy()
    for k in range(1, n):
        ids = (ids << np.uint64(21)) | cp[k : cp.size - n + 1 + k]
    return np.unique(ids)


def stable_salt(value: str) -> int:
    """A 64-bit salt from a string (the same in every process, unlike ``hash``)."""
    if not value:
        return 0
    cp = np.frombuffer(value.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.array([0x243F6A8885A308D3], dtype=np.uint64)
    for c in cp:
        h = _mix(h ^ c)
    return int(h[0])


def collision_probability(similarity: float, *, bands: int, rows: int) -> float:
    """Probability that two sets with Jaccard ``similarity`` share at least one LSH band."""
    return 1.0 - (1.0 - similarity**rows) ** bands


@dataclass(frozen=True)
class MinHasher:
    """MinHash + LSH with fixed parameters; the same seed gives the same signatures everywhere."""

    bands: int = DEFAULT_BANDS
    rows: int = DEFAULT_ROWS
    ngram: int = DEFAULT_NGRAM
    seed: int = 20240501

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        k = self.bands * self.rows
        a = rng.integers(1, 2**63, size=k, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
        b = rng.integers(0, 2**63, size=k, dtype=np.uint64)
        band_seeds = rng.integers(0, 2**63, size=self.bands, dtype=np.uint64)
        object.__setattr__(self, "_a", a[:, None])
        object.__setattr__(self, "_b", b[:, None])
        object.__setattr__(self, "_band_seeds", band_seeds)

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    @property
    def threshold(self) -> float:
        """The similarity at which a pair becomes a candidate with probability about one half."""
        return (1.0 / self.bands) ** (1.0 / self.rows)

    # --- signatures --------------------------------------------------------------------------------

    def signature(self, text: str) -> np.ndarray:
        """uint32 signature of one already composed text (``dedupe_text``)."""
        return self.signatures([text])[0]

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """uint32 array (len(texts), num_perm); an empty text gives all ``0xFFFFFFFF``."""
        k = self.num_perm
        out = np.full((len(texts), k), _EMPTY, dtype=np.uint32)
        sets = [shingle_ids(t, n=self.ngram) for t in texts]
        sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
        nonempty = np.flatnonzero(sizes)
        if nonempty.size == 0:
            return out
        ids = _mix(np.concatenate([sets[i] for i in nonempty]) ^ _GOLDEN)
        starts = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
        # chunk so the (k, n) matrix stays around 64 MB
        step = max(1, (8 << 20) // k)
        mins = np.empty((k, nonempty.size), dtype=np.uint64)
        pos = 0
        while pos < nonempty.size:
            end = max(int(np.searchsorted(starts, starts[pos] + step, side="left")), pos + 1)
            lo = starts[pos]
            hi = starts[end] if end < nonempty.size else ids.size
            hashed = (self._a * ids[None, lo:hi] + self._b) >> np.uint64(32)
            mins[:, pos:end] = np.minimum.reduceat(hashed, starts[pos:end] - lo, axis=1)
            pos = end
        out[nonempty] = mins.T.astype(np.uint32)
        return out

    # --- LSH -----------------------------------------------------------------------------------------

    def band_keys(self, signatures: np.ndarray, *, salts: Iterable[int] | int = 0) -> np.ndarray:
        """int64 keys (n, bands) of signatures (n, num_perm); ``salts`` per row or one for all."""
        sig = np.atleast_2d(signatures).astype(np.uint64)
        n = sig.shape[0]
        salt = np.asarray(list(salts) if not isinstance(salts, int) else [salts] * n, dtype=np.uint64)
        h = np.broadcast_to(self._band_seeds, (n, self.bands)) ^ salt[:, None]
        blocks = sig.reshape(n, self.bands, self.rows)
        row_salts = np.arange(1, self.rows + 1, dtype=np.uint64) * _GOLDEN
        for r in range(self.rows):
            h = _mix(h ^ blocks[:, :, r] ^ row_salts[r])
        return h.view(np.int64)

    @staticmethod
    def is_empty(signature: np.ndarray) -> bool:
        return bool(np.all(signature == _EMPTY))

    @staticmethod
    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        """Estimated Jaccard similarity of two signatures (0 when either text was empty)."""
        if MinHasher.is_empty(a) or MinHasher.is_empty(b):
            return 0.0
        return float(np.mean(a == b))

    @staticmethod
    def similarities(query: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of one signature against rows of ``others``."""
        if others.size == 0 or MinHasher.is_empty(query):
            return np.zeros(len(others))
        sims = np.mean(others == query[None, :], axis=1)
        sims[np.all(others == _EMPTY, axis=1)] = 0.0
        return sims

    # --- storage ---------------------------------------------------------------------------------------

    @staticmethod
    def to_bytes(signature: np.ndarray) -> bytes:
        return np.ascontiguousarray(signature, dtype="<u4").tobytes()

    @staticmethod
    def from_bytes(data: bytes) -> np.ndarray:
        return np.frombuffer(bytes(data), dtype="<u4")


def exact_jaccard(a: str, b: str, *, n: int = DEFAULT_NGRAM) -> float:
    """Exact Jaccard similarity of the n-gram sets of two texts (for tests and evaluation)."""
    x, y = shingle_ids(a, n=n), shingle_ids(b, n=n)
    if x.size == 0 or y.size == 0:
        return 0.0
    inter = np.intersect1d(x, y, assume_unique=True).size
    return inter / (x.size + y.size - inter)


def shared_phrases(a: str, b: str, *, min_len: int = 2, limit: int = 6) -> list[str]:
    """Runs of ``a`` (in its order) that also occur in ``b``: the evidence shown next to a suggestion.

    Linear in the length of the texts (character pairs of ``b`` in a set), so it costs microseconds, not a
    segmentation. Punctuation and boilerplate phrases break runs; each phrase is reported once.
    """
    a = _BOILERPLATE.sub("。", a)
    b = _BOILERPLATE.sub("。", b)
    pairs = {b[i : i + 2] for i in range(len(b) - 1)}
    found: dict[str, None] = {}
    start = None
    for i in range(len(a)):
        pair_ok = i + 1 < len(a) and a[i + 1] != "。" and a[i] != "。" and a[i : i + 2] in pairs
        pair_ok = pair_ok and a[i].isalnum() and a[i + 1].isalnum()
        if pair_ok and start is None:
            start = i
        elif not pair_ok and start is not None:
            phrase = a[start : i + 1]
            if len(phrase) >= min_len and not phrase.isdigit():
                found.setdefault(phrase, None)
            start = None
    phrases = sorted(found, key=len, reverse=True)[:limit]
    return sorted(phrases, key=a.find)
