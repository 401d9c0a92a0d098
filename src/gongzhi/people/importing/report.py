"""The validation report of an import: one line per spreadsheet row, created/updated/unchanged or an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

CREATED: Final = "created"
UPDATED: Final = "updated"
UNCHANGED: Final = "unchanged"
ERROR: Final = "error"


@dataclass
class RowResult:
    """One row of the file. ``row`` is the 1-based spreadsheet row (the header is row 1)."""

    row: int
    status: str
    key: str = ""
    reason: str = ""
    fields: list[str] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.status == ERROR


@dataclass
class ImportReport:
    """导入校验报告: what happened (or, in a dry run, would happen) to every row of one import."""

    kind: str
    dry_run: bool = False
    source_ref: str = ""
    rows: list[RowResult] = field(default_factory=list)

    def add(
        self, row: int, status: str, *, key: str = "", reason: str = "", fields: list[str] | None = None
    ) -> RowResult:
        result = RowResult(row=row, status=status, key=key, reason=reason, fields=list(fields or []))
        self.rows.append(result)
        return result

    def error(self, row: int, reason: str, *, key: str = "") -> RowResult:
        return self.add(row, ERROR, key=key, reason=reason)

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, ERROR: 0}
        for result in self.rows:
            counts[result.status] += 1
        return counts

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.is_error]

    @property
    def ok(self) -> bool:
        return not any(r.is_error for r in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    def sorted_rows(self) -> list[RowResult]:
        return sorted(self.rows, key=lambda r: (r.row, r.status != ERROR))

    def preview_rows(self, limit: int = 500) -> list[RowResult]:
        """Errors first (all of them), then other rows up to ``limit`` in file order, for the report page."""
        errors = [r for r in self.sorted_rows() if r.is_error]
        others = [r for r in self.sorted_rows() if not r.is_error]
        return errors + others[: max(limit - len(errors), 0)]

    @property
    def preview(self) -> list[RowResult]:
        return self.preview_rows()

    @property
    def hidden_count(self) -> int:
        return self.total - len(self.preview)

    def summary(self) -> dict[str, object]:
        """Counts for the audit event and the command line (no personal data)."""
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "source_ref": self.source_ref[:200],
            **self.counts,
        }
