"""党员导入: members from .xlsx/.csv with a validation report (the same rules and report as base data).

Columns have Chinese headers (``COLUMNS``); the ID number is the natural key. A row with a new ID number
registers a member; a known one (inside the user's area) updates the changed fields and, when the
organisation code differs, transfers the member. Blank cells leave stored values alone. ``dry_run``
checks every row and writes nothing. One audit event records the counts, never row contents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, DomainError, ValidationFailed
from gongzhi.people import rules as people_rules
from gongzhi.people.choices import ChangeSource
from gongzhi.people.importing.common import chunks, grids_by_code, numbered, text
from gongzhi.people.importing.files import Column, UnreadableFile, mapped_rows, normalise_header, read_table
from gongzhi.people.importing.report import CREATED, UNCHANGED, UPDATED, ImportReport

from . import rules, services
from .models import Member, MemberTransfer, PartyOrganisation

COLUMNS: Final = (
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), required=True),
    Column("phone", "手机号", ("手机号码", "联系电话", "电话")),
    Column("gender", "性别"),
    Column("organisation", "党组织编码", ("所在党组织编码", "组织编码"), required=True),
    Column("status", "党员类别", ("人员类别", "类别")),
    Column("joined_on", "入党日期", ("入党时间",)),
    Column("full_on", "转正日期", ("转正时间",)),
    Column("is_in_service", "在职党员"),
    Column("work_unit", "工作单位"),
    Column("is_mobile", "流动党员"),
    Column("mobile_note", "流动去向"),
    Column("grid", "居住网格编码", ("网格编码",)),
    Column("dues_standard", "月党费", ("党费标准", "月交纳党费")),
    Column("dues_paid_until", "党费缴至", ("党费交至",)),
)
#: Member fields a row may change.
_FIELDS: Final = (
    "name",
    "gender",
    "status",
    "joined_on",
    "full_on",
    "is_in_service",
    "work_unit",
    "is_mobile",
    "mobile_note",
    "dues_standard",
    "dues_paid_until",
    "phone",
)


def resolve_columns(
    headers: list[str], mapping: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Which file column feeds which field (default headers, their aliases, or ``mapping``)."""
    wanted = {key: header for key, header in (mapping or {}).items()}
    positions = {normalise_header(h): i for i, h in reversed(list(enumerate(headers))) if normalise_header(h)}
    found: dict[str, int] = {}
    problems: list[str] = []
    for column in COLUMNS:
        candidates = [wanted[column.field]] if column.field in wanted else [column.header, *column.aliases]
        index = next(
            (positions[normalise_header(c)] for c in candidates if normalise_header(c) in positions), None
        )
        if index is not None:
            found[column.field] = index
        elif column.required:
            problems.append(_("Required column missing: %(column)s.") % {"column": column.header})
    return found, problems


def import_file(
    *, actor, file: IO[bytes] | bytes, filename: str = "", dry_run: bool = False, mapping=None
) -> ImportReport:
    """导入文件: read an .xlsx/.csv upload of members and import it; problems with the file are row 1."""
    require(actor, "party.import")
    report = ImportReport(kind="party_members", dry_run=dry_run, source_ref=filename)
    try:
        headers, rows = read_table(file, filename)
    except UnreadableFile as exc:
        report.error(1, str(exc))
        return report
    columns, problems = resolve_columns(headers, mapping)
    if problems:
        for problem in problems:
            report.error(1, problem)
        return report
    report = import_rows(actor=actor, rows=mapped_rows(rows, columns), source_ref=filename, dry_run=dry_run)
    if not report.rows:
        report.error(2, _("The file has no data rows."))
    return report


def _parse(raw: dict) -> tuple[dict, dict, rules.FieldErrors]:
    """One row → (member values, codes, errors). Blank optional cells are left out of the values."""
    errors = rules.FieldErrors()
    given: dict = {}
    for field in ("name", "work_unit", "mobile_note"):
        if text(raw, field):
            given[field] = text(raw, field)
    if text(raw, "phone"):
        given["phone"] = text(raw, "phone")
    if text(raw, "gender"):
        given["gender"] = errors.check(people_rules.parse_gender, text(raw, "gender"))
    if text(raw, "status"):
        given["status"] = errors.check(rules.parse_member_status, text(raw, "status"))
    for field in ("joined_on", "full_on", "dues_paid_until"):
        if text(raw, field):
            given[field] = errors.check(rules.parse_date, text(raw, field), field=field)
    for field in ("is_in_service", "is_mobile"):
        if text(raw, field):
            given[field] = errors.check(rules.parse_bool, text(raw, field), field=field)
    if text(raw, "dues_standard"):
        given["dues_standard"] = errors.check(
            rules.clean_money, text(raw, "dues_standard"), field="dues_standard"
        )
    identity = errors.check(people_rules.check_identity, text(raw, "id_number"), required=True)
    codes = {"organisation": text(raw, "organisation").upper(), "grid": text(raw, "grid")}
    return {"identity": identity, **given}, codes, errors


