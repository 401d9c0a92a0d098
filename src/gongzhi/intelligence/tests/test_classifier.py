"""分类模型: cleaning, training, prediction, explanations, save/load and version refusal (no database)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gongzhi.intelligence.nlp import (
    FORMAT_VERSION,
    MAX_CHARS,
    ModelLoadError,
    TrainingError,
    clean_text,
    compose,
    compose_fields,
    load_model,
    read_header,
    train,
)
from gongzhi.intelligence.nlp.classifier import _dedupe, _threshold

from .fixtures import messages

# --- text ----------------------------------------------------------------------------------------------


def test_cleaning_strips_scraping_whitespace_and_normalises_full_width():
    raw = "\n\t\t\t\t\t\n\t\t\t\t\tＡ３区　和平路１２号ＡＢＣ，油烟直排！\n\t\t\t\t\n"

    assert clean_text(raw) == "a3区 和平路12号abc,油烟直排!"


@pytest.mark.parametrize("missing", [None, float("nan"), "", "   ", "nan", "NaN", "None"])
def test_compose_keeps_the_title_when_details_are_missing(missing):
    assert compose("暖气不热", missing) == "暖气不热。暖气不热"
    assert compose(missing, missing) == ""
    assert compose_fields(["暖气不热", missing]) == "暖气不热。暖气不热"


def test_compose_counts_the_title_twice_and_cuts_long_letters():
    text = compose("楼下烧烤噪音", "每天凌晨两点还在营业" * 500)

    assert text.startswith("楼下烧烤噪音。楼下烧烤噪音。每天凌晨")
    assert len(text) == MAX_CHARS


# --- training and prediction ---------------------------------------------------------------------------


def test_round_trip_predicts_unseen_complaints(fixture_model):
    unseen = [
        ("包工头欠了我们半年的工钱", "在工地干活的工资一直拖着不发"),
        ("小学乱收补课费", "学校周末组织补课每人收费八百元"),
        ("路口摊贩占道", "晚上好多小摊把人行道占满了"),
        ("诊所没有执业许可证", "小区里的黑诊所给老人输液"),
    ]

    labels, confidences = fixture_model.predict([compose(t, d) for t, d in unseen])

    assert labels == ["劳动和社会保障", "教育文体", "城市管理", "卫生计生"]
    assert all(0.25 < c <= 1.0 for c in confidences)


def test_predict_accepts_messy_and_empty_input(fixture_model):
    labels, confidences = fixture_model.predict(["", None, float("nan"), "\n\t\t拖欠工资\n\t"])

    assert len(labels) == 4 and all(label in fixture_model.labels for label in labels)
    assert all(0 < c <= 1 for c in confidences)
    assert labels[3] == "劳动和社会保障"
    assert fixture_model.predict([]) == ([], [])


def test_top_k_ranks_labels_with_words_taken_from_the_text(fixture_model):
    text = compose("装修老板拖欠农民工工资", "我们五个人干了三个月，老板一直不给工资，电话也不接。")

    top = fixture_model.top_k(text, k=3)

    assert len(top) == 3
    assert [conf for _, conf, _ in top] == sorted((conf for _, conf, _ in top), reverse=True)
    label, confidence, words = top[0]
    assert label == "劳动和社会保障" and confidence > 0.5
    assert words, "the dispatcher must see why"
    assert all(word in text for word in words)
    assert {"工资", "拖欠"} & set(words)
    assert math.isclose(sum(c for _, c, _ in fixture_model.top_k(text, k=4)), 1.0, rel_tol=1e-5)


def test_metadata_records_validation_and_a_threshold(fixture_model):
    meta = fixture_model.metadata

    assert meta["labels"] == sorted(["城市管理", "劳动和社会保障", "教育文体", "卫生计生"])
    assert meta["training_size"] == 120
    assert meta["sklearn_version"] and meta["created_at"]
    validation = meta["validation"]
    assert validation["macro_f1"] >= 0.9 and validation["accuracy"] >= 0.9
    assert 0 < validation["threshold"] <= 1
    assert validation["precision_at_threshold"] >= 0.95


def test_training_needs_two_labels_with_two_examples():
    with pytest.raises(TrainingError):
        train(["拖欠工资", "工资不发"], ["劳动", "劳动"])
    with pytest.raises(TrainingError):
        train(["拖欠工资", "占道经营"], ["劳动"])


def test_labels_come_back_exactly_as_written():
    rows = messages()
    written = {
        "城市管理": "EDU 城管（A类）",
        "劳动和社会保障": " 劳动  保障 ",
        "教育文体": "Edu",
        "卫生计生": "CGW",
    }
    model = train([compose(t, d) for t, d, _ in rows], [written[label] for *_, label in rows])

    assert sorted(model.labels) == sorted(
        ["EDU 城管（A类）", "劳动 保障", "Edu", "CGW"]
    )  # spaces tidied only
    labels, _confidence = model.predict([compose(*rows[0][:2])])
    assert labels == ["EDU 城管（A类）"]


def test_duplicates_are_merged_with_their_majority_label():
    texts, labels, stats = _dedupe(["甲", "乙", "甲", "甲"], ["x", "y", "z", "z"])

    assert texts == ["甲", "乙"] and labels == ["z", "y"]
    assert stats == {"duplicates_merged": 2, "conflicting_texts": 1}


def test_threshold_is_the_lowest_confidence_reaching_the_target_precision():
    confidence = np.asarray([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.asarray([1, 1, 1, 1, 0, 0], dtype=float)

    result = _threshold(confidence, correct, target=0.95, min_support=2)

    assert result == {"threshold": 0.8, "precision_at_threshold": 1.0, "coverage_at_threshold": 0.6667}
    assert _threshold(confidence, correct * 0, target=0.95, min_support=2)["threshold"] == 1.0


# --- files ---------------------------------------------------------------------------------------------


def test_saved_model_loads_with_identical_predictions(fixture_model, fixture_model_file):
    loaded = load_model(fixture_model_file)
    texts = ["暖气不热", "幼儿园乱收费", "工地欠薪", ""]

    assert loaded.labels == fixture_model.labels
    assert np.allclose(loaded.probabilities(texts), fixture_model.probabilities(texts), atol=1e-6)
    assert loaded.metadata["validation"] == fixture_model.metadata["validation"]
    assert loaded.top_k("工地欠薪") == fixture_model.top_k("工地欠薪")
    assert fixture_model_file.stat().st_size < 50 * 1024 * 1024


def _rewrite_header(source, target, **changes):
    with np.load(source, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(bytes(arrays["header"]).decode("utf-8"))
    header.update(changes)
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    with open(target, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def test_a_model_of_another_format_version_is_refused_cleanly(fixture_model_file, tmp_path):
    newer = tmp_path / "newer.npz"
    _rewrite_header(fixture_model_file, newer, format_version=FORMAT_VERSION + 1)

    with pytest.raises(ModelLoadError, match="gongzhi nlp train"):
        load_model(newer)


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"PK\x03\x04broken zip"])
def test_files_that_are_not_models_are_refused_cleanly(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)

    with pytest.raises(ModelLoadError):
        load_model(path)
    with pytest.raises(ModelLoadError):
        load_model(tmp_path / "missing.npz")


def test_a_numpy_file_of_another_kind_is_refused(tmp_path, fixture_model_file):
    other = tmp_path / "other.npz"
    _rewrite_header(fixture_model_file, other, format="something-else")
    with pytest.raises(ModelLoadError, match="not a Gongzhi classifier"):
        read_header(other)
    plain = tmp_path / "plain.npz"
    with open(plain, "wb") as fh:
        np.savez(fh, weights=np.zeros(3))
    with pytest.raises(ModelLoadError):
        load_model(plain)
