"""HTML + HTMX interface of the cases app: the persona matrix, two renderings, forms that keep input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case, Notification
from gongzhi.cases.services import accept_case, resolve_case
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import PermissionDenied

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
HTMX = {"HX-Request": "true"}


def login(client, user) -> None:
    client.force_login(user, backend=BACKEND)


@pytest.fixture
def zhujian_handler(world):
    return f.staff(world, "zj_handler", "department_handler", department=world.zhujian, name="吴敏")


@pytest.fixture
def case_a(world):
    """A case in grid A dispatched to 城管, reported by the world's resident."""
    return f.dispatched_case(world)


# --- the persona matrix ----------------------------------------------------------------------------------

PAGES = [
    # (url name, args-from-case?, allowed persona, denied persona, denied status)
    ("cases:report", False, "resident", None, None),
    ("cases:mine", False, "resident", None, None),
    ("cases:proxy", False, "dispatcher", "resident", 403),
    ("cases:workbench", False, "dispatcher", "handler", 403),
    ("cases:inbox", False, "handler", "dispatcher", 403),
    ("cases:board", False, "district_leader", "dispatcher", 403),
    ("cases:notifications", False, "resident", None, None),
    ("cases:detail", "pk", "dispatcher", "grid_worker_b", 404),
    ("cases:progress", "number", "resident", "grid_worker_b", 404),
]


def _url(name, arg, case):
    if arg == "pk":
        return reverse(name, args=[case.pk])
    if arg == "number":
        return reverse(name, args=[case.number])
    return reverse(name)


@pytest.mark.parametrize(("name", "arg", "allowed", "denied", "status"), PAGES)
def test_page_renders_for_allowed_persona(world, client, case_a, name, arg, allowed, denied, status):
    login(client, getattr(world, allowed))
    response = client.get(_url(name, arg, case_a))
    assert response.status_code == 200
    assert b"<html" in response.content


@pytest.mark.parametrize(
    ("name", "arg", "allowed", "denied", "status"), [p for p in PAGES if p[3] is not None]
)
def test_page_denied_to_other_persona(world, client, case_a, name, arg, allowed, denied, status):
    login(client, getattr(world, denied))
    response = client.get(_url(name, arg, case_a))
    assert response.status_code == status


