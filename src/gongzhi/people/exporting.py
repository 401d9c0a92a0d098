"""导出: residents, households and organisations lists to .xlsx, honouring scope and masking.

Rows come from the same selectors as the list pages, so an export never holds more than the user may
see. ID numbers and phones are masked unless the user holds ``people.reveal_pii`` *and* asked for full
numbers. Every export is one audit event with the row count and whether it was unmasked. The resident
columns use the import headers, so an unmasked export can be edited and imported again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.masking import mask_id_number, mask_phone

from . import selectors
from .choices import Gender, OrganisationKind, ResidenceKind, ResidentStatus

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_GENDER: Final = {Gender.MALE: "男", Gender.FEMALE: "女"}
_RESIDENCE: Final = {ResidenceKind.REGISTERED: "户籍", ResidenceKind.FLOATING: "流动"}
_STATUS: Final = {
    ResidentStatus.ACTIVE: "在住",
    ResidentStatus.MOVED_OUT: "迁出",
    ResidentStatus.DECEASED: "死亡",
}
_ORG_KIND: Final = {
    OrganisationKind.ENTERPRISE: "企业",
    OrganisationKind.SOCIAL_ORG: "社会组织",
    OrganisationKind.RESIDENT_UNIT: "驻地单位",
    OrganisationKind.MERCHANT: "商户",
}
_ID_LIKE: Final = re.compile(r"[0-9]{17}[0-9Xx]")
_PHONE_LIKE: Final = re.compile(r"\+?[0-9\- ]{11,16}")


@dataclass(frozen=True)
class _Sheet:
    title: str
    headers: tuple[str, ...]
    rows: Callable[[object, object, bool], Iterable[list]]
    model_label: str


def _house_parts(house) -> list[str]:
    if house is None:
        return ["", "", ""]
    return [house.building.code, house.unit, house.room]


def _grid_parts(grid) -> list[str]:
    return [grid.code, grid.name] if grid is not None else ["", ""]


def _resident_rows(user, filters, unmasked: bool) -> Iterable[list]:
    masked_id = (lambda v: v or "") if unmasked else mask_id_number
    masked_phone = (lambda v: v or "") if unmasked else mask_phone
    qs = selectors.residents_visible_to(user, selectors.ResidentFilter.from_mapping(filters))
    for r in qs.iterator(chunk_size=2000):
        yield [
            r.name,
            _GENDER.get(r.gender, ""),
            r.birth_date.isoformat() if r.birth_date else "",
            masked_id(r.id_number),
            masked_phone(r.phone),
            r.household.number if r.household_id else "",
            r.relation_to_head,
            *_house_parts(r.house if r.house_id else None),
            *_grid_parts(r.grid if r.grid_id else None),
            _RESIDENCE.get(r.residence_kind, ""),
            _STATUS.get(r.status, ""),
            "、".join(t.name for t in r.tags.all()),
        ]


def _household_rows(user, filters, unmasked: bool) -> Iterable[list]:
    qs = selectors.households_visible_to(user, selectors.HouseholdFilter.from_mapping(filters))
    for h in qs.iterator(chunk_size=2000):
        yield [
            h.number,
            h.head.name if h.head_id else "",
            h.member_count,
            *_house_parts(h.house if h.house_id else None),
            *_grid_parts(h.grid if h.grid_id else None),
        ]


def _organisation_rows(user, filters, unmasked: bool) -> Iterable[list]:
    masked_phone = (lambda v: v or "") if unmasked else mask_phone
    qs = selectors.organisations_visible_to(user, selectors.OrganisationFilter.from_mapping(filters))
    for o in qs.iterator(chunk_size=2000):
        yield [
            o.name,
            _ORG_KIND.get(o.kind, ""),
            o.credit_code,
            o.legal_representative,
            masked_phone(o.contact_phone),
            o.address,
            o.building.code if o.building_id else "",
            *_grid_parts(o.grid if o.grid_id else None),
            "、".join(t.name for t in o.tags.all()),
        ]


SHEETS: Final = {
    "residents": _Sheet(
        "居民",
        (
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "手机号",
            "户号",
            "与户主关系",
            "楼栋编码",
            "单元",
            "房号",
            "网格编码",
            "网格",
            "人口类型",
            "状态",
            "标签",
        ),
        _resident_rows,
        "people.resident",
    ),
    "households": _Sheet(
        "户",
        ("户号", "户主", "成员数", "楼栋编码", "单元", "房号", "网格编码", "网格"),
        _household_rows,
        "people.household",
    ),
    "organisations": _Sheet(
        "组织",
        (
            "名称",
            "类型",
            "统一社会信用代码",
            "法定代表人",
            "联系电话",
            "地址",
            "楼栋编码",
            "网格编码",
            "网格",
            "标签",
        ),
        _organisation_rows,
        "people.organisation",
    ),
}
KINDS: Final = tuple(SHEETS)


def _safe_filters(filters: Mapping[str, str]) -> dict[str, str]:
    """Filters for the audit record, with a searched ID number or phone masked."""
    safe = {k: str(v) for k, v in filters.items() if v and k != "unmasked"}
    q = safe.get("q", "")
    if _ID_LIKE.fullmatch(q):
        safe["q"] = mask_id_number(q)
    elif _PHONE_LIKE.fullmatch(q):
        safe["q"] = mask_phone(q)
    return safe


@transaction.atomic
def export_workbook(
    *, actor, kind: str, filters: Mapping[str, str] | None = None, unmasked: bool = False
) -> tuple[bytes, int]:
    """导出名单: the .xlsx bytes of one list and its row count; audited as ``people.export``."""
    if kind not in SHEETS:
        raise ValueError(f"unknown export kind {kind!r}")
    require(actor, "people.export")
    if unmasked:
        require(actor, "people.reveal_pii")
    from openpyxl import Workbook

    sheet = SHEETS[kind]
    filters = dict(filters or {})
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append(list(sheet.headers))
    count = 0
    for row in sheet.rows(actor, filters, unmasked):
        worksheet.append(row)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    record(
        actor=actor,
        action="people.export",
        target_type=sheet.model_label,
        target_label=sheet.title,
        data={"kind": kind, "rows": count, "unmasked": unmasked, "filters": _safe_filters(filters)},
    )
    return buffer.getvalue(), count


def export_response(
    *, actor, kind: str, filters: Mapping[str, str] | None = None, unmasked: bool = False
) -> HttpResponse:
    """The workbook as a download response (``residents-20260101-0930.xlsx``)."""
    content, _count = export_workbook(actor=actor, kind=kind, filters=filters, unmasked=unmasked)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
