"""The pure arithmetic of early warnings: surge test, address keys, folding nested series."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongzhi.insights import statistics as st

from .conftest import NOW


def test_flags_a_week_far_above_a_quiet_baseline():
    result = st.surge_test(6, [1, 1, 1, 1, 1, 1, 1, 1])
    assert result.flagged
    assert result.mean == 1.0
    assert result.sigma == 1.0  # sqrt(1) = 1, std 0, floor 1
    assert result.threshold == 5.0  # max(min_count 5, 1 + 3·1 = 4)
    assert result.z == 5.0


def test_does_not_flag_below_the_minimum_count_even_from_zero():
    result = st.surge_test(4, [0] * 8)
    assert not result.flagged
    assert result.threshold == 5.0


def test_does_not_flag_an_ordinary_busy_week():
    # 5 a week usually: sigma = sqrt(5) ≈ 2.236, threshold ≈ 11.7; 8 is within the noise
    result = st.surge_test(8, [5, 4, 6, 5, 5, 6, 4, 5])
    assert not result.flagged
    assert result.threshold == pytest.approx(5 + 3 * 5**0.5, abs=0.01)
    assert st.surge_test(12, [5, 4, 6, 5, 5, 6, 4, 5]).flagged


def test_a_jumpy_baseline_raises_the_bar():
    # weekly counts 0 and 10 alternate: std 5 > sqrt(5), so 15 is not yet a surge but 21 is
    baseline = [0, 10] * 4
    assert st.surge_test(15, baseline).sigma == 5.0
    assert not st.surge_test(15, baseline).flagged
    assert st.surge_test(21, baseline).flagged


def test_week_index_counts_back_from_now():
    assert st.week_index(NOW - timedelta(hours=1), now=NOW) == 0
    assert st.week_index(NOW - timedelta(days=7, minutes=1), now=NOW) == 1
    assert st.week_index(NOW, now=NOW) == 0
    assert st.week_index(NOW + timedelta(minutes=1), now=NOW) == -1


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("幸福里小区7号楼2单元501", "幸福里小区7号楼"),
        ("幸福里小区 ７号楼 3单元", "幸福里小区7号楼"),
        ("幸福里小区七号楼", "幸福里小区7号楼"),
        ("和平路12号川菜馆门口", "和平路12号"),
        ("朝晖小区3栋一楼", "朝晖小区3栋"),
        ("南门", ""),
        ("幸福里小区十二号楼", "幸福里小区12号楼"),
        ("朝晖小区二十三栋", "朝晖小区23栋"),
        ("10号楼1单元301", "10号楼"),
        ("1号楼", "1号楼"),
    ],
)
def test_address_key_groups_flats_of_one_building(address, key):
    assert st.address_key(address) == key


def test_a_bare_building_number_is_told_apart_from_a_named_one():
    assert st.is_bare_building("10号楼") and st.is_bare_building("3栋")
    assert not st.is_bare_building("幸福里小区10号楼") and not st.is_bare_building("和平路12号")


def test_nested_series_fold_into_the_narrowest():
    street = ("1/2/", "01/")
    community = ("1/2/3/", "01/0101/")
    other = ("1/2/4/", "02/")
    keep = st.drop_nested([(street, {1, 2, 3, 4}), (community, {1, 2, 3}), (other, {9, 10})])
    assert keep == [1, 2]
    # a broad surge mostly made of other cases stays next to its narrow part
    keep = st.drop_nested([(street, set(range(10))), (community, {1, 2})])
    assert keep == [0, 1]
