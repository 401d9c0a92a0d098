"""事项配置 pages: categories (tree, inline edit, import), duty list (history, region scope), calendar."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import CalendarDay, Category, DutyRule
from gongzhi.cases.services.catalog import create_duty_rule, seed_calendar_year
from gongzhi.cases.tests import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
HTMX = {"HX-Request": "true"}
TAXONOMY = Path("/work/shared/data/tipdm2020/taxonomy.csv")


def login(client, user) -> None:
    client.force_login(user, backend=BACKEND)


@pytest.fixture
def tree(world):
    return f.categories(world)


@pytest.fixture
def street_admin(world):
    return f.catalog_admin(world)  # 吴晓梅, cases.manage_catalog over 向阳街道


def _rule(world, category, region=None, department=None):
    return create_duty_rule(
        actor=world.admin, category=category, lead_department=department or world.chengguan, region=region
    )


# --- who may open the pages ------------------------------------------------------------------------------

PAGES = ["cases:catalog_categories", "cases:catalog_duty_rules", "cases:catalog_calendar"]


@pytest.mark.parametrize("name", PAGES)
def test_catalog_pages_render_for_the_administrator(world, client, tree, name):
    login(client, world.admin)
    response = client.get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="catalog-subnav"' in page
    for other in PAGES:
        assert reverse(other) in page


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["handler", "dispatcher", "district_leader"])
def test_catalog_pages_are_forbidden_without_the_permission(world, client, tree, name, persona):
    login(client, getattr(world, persona))
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db, client):
    response = client.get(reverse("cases:catalog_categories"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_navigation_shows_case_settings_to_catalog_managers_only(world, client, street_admin):
    url = reverse("cases:catalog")
    for user, sees in ((world.admin, True), (street_admin, True), (world.dispatcher, False)):
        client.force_login(user, backend=BACKEND)
        items = client.get(reverse("core:home")).context["nav_items"]
        assert (url in [i["url"] for i in items]) is sees
    login(client, world.admin)
    items = client.get(reverse("cases:catalog_calendar")).context["nav_items"]
    assert [str(i["label"]) for i in items if i["active"]] == ["事项配置"]


# --- categories ------------------------------------------------------------------------------------------


def test_tree_shows_codes_keywords_and_inherited_limits(world, client, tree):
    from gongzhi.cases.services.catalog import update_category

    branch = tree["占道经营"].parent  # 市容环境
    update_category(actor=world.admin, category=branch, resolve_days=3)
    update_category(actor=world.admin, category=tree["占道经营"], keywords="摆摊 流动摊贩", sign_hours=1)
    login(client, world.admin)

    page = client.get(reverse("cases:catalog_categories")).content.decode()

    row = page[page.index(f'id="category-{tree["占道经营"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert tree["占道经营"].code in row and "流动摊贩" in row
    assert re.search(r'<td class="num">\s*1\s*</td>', row)  # own sign limit, not marked inherited
    assert "继承自市容环境" in row  # resolve days come from the parent
    assert "默认" in row  # contact hours: platform default


def test_editing_a_category_inline_returns_the_row_and_changes_new_cases(world, client, tree):
    login(client, world.admin)
    noise = tree["占道经营"]
    url = reverse("cases:catalog_category_edit", args=[noise.pk])

    form = client.get(url, headers=HTMX)
    assert form.status_code == 200 and 'data-testid="category-form-row"' in form.content.decode()
    response = client.post(
        url,
        {
            "keywords": "占道 摆摊",
            "sign_hours": "1",
            "contact_hours": "",
            "resolve_days": "2",
            "is_active": "on",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert f'id="category-{noise.pk}"' in response.content.decode()
    assert response["HX-Trigger"] == "catalog-changed"
    noise.refresh_from_db()
    assert (noise.sign_hours, noise.resolve_days, noise.keywords) == (1, 2, "占道 摆摊")
    assert AuditEvent.objects.filter(action="cases.update_category", target_id=str(noise.pk)).exists()
    dispatched_at = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday
    with time_machine.travel(dispatched_at, tick=False):
        case = f.dispatched_case(world, category=noise)
    assert case.sign_due_at == dispatched_at + timedelta(hours=1)
    assert case.resolve_due_at.astimezone(SHANGHAI).date() == date(2026, 11, 25)  # 2 working days


def test_a_bad_limit_keeps_the_input_and_answers_422(world, client, tree):
    login(client, world.admin)
    url = reverse("cases:catalog_category_edit", args=[tree["供暖"].pk])

    response = client.post(url, {"keywords": "暖气不热", "sign_hours": "0", "is_active": "on"}, headers=HTMX)

    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="暖气不热"' in page and 'data-field-error="sign_hours"' in page
    assert Category.objects.get(pk=tree["供暖"].pk).keywords == ""


def test_category_edit_works_without_javascript(world, client, tree):
    login(client, world.admin)
    url = reverse("cases:catalog_category_edit", args=[tree["欠薪"].pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"keywords": "拖欠工资", "resolve_days": "10"})

    assert response.status_code == 302 and response["Location"].endswith(f"#category-{tree['欠薪'].pk}")
    assert Category.objects.get(pk=tree["欠薪"].pk).is_active is False  # the box was left unticked


def test_install_button_when_there_are_no_categories(world, client):
    login(client, world.admin)
    page = client.get(reverse("cases:catalog_categories")).content.decode()
    assert 'data-testid="install-defaults"' in page

    client.post(reverse("cases:catalog_categories"))

    assert Category.objects.filter(level=3).count() > 100
    assert (
        'data-testid="install-defaults"'
        not in client.get(reverse("cases:catalog_categories")).content.decode()
    )


@pytest.mark.skipif(not TAXONOMY.exists(), reason="the TipDM 2020 taxonomy is not on this machine")
def test_uploading_the_tipdm_taxonomy_imports_it(world, client):
    login(client, world.admin)
    upload = SimpleUploadedFile("taxonomy.csv", TAXONOMY.read_bytes(), content_type="text/csv")

    response = client.post(reverse("cases:catalog_category_import"), {"file": upload}, headers=HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert "导入完成" in page
    leaves = Category.objects.filter(level=3).count()
    assert leaves == 517
    assert f"新增分类：{Category.objects.count()} 个" in page
    assert AuditEvent.objects.filter(action="cases.import_categories").count() == 1


def test_a_broken_upload_changes_nothing_and_names_the_rows(world, client, tree):
    login(client, world.admin)
    before = Category.objects.count()
    data = (
        "一级分类,二级分类,三级分类\n城市管理,市容环境,共享单车乱停\n"
        "城市管理,,楼道堆物\n交通运输,道路/桥梁,井盖缺失\n"
    )
    upload = SimpleUploadedFile("分类.csv", data.encode("utf-8-sig"), content_type="text/csv")

    response = client.post(reverse("cases:catalog_category_import"), {"file": upload}, headers=HTMX)

    assert response.status_code == 422
    page = response.content.decode()
    assert "没有导入任何分类" in page
    assert "第 3 行：二级分类为空" in page and "第 4 行：二级分类不能包含斜杠" in page
    assert Category.objects.count() == before
    assert not AuditEvent.objects.filter(
        action="cases.import_categories", target_label="import: 分类.csv"
    ).exists()


def test_an_unreadable_file_is_refused_in_chinese(world, client):
    login(client, world.admin)
    upload = SimpleUploadedFile(
        "分类.xlsx", b"PK\x03\x04 not really a workbook", content_type="application/zip"
    )

    response = client.post(reverse("cases:catalog_category_import"), {"file": upload})

    assert response.status_code == 422
    assert "无法读取该文件" in response.content.decode()
    assert not Category.objects.exists()


def test_a_street_catalog_admin_reads_the_tree_but_cannot_edit_it(world, client, tree, street_admin):
    login(client, street_admin)
    page = client.get(reverse("cases:catalog_categories")).content.decode()
    assert (
        "占道经营" in page and reverse("cases:catalog_category_edit", args=[tree["占道经营"].pk]) not in page
    )

    response = client.post(
        reverse("cases:catalog_category_edit", args=[tree["占道经营"].pk]), {"sign_hours": "1"}
    )

    assert response.status_code == 403
    assert Category.objects.get(pk=tree["占道经营"].pk).sign_hours is None


# --- duty list -------------------------------------------------------------------------------------------


def test_creating_editing_and_retiring_a_rule_through_the_page_keeps_its_history(world, client, tree):
    login(client, world.admin)
    response = client.post(
        reverse("cases:catalog_duty_rules"),
        {
            "category": tree["餐饮油烟"].pk,
            "region": world.street.pk,
            "lead_department": world.chengguan.pk,
            "assisting": [world.zhujian.pk],
            "sign_hours": "2",
            "auto_dispatch": "on",
            "note": "向阳街道餐饮集中",
        },
    )
    assert response.status_code == 302
    rule = DutyRule.objects.get(category=tree["餐饮油烟"], is_active=True)
    assert rule.region == world.street and list(rule.assisting_departments.all()) == [world.zhujian]

    response = client.post(
        reverse("cases:catalog_duty_rule_edit", args=[rule.pk]),
        {
            "lead_department": world.zhujian.pk,
            "sign_hours": "1",
            "resolve_days": "3",
            "note": "向阳街道餐饮集中",
            "reason": "区里调整职责分工",
        },
    )
    assert response.status_code == 302
    successor = DutyRule.objects.get(category=tree["餐饮油烟"], is_active=True)
    assert successor.lead_department == world.zhujian and successor.auto_dispatch is False

    client.post(
        reverse("cases:catalog_duty_rule_deactivate", args=[successor.pk]), {"reason": "并入全区规则"}
    )

    assert not DutyRule.objects.filter(category=tree["餐饮油烟"], is_active=True).exists()
    actions = list(
        AuditEvent.objects.filter(target_type="cases.dutyrule")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["cases.create_duty_rule", "cases.update_duty_rule", "cases.deactivate_duty_rule"]
    history = client.get(reverse("cases:catalog_duty_rule_history", args=[rule.pk])).content.decode()
    assert history.count('data-testid="history-entry"') == 3
    assert "区里调整职责分工" in history and "并入全区规则" in history
    assert "主办部门：城管 → 住建" in history
    assert "系统管理员" in history


def test_retiring_a_rule_needs_a_reason(world, client, tree):
    rule = _rule(world, tree["垃圾清运"])
    login(client, world.admin)

    response = client.post(reverse("cases:catalog_duty_rule_deactivate", args=[rule.pk]), {"reason": ""})

    assert response.status_code == 422
    assert 'data-field-error="reason"' in response.content.decode()
    assert DutyRule.objects.get(pk=rule.pk).is_active


def test_a_duplicate_rule_is_refused_next_to_the_field(world, client, tree):
    _rule(world, tree["欠薪"])
    login(client, world.admin)

    response = client.post(
        reverse("cases:catalog_duty_rules"),
        {"category": tree["欠薪"].pk, "lead_department": world.zhujian.pk},
    )

    assert response.status_code == 422
    assert "该分类在此区域已有职责清单条目" in response.content.decode()


def test_rules_filter_by_category_and_department(world, client, tree):
    _rule(world, tree["占道经营"])
    _rule(world, tree["供暖"], department=world.zhujian)
    login(client, world.admin)
    url = reverse("cases:catalog_duty_rules")

    by_department = client.get(url, {"department": world.zhujian.pk}).content.decode()
    by_category = client.get(url, {"category": tree["占道经营"].parent.parent.pk}).content.decode()

    assert by_department.count('data-testid="rule-row"') == 1 and "城乡建设/房屋管理/供暖" in by_department
    assert by_category.count('data-testid="rule-row"') == 1 and "城市管理/市容环境/占道经营" in by_category


def test_a_street_catalog_admin_sees_and_edits_only_their_street(world, client, tree, street_admin):
    ours = _rule(world, tree["噪音扰民"], region=world.community)
    theirs = _rule(world, tree["噪音扰民"], region=world.other_street)
    districtwide = _rule(world, tree["垃圾清运"])
    login(client, street_admin)

    page = client.get(reverse("cases:catalog_duty_rules")).content.decode()
    assert f'id="rule-{ours.pk}"' in page
    assert f'id="rule-{theirs.pk}"' not in page and f'id="rule-{districtwide.pk}"' not in page
    for rule in (theirs, districtwide):
        assert client.get(reverse("cases:catalog_duty_rule_edit", args=[rule.pk])).status_code == 404
        assert client.get(reverse("cases:catalog_duty_rule_history", args=[rule.pk])).status_code == 404
        response = client.post(
            reverse("cases:catalog_duty_rule_deactivate", args=[rule.pk]), {"reason": "试试"}
        )
        assert response.status_code == 404
        assert DutyRule.objects.get(pk=rule.pk).is_active
    # the neighbour's street is not offered, and a forged choice is refused
    response = client.post(
        reverse("cases:catalog_duty_rules"),
        {"category": tree["供暖"].pk, "region": world.other_street.pk, "lead_department": world.zhujian.pk},
    )
    assert response.status_code == 422
    assert not DutyRule.objects.filter(category=tree["供暖"]).exists()
    # their own street works
    response = client.post(
        reverse("cases:catalog_duty_rule_edit", args=[ours.pk]),
        {"lead_department": world.zhujian.pk, "auto_dispatch": "on", "reason": "街道调整"},
    )
    assert response.status_code == 302
    assert (
        DutyRule.objects.get(
            category=tree["噪音扰民"], region=world.community, is_active=True
        ).lead_department
        == world.zhujian
    )


def test_duty_list_query_count_does_not_grow_with_rules(world, client, tree, django_assert_max_num_queries):
    from gongzhi.cases.services.catalog import install_default_categories

    install_default_categories(actor=world.admin)
    for category in Category.objects.filter(level=3).order_by("path")[:24]:
        rule = _rule(world, category)
        rule.assisting_departments.set([world.zhujian])
    login(client, world.admin)
    client.get(reverse("cases:catalog_duty_rules"))  # warm caches (scope, permissions)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("cases:catalog_duty_rules"))
    assert response.content.decode().count('data-testid="rule-row"') == 24


# --- calendar --------------------------------------------------------------------------------------------


def test_calendar_lists_the_year_and_seeds_it(world, client):
    login(client, world.admin)
    url = reverse("cases:catalog_calendar")
    assert 'data-testid="calendar-row"' not in client.get(url, {"year": 2026}).content.decode()

    response = client.post(reverse("cases:catalog_calendar_seed"), {"year": "2026"})

    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    page = client.get(url, {"year": 2026}).content.decode()
    assert page.count('data-testid="calendar-row"') == 25
    assert "2026-10-10" in page and "调休上班" in page


def test_seeding_a_year_outside_the_calendar_changes_nothing(world, client):
    """A forged or mistyped year is refused; it does not quietly load the current year instead."""
    login(client, world.admin)
    for year in ("1990", "2101", "abc", ""):
        response = client.post(reverse("cases:catalog_calendar_seed"), {"year": year}, follow=True)
        assert response.status_code == 200
        assert "只能录入 2004 年至 2100 年的节假日。" in response.content.decode(), year
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.seed_calendar").exists()


def test_calendar_names_the_source_of_each_day_in_chinese(world, client):
    """A year the State Council has not announced yet is marked provisional, in Chinese, not as a notice."""
    seed_calendar_year(actor=world.admin, year=2099)
    login(client, world.admin)
    client.post(reverse("cases:catalog_calendar"), {"date": "2099-12-31", "kind": "holiday"})

    page = client.get(reverse("cases:catalog_calendar"), {"year": 2099}).content.decode()

    assert "provisional" not in page and "manual:" not in page
    assert "暂定：只含法定假日" in page and "节假日数据" not in page
    assert "手工设定（" in page


def test_calendar_set_and_clear_a_day_and_reseed(world, client, django_capture_on_commit_callbacks):
    from gongzhi.cases.policy import work_calendar

    seed_calendar_year(actor=world.admin, year=2026)
    login(client, world.admin)
    url = reverse("cases:catalog_calendar")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"date": "2026-12-31", "kind": "holiday", "name": "跨年调整"})
        client.post(
            url, {"date": "2026-10-07", "kind": "normal", "name": "国庆值守"}
        )  # clear a seeded holiday
        client.post(reverse("cases:catalog_calendar_seed"), {"year": "2026"})

    assert CalendarDay.objects.get(date=date(2026, 12, 31)).kind == "holiday"
    assert CalendarDay.objects.get(date=date(2026, 10, 7)).kind == "normal"
    cal = work_calendar()
    assert cal.is_working_day(date(2026, 10, 7)) and not cal.is_working_day(date(2026, 12, 31))
    page = client.get(url, {"year": 2026}).content.decode()
    assert "正常（手工设定）" in page and "手工设定" in page


def test_a_weekday_cannot_be_made_a_make_up_day_on_the_page(world, client):
    login(client, world.admin)

    response = client.post(
        reverse("cases:catalog_calendar"), {"date": "2026-11-18", "kind": "makeup_workday"}
    )

    assert response.status_code == 422
    assert "只有周六或周日可以设为调休上班日" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_street_catalog_admin_cannot_change_the_calendar(world, client, street_admin):
    login(client, street_admin)
    assert client.get(reverse("cases:catalog_calendar")).status_code == 200

    assert (
        client.post(reverse("cases:catalog_calendar"), {"date": "2026-12-31", "kind": "holiday"}).status_code
        == 403
    )
    assert client.post(reverse("cases:catalog_calendar_seed"), {"year": "2026"}).status_code == 403
    assert not CalendarDay.objects.exists()
