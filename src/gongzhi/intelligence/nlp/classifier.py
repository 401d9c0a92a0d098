"""The case classifier: TF-IDF n-grams → stacked linear models → one calibrated softmax (pure Python).

Training (``train``):

1. Texts are cleaned and cut (``text.clean_text``, ``text.MAX_CHARS``); exact duplicate texts are merged
   into one example carrying their majority label, so a message posted twice neither counts twice nor
   teaches two answers. Labels with fewer than two examples are left out (reported in the metadata).
2. Features: character 1–3-grams and jieba word 1–2-grams, sublinear TF-IDF, each block L2-normalised,
   vocabularies pruned by document frequency (``min_df``) and capped (``max_features``) to bound size.
3. Base models (``BASE_MODELS``, linear): their decision scores on held-out folds (stratified k-fold)
   train a multinomial logistic regression — the stacker — that turns scores into calibrated
   probabilities. The base models are then refitted on all examples.
4. Everything after the TF-IDF is linear, so base models and stacker collapse into one weight matrix
   ``W`` (features × labels) and bias ``b``: ``p = softmax(x·W + b)``. Prediction is one sparse dot
   product, and the words behind a suggestion are those of the text that carry the largest share of
   ``Σ_j x_j · W[j, label]`` (``Model.attribute``).
5. Validation: the out-of-fold probabilities (the stacker itself cross-validated over the held-out
   scores) give macro-F1, accuracy, per-label F1 and the auto-dispatch threshold — the lowest confidence
   at which predictions reach the target precision — stored in the model's metadata.

The vocabulary and IDF seen by the held-out folds come from all training examples (fitting them per
fold would repeat the slowest step five times); the out-of-fold scores are therefore slightly
optimistic. ``benchmarks/classify_bench.py`` measures the whole procedure on outer folds it never sees.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .features import CHAR_NGRAMS, WORD_NGRAMS, Block, FeatureSpace, fit_block
from .tables import replacing
from .text import MAX_CHARS, WORD_CHARS, clean_label, clean_text

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Model",
    "ModelLoadError",
    "TrainConfig",
    "TrainingError",
    "load_model",
    "train",
]

FORMAT = "gongzhi-nlp-classifier"
#: Bump when the saved layout or the analyzers change; older files are then refused with a clear message.
FORMAT_VERSION = 1


class ModelLoadError(Exception):
    """The file is missing, damaged, not a classifier, or written by an incompatible version."""


class TrainingError(ValueError):
    """The examples cannot train a classifier (too few, or fewer than two labels)."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters. Fixed, sensible values chosen by cross-validation (see docs/intelligence.md)."""

    min_df: int = 2
    char_max_features: int = 300_000
    word_max_features: int = 200_000
    svm_c: float = 1.0
    nbsvm_c: float = 0.3
    #: base models stacked (names of ``BASE_MODELS``)
    base_models: tuple[str, ...] = ("svm", "nbsvm")
    stacker_c: float = 1.0
    folds: int = 5
    target_precision: float = 0.95
    #: the least number of validation predictions above the threshold for it to count as measured
    min_support: int = 20
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


# --- base models -----------------------------------------------------------------------------------------


def _linear_svc(config: TrainConfig):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=config.svm_c, class_weight="balanced", random_state=config.seed)


