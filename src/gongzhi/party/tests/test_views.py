"""HTML pages: every page renders for its audience, scope (allowed / neighbour / anonymous), masking,
htmx fragments, forms without JavaScript and a fixed query budget on the member list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.core.masking import mask_phone
from gongzhi.party import services
from gongzhi.party.models import Member

from . import factories as f


@pytest.fixture
def activity(pw):
    now = timezone.now()
    return services.create_activity(
        actor=pw.secretary_a,
        organisation=pw.branch_a,
        kind="branch_meeting",
        title="十一月支部党员大会",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        location="幸福里党群服务中心",
    )


@pytest.fixture
def wish(world, pw):
    return services.post_wish(actor=world.resident, community=world.community, title="想要一台助听器")


STAFF_PAGES = [
    "/party/",
    "/party/dashboard/",
    "/party/organisations/",
    "/party/members/",
    "/party/members/new/",
    "/party/members/import/",
    "/party/registrations/",
    "/party/tasks/",
    "/party/unit-service/",
    "/party/activities/",
    "/party/activities/?month=2026-02",
    "/party/points/",
    "/party/wishes/",
    "/party/wishes/new/",
    "/party/cases/",
    "/party/disclosures/",
    "/party/disclosures/new/",
    "/party/courses/",
    "/party/wall/",
]
MEMBER_PAGES = [
    "/party/m/",
    "/party/m/activities/",
    "/party/m/register/",
    "/party/m/tasks/",
    "/party/m/wishes/",
    "/party/m/households/",
    "/party/m/points/",
    "/party/courses/",
    "/party/disclosures/",
]


def test_every_secretary_page_renders(world, pw, login, activity, wish):
    client = login(pw.community_secretary)
    for url in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    for url in (
        f"/party/organisations/{pw.committee.pk}/",
        f"/party/members/{pw.member_a.pk}/",
        f"/party/members/{pw.member_a.pk}/edit/",
        f"/party/activities/{activity.pk}/",
        f"/party/wishes/{wish.pk}/",
    ):
        assert client.get(url).status_code == 200, url


def test_every_member_page_renders(world, pw, login, activity):
    client = login(pw.member_a_user)
    for url in MEMBER_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/party/m/activities/{activity.pk}/").status_code == 200
    assert client.get("/party/").status_code == 302  # members land on their own pages


def test_branch_secretary_is_denied_the_neighbouring_branch(world, pw, login, activity):
    client = login(pw.secretary_b)
    for url in (
        f"/party/members/{pw.member_a.pk}/",
        f"/party/organisations/{pw.branch_a.pk}/",
        f"/party/activities/{activity.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/party/members/").content.decode()
    assert "蔡丽" in page and "郭志明" not in page
    assert client.post(f"/party/members/{pw.member_a.pk}/reveal/phone/").status_code == 404


def test_anonymous_is_sent_to_login_but_the_wall_is_public(client, world, pw):
    response = client.get("/party/members/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert client.get("/party/m/").status_code == 302
    assert client.get("/party/wall/").status_code == 200


def test_resident_sees_no_staff_pages(world, pw, login):
    client = login(world.resident)
    assert client.get("/party/members/").status_code == 403
    assert client.get("/party/my-wishes/").status_code == 200
    assert client.get("/party/m/").status_code == 404


def test_member_list_masks_phones_and_reveal_is_audited(world, pw, login):
    client = login(pw.community_secretary)
    page = client.get("/party/members/").content.decode()
    assert mask_phone(pw.member_a.phone) in page and pw.member_a.phone not in page
    response = client.post(f"/party/members/{pw.member_a.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert pw.member_a.phone in response.content.decode()
    event = AuditEvent.objects.get(action="party.reveal_phone")
    assert event.target_id == str(pw.member_a.pk) and pw.member_a.phone not in str(event.data)


def test_member_list_htmx_returns_the_table_with_a_fixed_query_count(
    world, pw, login, django_assert_max_num_queries
):
    f.members(24, pw.branch_a)
    client = login(pw.community_secretary)
    client.get("/party/members/")
    with django_assert_max_num_queries(14):
        response = client.get("/party/members/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div id="member-results">') and "<html" not in body
    assert len(re.findall(r'id="member-\d+"', body)) == 25


def test_register_member_form_works_without_javascript_and_shows_errors(world, pw, login):
    client = login(pw.secretary_a)
    bad = client.post(
        "/party/members/new/",
        {"name": "冯建华", "organisation": "ZB001A", "status": "full", "phone": "12345"},
    )
    assert bad.status_code == 422
    assert Member.objects.filter(name="冯建华").count() == 0
    good = client.post(
        "/party/members/new/",
        {
            "name": "冯建华",
            "organisation": "ZB001A",
            "status": "full",
            "phone": "13912345678",
            "id_number": f.id_number(),
            "joined_on": "2010-07-01",
        },
    )
    assert good.status_code == 302
    member = Member.objects.get(name="冯建华")
    assert member.grid == world.grid_a and member.region_path == world.grid_a.path


def test_check_in_by_code_on_the_phone(world, pw, login, activity):
    client = login(pw.member_a_user)
    wrong = client.post(
        f"/party/m/activities/{activity.pk}/check-in/",
        {"code": "999999" if activity.checkin_code != "999999" else "888888"},
        HTTP_HX_REQUEST="true",
    )
    assert wrong.status_code == 422 and 'id="check-in-' in wrong.content.decode()
    right = client.post(f"/party/m/activities/{activity.pk}/check-in/", {"code": activity.checkin_code})
    assert right.status_code == 302
    assert activity.participations.get(member=pw.member_a).checked_in_at is not None


def test_wish_review_panel_swaps_with_htmx_and_refuses_a_forbidden_move(world, pw, login, wish):
    client = login(world.community_worker)
    response = client.post(
        f"/party/wishes/{wish.pk}/actions/review/", {"approve": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "wish-changed"
    assert f'id="wish-{wish.pk}-actions"' in response.content.decode()
    again = client.post(
        f"/party/wishes/{wish.pk}/actions/review/", {"approve": "0", "note": "重复"}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 422


def test_wall_masks_names(client, world, pw, wish):
    services.review_wish(actor=world.community_worker, wish=wish, approve=True)
    wish = services.claim_wish(actor=pw.member_a_user, wish=wish)
    services.fulfil_wish(actor=pw.member_a_user, wish=wish, evidence="已送达")
    page = client.get("/party/wall/").content.decode()  # anonymous: the wall is public
    assert "想要一台助听器" in page and wish.wisher_name not in page and "郭志明" not in page


def test_grid_worker_reads_the_notices_of_their_community(world, pw, login, client):
    from gongzhi.party import services as s

    s.create_disclosure(
        actor=pw.community_secretary,
        community=world.community,
        title="幸福里社区居务公开",
        body="公示内容",
        publish=True,
    )
    s.create_disclosure(
        actor=world.admin,
        community=world.other_community,
        title="朝晖社区居务公开",
        body="公示内容",
        publish=True,
    )
    page = login(world.grid_worker_a).get("/party/disclosures/").content.decode()
    assert "幸福里社区居务公开" in page and "朝晖社区居务公开" not in page


def test_member_who_is_also_a_resident_confirms_their_own_wish(world, pw, login, client):
    wish = services.post_wish(
        actor=world.community_worker,
        community=world.community,
        title="想要一个血压计",
        wisher_name="郭志明",
        resident_user=pw.member_a_user,
    )
    wish = services.review_wish(actor=world.community_worker, wish=wish, approve=True)
    wish = services.claim_wish(actor=pw.community_secretary, wish=wish, unit=pw.enterprise_branch)
    wish = services.fulfil_wish(actor=pw.community_secretary, wish=wish, evidence="已送到")
    login(pw.member_a_user)
    assert "想要一个血压计" in client.get("/party/my-wishes/").content.decode()
    client.post(f"/party/my-wishes/{wish.pk}/confirm/", {"feedback": "谢谢"})
    wish.refresh_from_db()
    assert wish.status == "confirmed"
