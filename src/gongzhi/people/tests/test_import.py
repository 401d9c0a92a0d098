"""Excel/CSV import: validation report with row numbers and Chinese reasons, dry run, idempotent re-import."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import PermissionDenied
from gongzhi.people.importing import import_file, import_residents_rows
from gongzhi.people.models import ChangeRecord, Household, Organisation, Resident
from gongzhi.regions.models import House

from . import factories as f

HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "户号",
    "与户主关系",
    "楼栋编码",
    "单元",
    "房号",
    "网格编码",
    "人口类型(户籍/流动)",
    "状态",
    "标签",
]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def place(world):
    building = f.building(grid=world.grid_a, code="XFL01", name="幸福里1号楼")
    f.house(building=building, unit="1", room="101")
    f.house(building=building, unit="1", room="102")
    f.building(grid=world.grid_c, code="ZH01", name="朝晖1号楼")
    f.standard_tags()
    return building


@pytest.fixture
def sheet(world, place):
    """A realistic sheet: three good rows and seven rows with typical mistakes."""
    head_id, spouse_id, floating_id = f.id_number(male=True), f.id_number(male=False), f.id_number()
    return {
        "ids": (head_id, spouse_id, floating_id),
        "rows": [
            HEADER,
            [
                "王建国",
                "男",
                head_id,
                "13912345678",
                "H0001",
                "户主",
                "XFL01",
                "1",
                "101",
                "",
                "户籍",
                "在住",
                "独居老人、退役军人",
            ],
            [
                "刘淑芬",
                "",
                spouse_id,
                "",
                "H0001",
                "配偶",
                "XFL01",
                "1",
                "101",
                world.grid_a.code,
                "户籍",
                "",
                "",
            ],
            [
                "陈志强",
                "",
                f.id_number_with_bad_checksum(),
                "",
                "",
                "",
                "",
                "",
                "",
                world.grid_a.code,
                "",
                "",
                "",
            ],
            ["杨丽", "", f.id_number(), "", "", "", "", "", "", "110199001001999", "", "", ""],
            ["王建国", "", head_id, "", "", "", "", "", "", world.grid_a.code, "", "", ""],
            ["赵勇", "", f.id_number(), "", "", "", "", "", "", world.grid_c.code, "", "", ""],
            ["黄海燕", "", f.id_number(), "", "", "", "NOPE", "1", "101", "", "", "", ""],
            [
                "周杰",
                "",
                floating_id,
                "13600001111",
                "",
                "",
                "",
                "",
                "",
                world.grid_b.code,
                "流动",
                "在住",
                "",
            ],
            ["吴芳", "", f.id_number(), "1234567", "", "", "", "", "", world.grid_a.code, "", "", ""],
            ["徐明", "", f.id_number(), "", "", "", "", "", "", world.grid_b.code, "", "", "孤儿"],
        ],
    }


def _counts():
    return (
        Resident.objects.count(),
        ChangeRecord.objects.count(),
        Household.objects.count(),
        AuditEvent.objects.count(),
    )


def _reasons(report) -> dict[int, str]:
    return {r.row: r.reason for r in report.errors}


EXPECTED_ERRORS = {
    4: "身份证号码校验位不正确",
    5: "网格编码“110199001001999”不存在",
    6: "文件中记录重复（与第2行相同）",
    7: "不在您的管辖范围内",
    8: "楼栋“NOPE”不存在",
    10: "手机号码不正确",
    11: "标签“孤儿”不存在",
}


def _assert_report(report):
    reasons = _reasons(report)
    assert set(reasons) == set(EXPECTED_ERRORS)
    for row, text in EXPECTED_ERRORS.items():
        assert text in reasons[row], (row, reasons[row])


def test_report_lists_each_bad_row_with_number_and_reason(world, sheet):
    report = import_file(
        actor=world.community_worker,
        kind="residents",
        file=f.csv_bytes(sheet["rows"]),
        filename="幸福里居民.csv",
    )
    _assert_report(report)
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "error": 7}
    assert {r.row for r in report.rows if r.status == "created"} == {2, 3, 9}
    head = Resident.objects.get(id_number_index=Resident.objects.get(name="王建国").id_number_index)
    assert head.grid == world.grid_a and head.birth_date is not None and head.gender == "male"
    assert sorted(t.name for t in head.tags.all()) == ["独居老人", "退役军人"]
    household = Household.objects.get(number="H0001")
    assert household.head == head and household.members.count() == 2
    floating = Resident.objects.get(name="周杰")
    assert floating.residence_kind == "floating" and floating.grid == world.grid_b
    change = ChangeRecord.objects.get(target_type="resident", target_id=head.pk)
    assert change.source == "import" and change.source_ref == "幸福里居民.csv"
    assert change.actor == world.community_worker
    assert change.changes["id_number"] == {"changed": True} and head.id_number not in str(change.changes)
    event = AuditEvent.objects.get(action="people.import")
    assert event.data["created"] == 3 and event.data["error"] == 7
    assert head.id_number not in str(event.data)


def test_dry_run_writes_nothing(world, sheet):
    before = _counts()
    report = import_file(
        actor=world.community_worker,
        kind="residents",
        file=f.csv_bytes(sheet["rows"]),
        filename="幸福里居民.csv",
        dry_run=True,
    )
    assert report.dry_run
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "error": 7}
    _assert_report(report)
    assert _counts() == before


def test_reimporting_the_same_file_changes_nothing(world, sheet):
    content = f.csv_bytes(sheet["rows"])
    import_file(actor=world.community_worker, kind="residents", file=content, filename="幸福里居民.csv")
    before = _counts()
    updated_at = sorted(Resident.objects.values_list("updated_at", flat=True))
    again = import_file(
        actor=world.community_worker, kind="residents", file=content, filename="幸福里居民.csv"
    )
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "error": 7}
    _assert_report(again)
    assert _counts() == before
    assert sorted(Resident.objects.values_list("updated_at", flat=True)) == updated_at


def test_xlsx_import_matches_csv(world, sheet):
    rows = [list(r) for r in sheet["rows"]]
    rows[1][3] = 13912345678  # Excel keeps mobile numbers as numbers
    report = import_file(
        actor=world.community_worker, kind="residents", file=f.xlsx_bytes(rows), filename="居民.xlsx"
    )
    _assert_report(report)
    assert report.counts["created"] == 3
    assert Resident.objects.get(name="王建国").phone == "13912345678"
    again = import_file(
        actor=world.community_worker, kind="residents", file=f.xlsx_bytes(rows), filename="居民.xlsx"
    )
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "error": 7}


def test_gb18030_csv_from_chinese_excel(world, sheet):
    report = import_file(
        actor=world.community_worker,
        kind="residents",
        file=f.csv_bytes(sheet["rows"], encoding="gb18030"),
        filename="居民.csv",
    )
    assert report.counts["created"] == 3
    assert Resident.objects.filter(name="刘淑芬").exists()


def test_changed_cells_update_the_resident_and_history(world, sheet):
    import_file(
        actor=world.community_worker, kind="residents", file=f.csv_bytes(sheet["rows"]), filename="v1.csv"
    )
    rows = [list(r) for r in sheet["rows"]]
    rows[1][3] = "13700009999"
    rows[1][12] = "独居老人"
    rows[8][11] = "迁出"
    report = import_file(
        actor=world.community_worker, kind="residents", file=f.csv_bytes(rows), filename="v2.csv"
    )
    assert report.counts["updated"] == 2 and report.counts["unchanged"] == 1
    updated = {r.row: r.fields for r in report.rows if r.status == "updated"}
    assert updated == {2: ["phone", "tags"], 9: ["status"]}
    head = Resident.objects.get(name="王建国")
    assert head.phone == "13700009999" and [t.name for t in head.tags.all()] == ["独居老人"]
    change = ChangeRecord.objects.filter(target_id=head.pk, action="update").get()
    assert change.changes == {
        "phone": {"changed": True},
        "tags": {"old": ["独居老人", "退役军人"], "new": ["独居老人"]},
    }
    assert change.source_ref == "v2.csv"
    assert Resident.objects.get(name="周杰").status == "moved_out"


def test_blank_cells_keep_stored_values(world, sheet):
    import_file(
        actor=world.community_worker, kind="residents", file=f.csv_bytes(sheet["rows"]), filename="v1.csv"
    )
    head_id = sheet["ids"][0]
    report = import_residents_rows(
        actor=world.community_worker, rows=[{"name": "王建国", "id_number": head_id}]
    )
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 1, "error": 0}


def test_column_mapping_overrides_headers(world, place):
    rows = [["居民姓名", "证件号码", "网格编码"], ["孙桂英", f.id_number(), world.grid_a.code]]
    missing = import_file(
        actor=world.community_worker, kind="residents", file=f.csv_bytes(rows), filename="a.csv"
    )
    assert not missing.ok and {r.row for r in missing.errors} == {1}
    assert "缺少必填列：姓名" in missing.errors[0].reason
    report = import_file(
        actor=world.community_worker,
        kind="residents",
        file=f.csv_bytes(rows),
        filename="a.csv",
        mapping={"姓名": "居民姓名", "id_number": "证件号码"},
    )
    assert report.counts["created"] == 1


def test_import_respects_permission(world, sheet):
    with pytest.raises(PermissionDenied):
        import_file(
            actor=world.grid_worker_a, kind="residents", file=f.csv_bytes(sheet["rows"]), filename="a.csv"
        )
    assert Resident.objects.count() == 0


def test_resident_registered_elsewhere_is_not_taken_over(world, place):
    number = f.id_number()
    f.resident(grid=world.grid_c, name="马国华", id_number=number)
    rows = [[*HEADER[:3], "网格编码"], ["马国华", "", number, world.grid_a.code]]
    report = import_file(
        actor=world.community_worker, kind="residents", file=f.csv_bytes(rows), filename="a.csv"
    )
    assert "登记在您管辖范围以外" in report.errors[0].reason
    assert Resident.objects.get(name="马国华").grid == world.grid_c


def test_unreadable_file_is_reported_as_row_one(world):
    report = import_file(
        actor=world.community_worker,
        kind="residents",
        file=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        filename="old.xls",
    )
    assert [r.row for r in report.errors] == [1]


def test_house_import_upserts_on_building_unit_room(world, place):
    rows = [
        ["楼栋编码", "单元", "房号", "用途(自住/出租/空置/商用)", "面积"],
        ["XFL01", "1", "101", "出租", "89.5"],
        ["XFL01", "2", "201", "自住", "102"],
        ["XFL01", "2", "201", "空置", ""],
        ["ZH01", "1", "101", "自住", ""],
        ["NOPE", "1", "101", "自住", ""],
        ["XFL01", "3", "301", "仓库", "-5"],
    ]
    report = import_file(
        actor=world.community_worker, kind="houses", file=f.csv_bytes(rows), filename="房屋.csv"
    )
    assert {r.row: r.status for r in report.rows} == {
        2: "updated",
        3: "created",
        4: "error",
        5: "error",
        6: "error",
        7: "error",
    }
    reasons = _reasons(report)
    assert "与第3行相同" in reasons[4]
    assert "不在您的管辖范围内" in reasons[5]
    assert "楼栋“NOPE”不存在" in reasons[6]
    assert "房屋用途" in reasons[7] and "面积" in reasons[7]
    new = House.objects.get(building=place, unit="2", room="201")
    assert new.grid == world.grid_a and new.region_path == world.grid_a.path
    assert House.objects.get(building=place, unit="1", room="101").use == "rented"
    before = (House.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count())
    again = import_file(
        actor=world.community_worker, kind="houses", file=f.csv_bytes(rows), filename="房屋.csv"
    )
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "error": 4}
    assert (House.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count()) == before


def test_organisation_import_keys_on_credit_code_or_name_and_grid(world, place):
    code = f.credit_code()
    rows = [
        [
            "名称",
            "类型(企业/社会组织/驻地单位/商户)",
            "统一社会信用代码",
            "法定代表人",
            "联系电话",
            "地址",
            "楼栋编码",
            "网格编码",
        ],
        [
            "向阳区幸福里便民超市有限公司",
            "企业",
            code,
            "钱卫东",
            "010-65001234",
            "幸福里1号楼底商",
            "XFL01",
            "",
        ],
        ["幸福里社区老年协会", "社会组织", "", "孙玉兰", "13811112222", "", "", world.grid_a.code],
        [
            "老王早点铺",
            "商户",
            code[:17] + ("0" if code[17] != "0" else "1"),
            "",
            "",
            "",
            "",
            world.grid_a.code,
        ],
        ["朝晖小学", "驻地单位", "", "", "", "", "", world.grid_c.code],
        ["幸福里社区老年协会", "社会组织", "", "", "", "", "", world.grid_a.code],
    ]
    report = import_file(
        actor=world.community_worker, kind="organisations", file=f.csv_bytes(rows), filename="组织.csv"
    )
    assert {r.row: r.status for r in report.rows} == {
        2: "created",
        3: "created",
        4: "error",
        5: "error",
        6: "error",
    }
    reasons = _reasons(report)
    assert "统一社会信用代码校验位不正确" in reasons[4]
    assert "不在您的管辖范围内" in reasons[5]
    assert "与第3行相同" in reasons[6]
    shop = Organisation.objects.get(credit_code=code)
    assert shop.grid == world.grid_a and shop.contact_phone == "010-65001234" and shop.kind == "enterprise"
    before = (Organisation.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count())
    again = import_file(
        actor=world.community_worker, kind="organisations", file=f.csv_bytes(rows), filename="组织.csv"
    )
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "error": 3}
    assert (Organisation.objects.count(), ChangeRecord.objects.count(), AuditEvent.objects.count()) == before


def test_command_prints_report_and_fails_on_errors(world, sheet, tmp_path, capsys):
    path = tmp_path / "居民.csv"
    path.write_bytes(f.csv_bytes(sheet["rows"]))
    with pytest.raises(SystemExit) as exc:
        call_command("people", "import", "residents", str(path), "--dry-run", "--as", "community")
    assert exc.value.code == 1
    out = capsys.readouterr()
    assert "第4行" in out.err and "身份证号码校验位不正确" in out.err
    assert "created 3" in out.out
    assert Resident.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_bytes(f.csv_bytes(sheet["rows"][:3]))
    call_command("people", "import", "residents", str(good), "--map", "身份证号=身份证号")
    assert Resident.objects.count() == 2


def test_import_page_shows_validation_report(client, world, sheet):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.community_worker, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    assert client.get("/people/import/").status_code == 200
    upload = SimpleUploadedFile("幸福里居民.csv", f.csv_bytes(sheet["rows"]), content_type="text/csv")
    response = client.post("/people/import/", {"kind": "residents", "file": upload, "dry_run": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "校验结果（未保存任何数据）" in page
    for text in EXPECTED_ERRORS.values():
        assert text in page
    assert Resident.objects.count() == 0
    client.force_login(world.grid_worker_a, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    assert client.get("/people/import/").status_code == 403
