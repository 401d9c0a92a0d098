"""居民导入: bulk upsert of residents keyed by ID number (through its blind index).

Rows are checked with the same rules as ``services.create_resident`` (``rules.clean_resident_fields``),
looked up in batches, and written with ``bulk_create``/``common.bulk_set`` in chunks; history rows are
bulk-created and the whole import is one audit event. A blank cell never erases stored data; a filled
tag cell replaces the resident's tags with exactly the tags listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import Conflict, DomainError, ValidationFailed
from gongzhi.core.masking import mask_id_number
from gongzhi.regions.models import House, Region

from .. import history, rules
from ..choices import ChangeSource, ResidenceKind, ResidentStatus
from ..models import Household, Resident, Tag
from . import common
from .report import CREATED, UNCHANGED, UPDATED, ImportReport

#: Snapshot keys → model columns written by ``common.bulk_set``.
_COLUMNS_OF = {
    "name": ["name"],
    "gender": ["gender"],
    "birth_date": ["birth_date"],
    "id_number": ["id_number", "id_number_index"],
    "phone": ["phone", "phone_index"],
    "household": ["household"],
    "relation_to_head": ["relation_to_head"],
    "house": ["house"],
    "grid": ["grid", "region_path"],
    "residence_kind": ["residence_kind"],
    "status": ["status"],
}


_HOUSEHOLD_COLUMNS = ("id", "number", "region_path", "head_id", "house_id", "grid_id")


@dataclass
class _Row:
    row: int
    errors: rules.FieldErrors
    name: str = ""
    id_number: str = ""
    raw_id: str = ""
    index: str = ""
    identity: rules.Identity = field(default_factory=rules.Identity)
    gender: str = ""
    phone: str = ""
    residence_kind: str = ""
    status: str = ""
    relation: str = ""
    household_number: str = ""
    building_code: str = ""
    unit: str = ""
    room: str = ""
    grid_code: str = ""
    tags: list[str] | None = None


def _parse(number: int, raw: dict, today) -> _Row:
    """Checks that need no database: required cells, words, the ID number (checked once, with its index)."""
    errors = rules.FieldErrors()
    row = _Row(row=number, errors=errors)
    row.name = common.text(raw, "name")
    row.raw_id = common.text(raw, "id_number")
    row.identity = (
        errors.check(rules.check_identity, row.raw_id, required=True, today=today) or rules.Identity()
    )
    row.id_number, row.index = row.identity.number, row.identity.index
    gender = common.text(raw, "gender")
    row.gender = (errors.check(rules.parse_gender, gender) or "") if gender else ""
    row.phone = common.text(raw, "phone")
    kind = common.text(raw, "residence_kind")
    row.residence_kind = (errors.check(rules.parse_residence_kind, kind) or "") if kind else ""
    status = common.text(raw, "status")
    row.status = (errors.check(rules.parse_status, status) or "") if status else ""
    row.relation = common.text(raw, "relation_to_head")
    row.household_number = common.text(raw, "household_number")
    if len(row.household_number) > 40:
        errors.add({"household": _("This text is too long.")})
    row.building_code = common.text(raw, "building_code")
    row.unit = common.text(raw, "unit")
    row.room = common.text(raw, "room")
    row.grid_code = common.text(raw, "grid_code")
    if (row.unit or row.room) and not row.building_code:
        errors.add({"house": _("Enter the building code.")})
    if row.building_code and not row.room:
        errors.add({"house": _("Enter the room number.")})
    tags = rules.split_tags(raw.get("tags"))
    row.tags = tags or None
    return row


@dataclass
class _Lookups:
    grids: dict = field(default_factory=dict)
    buildings: dict = field(default_factory=dict)
    houses: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    resident_tags: dict = field(default_factory=dict)

    @classmethod
    def load(cls, rows: list[_Row]) -> _Lookups:
        """Everything the rows refer to, in a handful of chunked queries."""
        ctx = cls()
        ctx.grids = common.grids_by_code(r.grid_code for r in rows if r.grid_code)
        ctx.buildings = common.buildings_by_code(r.building_code for r in rows if r.building_code)
        building_ids = sorted(b.pk for b in ctx.buildings.values())
        for batch in common.chunks(building_ids):
            found = House.objects.filter(building_id__in=batch).select_related("building", "grid")
            for house in found.defer("grid__boundary"):
                ctx.houses[(house.building_id, house.unit, house.room)] = house
        for tag in Tag.objects.filter(is_active=True):
            ctx.tags[tag.name] = tag
            ctx.tags.setdefault(tag.code, tag)
        numbers = sorted({r.household_number for r in rows if r.household_number})
        for batch in common.chunks(numbers):
            for household in Household.objects.filter(number__in=batch).only(*_HOUSEHOLD_COLUMNS):
                ctx.households[household.number] = household
        indexes = sorted({r.index for r in rows if r.index})
        for batch in common.chunks(indexes):
            found = Resident.objects.filter(id_number_index__in=batch).defer(
                "created_at", "id_number", "phone"
            )
            ctx.residents.update({r.id_number_index: r for r in found})
        ctx._attach_relations()
        through = Resident.tags.through
        pks = sorted(r.pk for r in ctx.residents.values())
        for batch in common.chunks(pks):
            pairs = through.objects.filter(resident_id__in=batch).values_list("resident_id", "tag__name")
            for resident_id, name in pairs:
                ctx.resident_tags.setdefault(resident_id, []).append(name)
        return ctx

    def _attach_relations(self) -> None:
        """Give existing residents their house, grid and household from a few bulk reads, not joins."""
        residents = list(self.residents.values())
        houses = {h.pk: h for h in self.houses.values()}
        missing = sorted({r.house_id for r in residents if r.house_id and r.house_id not in houses})
        for batch in common.chunks(missing):
            found = (
                House.objects.filter(pk__in=batch).select_related("building", "grid").defer("grid__boundary")
            )
            houses.update({h.pk: h for h in found})
        grid_ids = sorted({r.grid_id for r in residents if r.grid_id})
        grids = {}
        for batch in common.chunks(grid_ids):
            grids.update({g.pk: g for g in Region.objects.filter(pk__in=batch).defer("boundary")})
        households = {h.pk: h for h in self.households.values()}
        missing = sorted(
            {r.household_id for r in residents if r.household_id and r.household_id not in households}
        )
        for batch in common.chunks(missing):
            households.update(
                {h.pk: h for h in Household.objects.filter(pk__in=batch).only(*_HOUSEHOLD_COLUMNS)}
            )
        for resident in residents:
            if resident.house_id:
                resident.house = houses[resident.house_id]
            if resident.grid_id:
                resident.grid = grids[resident.grid_id]
            if resident.household_id:
                resident.household = households[resident.household_id]


@dataclass
class _Plan:
    creates: list = field(default_factory=list)  # (row, Resident, tag names, snapshot)
    updates: list = field(default_factory=list)  # (row, Resident, tag names | None, delta)
    new_households: dict = field(default_factory=dict)  # number → Household (unsaved)
    heads: dict = field(default_factory=dict)  # number → Resident claiming to be head


def _plan_row(row: _Row, ctx: _Lookups, scope, plan: _Plan, *, source: str) -> tuple[str, list[str]]:
    """Decide what the row does; raises ``DomainError`` with the row's reasons."""
    errors = rules.FieldErrors()
    grid = None
    if row.grid_code:
        grid = ctx.grids.get(row.grid_code)
        if grid is None:
            errors.add({"grid": common.unknown_grid(row.grid_code)})
        elif not rules.placement_allowed(scope, grid.path):
            errors.add({"grid": common.grid_outside_scope(row.grid_code)})
    house = None
    if row.building_code and row.room:
        building = ctx.buildings.get(row.building_code)
        if building is None:
            errors.add({"house": common.unknown_building(row.building_code)})
        else:
            house = ctx.houses.get((building.pk, row.unit, row.room))
            if house is None:
                label = (
                    f"{row.building_code} {row.unit}-{row.room}"
                    if row.unit
                    else f"{row.building_code} {row.room}"
                )
                errors.add(
                    {
                        "house": _("The house %(house)s does not exist. Import the houses first.")
                        % {"house": label}
                    }
                )
    if row.tags is not None:
        missing = [name for name in row.tags if name not in ctx.tags]
        if missing:
            errors.add(
                {
                    "tags": _("The tag %(name)s does not exist. Ask an administrator to create it first.")
                    % {"name": missing[0]}
                }
            )
    existing: Resident | None = ctx.residents.get(row.index)
    if existing is not None and not rules.placement_allowed(scope, existing.region_path):
        errors.add({"id_number": _("The resident with this ID number is registered outside your area.")})
    household = None
    if row.household_number:
        household = ctx.households.get(row.household_number) or plan.new_households.get(row.household_number)
        if (
            household is not None
            and household.pk
            and not rules.placement_allowed(scope, household.region_path)
        ):
            errors.add(
                {
                    "household": _(
                        "The household number %(number)s belongs to a household outside your area."
                    )
                    % {"number": row.household_number}
                }
            )
    if existing is not None:
        old_tags = sorted(ctx.resident_tags.get(existing.pk, []))
        before = history.resident_snapshot(existing, tags=old_tags)
        if not row.building_code and existing.house_id:
            house = existing.house
        if not row.grid_code and not row.building_code:
            grid = existing.grid if existing.grid_id else None
        status = row.status or existing.status
        try:
            rules.check_status_move(existing.status, status)
        except DomainError as exc:
            errors.add({"status": exc.fields.get("status") or [exc.message]})
        fields = {
            "phone": row.phone,
            "residence_kind": row.residence_kind or existing.residence_kind,
            "status": status,
            "relation_to_head": row.relation or existing.relation_to_head,
        }
    else:
        before = {}
        fields = {
            "phone": row.phone,
            "residence_kind": row.residence_kind or ResidenceKind.REGISTERED,
            "status": row.status or ResidentStatus.ACTIVE,
            "relation_to_head": row.relation,
        }
    try:
        values = rules.clean_resident_fields(
            name=row.name, identity=row.identity, gender=row.gender, house=house, grid=grid, **fields
        )
    except ValidationFailed as exc:
        problems = exc.fields
        if "grid" in errors.fields or "house" in errors.fields:
            # The place is already reported as unknown; "choose a place" would only repeat it.
            problems = {k: v for k, v in problems.items() if k not in ("grid", "house")}
        errors.add(problems)
    errors.raise_if_any()
    if existing is not None and not row.phone:
        # A blank cell keeps the stored phone: it is neither read nor written.
        del values["phone"]
        values["phone_index"] = existing.phone_index
    if not rules.placement_allowed(scope, values["region_path"]):
        raise ValidationFailed({"grid": common.grid_outside_scope(values["grid"].code)})

    if row.household_number and household is None:
        household = Household(
            number=row.household_number,
            house=values["house"],
            grid=values["grid"],
            region_path=values["region_path"],
        )
        plan.new_households[row.household_number] = household
    if household is None and existing is not None and existing.household_id:
        household = existing.household
    tags = (
        row.tags
        if row.tags is not None
        else (sorted(ctx.resident_tags.get(existing.pk, [])) if existing else [])
    )
    tag_names = sorted({ctx.tags[name].name for name in tags}) if row.tags is not None else tags

    resident = existing if existing is not None else Resident(source=source)
    for name, value in values.items():
        setattr(resident, name, value)
    resident.household = household
    after = history.resident_snapshot(
        resident, tags=tag_names, house=values["house"], grid=values["grid"], household=household
    )
    if (
        household is not None
        and values["relation_to_head"] in rules.HEAD_RELATIONS
        and household.head_id is None
    ):
        plan.heads.setdefault(household.number, resident)
    if existing is None:
        plan.creates.append((row.row, resident, tag_names, after))
        return CREATED, []
    delta = history.diff(before, after)
    if not delta:
        return UNCHANGED, []
    plan.updates.append((row.row, resident, tag_names if "tags" in delta else None, delta))
    return UPDATED, sorted(delta)


