"""Text analysis: the fast segmenter equals jieba, the packed character n-grams equal the plain ones."""

from __future__ import annotations

import jieba
import numpy as np
import pytest

from gongzhi.intelligence.nlp import compose
from gongzhi.intelligence.nlp.features import Block, FeatureSpace, char_ngrams, fit_block, word_ngrams
from gongzhi.intelligence.nlp.text import segmenter, word_spans

from .fixtures import messages

SAMPLES = [
    "A3区大道西行便道，未管所路口至加油站路段，人行道包括路灯杆，被圈西湖建筑集团燕子山安置房项目施工围墙内。",
    "投诉a市a1区苑物业违规收停车费 2019年3月起每月收费300元!!! 联系电话138****5678",
    "我们5个工人在幸福里小区干装修，老板拖欠工资三个月4万多块，快过年了求帮帮忙。",
    "wifi信号差，4g网络也不行……请问移动公司什么时候能解决？ e-mail: test_01@example.com",
    "",
    " ",
    "a b  c",
]


@pytest.mark.parametrize("text", SAMPLES + [compose(t, d) for t, d, _ in messages()[::7]])
def test_the_segmenter_gives_exactly_jiebas_words(text):
    assert segmenter().cut(text) == jieba.lcut(text, HMM=False)


def test_word_spans_point_at_the_words():
    text = SAMPLES[2]

    for word, start, end in word_spans(text):
        assert text[start:end] == word


def test_packed_character_lookup_equals_the_plain_ngrams():
    texts = [compose(t, d) for t, d, _ in messages()]
    block, _matrix = fit_block("char", texts, min_df=2, max_features=None)
    for text in [*texts[:10], *SAMPLES, "𠮷野家 a 𠮷"]:
        expected = sorted(block.index[g] for g in char_ngrams(text) if g in block.index)
        assert sorted(block._char_columns(text).tolist()) == expected


def test_single_rows_equal_the_training_matrix():
    texts = [compose(t, d) for t, d, _ in messages()[:40]]
    char_block, char_matrix = fit_block("char", texts, min_df=1, max_features=None)
    word_block, word_matrix = fit_block("word", texts, min_df=1, max_features=None)
    space = FeatureSpace([char_block, word_block])

    rebuilt = space.transform(texts).toarray()
    trained = np.hstack([char_matrix.toarray(), word_matrix.toarray()])
    assert np.allclose(rebuilt, trained, atol=1e-6)


def test_word_pairs_are_written_with_a_space():
    assert word_ngrams("拖欠工资三个月") == ["拖欠工资", "三个", "月", "拖欠工资 三个", "三个 月"]


def test_blocks_survive_an_empty_vocabulary():
    block = Block(kind="char", terms=np.asarray([], dtype=str), idf=np.zeros(0, np.float32))

    cols, vals = block.row("任何文字")
    assert len(cols) == 0 and len(vals) == 0
