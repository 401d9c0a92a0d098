"""Excel import with a validation report (dry run, errors with row numbers, upsert) and masked export."""

from __future__ import annotations

from gongzhi.audit.models import AuditEvent
from gongzhi.core.masking import mask_id_number
from gongzhi.party import importing
from gongzhi.party.models import Member
from gongzhi.people.tests.factories import xlsx_bytes, xlsx_rows

from . import factories as f

HEADER = [
    "姓名",
    "身份证号",
    "手机号",
    "党组织编码",
    "党员类别",
    "入党日期",
    "在职党员",
    "工作单位",
    "居住网格编码",
]


def _rows(world):
    ok_1, ok_2 = f.id_number(), f.id_number()
    return ok_1, [
        HEADER,
        ["卫国强", ok_1, "13800001111", "ZB001A", "正式党员", "2001-07-01", "否", "", ""],
        [
            "孔丽萍",
            ok_2,
            "13800002222",
            "ZB001A",
            "预备党员",
            "2026/3/1",
            "是",
            "区卫健委",
            world.grid_a.code,
        ],
        ["错身份证", "110105199001011230", "", "ZB001A", "正式党员", "2001-07-01", "", "", ""],
        ["越界", f.id_number(), "", "ZB002C", "正式党员", "2001-07-01", "", "", ""],
        ["无类别", f.id_number(), "", "ZB001A", "党员", "2001-07-01", "", "", ""],
        ["重复", ok_1, "", "ZB001A", "正式党员", "2001-07-01", "", "", ""],
    ]


def test_dry_run_reports_every_row_and_writes_nothing(world, pw):
    _first, rows = _rows(world)
    report = importing.import_file(
        actor=pw.secretary_a, file=xlsx_bytes(rows), filename="党员.xlsx", dry_run=True
    )
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "error": 4}
    errors = {r.row: r.reason for r in report.errors}
    assert set(errors) == {4, 5, 6, 7}
    assert "ZB002C" in errors[5] and "2" in errors[7]
    assert not Member.objects.filter(name__in=["卫国强", "孔丽萍"]).exists()
    assert not AuditEvent.objects.filter(action="party.import").exists()


def test_import_creates_then_updates_and_transfers(world, pw):
    first, rows = _rows(world)
    report = importing.import_file(
        actor=pw.community_secretary, file=xlsx_bytes(rows[:3]), filename="党员.xlsx"
    )
    assert report.counts["created"] == 2 and report.ok
    member = Member.objects.get(name="卫国强")
    assert member.grid == world.grid_a and member.transfers.count() == 1
    changed = [HEADER, ["卫国强", first, "13800001111", "ZB001B", "正式党员", "2001-07-01", "否", "", ""]]
    second = importing.import_file(
        actor=pw.community_secretary, file=xlsx_bytes(changed), filename="调整.xlsx"
    )
    assert second.counts["updated"] == 1 and second.rows[0].fields == ["organisation"]
    member.refresh_from_db()
    assert member.organisation == pw.branch_b and member.transfers.count() == 2
    unchanged = importing.import_file(
        actor=pw.community_secretary, file=xlsx_bytes(changed), filename="调整.xlsx"
    )
    assert unchanged.counts["unchanged"] == 1
    assert AuditEvent.objects.filter(action="party.import").count() == 2


def test_missing_columns_are_reported_on_row_one(world, pw):
    report = importing.import_file(
        actor=pw.secretary_a, file=xlsx_bytes([["姓名"], ["某人"]]), filename="x.xlsx"
    )
    assert [r.row for r in report.errors] == [1, 1]  # 身份证号 and 党组织编码 are required


def test_import_page_shows_the_report(world, pw, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _first, rows = _rows(world)
    login(pw.secretary_a)
    upload = SimpleUploadedFile("党员.xlsx", xlsx_bytes(rows))
    response = client.post("/party/members/import/", {"file": upload, "dry_run": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-report"' in page
    assert response.context["report"].counts["error"] == 4


def test_export_is_masked_scoped_and_audited(world, pw, login, client):
    login(pw.secretary_a)
    response = client.get("/party/members/export.xlsx")
    rows = xlsx_rows(response.content)
    assert rows[0][:4] == ["姓名", "身份证号", "手机号", "性别"]
    assert [r[0] for r in rows[1:]] == ["郭志明"]
    assert rows[1][1] == mask_id_number(pw.member_a.id_number)
    full = xlsx_rows(client.get("/party/members/export.xlsx", {"unmasked": "1"}).content)
    assert full[1][1] == pw.member_a.id_number  # the branch secretary may unmask (audited)
    events = list(AuditEvent.objects.filter(action="party.export").order_by("pk"))
    assert [e.data["unmasked"] for e in events] == [False, True]
    login(world.community_worker)
    assert client.get("/party/members/export.xlsx").status_code == 403
