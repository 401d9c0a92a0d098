"""双报到: an in-service member registers, the committee approves, tasks are claimed and confirmed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.audit.models import AuditEvent
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.party import selectors, services
from gongzhi.party.choices import ClaimStatus, RegistrationStatus

from . import factories as f


def test_registration_approval_flow(world, pw):
    registration = services.register_at_community(
        actor=pw.in_service_user, community=world.community, offer="法律咨询、垃圾分类宣传"
    )
    assert registration.status == RegistrationStatus.PENDING and registration.member == pw.in_service
    again = services.register_at_community(actor=pw.in_service_user, community=world.community)
    assert again.pk == registration.pk  # a retry does not register twice

    pending = selectors.registrations_visible_to(pw.community_secretary, status="pending")
    assert [r.pk for r in pending] == [registration.pk]
    assert not selectors.registrations_visible_to(pw.secretary_b).exists() or all(
        r.community_id == world.community.pk for r in selectors.registrations_visible_to(pw.secretary_b)
    )

    approved = services.approve_registration(
        actor=pw.community_secretary, registration=registration, note="欢迎报到"
    )
    assert approved.status == RegistrationStatus.APPROVED and approved.decided_by == pw.community_secretary
    assert (
        services.approve_registration(actor=pw.community_secretary, registration=approved).pk == approved.pk
    )
    assert AuditEvent.objects.filter(action="party.approve_registration").count() == 1
    with pytest.raises(InvalidTransition):
        services.reject_registration(actor=pw.community_secretary, registration=approved, note="重复")


def test_only_in_service_members_register_and_only_the_committee_approves(world, pw):
    with pytest.raises(ValidationFailed):
        services.register_at_community(actor=pw.member_a_user, community=world.community)
    registration = services.register_at_community(actor=pw.in_service_user, community=world.community)
    with pytest.raises(PermissionDenied):
        services.approve_registration(actor=world.grid_worker_a, registration=registration)
    other = f.user("secretary_c", "林涛", "party_secretary", region=world.other_community)
    with pytest.raises(PermissionDenied):
        services.approve_registration(actor=other, registration=registration)
    rejected = services.reject_registration(
        actor=pw.community_secretary, registration=registration, note="请先在居住地社区登记住址"
    )
    assert rejected.status == RegistrationStatus.REJECTED


def test_registered_member_claims_a_task_and_hours_return_to_their_unit(world, pw):
    task = services.post_task(
        actor=pw.community_secretary,
        community=world.community,
        title="周末垃圾分类桶前值守",
        hours=2,
        slots=1,
    )
    with pytest.raises(PermissionDenied):  # not registered with this community yet
        services.claim_task(actor=pw.in_service_user, task=task)
    registration = services.register_at_community(actor=pw.in_service_user, community=world.community)
    services.approve_registration(actor=pw.community_secretary, registration=registration)
    claim = services.claim_task(actor=pw.in_service_user, task=task)
    assert services.claim_task(actor=pw.in_service_user, task=task).pk == claim.pk
    with pytest.raises(InvalidTransition):  # the only place is taken
        services.claim_task(actor=pw.member_a_user, task=task)
    with pytest.raises(InvalidTransition):  # not done yet
        services.confirm_task(actor=pw.community_secretary, claim=claim)
    done = services.finish_task(actor=pw.in_service_user, claim=claim, hours="2.5", note="指导居民分类投放")
    assert done.status == ClaimStatus.DONE and done.hours == Decimal("2.5")
    confirmed = services.confirm_task(actor=pw.community_secretary, claim=done, feedback="服务认真，居民满意")
    assert confirmed.status == ClaimStatus.CONFIRMED
    assert selectors.member_points_total(pw.in_service) == 3

    agency_secretary = f.user("agency_secretary", "秦岚", "party_secretary", region=world.district)
    records = list(selectors.service_records_of_unit(agency_secretary))
    assert [(r.member.name, r.hours, r.feedback) for r in records] == [
        ("邓强", Decimal("2.5"), "服务认真，居民满意")
    ]
