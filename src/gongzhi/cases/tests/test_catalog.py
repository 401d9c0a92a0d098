"""事项分类: the default tree, Excel/CSV imports (idempotent, row-numbered problems) and audited edits."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.default_categories import count_nodes
from gongzhi.cases.models import Category
from gongzhi.cases.policy import DeadlinePlan, deadline_plan
from gongzhi.cases.services.catalog import import_categories, install_default_categories, update_category
from gongzhi.core.errors import PermissionDenied, ValidationFailed

TIPDM_TAXONOMY = Path("/work/shared/data/tipdm2020/taxonomy.csv")


def _csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["一级分类", "二级分类", "三级分类"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[str | None]], header=("一级分类", "二级分类", "三级分类", "关键词")) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "分类.xlsx"
    return out


# --- default tree ---------------------------------------------------------------------------------------


def test_default_tree_has_three_levels_of_urban_categories(world):
    report = install_default_categories(actor=world.admin)

    assert report.ok
    level1, level2, level3 = count_nodes()
    assert (level1, level2, level3) == (17, 59, 151)
    assert report.created_by_level == {1: level1, 2: level2, 3: level3}
    assert Category.objects.filter(level=1).count() == level1
    assert Category.objects.filter(level=3).count() == level3
    stall = Category.objects.get(full_name="市容环境/占道经营/流动摊贩")
    assert stall.level == 3
    assert stall.parent.name == "占道经营" and stall.parent.parent.name == "市容环境"
    assert "摆摊" in stall.keywords.split()
    # codes are sequence numbers: the first level-1 node is 01, its first child 0101, and so on
    assert stall.code == "010101"
    assert stall.path == "01/0101/010101/"
    assert Category.objects.get(full_name="噪音扰民/施工噪音/夜间施工").code == "030101"


def test_default_tree_sets_short_deadlines_for_heating_and_gas(world):
    install_default_categories(actor=world.admin)

    gas_leak = Category.objects.get(full_name="燃气/燃气安全/燃气泄漏")
    heating = Category.objects.get(full_name="供暖/供暖温度/局部不热")
    stall = Category.objects.get(full_name="市容环境/占道经营/流动摊贩")
    wages = Category.objects.get(full_name="劳动保障/欠薪/农民工欠薪")

    assert deadline_plan(category=gas_leak, rule=None, urgency="normal") == DeadlinePlan(1, 1, 1)
    # 局部不热 inherits from 供暖 (level 1): 1 h to sign, 4 h to call back, 2 working days
    assert deadline_plan(category=heating, rule=None, urgency="normal") == DeadlinePlan(1, 4, 2)
    assert deadline_plan(category=stall, rule=None, urgency="normal") == DeadlinePlan(2, 24, 5)
    assert deadline_plan(category=wages, rule=None, urgency="normal").resolve_days == 10


def test_installing_twice_changes_nothing_and_writes_one_audit_event(world, django_assert_max_num_queries):
    install_default_categories(actor=world.admin)
    snapshot = list(Category.objects.order_by("pk").values_list("pk", "code", "path", "full_name"))

    with django_assert_max_num_queries(8):
        again = install_default_categories(actor=world.admin)

    assert again.ok and again.created == [] and again.existing == sum(count_nodes())
    assert list(Category.objects.order_by("pk").values_list("pk", "code", "path", "full_name")) == snapshot
    assert AuditEvent.objects.filter(action="cases.import_categories").count() == 1


def test_install_keeps_an_administrators_edits(world):
    install_default_categories(actor=world.admin)
    heating = Category.objects.get(full_name="供暖")
    update_category(actor=world.admin, category=heating, resolve_days=3)

    install_default_categories(actor=world.admin)

    heating.refresh_from_db()
    assert heating.resolve_days == 3


def test_only_catalog_managers_install_categories(world):
    with pytest.raises(PermissionDenied):
        install_default_categories(actor=world.dispatcher)
    assert not Category.objects.exists()


# --- import -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not TIPDM_TAXONOMY.exists(), reason="TipDM 2020 taxonomy not available on this machine")
def test_imports_a_real_city_taxonomy_and_reimport_changes_nothing(world):
    report = import_categories(actor=world.admin, file_or_rows=TIPDM_TAXONOMY)

    assert report.ok, report.errors
    # 15 / 103 / 390 distinct names per level; names such as 其他 recur under several parents, so the
    # tree has 15 / 118 / 517 nodes (every file row is one leaf).
    assert report.created_by_level == {1: 15, 2: 118, 3: 517}
    assert Category.objects.filter(level=2).values("name").distinct().count() == 103
    assert Category.objects.filter(level=3).values("name").distinct().count() == 390
    leaf = Category.objects.get(full_name="城乡建设/城市建设和市政管理/燃气供应")
    assert leaf.level == 3 and leaf.path.startswith(leaf.parent.path) and leaf.path.endswith(f"{leaf.code}/")
    assert leaf.parent.full_name == "城乡建设/城市建设和市政管理"
    snapshot = list(Category.objects.order_by("pk").values_list("pk", "code", "path", "full_name"))

    again = import_categories(actor=world.admin, file_or_rows=TIPDM_TAXONOMY)

    assert again.ok and again.created == [] and again.existing == 517
    assert list(Category.objects.order_by("pk").values_list("pk", "code", "path", "full_name")) == snapshot
    assert AuditEvent.objects.filter(action="cases.import_categories").count() == 1


def test_import_reports_blank_cells_by_row_and_writes_nothing(world):
    data = _csv_bytes(
        [
            ["城乡建设", "住房保障", "保障性住房"],
            ["城乡建设", "", "物业纠纷"],
            ["劳动和社会保障", "劳动报酬", ""],
            ["", "", ""],  # an empty line is ignored, not an error
            ["交通运输", "公交/地铁", "线路调整"],
        ]
    )

    report = import_categories(actor=world.admin, file_or_rows=io.BytesIO(data))

    assert not report.ok
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "二级分类", "blank_cell"),
        (4, "三级分类", "blank_cell"),
        (6, "二级分类", "bad_character"),
    ]
    assert all(str(e.row) in e.message for e in report.errors)
    assert report.created == [] and not Category.objects.exists()


def test_import_skips_repeated_rows_and_names_the_first_one(world):
    data = _csv_bytes(
        [
            ["城乡建设", "住房保障", "保障性住房"],
            ["城乡建设", "住房保障", "物业纠纷"],
            [" 城乡建设 ", "住房保障", "保障性住房\u3000"],  # the same row with stray spaces
        ],
        encoding="gb18030",
    )  # Excel on Chinese Windows saves CSV in GBK

    report = import_categories(actor=world.admin, file_or_rows=io.BytesIO(data))

    assert report.ok
    assert [(s.row, s.code) for s in report.skipped] == [(4, "duplicate_row")]
    assert "2" in report.skipped[0].message
    assert sorted(report.created) == [
        "城乡建设",
        "城乡建设/住房保障",
        "城乡建设/住房保障/保障性住房",
        "城乡建设/住房保障/物业纠纷",
    ]


def test_dry_run_reports_what_would_be_created_without_writing(world):
    stream = _xlsx(
        [["环境保护", "环境污染", "噪音污染", "噪音 扰民"], ["环境保护", "环境污染", "大气污染", None]]
    )

    report = import_categories(actor=world.admin, file_or_rows=stream, dry_run=True)

    assert report.ok and report.dry_run
    assert report.created_by_level == {1: 1, 2: 1, 3: 2}
    assert not Category.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.import_categories").exists()


def test_excel_import_adds_to_the_default_tree_with_following_codes(world):
    install_default_categories(actor=world.admin)
    stream = _xlsx(
        [
            ["噪音扰民", "施工噪音", "高考期间施工", "高考 考试期间 中考"],
            ["噪音扰民", "施工噪音", "夜间施工", None],  # exists already
            ["农村事务", "宅基地", "宅基地纠纷", None],
        ]
    )

    report = import_categories(actor=world.admin, file_or_rows=stream)

    assert report.ok and report.existing == 1
    assert report.created_by_level == {1: 1, 2: 1, 3: 2}
    exam = Category.objects.get(full_name="噪音扰民/施工噪音/高考期间施工")
    assert exam.code == "030104"  # after 夜间施工 (030101), 装修噪音, 道路施工噪音
    assert exam.keywords == "高考 考试期间 中考"
    rural = Category.objects.get(full_name="农村事务")
    assert rural.code == "18" and rural.path == "18/"
    assert Category.objects.get(full_name="农村事务/宅基地/宅基地纠纷").path == "18/1801/180101/"


def test_import_rejects_a_file_without_the_three_columns(world):
    stream = io.BytesIO("分类,子类\n城乡建设,住房\n".encode())

    report = import_categories(actor=world.admin, file_or_rows=stream)

    assert [(e.row, e.code) for e in report.errors] == [(1, "missing_columns")]


def test_import_of_rows_in_memory(world):
    rows = [{"一级分类": "教育文体", "二级分类": "学前教育", "三级分类": "幼儿园收费"}]

    report = import_categories(actor=world.admin, file_or_rows=rows)

    assert report.ok and report.created_by_level == {1: 1, 2: 1, 3: 1}


# --- edits ----------------------------------------------------------------------------------------------


def test_category_edit_is_audited_with_old_and_new_values(world):
    install_default_categories(actor=world.admin)
    gas = Category.objects.get(full_name="燃气")

    update_category(actor=world.admin, category=gas, resolve_days=2, keywords="燃气，煤气、天然气 燃气")

    gas.refresh_from_db()
    assert gas.resolve_days == 2 and gas.keywords == "燃气 煤气 天然气"
    event = AuditEvent.objects.filter(action="cases.update_category").get()
    assert event.target_id == str(gas.pk)
    assert event.data["old"] == {"keywords": "", "resolve_days": 1}
    assert event.data["new"] == {"keywords": "燃气 煤气 天然气", "resolve_days": 2}

    update_category(actor=world.admin, category=gas, resolve_days=2)  # already so: no second event
    assert AuditEvent.objects.filter(action="cases.update_category").count() == 1


def test_deactivating_a_category_deactivates_its_subtree(world):
    install_default_categories(actor=world.admin)
    noise = Category.objects.get(full_name="噪音扰民")

    update_category(actor=world.admin, category=noise, is_active=False)

    assert not Category.objects.filter(path__startswith=noise.path, is_active=True).exists()
    night = Category.objects.get(full_name="噪音扰民/施工噪音/夜间施工")
    with pytest.raises(ValidationFailed) as caught:
        update_category(actor=world.admin, category=night, is_active=True)
    assert "is_active" in caught.value.fields


def test_category_deadlines_must_be_sensible(world):
    install_default_categories(actor=world.admin)
    gas = Category.objects.get(full_name="燃气")

    with pytest.raises(ValidationFailed) as caught:
        update_category(actor=world.admin, category=gas, sign_hours=0, resolve_days=400)

    assert set(caught.value.fields) == {"sign_hours", "resolve_days"}


def test_handlers_cannot_edit_categories(world):
    install_default_categories(actor=world.admin)
    with pytest.raises(PermissionDenied):
        update_category(actor=world.handler, category=Category.objects.get(full_name="燃气"), resolve_days=3)
