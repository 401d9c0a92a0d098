"""Bag-of-n-gram features: character 1–3-grams and jieba word 1–2-grams, TF-IDF (pure Python, no Django).

Training builds the vocabularies with scikit-learn's ``TfidfVectorizer`` (document-frequency pruning,
smoothed IDF); prediction rebuilds the same vectors from plain arrays (vocabulary, IDF) with the same
analyzers, so that a saved model holds no pickled scikit-learn objects and loads under any version.
Both paths apply ``1 + log(tf)`` (sublinear TF), multiply by the IDF and L2-normalise each block.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import WORD_CHARS, words

__all__ = ["Block", "FeatureSpace", "char_ngrams", "fit_block", "word_ngrams"]

CHAR_NGRAMS = (1, 3)  # at most 3: grams are packed into 63-bit keys for fast lookup (see Block)
WORD_NGRAMS = (1, 2)
_SEPARATOR = " "


def char_ngrams(text: str) -> list[str]:
    """Character 1–3-grams of cleaned text (spaces never start or end a gram)."""
    low, high = CHAR_NGRAMS
    length = len(text)
    out: list[str] = []
    for n in range(low, high + 1):
        grams = [text[i : i + n] for i in range(length - n + 1)]
        if " " in text:
            grams = [g for g in grams if g[0] != " " and g[-1] != " "]
        out.extend(grams)
    return out


def word_ngrams(text: str) -> list[str]:
    """Words of the first ``WORD_CHARS`` characters and adjacent word pairs (``"燃气 泄漏"``)."""
    tokens = words(text[:WORD_CHARS])
    out = list(tokens)
    out.extend(f"{a}{_SEPARATOR}{b}" for a, b in itertools.pairwise(tokens))
    return out


ANALYZERS = {"char": char_ngrams, "word": word_ngrams}


@dataclass
class Block:
    """One feature block: its analyzer, vocabulary (term → column) and IDF weights."""

    kind: str
    terms: np.ndarray  # str array, column order
    idf: np.ndarray  # float32, same length
    offset: int = 0
    _index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.terms.tolist())}
        return self._index

    def __len__(self) -> int:
        return len(self.terms)

    def warm_up(self) -> None:
        """Build the lookup table (about 0.5 s for 300,000 terms) before the first text arrives."""
        if self.kind == "char":
            self._lookup_table()  # character blocks never need the (larger) string dictionary
        else:
            _ = self.index

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices (with the block offset) and L2-normalised TF-IDF values of one text."""
        if self.kind == "char":
            cols, tf = self._char_counts(text)
        else:
            grams = ANALYZERS[self.kind](text)
            get = self.index.get
            found = np.fromiter(map(get, grams, itertools.repeat(-1)), dtype=np.int64, count=len(grams))
            cols, tf = np.unique(found[found >= 0], return_counts=True)
        if not len(cols):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        vals = (1.0 + np.log(tf.astype(np.float32))) * self.idf[cols]
        vals /= np.sqrt(np.dot(vals, vals))
        return cols + self.offset, vals

    # Character n-grams without Python loops: a gram of up to three characters is packed into one
    # 63-bit integer (21 bits per code point, which covers all of Unicode), the vocabulary is kept as
    # sorted keys, and lookups are one ``searchsorted``. Exactly the grams ``char_ngrams`` yields.
    _keys: np.ndarray | None = None
    _key_columns: np.ndarray | None = None

    def _lookup_table(self) -> tuple[np.ndarray, np.ndarray]:
        if self._keys is None:
            keys = np.fromiter((_pack(t) for t in self.terms.tolist()), dtype=np.int64, count=len(self.terms))
            order = np.argsort(keys, kind="stable")
            self._key_columns = order.astype(np.int64)
            self._keys = keys[order]
        return self._keys, self._key_columns

    def _char_columns(self, text: str) -> np.ndarray:
        return self.char_occurrences(text)[0]

    def _char_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Distinct in-vocabulary character n-grams of ``text`` (columns, ascending) and their counts."""
        keys, columns = self._lookup_table()
        empty = np.zeros(0, dtype=np.int64)
        if not text or not len(keys):
            return empty, empty
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        space = codes == _SPACE_CODE
        parts = [codes[~space]]
        if len(codes) > 1:
            parts.append(((codes[:-1] << _BITS) | codes[1:])[~(space[:-1] | space[1:])])
        if len(codes) > 2:
            triples = (codes[:-2] << (2 * _BITS)) | (codes[1:-1] << _BITS) | codes[2:]
            parts.append(triples[~(space[:-2] | space[2:])])
        grams = np.concatenate(parts)
        grams.sort()
        starts = np.flatnonzero(np.concatenate(([True], grams[1:] != grams[:-1])))
        distinct = grams[starts]
        counts = np.diff(np.append(starts, len(grams)))
        at = np.searchsorted(keys, distinct)
        at[at == len(keys)] = 0
        hit = keys[at] == distinct
        found = columns[at[hit]]
        order = np.argsort(found, kind="stable")
        return found[order], counts[hit][order]

    def char_occurrences(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every in-vocabulary character n-gram of ``text``: (column, start, length) arrays."""
        keys, columns = self._lookup_table()
        empty = np.zeros(0, dtype=np.int64)
        if not text or not len(keys):
            return empty, empty, empty
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        space = codes == _SPACE_CODE
        positions = np.arange(len(codes), dtype=np.int64)
        grams = [codes[~space]]
        starts = [positions[~space]]
        lengths = [np.ones(int((~space).sum()), dtype=np.int64)]
        if len(codes) > 1:
            keep = ~(space[:-1] | space[1:])
            grams.append(((codes[:-1] << _BITS) | codes[1:])[keep])
            starts.append(positions[:-1][keep])
            lengths.append(np.full(int(keep.sum()), 2, dtype=np.int64))
        if len(codes) > 2:
            keep = ~(space[:-2] | space[2:])
            grams.append(((codes[:-2] << (2 * _BITS)) | (codes[1:-1] << _BITS) | codes[2:])[keep])
            starts.append(positions[:-2][keep])
            lengths.append(np.full(int(keep.sum()), 3, dtype=np.int64))
        gram = np.concatenate(grams)
        at = np.searchsorted(keys, gram)
        at[at == len(keys)] = 0
        hit = keys[at] == gram
        return columns[at[hit]], np.concatenate(starts)[hit], np.concatenate(lengths)[hit]


