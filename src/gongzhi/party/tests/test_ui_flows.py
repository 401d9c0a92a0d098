"""Whole flows through the HTML forms (no JavaScript): dual registration, tasks, household visits with a
case filed for the household, disclosures for residents, courses, and party help on a case."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.cases.models import Case
from gongzhi.cases.tests import factories as cf
from gongzhi.party import selectors
from gongzhi.party.models import CaseHelp, DualRegistration, Enrolment, HouseholdLink, TaskClaim, Visit

from . import factories as f


def test_dual_registration_and_task_through_the_pages(world, pw, login, client):
    login(pw.in_service_user)
    assert (
        client.post(
            "/party/m/register/", {"community": world.community.code, "offer": "法律咨询"}
        ).status_code
        == 302
    )
    registration = DualRegistration.objects.get(member=pw.in_service)
    login(pw.community_secretary)
    row = client.post(
        f"/party/registrations/{registration.pk}/decide/", {"decision": "approve"}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200 and row["HX-Trigger"] == "registration-changed"
    assert (
        client.post(
            "/party/tasks/",
            {"community": world.community.code, "title": "看望独居老人", "hours": "2", "slots": "2"},
        ).status_code
        == 302
    )
    task = selectors.tasks_visible_to(pw.community_secretary).get(title="看望独居老人")
    login(pw.in_service_user)
    assert client.get("/party/m/tasks/").content.decode().count("看望独居老人") == 1
    client.post(f"/party/m/tasks/{task.pk}/claim/")
    claim = TaskClaim.objects.get(task=task)
    client.post(f"/party/m/claims/{claim.pk}/finish/", {"hours": "2", "note": "陪老人聊天、打扫卫生"})
    login(pw.community_secretary)
    assert client.get(f"/party/tasks/{task.pk}/").status_code == 200
    client.post(f"/party/claims/{claim.pk}/confirm/", {"feedback": "老人很满意"})
    claim.refresh_from_db()
    assert claim.status == "confirmed" and claim.feedback == "老人很满意"


def test_household_visit_files_a_case_for_the_household(world, pw, login, client):
    household = f.household(world, "H-A-0301", head_name="韩国庆")
    login(pw.secretary_a)
    assert (
        client.post(f"/party/members/{pw.member_a.pk}/links/", {"household_number": "H-A-0301"}).status_code
        == 302
    )
    link = HouseholdLink.objects.get(member=pw.member_a, household=household)
    login(pw.member_a_user)
    assert client.get(f"/party/m/households/{link.pk}/").status_code == 200
    client.post(f"/party/m/households/{link.pk}/", {"visited_on": "2026-01-05", "needs": "楼道灯坏了一个月"})
    visit = Visit.objects.get(link=link)
    url = f"/party/m/households/{link.pk}/visits/{visit.pk}/case/"
    data = {"title": "楼道灯坏了一个月没人修", "description": "3单元楼道灯坏了一个月，老人晚上上下楼很危险。"}
    client.post(url, data)
    client.post(url, data)  # a double submit files one case
    visit.refresh_from_db()
    case = Case.objects.get(pk=visit.case_id)
    assert Case.objects.filter(title=data["title"]).count() == 1
    assert (
        case.reporter_name == "韩国庆" and case.submitted_by == pw.member_a_user and case.grid == world.grid_a
    )
    assert visit.follow_up == "case"


def test_link_outside_the_members_grid_is_refused(world, pw, login, client):
    f.household(world, "H-B-0101", grid=world.grid_b)
    login(pw.community_secretary)
    client.post(f"/party/members/{pw.member_a.pk}/links/", {"household_number": "H-B-0101"})
    assert not HouseholdLink.objects.exists()


def test_disclosure_reaches_the_residents_of_that_community_only(world, pw, login, client):
    from gongzhi.people.tests import factories as pf

    pf.resident(grid=world.grid_a, name="居民甲").__class__.objects.filter(name="居民甲").update(
        user=world.resident
    )
    login(pw.community_secretary)
    pdf = SimpleUploadedFile(
        "党费公示.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )
    response = client.post(
        "/party/disclosures/new/",
        {
            "community": world.community.code,
            "category": "party",
            "title": "2026年党费收缴情况公示",
            "body": "现将党费收缴使用情况公示如下。",
            "publish": "on",
            "attachments": pdf,
        },
    )
    assert response.status_code == 302
    login(world.resident)
    page = client.get("/party/disclosures/").content.decode()
    assert "2026年党费收缴情况公示" in page
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    attachment = detail.context["disclosure"].attachments.get()
    file_response = client.get(f"/party/disclosures/{attachment.disclosure_id}/files/{attachment.pk}/")
    assert file_response.status_code == 200 and file_response["Content-Type"] == "application/pdf"
    other = f.user("chaohui_resident", "朝晖居民", "resident")
    login(other)
    assert "2026年党费收缴情况公示" not in client.get("/party/disclosures/").content.decode()


def test_course_catalogue_enrol_and_complete(world, pw, login, client):
    login(world.admin)
    client.post(
        "/party/courses/",
        {
            "title": "智能手机使用入门",
            "kind": "text",
            "audience": "everyone",
            "body": "如何用手机挂号、缴费。",
        },
    )
    course = selectors.courses_for(world.admin).get(title="智能手机使用入门")
    login(pw.member_a_user)
    assert client.get(f"/party/courses/{course.pk}/").status_code == 200
    client.post(f"/party/courses/{course.pk}/complete/")
    client.post(f"/party/courses/{course.pk}/complete/")
    enrolment = Enrolment.objects.get(user=pw.member_a_user, course=course)
    assert enrolment.completed_at is not None
    assert [e.course.title for e in selectors.study_record(pw.member_a)] == ["智能手机使用入门"]


def test_party_page_of_a_case_assigns_help_and_summons(world, pw, login, client):
    case = cf.dispatched_case(world)
    login(pw.community_secretary)
    assert client.get(f"/party/cases/{case.pk}/").status_code == 200
    client.post(f"/party/cases/{case.pk}/", {"member": pw.member_a.pk, "note": "协助劝导"})
    help_ = CaseHelp.objects.get(case=case)
    client.post(f"/party/help/{help_.pk}/record/", {"contribution": "上门劝导摊主"})
    help_.refresh_from_db()
    assert help_.status == "done"
    client.post(
        f"/party/cases/{case.pk}/summon/", {"departments": [world.zhujian.pk], "reason": "需住建部门到场"}
    )
    case.refresh_from_db()
    assert case.party_involved
    assert client.get("/party/cases/?involved=1").content.decode().count(case.number) == 1
    login(pw.secretary_b)
    assert client.get(f"/party/cases/{case.pk}/").status_code == 404
