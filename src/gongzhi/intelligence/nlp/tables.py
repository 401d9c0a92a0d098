"""Read and write the CSV/XLSX tables of the ``gongzhi nlp`` commands (pure Python, no Django).

Exports from hotline systems come as UTF-8 (with or without BOM) or GB18030 CSV, or as Excel workbooks.
Rows keep their order; every cell is a string (empty for missing cells) so that the output can repeat
the input exactly and add columns after it.
"""

from __future__ import annotations

import csv
import errno
import io
import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Table", "TableError", "prepare_output", "read_table", "replacing", "write_csv"]

_ENCODINGS = ("utf-8-sig", "gb18030")


class TableError(ValueError):
    """The file cannot be read as a table, or lacks a required column."""


def _raise_field_size_limit() -> None:
    """Let a CSV cell be as long as the platform allows (the default, 131072 characters, is less than
    some letters with pasted documents). The limit is a C long: 32 bits on Windows."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


@dataclass
class Table:
    """A header and rows of strings, in file order."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def column(self, name: str) -> list[str]:
        index = self.index(name)
        return [row[index] if index < len(row) else "" for row in self.rows]

    def index(self, name: str) -> int:
        try:
            return self.columns.index(name)
        except ValueError:
            raise TableError(f"column {name!r} not found; the file has: {', '.join(self.columns)}") from None

    def require(self, names: list[str]) -> None:
        for name in names:
            self.index(name)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise TableError(f"cannot open {path.name} as an Excel workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise TableError(f"{path.name} is empty")
        columns = [_cell(v).strip() for v in header]
        while columns and not columns[-1]:
            columns.pop()
        body: list[list[str]] = []
        empty: list[list[str]] = []  # empty rows since the last row with a value
        for values in rows:
            cells = [_cell(v) for v in values[: len(columns)]]
            cells += [""] * (len(columns) - len(cells))
            if not any(c.strip() for c in cells):
                empty.append(cells)
                continue
            body += empty  # an empty row between rows is a row, like ",,," in a CSV file
            empty = []
            body.append(cells)
        # the empty rows after the last value are dropped: Excel keeps formatted but empty rows at the end
        return Table(columns=columns, rows=body)
    finally:
        workbook.close()


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{path.name} is neither UTF-8 nor GB18030 text")
    _raise_field_size_limit()
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1  # where the next record starts (a quoted cell may span lines)
    try:
        header = next(reader, None)
        if header is None:
            raise TableError(f"{path.name} is empty")
        columns = [c.strip() for c in header]
        body = []
        last = 1  # where the last record starts
        line = reader.line_num + 1
        for cells in reader:
            if cells:
                body.append(_fit(cells, len(columns), path=path, line=line))
                last = line
            line = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(f"{path.name} line {line}: not readable as CSV ({exc})") from exc
    # csv reads an unclosed quote as a cell running to the end of the file: only the last record can have one
    tail = "".join(itertools.islice(io.StringIO(text, newline=""), last - 1, None))
    opened = _unclosed_quote(tail)
    if opened is not None:
        before = tail[:opened]
        line = last + before.count("\n") + before.count("\r") - before.count("\r\n")
        raise TableError(
            f'{path.name} line {line}: a quoted cell starts here (with ") but its closing quote is missing, '
            "so the rest of the file would be read as one cell; close the quote, "
            'and write a quote inside a quoted cell as ""'
        )
    return Table(columns=columns, rows=body)


def _unclosed_quote(record: str) -> int | None:
    """Where in ``record`` (the text of one CSV record) a quoted cell starts that is never closed, if any;
    read as ``csv.reader`` does (a quote opens a cell only at its start, ``""`` inside is a quote)."""
    i, n = 0, len(record)
    cell_start = True
    while i < n:
        if cell_start and record[i] == '"':
            opened = i
            i += 1
            while True:
                j = record.find('"', i)
                if j < 0:
                    return opened
                if record.startswith('"', j + 1):
                    i = j + 2
                    continue
                i = j + 1
                break
            cell_start = False  # text after the closing quote joins the cell up to the next comma
            continue
        cell_start = record[i] in ",\r\n"
        i += 1
    return None


def _fit(cells: list[str], width: int, *, path: Path, line: int) -> list[str]:
    """``cells`` padded or cut to ``width``: trailing empty cells beyond the header (trailing commas)
    are dropped, any other cell beyond it is an error (it would shift the columns added after it)."""
    if len(cells) > width:
        if any(c.strip() for c in cells[width:]):
            raise TableError(
                f"{path.name} line {line}: expected {width} fields (as in the header), saw {len(cells)}; "
                "put a cell that contains a comma in double quotes, or add the missing column to the header"
            )
        return cells[:width]
    return cells + [""] * (width - len(cells))


def read_table(path: str | Path) -> Table:
    """A table from ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` (decided by the suffix)."""
    path = Path(path)
    if not path.exists():
        raise TableError(f"{path} does not exist")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    return _read_csv(path)


def prepare_output(path: str | Path) -> Path:
    """``path`` made ready to be written, before any work is done: its missing parent directories are
    created; ``IsADirectoryError`` when it is a directory (other ``OSError`` when it cannot be made)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory; give the name of a file to write", str(path))
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                reason = f"is a file, not a directory; cannot write {path}"
                raise NotADirectoryError(errno.ENOTDIR, reason, str(parent))
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary file next to ``path`` to write into; it replaces ``path`` when the block succeeds and is
    removed when it fails, so ``path`` is never left half written."""
    path = prepare_output(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(path: str | Path, columns: list[str], rows: Iterable[list[object]]) -> None:
    """UTF-8 CSV with BOM (Excel opens it as Chinese text), every field quoted only when needed; written
    to a temporary file that replaces ``path`` at the end."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
