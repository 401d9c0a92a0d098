"""``nlp/tables.py``: how CSV and XLSX exports are read (rows line up with the file, bad files are refused
with the line to look at)."""

from __future__ import annotations

import csv

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


def test_a_cell_longer_than_the_default_csv_limit_is_read(tmp_path):
    letter = "反映情况" * 60_000  # 240,000 characters, above csv's default limit of 131,072
    table = read_table(_csv(tmp_path, f"留言主题,留言详情\n长信,{letter}\n短信,噪音\n"))

    assert [len(row[1]) for row in table.rows] == [len(letter), 2]


def test_csv_errors_are_reported_with_the_line(tmp_path, monkeypatch):
    from gongzhi.intelligence.nlp import tables

    path = _csv(tmp_path, "留言主题,留言详情\n短信,噪音\n长信,超过上限的一格\n")
    old = csv.field_size_limit()
    monkeypatch.setattr(tables, "_raise_field_size_limit", lambda: csv.field_size_limit(4))
    try:
        with pytest.raises(TableError, match=r"in\.csv line 3: not readable as CSV \(field larger"):
            read_table(path)
    finally:
        csv.field_size_limit(old)


def test_an_unclosed_quote_is_refused_with_the_line_where_it_starts(tmp_path):
    text = '留言主题,留言详情\n噪音,"晚上\n施工"\n乱收费,"补课费,每人八百\n拖欠工资,工钱没给\n黑诊所,无证\n'
    with pytest.raises(TableError, match=r"in\.csv line 4: a quoted cell starts here .*closing quote"):
        read_table(_csv(tmp_path, text))

    path = _csv(tmp_path, '留言主题,留言详情\r\n噪音,"晚上\r\n施工""\r\n', name="crlf.csv")
    with pytest.raises(TableError, match=r"crlf\.csv line 2: a quoted cell"):
        read_table(path)


def test_quotes_that_csv_reads_as_text_are_not_mistaken_for_an_unclosed_quote(tmp_path):
    text = '留言主题,留言详情\n噪音,"晚上""施工""扰民"\n乱收费,补课费"八百"元\n"拖欠"工资,"工钱没给"\n'
    table = read_table(_csv(tmp_path, text))

    assert table.rows == [["噪音", '晚上"施工"扰民'], ["乱收费", '补课费"八百"元'], ["拖欠工资", "工钱没给"]]


def test_empty_rows_inside_an_excel_sheet_are_kept_and_empty_rows_at_its_end_dropped(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["留言编号", "留言主题", "留言详情"])
    sheet.append(["1", "噪音扰民", "晚上施工"])
    sheet.append([None, None, None])
    sheet.append([None, "  ", None])
    sheet.append(["4", "乱收费", None])
    sheet.cell(row=8, column=2).number_format = "0.00"  # formatted but empty rows at the end
    path = tmp_path / "in.xlsx"
    book.save(path)

    table = read_table(path)

    assert table.rows == [
        ["1", "噪音扰民", "晚上施工"],
        ["", "", ""],
        ["", "  ", ""],
        ["4", "乱收费", ""],
    ]
    exported = "留言编号,留言主题,留言详情\n1,噪音扰民,晚上施工\n,,\n,  ,\n4,乱收费,\n"
    assert read_table(_csv(tmp_path, exported)).rows == table.rows  # as the CSV export of the sheet


def test_a_model_saved_over_a_directory_is_refused_and_leaves_no_temporary_file(fixture_model, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()

    with pytest.raises(IsADirectoryError):
        fixture_model.save(folder)
    with pytest.raises(IsADirectoryError):
        fixture_model.save(str(folder) + "/")

    assert [p.name for p in tmp_path.iterdir()] == ["models"]
    assert list(folder.iterdir()) == []
    fixture_model.save(tmp_path / "new" / "model.npz")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["model.npz"]
