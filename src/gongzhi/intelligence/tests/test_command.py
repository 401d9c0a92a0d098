"""``gongzhi nlp train`` / ``classify`` / ``urgency``: the file contract of release checks (no database)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from gongzhi.cli import is_file_tool
from gongzhi.cli import main as gongzhi
from gongzhi.intelligence.nlp import load_model

from .fixtures import messages

HEADER = ["留言编号", "留言主题", "留言详情", "一级标签"]


def _write_csv(path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def training_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("nlp") / "train.csv"
    rows = []
    for number, (title, details, label) in enumerate(messages(), 1):
        details = f"\n\t\t\t\t\t\n\t\t\t\t\t{details}\n\t\t\t\t\n" if number % 3 else details
        rows.append([str(number), title, "" if number % 7 == 0 else details, label])
    rows.append(["999", "没有标签的留言", "这一行不参与训练", ""])
    _write_csv(path, HEADER, rows)
    return path


@pytest.fixture(scope="module")
def trained_file(training_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("nlp") / "model.npz"
    call_command(
        "nlp",
        "train",
        "--input",
        str(training_csv),
        "--text-cols",
        "留言主题,留言详情",
        "--label-col",
        "一级标签",
        "--out",
        str(out),
    )
    return out


MESSY = [
    ["A1", "包工头拖欠工资", "\n\t\t\t\t\t\n\t\t\t\t\t干了半年活，工钱一分没给。\n\t\t\t\t\n", "x"],
    ["A2", "幼儿园乱收费", "", "y"],
    ["A3", "小区门口占道经营", "nan", ""],
    ["A4", "", "黑诊所无证行医给老人输液", ""],
    ["A5", "", "", ""],
    ["A6", "学校补课收费", "周末强制补课，每人收费八百元。", "z"],
]


def test_train_writes_a_model_with_its_validation_scores(trained_file):
    model = load_model(trained_file)

    assert sorted(model.labels) == sorted({label for *_, label in messages()})
    assert model.metadata["training_size"] == 120
    assert model.metadata["label_column"] == "一级标签"
    assert model.metadata["validation"]["macro_f1"] >= 0.9


def test_classify_adds_two_columns_and_keeps_rows_in_order(trained_file, tmp_path):
    source = tmp_path / "input.csv"
    _write_csv(source, HEADER, MESSY)
    out = tmp_path / "out.csv"

    call_command(
        "nlp",
        "classify",
        "--model",
        str(trained_file),
        "--input",
        str(source),
        "--text-cols",
        "留言主题,留言详情",
        "--output",
        str(out),
    )

    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = _read_csv(out)
    assert table[0] == [*HEADER, "predicted_label", "confidence"]
    assert [row[:4] for row in table[1:]] == MESSY  # the input, untouched, same order
    predicted = [row[4] for row in table[1:]]
    assert predicted[0] == "劳动和社会保障"
    assert predicted[1] == "教育文体"
    assert predicted[2] == "城市管理"
    assert predicted[3] == "卫生计生"
    assert predicted[5] == "教育文体"
    for row in table[1:]:
        assert row[4] in load_model(trained_file).labels
        assert 0.0 < float(row[5]) <= 1.0


def test_classify_reads_excel_input(trained_file, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in MESSY:
        sheet.append([None if value == "" else value for value in row])
    sheet.append([None, None, None, None])  # formatted but empty row at the end
    source = tmp_path / "input.xlsx"
    book.save(source)
    out = tmp_path / "out.csv"

    call_command(
        "nlp",
        "classify",
        "--model",
        str(trained_file),
        "--input",
        str(source),
        "--text-cols",
        "留言主题,留言详情",
        "--output",
        str(out),
    )

    table = _read_csv(out)
    assert table[0][-2:] == ["predicted_label", "confidence"]
    assert [row[0] for row in table[1:]] == [row[0] for row in MESSY]
    assert [row[4] for row in table[1:5]] == ["劳动和社会保障", "教育文体", "城市管理", "卫生计生"]


def test_train_reads_excel_and_gb18030_csv(tmp_path):
    rows = [[str(i), title, details, label] for i, (title, details, label) in enumerate(messages()[::2], 1)]
    gbk = tmp_path / "train_gbk.csv"
    _write_csv(gbk, HEADER, rows, encoding="gb18030")
    out = tmp_path / "m.npz"

    call_command(
        "nlp",
        "train",
        "--input",
        str(gbk),
        "--text-cols",
        "留言主题,留言详情",
        "--label-col",
        "一级标签",
        "--out",
        str(out),
        "--folds",
        "3",
    )

    assert load_model(out).metadata["training_size"] == 60


def test_the_console_script_maps_nlp_subcommands(trained_file, tmp_path, capsys):
    source = tmp_path / "in.csv"
    _write_csv(source, ["留言主题", "留言详情"], [["拖欠工资", ""]])
    out = tmp_path / "out.csv"

    gongzhi(
        [
            "gongzhi",
            "nlp",
            "classify",
            "--model",
            str(trained_file),
            "--input",
            str(source),
            "--text-cols",
            "留言主题,留言详情",
            "--output",
            str(out),
        ]
    )

    assert _read_csv(out)[1][2] == "劳动和社会保障"


def test_missing_columns_and_bad_models_are_reported_plainly(trained_file, tmp_path):
    source = tmp_path / "in.csv"
    _write_csv(source, ["标题"], [["拖欠工资"]])
    bad_model = tmp_path / "bad.npz"
    bad_model.write_bytes(b"garbage")

    with pytest.raises(CommandError, match="留言主题"):
        call_command(
            "nlp",
            "classify",
            "--model",
            str(trained_file),
            "--input",
            str(source),
            "--text-cols",
            "留言主题,留言详情",
            "--output",
            str(tmp_path / "o.csv"),
        )
    with pytest.raises(CommandError, match="not a Gongzhi classifier"):
        call_command(
            "nlp",
            "classify",
            "--model",
            str(bad_model),
            "--input",
            str(source),
            "--text-cols",
            "标题",
            "--output",
            str(tmp_path / "o.csv"),
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command("nlp", "train", "--input", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "m.npz"))


def test_urgency_command_flags_rows(tmp_path):
    source = tmp_path / "in.csv"
    _write_csv(
        source,
        ["留言主题", "留言详情"],
        [
            ["楼道里煤气味很重", "三单元楼道里有很浓的煤气味，请赶快派人来看看"],
            ["烧烤店油烟", "楼下烧烤冒烟，油烟很大"],
        ],
    )
    out = tmp_path / "out.csv"

    call_command(
        "nlp", "urgency", "--input", str(source), "--text-cols", "留言主题,留言详情", "--output", str(out)
    )

    table = _read_csv(out)
    assert table[0][-2:] == ["urgent", "urgent_terms"]
    assert table[1][2:] == ["1", "煤气味"]
    assert table[2][2:] == ["0", ""]


# --- a fresh install: no keys, no database --------------------------------------------------------------


def _fresh_shell(tmp_path, *args):
    """``gongzhi ARGS`` the way a fresh install runs it: no GONGZHI_* settings, a new working directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}
    return subprocess.run(
        [str(Path(sys.executable).parent / "gongzhi"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_file_tools_run_on_a_fresh_install_without_keys_or_database(tmp_path, training_csv):
    done = _fresh_shell(tmp_path, "nlp", "urgency", "--input", str(training_csv), "--output", "flags.csv")

    assert done.returncode == 0, done.stderr
    assert len(_read_csv(tmp_path / "flags.csv")) == len(_read_csv(training_csv))


def test_database_commands_still_refuse_to_run_without_keys(tmp_path):
    for args in (["nlp", "models"], ["nlp", "train", "--from-db"], ["migrate"]):
        done = _fresh_shell(tmp_path, *args)
        assert done.returncode != 0 and "GONGZHI_SECRET_KEY must be set" in done.stderr, args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["gongzhi", "nlp", "classify", "--model", "m.npz"], True),
        (["gongzhi", "nlp", "train", "--input", "a.csv"], True),
        (["gongzhi", "nlp", "train", "--from-db"], False),
        (["gongzhi", "nlp", "activate", "3"], False),
        (["gongzhi", "serve"], False),
        (["gongzhi"], False),
    ],
)
def test_which_commands_are_file_tools(argv, expected):
    assert is_file_tool(argv) is expected


