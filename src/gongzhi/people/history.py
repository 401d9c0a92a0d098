"""追本溯源: snapshots of base-data records and the one helper that writes their ``ChangeRecord`` rows.

A snapshot is a plain dict of the tracked fields in readable form (foreign keys as unique labels,
tags as sorted names). ``diff()`` of two snapshots is what a ``ChangeRecord`` stores: old and new values
for ordinary fields, only ``{"changed": true}`` for personal data, whose values never reach the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from .models import ChangeRecord

#: Fields whose values are personal data: the history says only that they changed.
PII_FIELDS: Final = frozenset({"id_number", "phone", "contact_phone"})

BATCH_SIZE: Final = 500

RESIDENT: Final = "resident"
HOUSEHOLD: Final = "household"
ORGANISATION: Final = "organisation"
HOUSE: Final = "house"
TAG: Final = "tag"


def grid_label(grid) -> str | None:
    return f"{grid.name}（{grid.code}）" if grid is not None else None


def house_label(house, building=None) -> str | None:
    if house is None:
        return None
    building = building or house.building
    unit = f"{house.unit}单元" if house.unit else ""
    return f"{building.name}{unit}{house.room}（{building.code}）"


def building_label(building) -> str | None:
    return f"{building.name}（{building.code}）" if building is not None else None


def resident_snapshot(
    resident, *, tags: Iterable[str] | None = None, house=None, grid=None, household=None
) -> dict[str, Any]:
    """The tracked fields of a resident. Pass related objects when they are already at hand (bulk paths).

    ID number and phone appear as their blind indexes, so a snapshot never holds them in plain text.
    """
    house = house if house is not None else (resident.house if resident.house_id else None)
    grid = grid if grid is not None else (resident.grid if resident.grid_id else None)
    household = (
        household if household is not None else (resident.household if resident.household_id else None)
    )
    if tags is None:
        tags = [t.name for t in resident.tags.all()] if resident.pk else []
    return {
        "name": resident.name,
        "gender": resident.gender or None,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        # Personal data is compared through its blind index: equal index, equal number.
        "id_number": resident.id_number_index or None,
        "phone": resident.phone_index or None,
        "household": household.number if household is not None else None,
        "relation_to_head": resident.relation_to_head or None,
        "house": house_label(house),
        "grid": grid_label(grid),
        "residence_kind": resident.residence_kind,
        "status": resident.status,
        "tags": sorted(tags),
    }


def household_snapshot(household, *, head_name: str | None = None, house=None, grid=None) -> dict[str, Any]:
    if head_name is None and household.head_id:
        head_name = household.head.name
    house = house if house is not None else (household.house if household.house_id else None)
    grid = grid if grid is not None else (household.grid if household.grid_id else None)
    return {
        "number": household.number,
        "house": house_label(house),
        "grid": grid_label(grid),
        "head": head_name,
    }


def organisation_snapshot(organisation, *, building=None, grid=None) -> dict[str, Any]:
    building = (
        building if building is not None else (organisation.building if organisation.building_id else None)
    )
    grid = grid if grid is not None else (organisation.grid if organisation.grid_id else None)
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "credit_code": organisation.credit_code or None,
        "legal_representative": organisation.legal_representative or None,
        "contact_phone": organisation.contact_phone or None,
        "address": organisation.address or None,
        "building": building_label(building),
        "grid": grid_label(grid),
    }


def house_snapshot(house, *, building=None) -> dict[str, Any]:
    return {
        "house": house_label(house, building),
        "use": house.use,
        "area": str(house.area) if house.area is not None else None,
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The changed fields between two snapshots; personal data only as ``{"changed": True}``."""
    changes: dict[str, Any] = {}
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        changes[key] = {"changed": True} if key in PII_FIELDS else {"old": old, "new": new}
    return changes


def build_change(
    *,
    actor,
    target_type: str,
    target_id: int,
    action: str,
    changes: Mapping[str, Any],
    source: str,
    source_ref: str = "",
) -> ChangeRecord:
    """One unsaved history row: who (``actor``), which record, what changed and where it came from."""
    return ChangeRecord(
        actor=actor if getattr(actor, "pk", None) else None,
        source=source,
        source_ref=(source_ref or "")[:200],
        target_type=target_type,
        target_id=target_id,
        action=action,
        changes=dict(changes),
    )


def save_changes(records: Iterable[ChangeRecord]) -> int:
    """Write history rows in batches; the only place ``ChangeRecord`` rows are created."""
    rows = list(records)
    if rows:
        ChangeRecord.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def log_change(**kwargs) -> ChangeRecord:
    """Build and save one history row (see ``build_change`` for the arguments)."""
    row = build_change(**kwargs)
    save_changes([row])
    return row
