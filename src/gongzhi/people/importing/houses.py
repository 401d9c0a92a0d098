"""房屋导入: bulk upsert of houses keyed by (building code, unit, room).

Houses belong to the regions app, which has only a one-at-a-time ``create_house`` service. Bulk
imports need batched writes and one audit event per file, so this importer writes ``House`` rows itself,
applying the same rules as ``regions.services.create_house``: the actor needs
``regions.manage_buildings`` over the building, the use is one of ``HouseUse``, and the house takes the
building's grid and region path. Move this into ``regions.services`` once it offers a bulk service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import Conflict
from gongzhi.regions.choices import HouseUse
from gongzhi.regions.models import House

from .. import history, rules
from ..choices import ChangeSource
from . import common
from .report import CREATED, UNCHANGED, UPDATED, ImportReport


@dataclass
class _Row:
    row: int
    errors: rules.FieldErrors
    building_code: str = ""
    unit: str = ""
    room: str = ""
    use: str = ""
    area: object = None
    area_given: bool = False

    @property
    def key(self) -> str:
        return (
            f"{self.building_code} {self.unit}-{self.room}"
            if self.unit
            else f"{self.building_code} {self.room}"
        )


def _parse(number: int, raw: dict) -> _Row:
    errors = rules.FieldErrors()
    row = _Row(
        row=number,
        errors=errors,
        building_code=common.text(raw, "building_code"),
        unit=common.text(raw, "unit"),
        room=common.text(raw, "room"),
    )
    if not row.building_code:
        errors.add({"building": _("Enter the building code.")})
    if not row.room:
        errors.add({"room": _("Enter the room number.")})
    if len(row.unit) > 20 or len(row.room) > 20:
        errors.add({"room": _("This text is too long.")})
    use = common.text(raw, "use")
    row.use = (errors.check(rules.parse_house_use, use) or "") if use else ""
    area = common.text(raw, "area")
    row.area_given = bool(area)
    row.area = errors.check(rules.clean_area, area) if area else None
    return row


@transaction.atomic
def import_houses_rows(
    *,
    actor,
    rows: Iterable[dict],
    source: str = ChangeSource.IMPORT,
    source_ref: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """导入房屋: upsert houses from mapped rows (building_code, unit, room, use, area).

    The building must exist and lie in the actor's area. Existing houses get the new use and area when
    the cells are filled; blank cells leave stored values alone. ``dry_run`` writes nothing.
    """
    require(actor, "people.import")
    require(actor, "regions.manage_buildings")
    scope = scope_of(actor)
    report = ImportReport(kind="houses", dry_run=dry_run, source_ref=source_ref)
    parsed: list[_Row] = []
    first_row: dict[tuple, int] = {}
    for number, raw in common.numbered(rows):
        row = _parse(number, raw)
        natural_key = (row.building_code, row.unit, row.room)
        if not row.errors:
            if natural_key in first_row:
                row.errors.add({"room": common.duplicate_in_file(first_row[natural_key])})
            else:
                first_row[natural_key] = number
        parsed.append(row)
    buildings = common.buildings_by_code(r.building_code for r in parsed if r.building_code and not r.errors)
    houses: dict[tuple, House] = {}
    for batch in common.chunks(sorted(b.pk for b in buildings.values())):
        for house in House.objects.filter(building_id__in=batch):
            houses[(house.building_id, house.unit, house.room)] = house
    now = timezone.now()
    creates: list[tuple[House, dict]] = []
    updates: list[tuple[House, dict]] = []
    for row in parsed:
        if row.errors:
            report.error(row.row, "；".join(row.errors.messages()), key=row.key)
            continue
        building = buildings.get(row.building_code)
        if building is None:
            report.error(row.row, common.unknown_building(row.building_code), key=row.key)
            continue
        if not rules.placement_allowed(scope, building.region_path):
            report.error(row.row, common.building_outside_scope(row.building_code), key=row.key)
            continue
        house = houses.get((building.pk, row.unit, row.room))
        if house is None:
            house = House(
                building=building,
                unit=row.unit,
                room=row.room,
                use=row.use or HouseUse.OWNER_OCCUPIED,
                area=row.area,
                grid=building.grid,
                region_path=building.region_path,
            )
            creates.append((house, history.diff({}, history.house_snapshot(house, building=building))))
            report.add(row.row, CREATED, key=row.key)
            continue
        before = history.house_snapshot(house, building=building)
        if row.use:
            house.use = row.use
        if row.area_given:
            house.area = row.area
        delta = history.diff(before, history.house_snapshot(house, building=building))
        if not delta:
            report.add(row.row, UNCHANGED, key=row.key)
            continue
        house.updated_at = now
        updates.append((house, delta))
        report.add(row.row, UPDATED, key=row.key, fields=sorted(delta))
    if dry_run or not (creates or updates):
        return report
    try:
        with transaction.atomic():
            House.objects.bulk_create([h for h, _d in creates], batch_size=common.CHUNK)
            common.bulk_set(House, [h for h, _d in updates], ["use", "area", "updated_at"])
    except IntegrityError:
        raise Conflict(
            _("The same records were changed by someone else during the import. Import the file again.")
        ) from None
    records = [
        history.build_change(
            actor=actor,
            target_type=history.HOUSE,
            target_id=house.pk,
            action=action,
            changes=delta,
            source=source,
            source_ref=source_ref,
        )
        for action, items in (("create", creates), ("update", updates))
        for house, delta in items
    ]
    history.save_changes(records)
    common.record_import(actor=actor, report=report, model_label="regions.house")
    return report
