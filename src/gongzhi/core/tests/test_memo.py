"""``KeyedMemo``: built once per key, rebuilt when the key changes or after ``forget``."""

from __future__ import annotations

from gongzhi.core.memo import KeyedMemo


def test_a_value_is_built_once_per_key():
    builds = []
    memo = KeyedMemo(lambda: builds.append(1) or len(builds))
    assert memo.get(("v1", 10)) == 1
    assert memo.get(("v1", 10)) == 1  # same key: served from memory
    assert memo.get(("v2", 11)) == 2  # the source changed
    memo.forget()
    assert memo.get(("v2", 11)) == 3
    assert len(builds) == 3
