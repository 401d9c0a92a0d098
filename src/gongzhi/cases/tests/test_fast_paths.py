"""The fast paths of issue 3 keep their behaviour: auto-dispatch at intake, case numbers, category filter."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.models import AuditEvent
from gongzhi.audit.services import verify_chain
from gongzhi.cases.choices import AssignmentRole, CaseStatus
from gongzhi.cases.models import CaseAssignment, CaseNumberSequence, Category
from gongzhi.cases.selectors import cases_visible_to, category_subtree_ids, filter_cases
from gongzhi.cases.services import submit_case
from gongzhi.cases.services.catalog import create_duty_rule
from gongzhi.cases.services.intake import next_case_number
from gongzhi.cases.tests import factories as f

#: Queries of an auto-dispatched hotline submission (case, 3 steps, 2 assignments, 3 audit events, notices):
#: 32 here (40 before the case row was updated once and notices skipped their look-up, about 70 before
#: issue 3). Raise it only with a reason.
SUBMIT_AND_DISPATCH_BUDGET = 34


def _hotline(world, **overrides) -> dict:
    lon, lat = f.POINTS["a"]
    kwargs = f.CaseInputFactory(
        title="幸福里小区门口占道经营",
        description="小区南门每天早上都有十几个菜摊把人行道占满，老人推着轮椅过不去。",
        address="幸福里小区南门",
        lon=lon,
        lat=lat,
    )
    kwargs.update(overrides)
    return kwargs


def test_auto_dispatch_keeps_steps_assignments_and_audit(world, django_capture_on_commit_callbacks):
    cats = f.categories(world)
    create_duty_rule(
        actor=world.admin,
        category=cats["占道经营"].parent,  # a rule on the level-2 category covers its leaves
        lead_department=world.chengguan,
        assisting=[world.zhujian],
    )
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        case = submit_case(actor=world.dispatcher, category=cats["占道经营"], **_hotline(world))

    assert len(queries.captured_queries) <= SUBMIT_AND_DISPATCH_BUDGET, len(queries.captured_queries)
    case.refresh_from_db()
    # one UPDATE of the new row (accepted and dispatched in one move), the timeline still shows both steps
    assert case.status == CaseStatus.PENDING_SIGN and case.version == 2
    assert case.department_id == world.chengguan.pk and case.warn_at is not None
    assert case.accepted_at is not None and case.dispatched_at is not None
    steps = [(s.action, s.from_status, s.to_status) for s in case.steps.order_by("at", "pk")]
    assert steps == [
        ("submit", "", CaseStatus.PENDING_ACCEPT),
        ("accept", CaseStatus.PENDING_ACCEPT, CaseStatus.PENDING_DISPATCH),
        ("dispatch", CaseStatus.PENDING_DISPATCH, CaseStatus.PENDING_SIGN),
    ]
    parts = CaseAssignment.objects.filter(case=case, is_active=True).order_by("role")
    assert [(a.department_id, a.role) for a in parts] == [
        (world.zhujian.pk, AssignmentRole.ASSIST),
        (world.chengguan.pk, AssignmentRole.LEAD),
    ]
    actions = list(
        AuditEvent.objects.filter(target_id=str(case.pk), target_type="cases.case")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["cases.submit", "cases.accept", "cases.dispatch"]
    assert verify_chain().ok


def test_case_numbers_start_at_one_and_count_up_per_day(db):
    assert next_case_number(day=date(2026, 10, 1)) == "GZ202610010001"
    assert next_case_number(day=date(2026, 10, 1)) == "GZ202610010002"
    assert next_case_number(day=date(2026, 10, 8)) == "GZ202610080001"
    assert CaseNumberSequence.objects.get(day=date(2026, 10, 1)).last == 2


def test_category_filter_takes_the_whole_subtree(world):
    cats = f.categories(world)
    stall = submit_case(actor=world.dispatcher, category=cats["占道经营"], **_hotline(world))
    fumes = submit_case(
        actor=world.dispatcher,
        category=cats["餐饮油烟"],
        **_hotline(world, title="楼下饭店油烟熏人", description="一楼烧烤店的油烟直接排到楼上窗户里。"),
    )
    wages = submit_case(
        actor=world.dispatcher,
        category=cats["欠薪"],
        **_hotline(world, title="装修公司拖欠工资", description="干了三个月活，老板一直拖着不发工资。"),
    )
    level1 = Category.objects.get(name="城市管理", level=1)
    ids = category_subtree_ids(level1)
    assert cats["占道经营"].pk in ids and cats["餐饮油烟"].pk in ids and cats["欠薪"].pk not in ids

    visible = cases_visible_to(world.dispatcher)
    assert set(filter_cases(visible, category=level1)) == {stall, fumes}
    assert list(filter_cases(visible, category=cats["欠薪"].pk)) == [wages]
    assert set(filter_cases(visible, category=cats["餐饮油烟"].parent)) == {stall, fumes}  # 市容环境
    assert list(filter_cases(visible, category=cats["欠薪"].parent)) == [wages]  # 劳动关系
