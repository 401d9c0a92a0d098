"""``nlp/tables.py``: how CSV and XLSX exports are read (rows line up with the file, bad files are refused
with the line to look at)."""

from __future__ import annotations

import pytest

from gongzhi.intelligence.nlp.tables import TableError, read_table


def _csv(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_trailing_empty_cells_beyond_the_header_are_dropped(tmp_path):
    text = "留言编号,留言主题,留言详情\n1,噪音扰民,晚上施工,,\n2,乱收费,补课费,\n3,拖欠工资\n"
    table = read_table(_csv(tmp_path, text))

    assert table.rows == [["1", "噪音扰民", "晚上施工"], ["2", "乱收费", "补课费"], ["3", "拖欠工资", ""]]


def test_a_row_with_more_cells_than_the_header_is_refused_with_its_line(tmp_path):
    text = '留言编号,留言主题,留言详情\n1,噪音扰民,"晚上\n施工"\n2,乱收费,补课费,多出来的一格\n'
    path = _csv(tmp_path, text)

    with pytest.raises(TableError, match=r"in\.csv line 4: expected 3 fields .*saw 4"):
        read_table(path)