class NBSVM:
    """NB-SVM (Wang & Manning 2012): one-vs-rest linear SVMs on features scaled by NB log-count ratios.

    For each label, ``r = log((p/|p|) / (q/|q|))`` with ``p``/``q`` the smoothed counts of documents with
    and without the label containing each feature; the SVM learns ``w`` on ``x ⊙ r``, so its score is
    the linear function ``x · (r ⊙ w) + b`` — ``coef_`` holds ``r ⊙ w`` and the model stays linear.
    """

    def __init__(self, c: float = 0.3, seed: int = 0):
        self.c = c
        self.seed = seed

    def fit(self, matrix, y):
        import scipy.sparse as sp
        from sklearn.svm import LinearSVC

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        present = matrix.copy()
        present.data[:] = 1.0
        rows = []
        intercepts = []
        targets = self.classes_ if len(self.classes_) > 2 else self.classes_[1:]
        for label in targets:
            mask = y == label
            p = np.asarray(present[mask].sum(axis=0)).ravel() + 1.0
            q = np.asarray(present[~mask].sum(axis=0)).ravel() + 1.0
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            scaled = matrix @ sp.diags(ratio)
            svm = LinearSVC(C=self.c, class_weight="balanced", random_state=self.seed).fit(scaled, mask)
            rows.append(ratio * svm.coef_.ravel())
            intercepts.append(float(svm.intercept_[0]))
        self.coef_ = np.vstack(rows)
        self.intercept_ = np.asarray(intercepts)
        return self

    def decision_function(self, matrix):
        scores = np.asarray(matrix @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores


def _nbsvm(config: TrainConfig):
    return NBSVM(c=config.nbsvm_c, seed=config.seed)


#: name → factory of a linear classifier with ``decision_function``, ``coef_`` and ``intercept_``.
BASE_MODELS: dict[str, Callable[[TrainConfig], Any]] = {"svm": _linear_svc, "nbsvm": _nbsvm}


def _scores(estimator, matrix) -> np.ndarray:
    values = np.asarray(estimator.decision_function(matrix), dtype=np.float64)
    return values.reshape(len(values), -1) if values.ndim == 1 else values


def _linear_parts(estimator) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(estimator.coef_, dtype=np.float64), np.asarray(estimator.intercept_, dtype=np.float64)


# --- the model -------------------------------------------------------------------------------------------


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


#: Words never shown as a reason: pronouns, conjunctions and fillers carry no routing meaning.
_STOP_WORDS = frozenset(
    "我们 我 你们 你 他们 他 她 它 咱们 大家 本人 自己 这个 那个 这些 那些 这里 那里 什么 怎么 "
    "为什么 因为 所以 "
    "但是 而且 还是 就是 没有 已经 一直 现在 可以 进行 还有 以及 如果 这样 那样 一下 一些 有关 "
    "相关 情况 问题 "
    "您好 你好 领导 尊敬 谢谢 希望 请求 恳请".split()
)
_COUNTING = re.compile(r"^[0-9一二三四五六七八九十两几百千万多]+[个位次年月日天号名人]?$")


def _meaningful(text: str) -> bool:
    return (
        len(text) > 1
        and text not in _STOP_WORDS
        and not _COUNTING.match(text)
        and any(ch.isalnum() for ch in text)
    )


@dataclass
class Model:
    """A trained classifier: features, one linear layer, labels and its metadata."""

    space: FeatureSpace
    weights: np.ndarray  # (features, labels) float32
    bias: np.ndarray  # (labels,) float32
    labels: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)

    # prediction ---------------------------------------------------------------------------------------

    @staticmethod
    def prepare(text: object) -> str:
        return clean_text(text)[:MAX_CHARS]

    def probabilities(self, texts: Sequence[object]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in ``self.labels`` order."""
        if len(texts) == 1:  # the intake path: one message, no sparse matrix to build
            return _softmax(self._logits(self.prepare(texts[0])))[None, :]
        prepared = [self.prepare(t) for t in texts]
        matrix = self.space.transform(prepared)
        logits = np.asarray(matrix @ self.weights, dtype=np.float64) + self.bias
        return _softmax(logits)

    def _logits(self, prepared: str) -> np.ndarray:
        cols, vals = self.space.row(prepared)
        if not len(cols):
            return self.bias.astype(np.float64)
        return (vals @ self.weights[cols] + self.bias).astype(np.float64)

    def predict(self, texts: Sequence[object]) -> tuple[list[str], list[float]]:
        """The most likely label of each text and its calibrated confidence in [0, 1]."""
        if not len(texts):
            return [], []
        probs = self.probabilities(texts)
        best = probs.argmax(axis=1)
        return [self.labels[i] for i in best], [float(probs[r, i]) for r, i in enumerate(best)]

    def top_k(self, text: object, k: int = 3, *, reasons: int = 5) -> list[tuple[str, float, list[str]]]:
        """The ``k`` most likely labels with confidence and the words that drove each (best first).

        The words are the jieba words of the text with the largest positive share of the label's score
        (see ``attribute``); only words of the text itself can appear.
        """
        prepared = self.prepare(text)
        cols, vals = self.space.row(prepared)
        rows = self.weights[cols].astype(np.float64)
        logits = self.bias.astype(np.float64) + vals.astype(np.float64) @ rows
        probs = _softmax(logits)
        order = [int(i) for i in np.argsort(-probs, kind="stable")[:k]]
        words, scores = self.attribute(prepared, cols, vals)
        out = []
        for label_index in order:
            column = scores[:, label_index] if len(words) else np.zeros(0)
            ranked = [words[i] for i in np.argsort(-column, kind="stable") if column[i] > 0]
            shown = [w for w in ranked if _meaningful(w)][:reasons]
            out.append((self.labels[label_index], float(probs[label_index]), shown))
        return out

    def attribute(self, prepared: str, cols: np.ndarray, vals: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Split each label's score ``Σ W[label, j]·x_j`` over the jieba words of the text.

        A feature's contribution is shared evenly between its occurrences, each occurrence shares it
        evenly between the characters it covers (a character n-gram, a word, a word pair), and a word
        gets the parts of its characters. Returns the distinct words and a (words × labels) matrix of
        summed contributions. Characters outside any word (spaces, punctuation) are dropped.
        """
        from .text import WORD_CHARS, word_spans

        n_labels = len(self.labels)
        value = dict(zip(cols.tolist(), vals.tolist(), strict=True))
        spans = word_spans(prepared)
        if not spans or not value:
            return [], np.zeros((0, n_labels))
        char_scores = np.zeros((len(prepared), n_labels))
        for block in self.space.blocks:
            occ_cols: list[int] = []
            occ_starts: list[int] = []
            occ_lens: list[int] = []
            if block.kind == "char":
                columns, starts, lengths = block.char_occurrences(prepared)
                keep = np.isin(columns + block.offset, cols)
                occ_cols = (columns[keep] + block.offset).tolist()
                occ_starts = starts[keep].tolist()
                occ_lens = lengths[keep].tolist()
            else:
                index = block.index
                tokens = word_spans(prepared[:WORD_CHARS])
                for i, (word, start, end) in enumerate(tokens):
                    col = index.get(word)
                    if col is not None and col + block.offset in value:
                        occ_cols.append(col + block.offset)
                        occ_starts.append(start)
                        occ_lens.append(end - start)
                    if i + 1 < len(tokens):
                        following, _, pair_end = tokens[i + 1]
                        col = index.get(f"{word} {following}")
                        if col is not None and col + block.offset in value:
                            occ_cols.append(col + block.offset)
                            occ_starts.append(start)
                            occ_lens.append(pair_end - start)
            if not occ_cols:
                continue
            cols_arr = np.asarray(occ_cols)
            lens = np.asarray(occ_lens)
            counts = Counter(occ_cols)
            share = np.asarray([value[c] / counts[c] for c in occ_cols]) / lens
            contributions = self.weights[cols_arr].astype(np.float64) * share[:, None]
            positions = np.repeat(np.asarray(occ_starts), lens) + (
                np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
            )
            np.add.at(char_scores, positions, np.repeat(contributions, lens, axis=0))
        token_scores = np.zeros((len(spans), n_labels))
        for i, (_, start, end) in enumerate(spans):
            token_scores[i] = char_scores[start:end].sum(axis=0)
        distinct: dict[str, int] = {}
        for word, _, _ in spans:
            distinct.setdefault(word, len(distinct))
        summed = np.zeros((len(distinct), n_labels))
        np.add.at(summed, [distinct[w] for w, _, _ in spans], token_scores)
        return list(distinct), summed

    # persistence ----------------------------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        return float(self.metadata.get("validation", {}).get("threshold", 1.0))

    def save(self, path: str | Path) -> int:
        """Write the model to ``path`` (a zip of numpy arrays, no pickles); returns the size in bytes."""
        arrays: dict[str, np.ndarray] = {
            "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32),
            "labels": np.asarray(self.labels, dtype=str),
        }
        kinds = []
        for i, block in enumerate(self.space.blocks):
            kinds.append(block.kind)
            arrays[f"terms_{i}"] = block.terms
            arrays[f"idf_{i}"] = block.idf.astype(np.float32)
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "analysis": analysis_signature(),
            "blocks": kinds,
            "metadata": self.metadata,
        }
        arrays["header"] = np.frombuffer(
            json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
        )
        path = Path(path)
        with replacing(path) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        return path.stat().st_size


