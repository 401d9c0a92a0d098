"""Case classifier benchmark: stratified 5-fold CV on the TipDM 2020 labelled messages. Prints one JSON.

    .venv/bin/python benchmarks/classify_bench.py [--data DIR] [--folds 5] [--latency-samples 1000]

For each outer fold the product classifier (``gongzhi.intelligence.nlp.train``, exactly as
``gongzhi nlp train`` runs it, including its inner calibration folds) is trained on the other folds
only — vocabulary, IDF, duplicates merging and calibration never see the held-out fold — and scored on
it: macro-F1, accuracy and training time per fold. In the same run and on the same folds, the
reference baseline is measured: plain TF-IDF (character 1–3-grams + jieba words over title + details)
and ``LinearSVC(C=1)``. Latency is timed over single-message ``predict`` calls (clean, segment,
vectorise, score) on held-out messages of the last fold after a warm-up; the model file size is that
of the last fold's model. The data is read from ``/work/shared/data/tipdm2020`` (or ``--data``) and
never copied; the model files go to a temporary directory that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from gongzhi.intelligence.nlp import TrainConfig, clean_text, compose, train, words  # noqa: E402
from gongzhi.intelligence.nlp.text import MAX_CHARS, WORD_CHARS  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("GONGZHI_TIPDM_DIR", "/work/shared/data/tipdm2020"))


def load(data_dir: Path) -> tuple[list[str], list[str], list[str]]:
    with open(data_dir / "messages_labeled.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    titles = [r["留言主题"] for r in rows]
    details = [r["留言详情"] for r in rows]
    labels = [r["一级标签"].strip() for r in rows]
    return titles, details, labels


def baseline(train_titles, train_details, train_labels, test_titles, test_details):
    """Plain TF-IDF (char 1–3 + jieba words, title + details) and LinearSVC(C=1): the reference point."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    def plain(titles, details):
        return [clean_text(f"{t} {d}") for t, d in zip(titles, details, strict=True)]

    train_text, test_text = plain(train_titles, train_details), plain(test_titles, test_details)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    word = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=2)
    x_train = sp.hstack([chars.fit_transform(train_text), word.fit_transform(train_text)]).tocsr()
    x_test = sp.hstack([chars.transform(test_text), word.transform(test_text)]).tocsr()
    return LinearSVC(C=1.0).fit(x_train, train_labels).predict(x_test)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-samples", type=int, default=1000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--latency-only", action="store_true", help="train on the first fold only and time it (no CV scores)"
    )
    args = parser.parse_args()

    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    titles, details, labels = load(args.data)
    texts = [compose(t, d) for t, d in zip(titles, details, strict=True)]
    y = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=2020)
    config = TrainConfig()
    product: list[dict] = []
    reference: list[dict] = []
    last = None
    for fold, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y)):
        started = time.perf_counter()
        model = train(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx], config=config, validate=False
        )
        seconds = time.perf_counter() - started
        predicted, _conf = model.predict([texts[i] for i in test_idx])
        product.append(
            {
                "fold": fold,
                "macro_f1": round(float(f1_score(y[test_idx], predicted, average="macro")), 4),
                "accuracy": round(float(accuracy_score(y[test_idx], predicted)), 4),
                "train_seconds": round(seconds, 1),
                "train_size": len(train_idx),
                "test_size": len(test_idx),
            }
        )
        print(f"fold {fold}: {product[-1]}", file=sys.stderr, flush=True)
        if not args.no_baseline:
            started = time.perf_counter()
            base = baseline(
                [titles[i] for i in train_idx],
                [details[i] for i in train_idx],
                [labels[i] for i in train_idx],
                [titles[i] for i in test_idx],
                [details[i] for i in test_idx],
            )
            reference.append(
                {
                    "fold": fold,
                    "macro_f1": round(float(f1_score(y[test_idx], base, average="macro")), 4),
                    "accuracy": round(float(accuracy_score(y[test_idx], base)), 4),
                    "train_seconds": round(time.perf_counter() - started, 1),
                }
            )
            print(f"baseline fold {fold}: {reference[-1]}", file=sys.stderr, flush=True)
        last = (model, test_idx)
        if args.latency_only:
            break

    model, test_idx = last
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        size = model.save(path)
        load_started = time.perf_counter()
        from gongzhi.intelligence.nlp import load_model

        loaded = load_model(path)
        load_seconds = time.perf_counter() - load_started
    # Latency: raw title + details of held-out messages, one call each, as the intake would make them.
    sample = [(titles[i], details[i]) for i in test_idx][: args.latency_samples]
    for title, detail in sample[:20]:
        loaded.predict([compose(title, detail)])  # warm-up (jieba dictionary, caches)
    single, single_cpu = [], []
    for title, detail in sample:
        started, cpu_started = time.perf_counter(), time.process_time()
        loaded.predict([compose(title, detail)])
        single_cpu.append((time.process_time() - cpu_started) * 1000)
        single.append((time.perf_counter() - started) * 1000)
    top3 = []
    for title, detail in sample[:200]:
        started = time.perf_counter()
        loaded.top_k(compose(title, detail), k=3)
        top3.append((time.perf_counter() - started) * 1000)

    def summary(rows):
        return {
            "macro_f1_mean": round(statistics.mean(r["macro_f1"] for r in rows), 4),
            "macro_f1_std": round(statistics.pstdev(r["macro_f1"] for r in rows), 4),
            "accuracy_mean": round(statistics.mean(r["accuracy"] for r in rows), 4),
            "train_seconds_mean": round(statistics.mean(r["train_seconds"] for r in rows), 1),
            "folds": rows,
        }

    import sklearn

    result = {
        "benchmark": "classify_bench",
        "data": str(args.data / "messages_labeled.csv"),
        "rows": len(y),
        "labels": sorted(set(labels)),
        "cv": f"StratifiedKFold(n_splits={args.folds}, shuffle=True, random_state=2020)",
        "product": {
            "method": f"title×2 + details (≤{MAX_CHARS} chars; words from the first {WORD_CHARS}); "
            "char 1–3 + jieba word 1–2 sublinear TF-IDF; "
            + " + ".join(model.metadata["base_models"])
            + f" stacked by calibrated multinomial LR; config {config.as_dict()}",
            **summary(product),
        },
        "baseline": {"method": "char 1–3 + jieba word TF-IDF, LinearSVC(C=1)", **summary(reference)}
        if reference
        else None,
        "latency_ms_single_message": {
            "calls": len(single),
            "p50": round(percentile(single, 50), 3),
            "p90": round(percentile(single, 90), 3),
            "p99": round(percentile(single, 99), 3),
            "max": round(max(single), 3),
        },
        "cpu_ms_single_message": {
            "note": "process CPU time of the same calls: what the code costs when the cores are not shared",
            "p50": round(percentile(single_cpu, 50), 3),
            "p99": round(percentile(single_cpu, 99), 3),
        },
        "latency_ms_top3_with_explanations": {
            "calls": len(top3),
            "p50": round(percentile(top3, 50), 3),
            "p99": round(percentile(top3, 99), 3),
        },
        "model_file_bytes": size,
        "model_file_mb": round(size / 1e6, 2),
        "model_load_seconds": round(load_seconds, 2),
        "features": model.metadata["features"],
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "sklearn": sklearn.__version__,
        },
    }
    if reference:
        result["delta_macro_f1_vs_baseline"] = round(
            result["product"]["macro_f1_mean"] - result["baseline"]["macro_f1_mean"], 4
        )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