@transaction.atomic
def import_residents_rows(
    *,
    actor,
    rows: Iterable[dict],
    source: str = ChangeSource.IMPORT,
    source_ref: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """导入居民: upsert residents from mapped rows (``{field: text, "_row": n}``), keyed by ID number.

    Fields: name, gender, id_number, phone, household_number, relation_to_head, building_code, unit,
    room, grid_code, residence_kind, status, tags. Every row is reported as created, updated, unchanged
    or an error with a reason; good rows are written even when others fail. ``dry_run`` writes nothing.
    """
    require(actor, "people.import")
    scope = scope_of(actor)
    report = ImportReport(kind="residents", dry_run=dry_run, source_ref=source_ref)
    parsed: list[_Row] = []
    first_row: dict[str, int] = {}
    today = timezone.localdate()
    for number, raw in common.numbered(rows):
        row = _parse(number, raw, today)
        if row.index:
            if row.index in first_row:
                row.errors.add({"id_number": common.duplicate_in_file(first_row[row.index])})
            else:
                first_row[row.index] = number
        parsed.append(row)
    ctx = _Lookups.load([r for r in parsed if not r.errors])
    plan = _Plan()
    for row in parsed:
        key = mask_id_number(row.id_number or row.raw_id)
        if row.errors:
            report.error(row.row, "；".join(row.errors.messages()), key=key)
            continue
        try:
            status, fields = _plan_row(row, ctx, scope, plan, source=source)
        except DomainError as exc:
            messages = [m for ms in exc.fields.values() for m in ms] if exc.fields else [str(exc.message)]
            report.error(row.row, "；".join(str(m) for m in messages), key=key)
            continue
        report.add(row.row, status, key=key, fields=fields)
    if dry_run or not (plan.creates or plan.updates or plan.heads):
        return report
    try:
        with transaction.atomic():
            _write(actor, plan, source=source, source_ref=source_ref)
    except IntegrityError:
        raise Conflict(
            _("The same records were changed by someone else during the import. Import the file again.")
        ) from None
    common.record_import(actor=actor, report=report, model_label="people.resident")
    return report


def _write(actor, plan: _Plan, *, source: str, source_ref: str) -> None:
    now = timezone.now()
    changes: list = []

    def change(target_type: str, target_id: int, action: str, delta: dict) -> None:
        changes.append(
            history.build_change(
                actor=actor,
                target_type=target_type,
                target_id=target_id,
                action=action,
                changes=delta,
                source=source,
                source_ref=source_ref,
            )
        )

    new_households = list(plan.new_households.values())
    Household.objects.bulk_create(new_households, batch_size=common.CHUNK)

    created = [resident for _row, resident, _tags, _after in plan.creates]
    for resident in created:
        resident.household = resident.household  # picks up the pk of a household created just now
    Resident.objects.bulk_create(created, batch_size=common.CHUNK)

    updated = [resident for _row, resident, _tags, _delta in plan.updates]
    columns = sorted(
        {c for _r, _res, _t, delta in plan.updates for key in delta for c in _COLUMNS_OF.get(key, [])}
    )
    for resident in updated:
        resident.updated_at = now
        resident.household = resident.household
    common.bulk_set(Resident, updated, [*columns, "updated_at"])

    _write_tags(plan)

    heads = {number: resident for number, resident in plan.heads.items()}
    for household in new_households:
        head = heads.pop(household.number, None)
        if head is not None:
            household.head = head
    common.bulk_set(Household, [h for h in new_households if h.head_id], ["head"])
    for household in new_households:
        snapshot = history.household_snapshot(
            household, head_name=household.head.name if household.head_id else None
        )
        change(history.HOUSEHOLD, household.pk, "create", history.diff({}, snapshot))
    existing_heads = []
    for resident in heads.values():
        household = resident.household
        household.head = resident
        household.updated_at = now
        existing_heads.append(household)
        change(history.HOUSEHOLD, household.pk, "update", {"head": {"old": None, "new": resident.name}})
    common.bulk_set(Household, existing_heads, ["head", "updated_at"])

    for _row, resident, _tags, after in plan.creates:
        change(history.RESIDENT, resident.pk, "create", history.diff({}, after))
    for _row, resident, _tags, delta in plan.updates:
        change(history.RESIDENT, resident.pk, "update", delta)
    history.save_changes(changes)


def _write_tags(plan: _Plan) -> None:
    through = Resident.tags.through
    tag_ids = {t.name: t.pk for t in Tag.objects.all()}
    links = [
        through(resident_id=resident.pk, tag_id=tag_ids[name])
        for _row, resident, names, _after in plan.creates
        for name in names
    ]
    replaced = [(resident, names) for _row, resident, names, _delta in plan.updates if names is not None]
    for batch in common.chunks([resident.pk for resident, _names in replaced]):
        through.objects.filter(resident_id__in=batch).delete()
    links.extend(
        through(resident_id=resident.pk, tag_id=tag_ids[name])
        for resident, names in replaced
        for name in names
    )
    through.objects.bulk_create(links, batch_size=common.CHUNK)