@transaction.atomic
def import_rows(
    *,
    actor,
    rows: Iterable[dict],
    source: str = ChangeSource.IMPORT,
    source_ref: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """导入党员: register or update members from mapped rows (see the module docstring)."""
    require(actor, "party.import")
    scope = scope_of(actor)
    report = ImportReport(kind="party_members", dry_run=dry_run, source_ref=source_ref)
    parsed = []
    first: dict[str, int] = {}
    for number, raw in numbered(rows):
        values, codes, errors = _parse(raw)
        identity = values.get("identity")
        if identity is not None and identity.index:
            if identity.index in first:
                errors.add(
                    {
                        "id_number": _(
                            "This record appears more than once in the file (same as row %(row)s)."
                        )
                        % {"row": first[identity.index]}
                    }
                )
            else:
                first[identity.index] = number
        parsed.append((number, values, codes, errors))
    org_codes = sorted({c["organisation"] for _n, _v, c, e in parsed if c["organisation"]})
    organisations = {
        o.code: o
        for batch in chunks(org_codes)
        for o in PartyOrganisation.objects.in_scope(scope)
        .filter(code__in=batch, is_active=True)
        .select_related("region")
    }
    grids = grids_by_code(c["grid"] for _n, _v, c, _e in parsed if c["grid"])
    indexes = sorted(first)
    existing = {
        m.id_number_index: m
        for batch in chunks(indexes)
        for m in Member.objects.filter(id_number_index__in=batch).select_related(
            "organisation__region", "grid"
        )
    }
    creates: list[Member] = []
    updates: list[tuple[Member, dict, PartyOrganisation | None]] = []
    for number, values, codes, errors in parsed:
        key = values["identity"].number if values.get("identity") else ""
        organisation = organisations.get(codes["organisation"])
        if codes["organisation"] and organisation is None:
            errors.add(
                {
                    "organisation": _(
                        "The party organisation %(code)s does not exist or is outside your area."
                    )
                    % {"code": codes["organisation"]}
                }
            )
        grid = grids.get(codes["grid"]) if codes["grid"] else None
        if codes["grid"] and (grid is None or grid.level != "grid"):
            errors.add(
                {
                    "grid": _("The grid code %(code)s does not exist. Check the code and import again.")
                    % {"code": codes["grid"]}
                }
            )
        if errors:
            report.error(number, "；".join(errors.messages()), key=key)
            continue
        identity = values.pop("identity")
        try:
            status, plan = _plan(values, identity, organisation, grid, existing.get(identity.index), scope)
        except DomainError as exc:
            messages = [m for ms in exc.fields.values() for m in ms] if exc.fields else [str(exc.message)]
            report.error(number, "；".join(str(m) for m in messages), key=key)
            continue
        if status == CREATED:
            creates.append(plan)
        elif status == UPDATED:
            updates.append(plan)
        fields = (
            [*sorted(plan[1]), *(["organisation"] if plan[2] is not None else [])]
            if status == UPDATED
            else []
        )
        report.add(number, status, key=key, fields=fields)
    if dry_run or not (creates or updates):
        return report
    try:
        with transaction.atomic():
            Member.objects.bulk_create(creates, batch_size=500)
    except IntegrityError:
        raise Conflict(
            _("The same records were changed by someone else during the import. Import the file again.")
        ) from None
    now = timezone.now()
    MemberTransfer.objects.bulk_create(
        [
            MemberTransfer(member=m, to_organisation=m.organisation, at=now, reason="导入", actor=actor)
            for m in creates
        ]
    )
    for member, changes, target in updates:
        if changes:
            services.update_member(actor=actor, member=member, changes=changes)
        if target is not None:
            services.transfer_member(actor=actor, member=member, to_organisation=target, reason="导入")
    record(
        actor=actor,
        action="party.import",
        target_type="party.member",
        target_label=source_ref[:200],
        data=report.summary(),
    )
    return report


def _plan(values: dict, identity, organisation, grid, existing: Member | None, scope):
    """CREATED with a new ``Member``, UPDATED with (member, changes, transfer target), or UNCHANGED."""
    if existing is None:
        if organisation is None:
            raise ValidationFailed({"organisation": _("Enter the party organisation code.")})
        cleaned = rules.clean_member_fields(
            id_number=identity.number,
            **{k: v for k, v in values.items() if k in _FIELDS},
        )
        if grid is None and organisation.region.level == "grid":
            grid = organisation.region
        member = Member(
            organisation=organisation,
            region_path=organisation.region_path,
            grid=grid,
            source=ChangeSource.IMPORT,
            **cleaned,
        )
        return CREATED, member
    if not scope.covers_path(existing.region_path):
        raise ValidationFailed(
            {"id_number": _("This member is registered in an organisation outside your area.")}
        )
    current = {field: getattr(existing, field) for field in _FIELDS}
    merged = {**current, **{k: v for k, v in values.items() if k in _FIELDS}}
    rules.clean_member_fields(id_number=identity.number, **merged)  # every rule, before anything is written
    changes = {
        k: v
        for k, v in merged.items()
        if current[k] != v and not (k == "phone" and _same_phone(current[k], v))
    }
    if grid is not None and grid.pk != existing.grid_id:
        changes["grid"] = grid
    target = (
        organisation if organisation is not None and organisation.pk != existing.organisation_id else None
    )
    if not changes and target is None:
        return UNCHANGED, (existing, {}, None)
    return UPDATED, (existing, changes, target)


def _same_phone(old: str, new: str) -> bool:
    try:
        return people_rules.clean_phone(new) == old
    except DomainError:
        return False
