"""Excel/CSV import of residents, houses and organisations (see docs/import.md).

``import_file`` reads an uploaded .xlsx or .csv, maps its columns (default Chinese headers, overridable)
and hands the rows to ``import_residents_rows``, ``import_houses_rows`` or ``import_organisations_rows``,
which other code (the demo-data command) may call directly with already-mapped dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Final

from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require

from ..choices import ChangeSource
from .files import COLUMNS, Column, UnreadableFile, mapped_rows, parse_mapping, read_table, resolve_columns
from .houses import import_houses_rows
from .organisations import import_organisations_rows
from .report import CREATED, ERROR, UNCHANGED, UPDATED, ImportReport, RowResult
from .residents import import_residents_rows

IMPORTERS: Final = {
    "residents": import_residents_rows,
    "houses": import_houses_rows,
    "organisations": import_organisations_rows,
}
KINDS: Final = tuple(IMPORTERS)


def import_file(
    *,
    actor,
    kind: str,
    file: IO[bytes] | bytes,
    filename: str = "",
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    source: str = ChangeSource.IMPORT,
) -> ImportReport:
    """导入文件: read an .xlsx/.csv upload and import it; problems with the file itself are row 1."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    require(actor, "people.import")
    report = ImportReport(kind=kind, dry_run=dry_run, source_ref=filename)
    try:
        headers, rows = read_table(file, filename)
    except UnreadableFile as exc:
        report.error(1, str(exc))
        return report
    columns, problems = resolve_columns(kind, headers, mapping)
    if problems:
        for problem in problems:
            report.error(1, problem)
        return report
    report = IMPORTERS[kind](
        actor=actor, rows=mapped_rows(rows, columns), source=source, source_ref=filename, dry_run=dry_run
    )
    if not report.rows:
        report.error(2, _("The file has no data rows."))
    return report


__all__ = [
    "COLUMNS",
    "CREATED",
    "ERROR",
    "IMPORTERS",
    "KINDS",
    "UNCHANGED",
    "UPDATED",
    "Column",
    "ImportReport",
    "RowResult",
    "import_file",
    "import_houses_rows",
    "import_organisations_rows",
    "import_residents_rows",
    "parse_mapping",
]