def analysis_signature() -> dict[str, Any]:
    """How texts are turned into features; a model only works with the analysis it was trained with."""
    return {
        "char_ngrams": list(CHAR_NGRAMS),
        "word_ngrams": list(WORD_NGRAMS),
        "max_chars": MAX_CHARS,
        "word_chars": WORD_CHARS,
    }


def read_header(path: str | Path) -> dict[str, Any]:
    """The header (format, version, metadata) of a model file, without loading the weights."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            if "header" not in data.files:
                raise ModelLoadError(f"{path.name} is not a Gongzhi classifier model")
            header = json.loads(bytes(data["header"]).decode("utf-8"))
    except ModelLoadError:
        raise
    except FileNotFoundError:
        raise ModelLoadError(f"model file {path} does not exist") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        raise ModelLoadError(
            f"{path.name} is not a Gongzhi classifier model ({exc.__class__.__name__})"
        ) from None
    if header.get("format") != FORMAT:
        raise ModelLoadError(f"{path.name} is not a Gongzhi classifier model")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelLoadError(
            f"{path.name} was written in model format {version}; this version of Gongzhi reads format "
            f"{FORMAT_VERSION}. Train the model again with `gongzhi nlp train`."
        )
    if header.get("analysis") != analysis_signature():
        raise ModelLoadError(
            f"{path.name} was trained with a different text analysis ({header.get('analysis')}). "
            "Train the model again with `gongzhi nlp train`."
        )
    return header


def load_model(path: str | Path) -> Model:
    """Load a model saved by ``Model.save``; ``ModelLoadError`` for anything else."""
    path = Path(path)
    header = read_header(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            blocks = [
                Block(kind=kind, terms=data[f"terms_{i}"], idf=data[f"idf_{i}"])
                for i, kind in enumerate(header["blocks"])
            ]
            weights = np.ascontiguousarray(data["weights"], dtype=np.float32)
            bias = data["bias"].astype(np.float32)
            labels = [str(x) for x in data["labels"].tolist()]
    except (KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"{path.name} is damaged ({exc.__class__.__name__})") from None
    space = FeatureSpace(blocks)
    if weights.shape != (space.width, len(labels)) or bias.shape != (len(labels),):
        raise ModelLoadError(f"{path.name} is damaged (weights do not match the vocabulary)")
    for block in blocks:  # build the lookups now, not during the first request
        block.warm_up()
    return Model(space=space, weights=weights, bias=bias, labels=labels, metadata=header["metadata"])


# --- training --------------------------------------------------------------------------------------------


def _dedupe(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], dict[str, int]]:
    """One example per distinct text, with its majority label (ties: the label seen first)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        groups[text].append(label)
    out_texts, out_labels = [], []
    conflicts = 0
    for text, group in groups.items():
        counts = Counter(group)
        if len(counts) > 1:
            conflicts += 1
        best = max(counts.values())
        out_texts.append(text)
        out_labels.append(next(label for label in group if counts[label] == best))
    return (
        out_texts,
        out_labels,
        {"duplicates_merged": len(texts) - len(groups), "conflicting_texts": conflicts},
    )