def _classify(model, source, out):
    call_command(
        "nlp",
        "classify",
        "--model",
        str(model),
        "--input",
        str(source),
        "--text-cols",
        "留言主题,留言详情",
        "--output",
        str(out),
    )


def test_classify_refuses_a_row_with_stray_cells_and_ignores_trailing_commas(trained_file, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "留言编号,留言主题,留言详情\n1,包工头拖欠工资,工钱没给,,\n2,学校补课收费,周末补课,多出来的一格\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"

    with pytest.raises(CommandError, match=r"line 3: expected 3 fields .*saw 4"):
        _classify(trained_file, source, out)
    assert not out.exists()

    source.write_text("留言编号,留言主题,留言详情\n1,包工头拖欠工资,工钱没给,,\n2,学校补课收费,周末补课,\n")
    _classify(trained_file, source, out)
    table = _read_csv(out)
    assert table[0] == ["留言编号", "留言主题", "留言详情", "predicted_label", "confidence"]
    assert [row[3] for row in table[1:]] == ["劳动和社会保障", "教育文体"]


def test_urgency_reads_a_letter_longer_than_the_csv_field_limit(tmp_path):
    source = tmp_path / "in.csv"
    letter = "楼道里有很浓的煤气味。" + "情况说明" * 40_000
    _write_csv(source, ["留言主题", "留言详情"], [["长信", letter], ["短信", "噪音"]])
    out = tmp_path / "out.csv"

    call_command(
        "nlp", "urgency", "--input", str(source), "--text-cols", "留言主题,留言详情", "--output", str(out)
    )

    assert [row[2:] for row in _read_csv(out)[1:]] == [["1", "煤气味"], ["0", ""]]


def test_classify_refuses_an_unclosed_quote_instead_of_merging_the_rest_of_the_file(trained_file, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        '留言主题,留言详情\n包工头拖欠工资,"工钱没给\n学校补课收费,周末补课\n黑诊所,无证行医\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"

    with pytest.raises(CommandError, match=r"line 2: a quoted cell starts here"):
        _classify(trained_file, source, out)
    assert not out.exists()


def test_classify_keeps_empty_rows_inside_an_excel_sheet_like_a_csv_file(trained_file, tmp_path):
    rows = [MESSY[0], ["", "", "", ""], MESSY[1], MESSY[5]]
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
    sheet.append([None, None, None, None])  # formatted but empty row at the end
    xlsx, csv_source = tmp_path / "in.xlsx", tmp_path / "in.csv"
    book.save(xlsx)
    _write_csv(csv_source, HEADER, rows)

    _classify(trained_file, xlsx, tmp_path / "from_xlsx.csv")
    _classify(trained_file, csv_source, tmp_path / "from_csv.csv")

    from_xlsx = _read_csv(tmp_path / "from_xlsx.csv")
    assert [row[:4] for row in from_xlsx[1:]] == rows  # one output row per sheet row, in line
    assert [row[4] for row in from_xlsx[1:]][::2] == ["劳动和社会保障", "教育文体"]
    assert from_xlsx == _read_csv(tmp_path / "from_csv.csv")


def test_outputs_go_into_new_directories_and_a_directory_is_refused_before_the_work(trained_file, tmp_path):
    source = tmp_path / "in.csv"
    _write_csv(source, ["留言主题", "留言详情"], [["拖欠工资", "工钱没给"]])

    _classify(trained_file, source, tmp_path / "nodir" / "sub" / "out.csv")
    call_command("nlp", "urgency", "--input", str(source), "--output", str(tmp_path / "new" / "flags.csv"))
    assert _read_csv(tmp_path / "nodir" / "sub" / "out.csv")[1][2] == "劳动和社会保障"
    assert _read_csv(tmp_path / "new" / "flags.csv")[1][2] == "0"

    folder = tmp_path / "existing"
    folder.mkdir()
    with pytest.raises(CommandError, match=r"existing: is a directory; give the name of a file"):
        _classify(tmp_path / "no-model-needed-yet.npz", source, folder)
    with pytest.raises(CommandError, match=r"existing: is a directory"):
        call_command("nlp", "train", "--input", str(source), "--out", str(folder) + "/")
    with pytest.raises(CommandError, match=r"in\.csv: is a file, not a directory; cannot write .*out\.csv"):
        _classify(trained_file, source, source / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "in.csv", "new", "nodir"]
    assert list(folder.iterdir()) == []


def test_an_interrupted_write_leaves_no_partial_output(tmp_path, monkeypatch):
    from gongzhi.intelligence.nlp import tables

    source = tmp_path / "in.csv"
    _write_csv(source, ["留言主题", "留言详情"], [["拖欠工资", "工钱没给"], ["噪音扰民", "晚上施工"]])
    out = tmp_path / "out.csv"
    out.write_text("the previous output\n", encoding="utf-8")

    real_writer = csv.writer

    def broken_writer(fh):
        writer = real_writer(fh)

        class Writer:
            writerow = writer.writerow

            def writerows(self, rows):
                writer.writerow(next(iter(rows)))
                raise OSError(28, "No space left on device", str(out))

        return Writer()

    monkeypatch.setattr(tables.csv, "writer", broken_writer)
    with pytest.raises(CommandError, match="No space left on device"):
        call_command("nlp", "urgency", "--input", str(source), "--output", str(out))

    assert out.read_text(encoding="utf-8") == "the previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]
