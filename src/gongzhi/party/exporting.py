"""导出党员名册: the member list to .xlsx, honouring scope and masking; audited.

Rows come from ``members_visible_to``, so an export never holds more than the user may see. Phones and ID
numbers are masked unless the user holds ``party.reveal_pii`` *and* asked for full numbers. The columns
use the import headers, so an unmasked export can be edited and imported again.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.masking import mask_id_number, mask_phone

from . import selectors
from .choices import MemberStatus

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS: Final = (
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "党组织编码",
    "党组织",
    "党员类别",
    "入党日期",
    "转正日期",
    "在职党员",
    "工作单位",
    "流动党员",
    "流动去向",
    "居住网格编码",
    "月党费",
    "党费缴至",
)
_STATUS: Final = {
    MemberStatus.FULL: "正式党员",
    MemberStatus.PROBATIONARY: "预备党员",
    MemberStatus.ACTIVIST: "入党积极分子",
}
_GENDER: Final = {"male": "男", "female": "女"}


def _day(value) -> str:
    return value.isoformat() if value else ""


@transaction.atomic
def export_workbook(
    *, actor, filters: Mapping[str, str] | None = None, unmasked: bool = False
) -> tuple[bytes, int]:
    """导出: the .xlsx bytes of the member list and its row count; one ``party.export`` audit event."""
    require(actor, "party.export")
    if unmasked:
        require(actor, "party.reveal_pii")
    from openpyxl import Workbook

    filters = dict(filters or {})
    show_id = (lambda v: v or "") if unmasked else mask_id_number
    show_phone = (lambda v: v or "") if unmasked else mask_phone
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员名册")
    sheet.append(list(HEADERS))
    count = 0
    qs = selectors.members_visible_to(actor, selectors.MemberFilter.from_mapping(filters))
    for m in qs.iterator(chunk_size=2000):
        sheet.append(
            [
                m.name,
                show_id(m.id_number),
                show_phone(m.phone),
                _GENDER.get(m.gender, ""),
                m.organisation.code,
                m.organisation.name,
                _STATUS.get(m.status, ""),
                _day(m.joined_on),
                _day(m.full_on),
                "是" if m.is_in_service else "否",
                m.work_unit,
                "是" if m.is_mobile else "否",
                m.mobile_note,
                m.grid.code if m.grid_id else "",
                str(m.dues_standard) if m.dues_standard is not None else "",
                _day(m.dues_paid_until),
            ]
        )
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    safe = {k: v for k, v in filters.items() if k in ("organisation", "status", "kind", "grid") and v}
    record(
        actor=actor,
        action="party.export",
        target_type="party.member",
        target_label="党员名册",
        data={"rows": count, "unmasked": unmasked, "filters": safe},
    )
    return buffer.getvalue(), count


def export_response(
    *, actor, filters: Mapping[str, str] | None = None, unmasked: bool = False
) -> HttpResponse:
    content, _count = export_workbook(actor=actor, filters=filters, unmasked=unmasked)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="party-members-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