def _threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float, min_support: int
) -> dict[str, Any]:
    """The lowest confidence at which predictions at or above it reach ``target`` precision."""
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order])
    counts = np.arange(1, len(conf) + 1)
    precision = hits / counts
    best = None
    for i in range(len(conf)):
        if counts[i] < min_support:
            continue
        if i + 1 < len(conf) and conf[i + 1] == conf[i]:
            continue  # only cut between distinct confidences
        if precision[i] >= target:
            best = i
    if best is None:
        return {"threshold": 1.0, "precision_at_threshold": None, "coverage_at_threshold": 0.0}
    return {
        "threshold": round(float(conf[best]), 4),
        "precision_at_threshold": round(float(precision[best]), 4),
        "coverage_at_threshold": round(float(counts[best] / len(conf)), 4),
    }


def _validation(y: np.ndarray, probs: np.ndarray, classes: list[str], config: TrainConfig) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    predicted = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    correct = (predicted == y).astype(np.float64)
    per_label = f1_score(y, predicted, average=None, labels=list(range(len(classes))), zero_division=0)
    result = {
        "method": f"stratified {config.folds}-fold out-of-fold predictions",
        "size": len(y),
        "macro_f1": round(float(f1_score(y, predicted, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "per_label_f1": {label: round(float(v), 4) for label, v in zip(classes, per_label, strict=True)},
        "mean_confidence": round(float(confidence.mean()), 4),
        "target_precision": config.target_precision,
    }
    result.update(_threshold(confidence, correct, config.target_precision, config.min_support))
    return result


def train(
    texts: Sequence[object],
    labels: Sequence[object],
    *,
    config: TrainConfig | None = None,
    validate: bool = True,
    extra_metadata: dict[str, Any] | None = None,
) -> Model:
    """Train a classifier on texts (title and details already joined, see ``text.compose``) and labels.

    ``validate=False`` skips the out-of-fold validation metrics (and the threshold, which then stays
    1.0 = never dispatch automatically) but still calibrates; the benchmark uses it on outer folds.
    """
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    config = config or TrainConfig()
    started = time.perf_counter()
    if len(texts) != len(labels):
        raise TrainingError("texts and labels differ in length")
    pairs = [
        (Model.prepare(t), clean_label(lab)) for t, lab in zip(texts, labels, strict=True) if clean_label(lab)
    ]
    prepared, cleaned_labels, dedupe = _dedupe([p[0] for p in pairs], [p[1] for p in pairs])
    counts = Counter(cleaned_labels)
    dropped = sorted(label for label, n in counts.items() if n < 2)
    keep = [i for i, label in enumerate(cleaned_labels) if counts[label] >= 2]
    prepared = [prepared[i] for i in keep]
    cleaned_labels = [cleaned_labels[i] for i in keep]
    classes = sorted(set(cleaned_labels))
    if len(classes) < 2:
        raise TrainingError("at least two labels with two or more examples each are needed")
    class_index = {label: i for i, label in enumerate(classes)}
    y = np.asarray([class_index[label] for label in cleaned_labels])

    char_block, char_matrix = fit_block(
        "char", prepared, min_df=config.min_df, max_features=config.char_max_features
    )
    word_block, word_matrix = fit_block(
        "word", prepared, min_df=config.min_df, max_features=config.word_max_features
    )
    import scipy.sparse as sp

    matrix = sp.hstack([char_matrix, word_matrix], format="csr", dtype=np.float32)
    space = FeatureSpace([char_block, word_block])

    folds = max(2, min(config.folds, min(Counter(y.tolist()).values())))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    names = list(config.base_models)
    width = len(classes) if len(classes) > 2 else 1
    held_out = np.zeros((len(y), width * len(names)))
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        for j, name in enumerate(names):
            estimator = BASE_MODELS[name](config).fit(matrix[train_idx], y[train_idx])
            held_out[np.ix_(test_idx, range(j * width, (j + 1) * width))] = _scores(
                estimator, matrix[test_idx]
            )
    coefs, intercepts = [], []
    for name in names:
        estimator = BASE_MODELS[name](config).fit(matrix, y)
        coef, intercept = _linear_parts(estimator)
        coefs.append(coef)
        intercepts.append(intercept)
    mean = held_out.mean(axis=0)
    scale = held_out.std(axis=0)
    scale[scale == 0] = 1.0
    standardized = (held_out - mean) / scale

    def stacker():
        return LogisticRegression(C=config.stacker_c, max_iter=2000)

    final = stacker().fit(standardized, y)
    # Collapse: logits = ((X·Aᵀ + a) − μ)/σ · Bᵀ + c  =  X · (B/σ · A)ᵀ + (B/σ · (a − μ) + c)
    b_matrix = np.asarray(final.coef_, dtype=np.float64)
    c_vector = np.asarray(final.intercept_, dtype=np.float64)
    if len(classes) == 2:  # binary logistic regression: one logit for class 1 → two softmax logits
        b_matrix = np.vstack([-b_matrix / 2, b_matrix / 2])
        c_vector = np.asarray([-c_vector[0] / 2, c_vector[0] / 2])
    a_matrix = np.vstack(coefs)
    a_vector = np.concatenate(intercepts)
    scaled = b_matrix / scale
    weights = np.ascontiguousarray((scaled @ a_matrix).T, dtype=np.float32)  # row per feature
    bias = (scaled @ (a_vector - mean) + c_vector).astype(np.float32)

    metadata: dict[str, Any] = {
        "labels": classes,
        "label_counts": {label: int(n) for label, n in sorted(Counter(cleaned_labels).items())},
        "dropped_labels": dropped,
        "training_size": len(y),
        "input_rows": len(texts),
        **dedupe,
        "features": {"char_1_3": len(char_block), "word_1_2": len(word_block)},
        "base_models": names,
        "config": config.as_dict(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
    }
    if validate:
        probs = cross_val_predict(
            stacker(),
            standardized,
            y,
            cv=StratifiedKFold(folds, shuffle=True, random_state=config.seed + 1),
            method="predict_proba",
        )
        metadata["validation"] = _validation(y, probs, classes, config)
    else:
        metadata["validation"] = {"threshold": 1.0, "target_precision": config.target_precision}
    metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    if extra_metadata:
        metadata.update(extra_metadata)
    return Model(space=space, weights=weights, bias=bias, labels=classes, metadata=metadata)


def describe(model: Model) -> str:
    """A one-line summary for command output."""
    meta = model.metadata
    validation = meta.get("validation", {})
    parts = [f"labels: {len(model.labels)}; training examples: {meta.get('training_size')}"]
    if "macro_f1" in validation:
        parts.append(
            f"validation macro-F1 {validation['macro_f1']:.4f}, accuracy {validation['accuracy']:.4f}; "
            f"auto-dispatch threshold {validation['threshold']:.4f} "
            f"(precision {validation.get('precision_at_threshold')}, "
            f"coverage {validation.get('coverage_at_threshold')})"
        )
    if meta.get("training_seconds") is not None:
        parts.append(f"trained in {meta['training_seconds']} s")
    return "; ".join(parts)
