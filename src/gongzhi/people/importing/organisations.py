"""组织导入: bulk upsert of organisations keyed by unified social credit code, or name + grid without one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import Conflict, DomainError, ValidationFailed

from .. import history, rules
from ..choices import ChangeSource
from ..models import Organisation
from . import common
from .report import CREATED, UNCHANGED, UPDATED, ImportReport

_COLUMNS_OF = {
    "name": ["name"],
    "kind": ["kind"],
    "credit_code": ["credit_code"],
    "legal_representative": ["legal_representative"],
    "contact_phone": ["contact_phone"],
    "address": ["address"],
    "building": ["building"],
    "grid": ["grid", "region_path"],
}


@dataclass
class _Row:
    row: int
    errors: rules.FieldErrors
    name: str = ""
    kind: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    contact_phone: str = ""
    address: str = ""
    building_code: str = ""
    grid_code: str = ""

    @property
    def key(self) -> str:
        return self.credit_code or self.name

    @property
    def natural_key(self) -> tuple:
        if self.credit_code:
            return ("code", self.credit_code)
        return ("name", self.name, self.grid_code or f"building:{self.building_code}")


def _parse(number: int, raw: dict) -> _Row:
    errors = rules.FieldErrors()
    row = _Row(row=number, errors=errors)
    row.name = (
        errors.check(
            rules.clean_name,
            common.text(raw, "name"),
            max_length=120,
            missing=_("Enter the organisation's name."),
        )
        or ""
    )
    kind = common.text(raw, "kind")
    row.kind = (errors.check(rules.parse_organisation_kind, kind) or "") if kind else ""
    row.credit_code = errors.check(rules.clean_credit_code, common.text(raw, "credit_code")) or ""
    row.legal_representative = common.text(raw, "legal_representative")[:60]
    row.contact_phone = errors.check(rules.clean_contact_phone, common.text(raw, "contact_phone")) or ""
    row.address = common.text(raw, "address")[:200]
    row.building_code = common.text(raw, "building_code")
    row.grid_code = common.text(raw, "grid_code")
    return row


def _load_existing(rows: list[_Row]) -> tuple[dict[str, Organisation], dict[tuple, list[Organisation]]]:
    by_code: dict[str, Organisation] = {}
    by_name: dict[tuple, list[Organisation]] = {}
    for batch in common.chunks(sorted({r.credit_code for r in rows if r.credit_code})):
        found = Organisation.objects.filter(credit_code__in=batch).select_related("building", "grid")
        for org in found.defer("grid__boundary"):
            by_code[org.credit_code] = org
    for batch in common.chunks(sorted({r.name for r in rows if r.name})):
        for org in (
            Organisation.objects.filter(name__in=batch)
            .select_related("building", "grid")
            .defer("grid__boundary")
            .order_by("pk")
        ):
            by_name.setdefault((org.name, org.grid_id), []).append(org)
    return by_code, by_name


@transaction.atomic
def import_organisations_rows(
    *,
    actor,
    rows: Iterable[dict],
    source: str = ChangeSource.IMPORT,
    source_ref: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """导入组织: upsert organisations from mapped rows.

    Fields: name, kind, credit_code, legal_representative, contact_phone, address, building_code,
    grid_code. The credit code is the natural key; without one, name + grid identifies the record.
    Blank cells leave stored values alone. ``dry_run`` writes nothing.
    """
    require(actor, "people.import")
    scope = scope_of(actor)
    report = ImportReport(kind="organisations", dry_run=dry_run, source_ref=source_ref)
    parsed: list[_Row] = []
    first_row: dict[tuple, int] = {}
    for number, raw in common.numbered(rows):
        row = _parse(number, raw)
        if not row.errors:
            if row.natural_key in first_row:
                row.errors.add({"name": common.duplicate_in_file(first_row[row.natural_key])})
            else:
                first_row[row.natural_key] = number
        parsed.append(row)
    good = [r for r in parsed if not r.errors]
    grids = common.grids_by_code(r.grid_code for r in good if r.grid_code)
    buildings = common.buildings_by_code(r.building_code for r in good if r.building_code)
    by_code, by_name = _load_existing(good)
    now = timezone.now()
    creates: list[tuple[Organisation, dict]] = []
    updates: list[tuple[Organisation, dict]] = []
    claimed: set[int] = set()
    for row in parsed:
        if row.errors:
            report.error(row.row, "；".join(row.errors.messages()), key=row.key)
            continue
        try:
            status, org, delta = _plan_row(row, grids, buildings, by_code, by_name, scope, source=source)
        except DomainError as exc:
            messages = [m for ms in exc.fields.values() for m in ms] if exc.fields else [str(exc.message)]
            report.error(row.row, "；".join(str(m) for m in messages), key=row.key)
            continue
        if org.pk is not None:
            if org.pk in claimed:
                report.error(
                    row.row, _("Another row of the file already changes this organisation."), key=row.key
                )
                continue
            claimed.add(org.pk)
        if status == CREATED:
            creates.append((org, delta))
        elif status == UPDATED:
            org.updated_at = now
            updates.append((org, delta))
        report.add(row.row, status, key=row.key, fields=sorted(delta) if status == UPDATED else [])
    if dry_run or not (creates or updates):
        return report
    columns = sorted({c for _org, delta in updates for key in delta for c in _COLUMNS_OF.get(key, [])})
    try:
        with transaction.atomic():
            Organisation.objects.bulk_create([o for o, _d in creates], batch_size=common.CHUNK)
            common.bulk_set(Organisation, [o for o, _d in updates], [*columns, "updated_at"])
    except IntegrityError:
        raise Conflict(
            _("The same records were changed by someone else during the import. Import the file again.")
        ) from None
    history.save_changes(
        history.build_change(
            actor=actor,
            target_type=history.ORGANISATION,
            target_id=org.pk,
            action=action,
            changes=delta,
            source=source,
            source_ref=source_ref,
        )
        for action, items in (("create", creates), ("update", updates))
        for org, delta in items
    )
    common.record_import(actor=actor, report=report, model_label="people.organisation")
    return report


def _plan_row(
    row: _Row, grids, buildings, by_code, by_name, scope, *, source: str
) -> tuple[str, Organisation, dict]:
    errors = rules.FieldErrors()
    grid = building = None
    if row.grid_code:
        grid = grids.get(row.grid_code)
        if grid is None:
            errors.add({"grid": common.unknown_grid(row.grid_code)})
        elif not rules.placement_allowed(scope, grid.path):
            errors.add({"grid": common.grid_outside_scope(row.grid_code)})
    if row.building_code:
        building = buildings.get(row.building_code)
        if building is None:
            errors.add({"building": common.unknown_building(row.building_code)})
    errors.raise_if_any()

    existing = by_code.get(row.credit_code) if row.credit_code else None
    if existing is None:
        placed = None
        if grid is not None or building is not None:
            placed, _path = rules.resolve_placement(grid=grid, building=building)
        elif not row.credit_code:
            raise ValidationFailed({"grid": _("Enter the grid code or the building code.")})
        if placed is not None:
            candidates = [
                o for o in by_name.get((row.name, placed.pk), []) if not row.credit_code or not o.credit_code
            ]
            if len(candidates) > 1:
                raise ValidationFailed(
                    {
                        "name": _(
                            "Several organisations have this name in the grid. Add the "
                            "unified social credit code."
                        )
                    }
                )
            existing = candidates[0] if candidates else None
    if existing is not None and not rules.placement_allowed(scope, existing.region_path):
        raise ValidationFailed({"name": _("This organisation is registered outside your area.")})

    if existing is None:
        if not row.kind:
            raise ValidationFailed(
                {
                    "kind": _(
                        "The organisation kind must be enterprise, social organisation, "
                        "resident unit or merchant."
                    )
                }
            )
        placed_grid, path = rules.resolve_placement(grid=grid, building=building)
        org = Organisation(
            name=row.name,
            kind=row.kind,
            credit_code=row.credit_code,
            legal_representative=row.legal_representative,
            contact_phone=row.contact_phone,
            address=row.address,
            building=building,
            grid=placed_grid,
            region_path=path,
            source=source,
        )
        if not rules.placement_allowed(scope, path):
            raise ValidationFailed({"grid": common.grid_outside_scope(placed_grid.code)})
        return CREATED, org, history.diff({}, history.organisation_snapshot(org))

    before = history.organisation_snapshot(existing)
    if building is None and grid is None:
        building = existing.building if existing.building_id else None
        grid = existing.grid if existing.grid_id else None
    elif (
        building is None
        and existing.building_id
        and grid is not None
        and existing.building.grid_id == grid.pk
    ):
        building = existing.building
    placed_grid, path = rules.resolve_placement(grid=grid, building=building)
    if not rules.placement_allowed(scope, path):
        raise ValidationFailed({"grid": common.grid_outside_scope(placed_grid.code)})
    existing.name = row.name
    existing.kind = row.kind or existing.kind
    existing.credit_code = row.credit_code or existing.credit_code
    existing.legal_representative = row.legal_representative or existing.legal_representative
    existing.contact_phone = row.contact_phone or existing.contact_phone
    existing.address = row.address or existing.address
    existing.building = building
    existing.grid = placed_grid
    existing.region_path = path
    delta = history.diff(before, history.organisation_snapshot(existing))
    return (UPDATED if delta else UNCHANGED), existing, delta
