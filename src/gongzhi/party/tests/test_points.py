"""积分: every entry traces to its event, no event scores twice, rankings per branch and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import ValidationFailed
from gongzhi.party import selectors, services
from gongzhi.party.choices import PointsSource
from gongzhi.party.models import PointsEntry

from . import factories as f


@pytest.fixture
def meeting(pw):
    now = timezone.now()
    return services.create_activity(
        actor=pw.secretary_a,
        organisation=pw.branch_a,
        kind="party_day",
        title="主题党日：走进社区养老驿站",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=1),
        location="幸福里社区党群服务中心",
    )


def test_checking_in_twice_scores_once(world, pw, meeting):
    services.check_in(actor=pw.member_a_user, activity=meeting, code=meeting.checkin_code)
    services.check_in(actor=pw.member_a_user, activity=meeting, code=meeting.checkin_code)
    services.record_attendance(actor=pw.secretary_a, activity=meeting, members=[pw.member_a])
    entries = PointsEntry.objects.filter(member=pw.member_a)
    assert [(e.source_type, e.source_id, e.points) for e in entries] == [
        (PointsSource.ACTIVITY, meeting.pk, 2)
    ]
    assert AuditEvent.objects.filter(action="party.award_points").count() == 1


def test_award_is_idempotent_even_after_the_rule_changes(world, pw, meeting):
    services.check_in(actor=pw.member_a_user, activity=meeting, code=meeting.checkin_code)
    services.set_points_rule(
        actor=pw.community_secretary, organisation=pw.committee, event="attend_activity", points=4
    )
    replay = services.award_points(
        actor=world.admin, member=pw.member_a, source_type=PointsSource.ACTIVITY, source_id=meeting.pk
    )
    assert replay.points == 2 and PointsEntry.objects.filter(member=pw.member_a).count() == 1


def test_no_points_for_an_event_that_did_not_happen(world, pw, meeting):
    with pytest.raises(ValidationFailed):
        services.award_points(
            actor=world.admin, member=pw.member_a, source_type=PointsSource.ACTIVITY, source_id=meeting.pk
        )
    with pytest.raises(ValidationFailed):
        services.check_in(
            actor=pw.member_a_user,
            activity=meeting,
            code="000000" if meeting.checkin_code != "000000" else "111111",
        )
    assert not PointsEntry.objects.exists()


def test_committee_rule_applies_to_its_subtree_and_ranking_is_per_branch(world, pw, meeting):
    services.set_points_rule(
        actor=pw.community_secretary, organisation=pw.committee, event="attend_activity", points=5
    )
    colleague = f.member(pw.group_a1, name="韦春花", user=f.user("weichunhua", "韦春花", "party_member"))
    services.check_in(actor=pw.member_a_user, activity=meeting, code=meeting.checkin_code)
    services.check_in(actor=colleague.user, activity=meeting, code=meeting.checkin_code)
    other = services.create_activity(
        actor=pw.secretary_b,
        organisation=pw.branch_b,
        kind="branch_meeting",
        title="支部党员大会",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )
    services.record_attendance(actor=pw.secretary_b, activity=other, members=[pw.member_b])
    ranking = selectors.points_ranking(pw.community_secretary)
    assert {(r.rank, r.name, r.points) for r in ranking} == {
        (1, "郭志明", 5),
        (1, "蔡丽", 5),
        (1, "韦春花", 5),
    }
    branch_a_only = selectors.points_ranking(pw.community_secretary, organisation=pw.branch_a)
    assert {r.name for r in branch_a_only} == {"郭志明", "韦春花"}
    today = timezone.localdate()
    last_year = selectors.points_ranking(
        pw.community_secretary, start=today - timedelta(days=400), end=today - timedelta(days=300)
    )
    assert last_year == []
    assert [r.name for r in selectors.points_ranking(pw.secretary_b)] == ["蔡丽"]