_BITS = 21
_SPACE_CODE = 32


def _pack(gram: str) -> int:
    key = 0
    for ch in gram:
        key = (key << _BITS) | ord(ch)
    return key


def fit_block(
    kind: str, texts: Sequence[str], *, min_df: int, max_features: int | None
) -> tuple[Block, sp.csr_matrix]:
    """Learn one block's vocabulary and IDF on ``texts``; also return their TF-IDF matrix."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer=ANALYZERS[kind],
        sublinear_tf=True,
        min_df=min_df,
        max_features=max_features,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # tiny training sets: every term below min_df
        vectorizer.set_params(min_df=1)
        matrix = vectorizer.fit_transform(texts)
    terms = vectorizer.get_feature_names_out().astype(str)
    block = Block(kind=kind, terms=terms, idf=vectorizer.idf_.astype(np.float32))
    return block, matrix.tocsr()


class FeatureSpace:
    """The blocks side by side: ``transform`` maps texts to one sparse row each."""

    def __init__(self, blocks: list[Block]):
        offset = 0
        for block in blocks:
            block.offset = offset
            offset += len(block)
        self.blocks = blocks
        self.width = offset

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        parts = [block.row(text) for block in self.blocks]
        return np.concatenate([c for c, _ in parts]), np.concatenate([v for _, v in parts])

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for text in texts:
            cols, vals = self.row(text)
            order = np.argsort(cols, kind="stable")
            indices.append(cols[order])
            data.append(vals[order])
            indptr.append(indptr[-1] + len(cols))
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.int64),
                np.asarray(indptr),
            ),
            shape=(len(texts), self.width),
        )

    def term(self, column: int) -> tuple[str, str]:
        """(block kind, term) of a column."""
        for block in self.blocks:
            if column < block.offset + len(block):
                return block.kind, str(block.terms[column - block.offset])
        raise IndexError(column)
