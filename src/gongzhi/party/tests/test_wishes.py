"""微心愿 lifecycle: posted → published → claimed → fulfilled → confirmed; forbidden moves refused."""

from __future__ import annotations

import pytest

from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied
from gongzhi.party import selectors, services, workflow
from gongzhi.party.choices import WishStatus
from gongzhi.party.models import PointsEntry


@pytest.fixture
def wish(world, pw):
    return services.post_wish(
        actor=world.resident,
        community=world.community,
        title="想要一台助听器",
        description="老伴耳朵背，电视声音开很大影响邻居，想要一台助听器。",
        category="goods",
        idempotency_key="wish-20261120-1",
    )


def test_full_lifecycle_and_points_for_the_member(world, pw, wish):
    assert wish.status == WishStatus.PENDING_REVIEW and wish.resident_user == world.resident
    again = services.post_wish(
        actor=world.resident,
        community=world.community,
        title="想要一台助听器",
        description="老伴耳朵背，电视声音开很大影响邻居，想要一台助听器。",
        category="goods",
        idempotency_key="wish-20261120-1",
    )
    assert again.pk == wish.pk
    published = services.review_wish(actor=world.community_worker, wish=wish, approve=True)
    assert published.status == WishStatus.PUBLISHED
    assert wish.pk in [w.pk for w in selectors.wishes_open_to(pw.member_a)]
    claimed = services.claim_wish(actor=pw.member_a_user, wish=published)
    assert claimed.status == WishStatus.CLAIMED and claimed.claimed_member == pw.member_a
    assert services.claim_wish(actor=pw.member_a_user, wish=claimed).status == WishStatus.CLAIMED  # repeat
    fulfilled = services.fulfil_wish(
        actor=pw.member_a_user, wish=claimed, evidence="已购买助听器并上门帮助调试"
    )
    assert fulfilled.status == WishStatus.FULFILLED
    confirmed = services.confirm_wish(actor=world.resident, wish=fulfilled, feedback="谢谢党员同志")
    assert confirmed.status == WishStatus.CONFIRMED
    assert PointsEntry.objects.get(member=pw.member_a).points == 5
    assert [w.pk for w in selectors.wish_wall()] == [wish.pk]


def test_forbidden_transitions_raise(world, pw, wish):
    with pytest.raises(InvalidTransition):
        services.claim_wish(actor=pw.member_a_user, wish=wish)  # not reviewed yet
    with pytest.raises(InvalidTransition):
        services.confirm_wish(actor=world.resident, wish=wish)
    published = services.review_wish(actor=world.community_worker, wish=wish, approve=True)
    with pytest.raises(InvalidTransition):
        services.review_wish(actor=world.community_worker, wish=published, approve=False, note="重复")
    claimed = services.claim_wish(actor=pw.member_a_user, wish=published)
    with pytest.raises(InvalidTransition):  # someone else cannot take a claimed wish
        services.claim_wish(actor=f_member_user(world, pw), wish=claimed)
    with pytest.raises(InvalidTransition):
        services.cancel_wish(actor=world.resident, wish=claimed)
    with pytest.raises(PermissionDenied):
        services.fulfil_wish(actor=pw.in_service_user, wish=claimed, evidence="冒领")
    fulfilled = services.fulfil_wish(actor=pw.member_a_user, wish=claimed, evidence="已送到")
    disputed = services.dispute_wish(actor=world.resident, wish=fulfilled, feedback="还没收到")
    assert disputed.status == WishStatus.CLAIMED
    with pytest.raises(PermissionDenied):
        services.confirm_wish(actor=world.grid_worker_b, wish=disputed)


def test_transition_table_is_the_only_source_of_moves():
    for command, moves in workflow.WISH_TRANSITIONS.items():
        for source, target in moves.items():
            assert source in WishStatus.values and target in WishStatus.values, command
    assert workflow.next_status(workflow.WISH_TRANSITIONS, "claim", WishStatus.CONFIRMED) is None
    assert workflow.allowed_commands(workflow.WISH_TRANSITIONS, WishStatus.PUBLISHED) == ["claim", "cancel"]


def test_reused_key_with_other_content_is_a_conflict(world, pw, wish):
    with pytest.raises(Conflict):
        services.post_wish(
            actor=world.resident,
            community=world.community,
            title="想要轮椅",
            idempotency_key="wish-20261120-1",
        )


def test_member_out_of_reach_cannot_claim_and_unit_can_claim(world, pw, wish):
    published = services.review_wish(actor=world.community_worker, wish=wish, approve=True)
    with pytest.raises(PermissionDenied):  # an in-service member not registered here
        services.claim_wish(actor=pw.in_service_user, wish=published)
    claimed = services.claim_wish(actor=pw.community_secretary, wish=published, unit=pw.enterprise_branch)
    assert claimed.claimed_unit == pw.enterprise_branch and claimed.claimed_member is None


def f_member_user(world, pw):
    from . import factories as f

    other = f.member(pw.branch_b, name="黎明", user=f.user("liming", "黎明", "party_member"))
    return other.user
