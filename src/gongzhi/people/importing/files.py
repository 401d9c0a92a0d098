"""Reading .xlsx and .csv files and mapping their columns onto import fields.

The first row holds the headers; data starts in row 2, and every row keeps its spreadsheet number so
the report can point at it. CSV files are read as UTF-8 (with or without BOM) or, failing that, GB18030
(what Excel on Chinese Windows writes).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Final

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Column:
    """An import field: its default Chinese header, other headers accepted, and whether it is required."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


RESIDENT_COLUMNS: Final = (
    Column("name", "姓名", required=True),
    Column("gender", "性别"),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), required=True),
    Column("phone", "手机号", ("手机号码", "联系电话", "电话")),
    Column("household_number", "户号"),
    Column("relation_to_head", "与户主关系"),
    Column("building_code", "楼栋编码"),
    Column("unit", "单元"),
    Column("room", "房号"),
    Column("grid_code", "网格编码"),
    Column("residence_kind", "人口类型"),
    Column("status", "状态"),
    Column("tags", "标签"),
)
HOUSE_COLUMNS: Final = (
    Column("building_code", "楼栋编码", required=True),
    Column("unit", "单元"),
    Column("room", "房号", required=True),
    Column("use", "用途"),
    Column("area", "面积", ("建筑面积",)),
)
ORGANISATION_COLUMNS: Final = (
    Column("name", "名称", ("组织名称", "单位名称", "企业名称"), required=True),
    Column("kind", "类型", ("组织类型",), required=True),
    Column("credit_code", "统一社会信用代码", ("信用代码",)),
    Column("legal_representative", "法定代表人", ("负责人",)),
    Column("contact_phone", "联系电话", ("电话",)),
    Column("address", "地址"),
    Column("building_code", "楼栋编码"),
    Column("grid_code", "网格编码"),
)
COLUMNS: Final = {
    "residents": RESIDENT_COLUMNS,
    "houses": HOUSE_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
}

_FULL_WIDTH: Final = str.maketrans({0x3000: " ", **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}})
_HINT_RE: Final = re.compile(r"\(.*?\)|\*")


class UnreadableFile(Exception):
    """The upload is not an .xlsx or .csv file we can read; the message is for the operator."""


def normalise_header(value) -> str:
    """``" 人口类型（户籍/流动）* "`` → ``"人口类型"``: full-width to ASCII, hints and spaces dropped."""
    text = str(value or "").translate(_FULL_WIDTH)
    return "".join(_HINT_RE.sub("", text).split())


def cell_text(value) -> str:
    """A cell as text: numbers without ``.0``, dates as ISO dates, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | Decimal | int):
        return str(value)
    return str(value).replace("\u00a0", " ").strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file could not be read. Upload an .xlsx or .csv file."))


def read_table(
    file: IO[bytes] | bytes, filename: str = ""
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and an iterator of ``(row number, cells)`` for the non-blank data rows."""
    data = file if isinstance(file, bytes) else file.read()
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(
            _("Old .xls files cannot be read. Save the file as .xlsx or .csv and try again.")
        )
    return _read_csv(data)


def _read_xlsx(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise UnreadableFile(_("The file could not be read. Upload an .xlsx or .csv file.")) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        workbook.close()
        raise UnreadableFile(_("The file has no header row."))

    def body() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(rows, start=2):
                cells = [cell_text(v) for v in values]
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    return [cell_text(h) for h in header], body()


def _read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise UnreadableFile(_("The file has no header row."))

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(reader, start=2):
            cells = [cell_text(v) for v in values]
            if any(cells):
                yield number, cells

    return [cell_text(h) for h in header], body()


def resolve_columns(
    kind: str, headers: list[str], mapping: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Which file column feeds which field. ``mapping`` is ``{field or default header: file header}``.

    Returns ``(field → column index, problems)``; a problem is a missing required or mapped column.
    """
    columns = COLUMNS[kind]
    by_field = {c.field: c for c in columns}
    by_header = {normalise_header(c.header): c for c in columns}
    wanted: dict[str, str] = {}
    problems: list[str] = []
    for key, header in (mapping or {}).items():
        column = by_field.get(key) or by_header.get(normalise_header(key))
        if column is None:
            problems.append(_("Unknown field in the column mapping: %(field)s.") % {"field": key})
            continue
        wanted[column.field] = header
    positions = {normalise_header(h): i for i, h in reversed(list(enumerate(headers))) if normalise_header(h)}
    found: dict[str, int] = {}
    for column in columns:
        if column.field in wanted:
            candidates = [wanted[column.field]]
        else:
            candidates = [column.header, *column.aliases]
        index = next(
            (positions[normalise_header(c)] for c in candidates if normalise_header(c) in positions), None
        )
        if index is not None:
            found[column.field] = index
        elif column.field in wanted:
            problems.append(_("The column %(column)s is not in the file.") % {"column": wanted[column.field]})
        elif column.required:
            problems.append(_("Required column missing: %(column)s.") % {"column": column.header})
    return found, problems


def mapped_rows(rows: Iterator[tuple[int, list[str]]], columns: dict[str, int]) -> Iterator[dict[str, str]]:
    """Rows as ``{field: text, "_row": number}`` dicts for the ``import_*_rows`` functions."""
    for number, cells in rows:
        row: dict = {"_row": number}
        for field_name, index in columns.items():
            row[field_name] = cells[index] if index < len(cells) else ""
        yield row


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """``["身份证号=证件号码", "phone=联系方式"]`` → ``{"身份证号": "证件号码", "phone": "联系方式"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(pair)
        key, header = pair.split("=", 1)
        mapping[key.strip()] = header.strip()
    return mapping
