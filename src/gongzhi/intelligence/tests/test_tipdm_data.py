"""Optional check on real citizen messages (TipDM 2020); skipped when the shared data is not there.

The data is read in place and never copied; the benchmark (benchmarks/classify_bench.py) is the full
measurement — this test only guards against a gross regression on a small, fast split.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from gongzhi.intelligence.nlp import TrainConfig, compose, detect_urgency, train

DATA = Path("/work/shared/data/tipdm2020/messages_labeled.csv")

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="TipDM 2020 data not available")


@pytest.fixture(scope="module")
def rows():
    with open(DATA, encoding="utf-8-sig", newline="") as fh:
        data = list(csv.DictReader(fh))
    random.Random(5).shuffle(data)
    return data


def test_a_small_model_beats_a_sanity_floor_on_unseen_messages(rows):
    from sklearn.metrics import f1_score

    train_rows, test_rows = rows[:2000], rows[2000:2600]
    model = train(
        [compose(r["留言主题"], r["留言详情"]) for r in train_rows],
        [r["一级标签"] for r in train_rows],
        config=TrainConfig(folds=3, base_models=("svm",)),
        validate=False,
    )

    predicted, _ = model.predict([compose(r["留言主题"], r["留言详情"]) for r in test_rows])

    assert f1_score([r["一级标签"] for r in test_rows], predicted, average="macro") > 0.85


def test_urgency_flags_few_ordinary_messages(rows):
    flagged = sum(detect_urgency(r["留言主题"], r["留言详情"]).is_urgent for r in rows)

    assert flagged / len(rows) < 0.05  # letters about long-standing problems, rarely emergencies