@pytest.mark.parametrize(("name", "arg"), [(p[0], p[1]) for p in PAGES])
def test_anonymous_is_sent_to_sign_in(world, client, case_a, name, arg):
    response = client.get(_url(name, arg, case_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_other_department_handler_gets_404_on_detail(world, client, case_a, zhujian_handler):
    login(client, zhujian_handler)
    hidden = client.get(reverse("cases:detail", args=[case_a.pk]))
    missing = client.get(reverse("cases:detail", args=[999999]))
    assert hidden.status_code == missing.status_code == 404


def test_public_lookup_needs_no_sign_in(world, client):
    case = f.submitted_case(world, reporter_phone="13912345678")
    response = client.get(reverse("cases:lookup"), {"number": case.number, "phone_tail": "5678"})
    assert response.status_code == 200
    assert case.title in response.content.decode()
    assert "13912345678" not in response.content.decode()
    wrong = client.get(reverse("cases:lookup"), {"number": case.number, "phone_tail": "0000"})
    assert wrong.status_code == 404
    assert case.title not in wrong.content.decode()


# --- one URL, two renderings -----------------------------------------------------------------------------


def test_workbench_full_page_and_htmx_fragment(world, client):
    case = f.submitted_case(world)
    login(client, world.dispatcher)
    page = client.get(reverse("cases:workbench"))
    fragment = client.get(reverse("cases:workbench"), headers=HTMX)
    assert b"<html" in page.content and b'id="workbench-list"' in page.content
    assert b"<html" not in fragment.content and b'id="workbench-list"' in fragment.content
    assert f'id="case-{case.pk}-row"'.encode() in fragment.content


def test_detail_shows_only_allowed_actions(world, client, case_a):
    login(client, world.handler)
    body = client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert f'id="case-{case_a.pk}-actions"' in body
    assert f'data-testid="form-sign-{case_a.pk}"' in body
    assert f'data-testid="form-dispatch-{case_a.pk}"' not in body  # a handler cannot dispatch
    login(client, world.dispatcher)
    body = client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert f'data-testid="form-sign-{case_a.pk}"' not in body  # only the lead department signs
    assert f'data-testid="form-reassign-{case_a.pk}"' in body


def test_detail_asks_to_check_a_place_the_registry_did_not_know(world, client, case_a):
    unknown = f.submitted_case(world, lon=None, lat=None, address="火星路1号")
    login(client, world.dispatcher)
    warning = "已暂归入受理人员所在区域"
    assert warning in client.get(reverse("cases:detail", args=[unknown.pk])).content.decode()
    assert warning not in client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()


# --- forms -----------------------------------------------------------------------------------------------


def test_report_form_error_returns_422_and_keeps_input(world, client):
    login(client, world.resident)
    description = "3号楼底商的烧烤店天天营业到凌晨两点，客人喝酒划拳声音特别大。"
    response = client.post(
        reverse("cases:report"), {"title": "吵", "description": description, "address": ""}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert description in body
    assert 'data-field-error="title"' in body and 'data-field-error="address"' in body
    assert not Case.objects.exists()


def test_report_form_submits_and_shows_progress(world, client):
    login(client, world.resident)
    form = client.get(reverse("cases:report")).context["form"]
    data = {
        "title": "楼下烧烤店深夜噪音扰民",
        "description": "3号楼底商的烧烤店天天营业到凌晨两点，客人喝酒划拳声音特别大，孩子没法睡觉。",
        "address": "幸福里小区3号楼底商",
        "lat": "39.905",
        "lng": "116.405",  # picked on the map: inside grid A
        "idempotency_key": form.initial["idempotency_key"],
    }
    response = client.post(reverse("cases:report"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:progress", args=[case.number]
    )
    assert case.channel == "mobile" and case.reporter_user == world.resident and case.grid == world.grid_a
    again = client.post(reverse("cases:report"), data)  # a double tap sends the same one-time key
    assert again.status_code == 302 and Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="cases.submit").count() == 1
    progress = client.get(response["Location"])
    assert progress.status_code == 200 and case.number in progress.content.decode()


def test_proxy_submission_records_staff_and_resident(world, client):
    login(client, world.dispatcher)
    form = client.get(reverse("cases:proxy")).context["form"]
    response = client.post(
        reverse("cases:proxy"),
        {
            "channel": "walk_in",
            "reporter_name": "王秀英",
            "reporter_phone": "13800138000",
            "resident_username": "resident",
            "title": "暖气不热室温只有14度",
            "description": "供暖一周了暖气片还是温的，家里有80多岁的老人，找物业说了好几次都没人上门。",
            "address": "幸福里第一网格 7号楼2单元501",
            "urgency": "normal",
            "idempotency_key": form.initial["idempotency_key"],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.submitted_by == world.dispatcher and case.reporter_user == world.resident
    assert case.channel == "walk_in"


def test_staff_follow_a_case_they_entered_outside_their_area_without_acting_on_it(world, client):
    login(client, world.dispatcher)  # a walk-in at this street's office about a place in the other street
    form = client.get(reverse("cases:proxy")).context["form"]
    lng, lat = f.POINTS["c"]
    response = client.post(
        reverse("cases:proxy"),
        {
            "channel": "walk_in",
            "reporter_name": "赵丽华",
            "reporter_phone": "13800138001",
            "title": "楼道堆放杂物",
            "description": "3号楼楼道里堆满了纸箱和旧家具，消防通道被堵，请尽快清理。",
            "address": "3号楼",
            "lng": lng,
            "lat": lat,
            "urgency": "normal",
            "idempotency_key": form.initial["idempotency_key"],
        },
    )
    case = Case.objects.get()
    assert case.grid_id == world.grid_c.pk and case.street_id == world.other_street.pk
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and case.number in detail.content.decode()
    assert 'data-testid="form-' not in detail.content.decode()  # no accept/reject: not this street's case
    assert case.number in client.get(reverse("cases:mine")).content.decode()
    assert client.get(reverse("cases:progress", args=[case.number])).status_code == 200
    assert case.number not in client.get(reverse("cases:workbench")).content.decode()
    with pytest.raises(PermissionDenied):
        accept_case(actor=world.dispatcher, case=case)
    login(client, world.grid_worker_b)  # someone else still gets the same "not found"
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_htmx_action_returns_fragment_and_trigger(world, client):
    case = f.submitted_case(world)
    login(client, world.dispatcher)
    response = client.post(
        reverse("cases:action", args=[case.pk, "dispatch"]),
        {
            "return_to": "workbench",
            f"dispatch-{case.pk}-department": world.chengguan.pk,
            f"dispatch-{case.pk}-expected_version": case.version,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "case-changed"
    assert f'id="case-{case.pk}-row"'.encode() in response.content and b"<html" not in response.content
    case.refresh_from_db()
    assert case.status == "pending_sign" and case.department == world.chengguan


def test_stale_action_returns_form_with_422(world, client, case_a):
    login(client, world.handler)
    response = client.post(
        reverse("cases:action", args=[case_a.pk, "sign"]),
        {"return_to": "panel", f"sign-{case_a.pk}-expected_version": case_a.version - 1},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert b'data-testid="action-error"' in response.content
    assert f'id="case-{case_a.pk}-actions"'.encode() in response.content
    case_a.refresh_from_db()
    assert case_a.status == "pending_sign"


def test_action_form_error_keeps_input_without_js(world, client, case_a):
    f.categories(world)
    login(client, world.handler)
    f_sign = client.post(
        reverse("cases:action", args=[case_a.pk, "sign"]),
        {f"sign-{case_a.pk}-expected_version": case_a.version},
    )
    assert f_sign.status_code == 302
    reply = "已到现场"  # too short for a reply
    response = client.post(
        reverse("cases:action", args=[case_a.pk, "resolve"]), {f"resolve-{case_a.pk}-reply": reply}
    )
    assert response.status_code == 422
    assert b"<html" in response.content and reply.encode() in response.content


def test_resident_rates_on_progress_page(world, client):
    case = f.approved_case(world)
    login(client, world.resident)
    page = client.get(reverse("cases:progress", args=[case.number])).content.decode()
    assert f'data-testid="form-rate-{case.pk}"' in page
    response = client.post(
        reverse("cases:action", args=[case.pk, "rate"]),
        {"return_to": "progress", f"rate-{case.pk}-rating": "satisfied", f"rate-{case.pk}-comment": "很满意"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert b'data-status="closed"' in response.content
    case.refresh_from_db()
    assert case.status == "closed" and case.rating == "satisfied"


def test_the_progress_page_says_your_rating_only_to_the_reporter(world, client):
    case = f.closed_case(world)
    login(client, world.resident)
    page = client.get(reverse("cases:progress", args=[case.number])).content.decode()
    assert "您的评价" in page
    login(client, world.dispatcher)
    page = client.get(reverse("cases:progress", args=[case.number])).content.decode()
    assert 'data-testid="case-rating"' in page and "您的评价" not in page


def test_a_follow_up_call_records_whether_the_problem_was_actually_solved(world, client):
    case = f.approved_case(world, reporter_user=None, reporter_name="王大爷", reporter_phone="13911112222")
    login(client, world.dispatcher)  # holds cases.follow_up: rates for a caller without an account
    prefix = f"rate-{case.pk}-"
    response = client.post(
        reverse("cases:action", args=[case.pk, "rate"]),
        {"return_to": "panel", prefix + "rating": "basically_satisfied", prefix + "resolved_in_fact": "no"},
        headers=HTMX,
    )
    assert response.status_code == 200
    rate = case.steps.get(action="rate")
    assert rate.data["resolved_in_fact"] is False and rate.data["method"] == "phone"

    other = f.approved_case(world)
    client.post(
        reverse("cases:action", args=[other.pk, "rate"]),
        {"return_to": "panel", f"rate-{other.pk}-rating": "satisfied"},  # not asked
        headers=HTMX,
    )
    assert other.steps.get(action="rate").data["resolved_in_fact"] is None


def test_follow_up_staff_call_back_reporters_without_an_account(world, client):
    caller = f.approved_case(world, reporter_user=None, reporter_name="王大爷", reporter_phone="13911112222")
    resident = f.approved_case(world)  # can rate on their own: listed, without the call-back mark
    f.processing_case(world)  # not handled yet: not listed
    login(client, world.dispatcher)
    page = client.get(reverse("cases:follow_up")).content.decode()
    assert f'data-testid="inbox-row-{caller.pk}"' in page and f'data-testid="inbox-row-{resident.pk}"' in page
    assert page.count('data-testid="call-back"') == 1
    assert "王** 139****2222" in page and "13911112222" not in page  # who to call, masked until asked
    assert page.count('data-testid="reveal-phone"') == 2  # both numbers can be looked up, audited
    assert page.index(f"inbox-row-{caller.pk}") < page.index(f"inbox-row-{resident.pk}")  # waiting longest
    menu = client.get(reverse("cases:workbench")).content.decode()
    assert reverse("cases:follow_up") in menu

    prefix = f"rate-{caller.pk}-"
    row = client.post(
        reverse("cases:action", args=[caller.pk, "rate"]),
        {"return_to": "follow_up", prefix + "rating": "satisfied", prefix + "resolved_in_fact": "yes"},
        headers=HTMX,
    )
    assert row.status_code == 200 and b'data-status="closed"' in row.content
    assert f"inbox-row-{caller.pk}" not in client.get(reverse("cases:follow_up")).content.decode()

    login(client, world.handler)  # departments do not do follow-up calls
    assert client.get(reverse("cases:follow_up")).status_code == 403


# --- list pages ------------------------------------------------------------------------------------------


def test_inbox_query_count_is_fixed(world, client, django_assert_max_num_queries):
    for _ in range(20):
        f.dispatched_case(world)
    login(client, world.handler)
    client.get(reverse("cases:inbox"))  # warm caches (permissions, templates)
    with django_assert_max_num_queries(12):  # 8, and one count for each of the four tabs
        response = client.get(reverse("cases:inbox"), {"box": "to_sign"})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="inbox-row-') == 20


def test_the_inbox_tabs_show_their_counts_and_follow_the_chosen_box(world, client):
    for _ in range(3):
        f.dispatched_case(world)
    f.processing_case(world)
    login(client, world.handler)
    page = client.get(reverse("cases:inbox")).content.decode()

    def count(html: str, box: str) -> str:
        return html.split(f'data-testid="box-count-{box}">')[1].split("<")[0]

    assert (count(page, "to_sign"), count(page, "in_progress"), count(page, "overdue")) == ("3", "1", "0")
    # a tab clicked with htmx swaps tabs and list together: the chosen tab is marked, the counts are fresh
    fragment = client.get(reverse("cases:inbox"), {"box": "in_progress"}, headers=HTMX).content.decode()
    assert 'id="inbox-box"' in fragment and "<html" not in fragment
    assert 'aria-current="page" data-testid="box-in_progress"' in fragment
    assert 'aria-current="page" data-testid="box-to_sign"' not in fragment
    assert count(fragment, "in_progress") == "1"


def test_notifications_page_and_unread_count(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = f.dispatched_case(world)  # 城管 handlers are told about the new case
    login(client, world.handler)
    count = client.get(reverse("cases:notification_count")).content.decode()
    assert 'data-unread="1"' in count
    page = client.get(reverse("cases:notifications")).content.decode()
    assert case.number in page and reverse("cases:detail", args=[case.pk]) in page
    login(client, world.grid_worker_b)
    assert client.get(reverse("cases:notification_count")).content.decode().strip() == ""


def test_mark_all_read_clears_only_the_users_own_counter(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.dispatched_case(world)
    other = Notification.objects.exclude(recipient=world.handler).filter(read_at__isnull=True).count()
    login(client, world.handler)

    response = client.post(reverse("cases:notifications"))

    assert response.status_code == 302
    assert client.get(reverse("cases:notification_count")).content.decode().strip() == ""
    assert not Notification.objects.filter(recipient=world.handler, read_at__isnull=True).exists()
    assert Notification.objects.exclude(recipient=world.handler).filter(read_at__isnull=True).count() == other


def test_workbench_suggests_a_duplicate_to_merge(world, client, django_capture_on_commit_callbacks):
    text = "每天早上6点到9点，幸福里小区南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去。"
    with django_capture_on_commit_callbacks(execute=True):  # intake indexes new cases for duplicate search
        first = f.submitted_case(world, title="小区南门早市占道经营", description=text)
        second = f.submitted_case(world, title="南门早市又占道经营了", description=text)
    login(client, world.dispatcher)
    body = client.get(reverse("cases:workbench")).content.decode()
    assert f'value="{first.number}"' in body  # the merge form of the second case is pre-filled
    response = client.post(
        reverse("cases:action", args=[second.pk, "merge"]),
        {
            "return_to": "workbench",
            f"merge-{second.pk}-master_number": first.number,
            f"merge-{second.pk}-reason": "同一点位重复反映。",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.status == "merged" and second.master == first


def test_board_lists_overdue_cases_and_urges_in_one_click(world, client):
    from datetime import timedelta

    import time_machine

    case = f.dispatched_case(world)
    with time_machine.travel(case.resolve_due_at + timedelta(days=1), tick=False):
        login(client, world.district_leader)
        body = client.get(reverse("cases:board")).content.decode()
        assert f'id="case-{case.pk}-row"' in body and f'data-testid="do-urge-{case.pk}"' in body
        actions = client.get(reverse("cases:board")).context["groups"][0]["rows"][0]["actions"]
        urge = next(form for spec, form in actions if spec.name == "urge")
        response = client.post(  # the one click: the form's pre-filled note as it is
            reverse("cases:action", args=[case.pk, "urge"]),
            {
                "return_to": "board",
                f"urge-{case.pk}-note": str(urge["note"].value()),
                f"urge-{case.pk}-expected_version": case.version,
            },
            headers=HTMX,
        )
    assert response.status_code == 200, response.content.decode()
    assert response["HX-Trigger"] == "case-changed"
    assert case.steps.filter(action="urge").count() == 1


def test_lookup_page_is_rate_limited(world, client):
    from django.core.cache import cache

    cache.clear()
    case = f.submitted_case(world, reporter_phone="13912345678")
    statuses = [
        client.get(reverse("cases:lookup"), {"number": case.number, "phone_tail": f"{n:04d}"}).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429
    cache.clear()


def test_detail_hides_a_confidential_reporter_from_the_department(world, client):
    case = f.dispatched_case(world, actor=world.resident, confidential=True, reporter_phone="13812345678")
    login(client, world.handler)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert world.resident.display_name not in body and "138****5678" not in body
    login(client, world.dispatcher)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "138****5678" in body and "13812345678" not in body


def test_dissatisfied_resident_can_reopen(world, client):
    case = f.closed_case(world, rating="dissatisfied")
    login(client, world.resident)
    page = client.get(reverse("cases:progress", args=[case.number])).content.decode()
    assert f'data-testid="form-reopen-{case.pk}"' in page
    response = client.post(
        reverse("cases:action", args=[case.pk, "reopen"]),
        {
            "return_to": "progress",
            f"reopen-{case.pk}-reason": "摊贩第二天又回来了，问题没有解决。",
            f"reopen-{case.pk}-expected_version": case.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:progress", args=[case.number]
    )
    case.refresh_from_db()
    assert case.status == "pending_sign" and case.round == 2


def test_satisfied_resident_is_not_offered_reopen(world, client):
    case = f.closed_case(world, rating="satisfied")
    login(client, world.resident)
    page = client.get(reverse("cases:progress", args=[case.number])).content.decode()
    assert f'data-testid="form-reopen-{case.pk}"' not in page


def test_report_page_respects_elderly_mode(world, client):
    from gongzhi.accounts.services import set_elderly_mode

    set_elderly_mode(actor=world.resident, enabled=True)
    login(client, world.resident)
    body = client.get(reverse("cases:report")).content.decode()
    assert '<body class="elderly' in body and 'class="big-button"' in body


def test_no_js_action_on_a_list_returns_to_the_same_box(world, client, case_a):
    login(client, world.handler)
    page = client.get(reverse("cases:inbox"), {"box": "to_sign"})
    assert 'name="next" value="/cases/inbox/?box=to_sign"' in page.content.decode()
    response = client.post(
        reverse("cases:action", args=[case_a.pk, "sign"]),
        {
            "return_to": "inbox",
            "next": "/cases/inbox/?box=in_progress",
            f"sign-{case_a.pk}-expected_version": case_a.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/cases/inbox/?box=in_progress"
    assert client.post(
        reverse("cases:action", args=[case_a.pk, "contact"]),
        {"next": "https://evil.example.com/", f"contact-{case_a.pk}-note": "已电话联系诉求人。"},
    )["Location"] == reverse("cases:detail", args=[case_a.pk])


def test_htmx_extension_request_answers_with_the_updated_panel(world, client):
    case = f.processing_case(world)
    login(client, world.handler)
    response = client.post(
        reverse("cases:action", args=[case.pk, "request_extension"]),
        {
            "return_to": "panel",
            f"request_extension-{case.pk}-days": 5,
            f"request_extension-{case.pk}-reason": "商户拒不配合，需联合市场监管部门上门执法，申请延期。",
            f"request_extension-{case.pk}-expected_version": case.version,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "case-changed"
    body = response.content.decode()
    assert f'id="case-{case.pk}-actions"' in body and "<html" not in body
    assert "已完成：申请延期。" in body
    assert f'data-version="{case.version + 1}"' in body  # the panel shows the case as it is now
    assert f'data-testid="form-request_extension-{case.pk}"' not in body  # the request is pending


def test_a_pending_extension_request_waits_on_the_dispatchers_workbench(world, client):
    from gongzhi.cases.services import decide_extension, request_extension

    quiet = f.processing_case(world)
    asked = f.processing_case(world)
    request_extension(
        actor=world.handler, case=asked, days=5, reason="需联合市场监管部门上门执法，申请延期五个工作日。"
    )
    login(client, world.dispatcher)
    page = client.get(reverse("cases:workbench")).content.decode()
    assert f'data-testid="extension-row-{asked.pk}"' in page and f"extension-row-{quiet.pk}" not in page
    assert 'data-testid="extension-count">1<' in page

    asked.refresh_from_db()
    decide_extension(actor=world.dispatcher, case=asked, approve=True, note="同意延期。")
    assert "extension-row-" not in client.get(reverse("cases:workbench")).content.decode()


def test_assisting_department_is_offered_a_handling_note(world, client, zhujian_handler):
    case = f.processing_case(world, assisting=[world.zhujian])  # 城管 leads, 住建 assists
    login(client, zhujian_handler)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'data-testid="form-handle-{case.pk}"' in detail and "填写办理记录" in detail
    for lead_only in ("resolve", "contact", "return", "request_extension"):
        assert f'data-testid="form-{lead_only}-{case.pk}"' not in detail
    inbox = client.get(reverse("cases:inbox"), {"box": "in_progress"}).content.decode()
    assert f'data-testid="form-handle-{case.pk}"' in inbox

    response = client.post(
        reverse("cases:action", args=[case.pk, "handle"]),
        {"return_to": "inbox", f"handle-{case.pk}-note": "住建已到现场核查，违建围挡将于明日拆除。"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert case.steps.filter(action="handle", actor=zhujian_handler).count() == 1


@pytest.mark.parametrize(
    ("role", "sees_proxy"),
    [
        ("street_dispatcher", True),
        ("grid_worker", True),
        ("street_leader", True),  # leaders may submit (insights grants it for proactive cases)
        ("district_leader", True),
        ("department_handler", False),
        ("department_head", False),
        ("supervisor", False),
        ("resident", False),
    ],
)
def test_every_navigation_entry_opens_for_whoever_sees_it(world, client, role, sees_proxy):
    """No entry in the navigation answers 403: 代办 shows only to those who may submit and view cases."""
    if role.startswith("department_"):
        place = {"department": world.chengguan}
    else:
        place = {} if role == "resident" else {"region": world.street}
    user = f.staff(world, f"nav_{role}", role, name="黄晓东", **place)
    login(client, user)
    items = client.get(reverse("core:home")).context["nav_items"]
    assert (reverse("cases:proxy") in [item["url"] for item in items]) is sees_proxy
    for item in items:
        assert client.get(item["url"]).status_code == 200, item["url"]


def test_workbench_review_list_counts_all_and_pages_the_longest_waiting_first(world, client):
    working = [f.processing_case(world) for _ in range(23)]
    for case in reversed(working):  # the newest case is the first resolved: it has waited longest
        resolve_case(
            actor=world.handler, case=case, reply="已到现场处理完毕，商户已整改，并已电话告知诉求人。"
        )
    login(client, world.dispatcher)

    first = client.get(reverse("cases:workbench"))
    body = first.content.decode()
    assert 'data-testid="review-count">23<' in body
    rows = [case.pk for case in first.context["review_page"].object_list]
    assert rows == [case.pk for case in reversed(working)][:20]
    assert body.index(f'review-row-{working[-1].pk}"') < body.index(f'review-row-{working[3].pk}"')
    assert "第 1 页，共 2 页" in body and "?review_page=2" in body

    second = client.get(reverse("cases:workbench"), {"review_page": 2}, headers=HTMX)
    assert [case.pk for case in second.context["review_page"].object_list] == [
        working[2].pk,
        working[1].pk,
        working[0].pk,
    ]
    assert f'review-row-{working[0].pk}"'.encode() in second.content


def test_summoned_department_finds_the_case_in_its_inbox_to_report_in(world, client, zhujian_handler):
    case = f.accepted_case(world)
    services.summon_departments(
        actor=world.community_worker,
        case=case,
        departments=[world.zhujian],
        reason="小区地下室漏水严重，请住建部门到场查看。",
        report_within_hours=12,
    )
    login(client, zhujian_handler)
    body = client.get(reverse("cases:inbox")).content.decode()
    assert "待签收/报到" in body
    assert f'data-testid="inbox-row-{case.pk}"' in body
    assert f'data-testid="form-report_in-{case.pk}"' in body


@pytest.mark.parametrize("ending", ["withdraw", "rate"])
def test_an_anonymous_reporter_is_not_named_on_the_duplicates_of_their_case(world, client, ending):
    neighbour = f.staff(world, "neighbour", "resident", name="马玉兰")
    master = f.submitted_case(
        world,
        actor=world.resident,
        anonymous=True,
        title="南门早市占道",
        description="南门外早市摊位占满人行道。",
    )
    duplicate = f.submitted_case(
        world, actor=neighbour, title="南门早市又占道了", description="南门外卖菜的摊子把人行道全占了。"
    )
    services.merge_case(actor=world.dispatcher, case=duplicate, master=master, reason="同一点位重复反映。")
    if ending == "withdraw":
        services.withdraw_case(actor=world.resident, case=master, reason="我自己和摊主谈好了。")
    else:
        master = services.dispatch_case(actor=world.dispatcher, case=master, department=world.chengguan)
        master = services.sign_case(actor=world.handler, case=master)
        master = resolve_case(actor=world.handler, case=master, reply="已清理南门早市摊位，设置引导标识。")
        master = services.review_case(actor=world.dispatcher, case=master, approve=True)
        services.rate_case(actor=world.resident, case=master, rating="satisfied")
    step = duplicate.steps.get(action="release" if ending == "withdraw" else "master_closed")
    assert step.actor.is_system and step.actor_role == "系统"

    for viewer in (world.dispatcher, world.handler):
        login(client, viewer)
        body = client.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
        assert "王秀英" not in body


def test_the_report_in_form_names_the_summons_by_its_beijing_time(world, client, zhujian_handler):
    """The department picks the summons it reports in to by the time it was called (北京时间, not UTC)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime(2026, 11, 20, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        case = f.processing_case(world)
        services.summon_departments(
            actor=world.community_worker,
            case=case,
            departments=[world.zhujian],
            reason="楼顶违建加盖，请住建部门到场做安全鉴定。",
        )
    login(client, zhujian_handler)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    option = html.split(f'name="report_in-{case.pk}-summon"')[1].split("</select>")[0]
    assert "2026-11-20 09:05" in option
    assert "01:05" not in option


def test_the_case_page_shows_who_was_summoned_and_who_came_when(world, client, zhujian_handler):
    """吹哨报到 on the case page: every summoned department, its report-in time, late ones marked."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import time_machine

    start = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False):
        case = f.processing_case(world)
        summon = services.summon_departments(
            actor=world.community_worker,
            case=case,
            departments=[world.chengguan, world.zhujian],
            reason="楼顶违建加盖，请城管和住建两小时内到场。",
            report_within_hours=2,
            meeting_place="幸福里社区党群服务中心",
        )
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        services.report_in(actor=zhujian_handler, case=case, summon=summon, note="已到场。")

    login(client, world.community_worker)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    panel = html.split('data-testid="case-summons"')[1].split("</table>")[0]
    assert "幸福里社区党群服务中心" in panel and "2026-11-20 11:00" in panel  # place and deadline
    zhujian = panel.split(f'data-department="{world.zhujian.pk}"')[1].split("</tr>")[0]
    assert "2026-11-20 12:00" in zhujian and "超时" in zhujian and "已到场。" in zhujian
    chengguan = panel.split(f'data-department="{world.chengguan.pk}"')[1].split("</tr>")[0]
    assert "未报到" in chengguan
    summon_step = html.split('data-action="summon"')[1].split("</li>")[0]
    assert "召集 2 个部门" in summon_step  # not "→ 城管", the lead department, as if sent to it
    assert "→" not in summon_step


def test_staff_following_a_case_of_another_area_read_its_public_timeline(world, client):
    """The page shows them what the API shows: no supervision notes, no names of the staff who acted."""
    lng, lat = f.POINTS["c"]  # entered at this street's desk about a place in the other street
    case = f.submitted_case(world, actor=world.dispatcher, lon=lng, lat=lat)
    assert case.street_id == world.other_street.pk
    other = f.staff(world, "dispatcher_zh", "street_dispatcher", region=world.other_street, name="高志远")
    services.accept_case(actor=other, case=case)
    services.supervise_case(actor=world.district_leader, case=case, note="内部提醒：注意与物业的纠纷。")

    login(client, world.dispatcher)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.number in html
    assert "内部提醒" not in html and "高志远" not in html
    login(client, other)  # the street that holds it reads everything
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "内部提醒" in html and "高志远" in html


def test_the_timeline_fragment_shows_the_reporter_only_the_public_timeline(world, client):
    """htmx refreshes the timeline from ``cases:timeline``: the reporter must not read the internal
    handling notes or the names of the staff there either (the progress page hides them)."""
    case = f.processing_case(world)
    services.add_handling_note(actor=world.handler, case=case, note="内部备注：该户多次投诉，注意沟通。")
    services.supervise_case(actor=world.district_leader, case=case, note="内部提醒：注意与物业的纠纷。")

    login(client, world.resident)
    response = client.get(reverse("cases:timeline", args=[case.pk]), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-action="sign"' in html  # the public steps are there
    assert "内部备注" not in html and "内部提醒" not in html
    assert 'data-action="handle"' not in html and 'data-action="supervise"' not in html
    assert world.handler.display_name not in html  # 周强 signed for it
    login(client, world.handler)  # the department holding the case reads everything
    html = client.get(reverse("cases:timeline", args=[case.pk]), headers=HTMX).content.decode()
    assert "内部备注" in html and "内部提醒" in html


def test_the_report_map_works_without_a_tile_server(world, client, settings):
    """Offline intranets have no map tiles: the form's map shows the communities' own outlines."""
    settings.GONGZHI_MAP_TILE_URL = ""
    login(client, world.resident)
    html = client.get(reverse("cases:report")).content.decode()
    assert f'data-outlines="{reverse("cases:report_outlines")}"' in html and "leaflet.js" in html
    outlines = client.get(reverse("cases:report_outlines")).json()
    names = {feature["properties"]["name"] for feature in outlines["features"]}
    assert names == {"幸福里社区", "朝晖社区"}  # every community: residents report about any place
    assert outlines["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")

    settings.GONGZHI_MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    assert 'data-tiles="https://tiles.example.gov.cn/' in client.get(reverse("cases:report")).content.decode()
    client.logout()
    assert client.get(reverse("cases:report_outlines")).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("page", ["workbench", "detail"])
def test_the_dispatch_form_preselects_the_suggested_category(world, client, page):
    cats = f.categories(world)
    case = f.submitted_case(
        world, title="南门早市占道经营", description="南门外早市摊位占满人行道，轮椅过不去。"
    )
    suggested = [s.category for s in services.suggest(case) if s.category]
    assert suggested and suggested[0] == cats["占道经营"]
    login(client, world.dispatcher)
    url = reverse("cases:workbench") if page == "workbench" else reverse("cases:detail", args=[case.pk])
    html = client.get(url).content.decode()
    select = html.split(f'name="dispatch-{case.pk}-category"')[1].split("</select>")[0]
    assert f'value="{cats["占道经营"].pk}" selected' in select


def test_the_workbench_reads_the_select_options_once_for_all_rows(world, client):
    """Each row has a dispatch and a reassign form: their department and category options come from one
    read per page, not one per form."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.selectors import departments_for_dispatch
    from gongzhi.cases.selectors import active_categories

    f.categories(world)
    login(client, world.dispatcher)
    option_sql = (str(departments_for_dispatch().query), str(active_categories().query))

    def option_reads() -> tuple[int, ...]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:workbench")).status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        return tuple(sql.count(wanted) for wanted in option_sql)

    f.submitted_case(world)
    few = option_reads()
    for _ in range(5):
        f.submitted_case(world)
    assert option_reads() == few
    if connection.vendor == "sqlite":  # the captured SQL reads as the query prints it (no parameters)
        assert few[1] == 1  # the category options: one read (departments are also named for the hints)


def test_contact_is_not_offered_again_once_the_reporter_was_contacted(world, client):
    """A second "contacted the reporter" would say "done" and keep nothing (only the first contact
    counts): once contacted, the panel, the inbox and the API no longer offer it."""
    case = f.processing_case(world)
    login(client, world.handler)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'data-testid="form-contact-{case.pk}"' in detail
    services.record_contact(actor=world.handler, case=case, note="已电话联系诉求人。")

    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'data-testid="form-contact-{case.pk}"' not in detail
    assert f'data-testid="form-handle-{case.pk}"' in detail  # later calls go into handling notes
    inbox = client.get(reverse("cases:inbox"), {"box": "in_progress"}).content.decode()
    assert f'data-testid="form-contact-{case.pk}"' not in inbox


def test_board_shows_the_sign_deadline_of_a_case_red_for_signing_late(world, client):
    """A case still waiting to be signed is red on the board because of its sign deadline: the row shows
    that deadline (passed), not the resolve deadline days ahead marked "not yet done"."""
    from datetime import timedelta

    import time_machine

    from gongzhi.cases.services.deadline_scan import scan_deadlines

    case = f.dispatched_case(world)
    later = case.sign_due_at + timedelta(hours=1)
    assert later < case.resolve_due_at
    with time_machine.travel(later, tick=False):
        scan_deadlines()
        login(client, world.district_leader)
        body = client.get(reverse("cases:board")).content.decode()
    assert f'id="case-{case.pk}-row"' in body
    row = body.split(f'id="case-{case.pk}-row"', 1)[1].split("</article>", 1)[0]
    assert "签收时限" in row
    assert "办结时限" not in row and "未完成" not in row


def test_only_the_running_deadline_carries_the_yellow_light_on_the_case_page(world, client):
    """A case yellow because 80 % of its sign-for time is used: the sign deadline is "due soon"; the
    contact and resolve deadlines, days ahead and not yet running, are not."""
    import time_machine

    from gongzhi.cases.services.deadline_scan import scan_deadlines

    case = f.dispatched_case(world)
    nearly = case.dispatched_at + (case.sign_due_at - case.dispatched_at) * 0.9
    with time_machine.travel(nearly, tick=False):
        scan_deadlines()
        case.refresh_from_db()
        assert case.warning_level == "yellow"
        login(client, world.dispatcher)
        body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    deadlines = body.split('data-testid="case-deadlines"', 1)[1].split("</dl>", 1)[0]
    cells = deadlines.split("<dd>")[1:]
    assert len(cells) == 3  # sign, contact, resolve
    assert "即将到期" in cells[0]
    assert "即将到期" not in cells[1] and "即将到期" not in cells[2]
