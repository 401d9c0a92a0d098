"""Helpers shared by the three importers: chunked lookups, region/building maps, the import audit event."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from django.db import connection
from django.utils.translation import gettext as _

from gongzhi.audit.services import record
from gongzhi.regions.models import Building, Region

from .report import ImportReport

#: Rows per bulk statement and values per ``IN (…)`` list (safe for SQLite and PostgreSQL).
CHUNK: Final = 500


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_set(model, objects: list, fields: Iterable[str]) -> int:
    """Write ``fields`` of many saved rows with one prepared ``UPDATE … WHERE id = %s`` (executemany).

    Like ``bulk_update`` it skips ``save()``; unlike it, it builds no ``CASE WHEN`` expression per row,
    which is what makes large imports slow. Values go through each field's ``get_db_prep_save``, so
    encrypted fields are encrypted exactly as on ``save()``. Plain standard SQL (SQLite and PostgreSQL).
    """
    if not objects:
        return 0
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(opts.pk.column)} = %s"
    params = [
        [*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns), obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for batch in chunks(params, 2000):
            cursor.executemany(sql, batch)
    return len(objects)


def numbered(rows: Iterable[dict]) -> Iterator[tuple[int, dict]]:
    """``(spreadsheet row, row)``: the row's own ``_row`` or its position (the first data row is row 2)."""
    for position, row in enumerate(rows, start=2):
        try:
            number = int(row.get("_row") or position)
        except (TypeError, ValueError):
            number = position
        yield number, row


def text(row: dict, field: str) -> str:
    value = row.get(field)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return " ".join(str(value).split())


def grids_by_code(codes: Iterable[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for batch in chunks(sorted(set(codes))):
        found.update({r.code: r for r in Region.objects.filter(code__in=batch)})
    return found


def buildings_by_code(codes: Iterable[str]) -> dict[str, Building]:
    found: dict[str, Building] = {}
    for batch in chunks(sorted(set(codes))):
        found.update(
            {
                b.code: b
                for b in Building.objects.filter(code__in=batch)
                .select_related("grid")
                .defer("grid__boundary")
            }
        )
    return found


def unknown_grid(code: str) -> str:
    return _("The grid code %(code)s does not exist. Check the code and import again.") % {"code": code}


def grid_outside_scope(code: str) -> str:
    return _("The grid %(code)s is outside your area.") % {"code": code}


def unknown_building(code: str) -> str:
    return _("The building %(code)s does not exist. Register the building first.") % {"code": code}


def building_outside_scope(code: str) -> str:
    return _("The building %(code)s is outside your area.") % {"code": code}


def duplicate_in_file(first_row: int) -> str:
    return _("This record appears more than once in the file (same as row %(row)s).") % {"row": first_row}


def record_import(*, actor, report: ImportReport, model_label: str) -> None:
    """The one audit event of a (non-dry-run) import: counts only, never row contents."""
    record(
        actor=actor,
        action="people.import",
        target_type=model_label,
        target_id="",
        target_label=report.source_ref[:200],
        data=report.summary(),
    )
