"""微心愿 writes: post, review, claim, fulfil, confirm; moves follow ``workflow.WISH_TRANSITIONS``."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import has_perm, object_in_scope, require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.people import rules as people_rules
from gongzhi.regions.choices import RegionLevel

from .. import workflow
from ..choices import UNIT_SECTORS, PointsSource, WishCategory, WishStatus
from ..models import PartyOrganisation, Wish, WishPhoto
from ..selectors.reach import member_reach_paths, unit_reach_paths
from .common import acting_member, clean_files, clean_text, content_file, require_level, require_placement
from .points import award_points


def _is_resident(actor) -> bool:
    return not (actor.is_staff or actor.is_superuser or getattr(actor, "is_system", False))


def create_wish(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    category: str = WishCategory.GOODS,
    wisher_name: str = "",
    wisher_phone: str = "",
    grid=None,
    household=None,
    resident_user=None,
    idempotency_key: str = "",
) -> Wish:
    """Store a new wish after the caller checked who may post it (internal; ``post_wish`` is the service)."""
    require_level(community, RegionLevel.COMMUNITY, "community")
    if grid is not None and (grid.level != RegionLevel.GRID or grid.parent_id != community.pk):
        raise ValidationFailed({"grid": _("Choose a grid of this community.")})
    errors = people_rules.FieldErrors()
    title = errors.check(clean_text, title, field="title", max_length=60, required=True) or ""
    description = errors.check(clean_text, description, field="description", max_length=500) or ""
    if category not in WishCategory.values:
        errors.add({"category": _("Choose one of the allowed values.")})
    name = errors.check(
        people_rules.clean_name, wisher_name, missing=_("Enter the name of the resident who has the wish.")
    )
    phone = errors.check(people_rules.clean_phone, wisher_phone) or ""
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        errors.add({"idempotency_key": _("The request key is too long.")})
    errors.raise_if_any()
    digest = _digest(community.pk, grid.pk if grid else None, title, description, category, name, phone)
    if key:
        existing = Wish.objects.filter(posted_by=actor, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
    wish = Wish(
        title=title,
        description=description,
        category=category,
        community=community,
        grid=grid,
        household=household,
        region_path=(grid or community).path,
        wisher_name=name,
        wisher_phone=phone,
        resident_user=resident_user,
        posted_by=actor,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            wish.save(force_insert=True)
    except IntegrityError:
        winner = Wish.objects.filter(posted_by=actor, idempotency_key=key).first() if key else None
        if winner is None:
            raise
        return _replay(winner, digest)
    record(
        actor=actor,
        action="party.post_wish",
        target=wish,
        data={"community": community.code, "category": category, "proxy": resident_user != actor},
    )
    return wish


def _digest(*values) -> str:
    """What a retried post must repeat (the phone as its blind index)."""
    *head, phone = values
    payload = json.dumps([*head, people_rules.phone_index(phone)], ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _replay(existing: Wish, digest: str) -> Wish:
    same = _digest(
        existing.community_id,
        existing.grid_id,
        existing.title,
        existing.description,
        existing.category,
        existing.wisher_name,
        existing.wisher_phone,
    )
    if same != digest:
        raise Conflict(
            _("This request key was already used for a different wish."), code="party.idempotency_conflict"
        )
    return existing


@transaction.atomic
def post_wish(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    category: str = WishCategory.GOODS,
    wisher_name: str = "",
    wisher_phone: str = "",
    grid=None,
    household=None,
    resident_user=None,
    idempotency_key: str = "",
) -> Wish:
    """许愿: a resident posts their own small wish, or a worker posts one for a resident (代办).

    The community reviews it before anyone can claim it. A retry with the same ``idempotency_key``
    returns the first wish; the same key with other content is a ``Conflict``.
    """
    require(actor, "party.post_wish")
    if _is_resident(actor):
        if resident_user is not None and resident_user.pk != actor.pk:
            raise PermissionDenied(
                _("Residents can only post their own wishes."), code="party.proxy_not_allowed"
            )
        resident_user = actor
        wisher_name = wisher_name or actor.display_name
        wisher_phone = wisher_phone or actor.phone
        household = None
    else:
        require_placement(actor, (grid or community).path if community is not None else "")
        if household is not None:
            require(actor, "party.post_wish", household)
    return create_wish(
        actor=actor,
        community=community,
        title=title,
        description=description,
        category=category,
        wisher_name=wisher_name,
        wisher_phone=wisher_phone,
        grid=grid,
        household=household,
        resident_user=resident_user,
        idempotency_key=idempotency_key,
    )


def _move(actor, wish: Wish, command: str, action: str, *, reason: str = "", **fields) -> Wish:
    """Compare-and-set one status move from the transition table, audited."""
    old = wish.status
    target = workflow.require_move(
        workflow.WISH_TRANSITIONS, command, old, code="party.wish_invalid_transition"
    )
    changed = Wish.objects.filter(pk=wish.pk, status=old).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if changed != 1:
        raise InvalidTransition(code="party.wish_invalid_transition")
    wish.refresh_from_db()
    data = {"from": old, "to": target}
    for key in ("claimed_member", "claimed_unit"):
        if key in fields:
            data[key] = getattr(fields[key], "pk", fields[key])
    record(actor=actor, action=action, target=wish, data=data, reason=reason)
    return wish


@transaction.atomic
def review_wish(*, actor, wish: Wish, approve: bool, note: str = "") -> Wish:
    """审核: the community publishes the wish, or does not accept it (with a reason)."""
    require(actor, "party.review_wish", wish)
    note = clean_text(note, field="note", max_length=200, required=not approve)
    wanted = WishStatus.PUBLISHED if approve else WishStatus.REJECTED
    if wish.status == wanted:
        return wish
    fields = {"reviewed_at": timezone.now(), "reviewed_by": actor, "review_note": note}
    if approve:
        return _move(actor, wish, "approve", "party.review_wish", **fields)
    return _move(actor, wish, "reject", "party.reject_wish", reason=note, **fields)


@transaction.atomic
def claim_wish(*, actor, wish: Wish, unit: PartyOrganisation | None = None) -> Wish:
    """认领: a member (or, with ``unit``, a unit's party organisation) takes on a published wish.

    A member may claim in the communities they live or serve in or registered with; a unit in its own
    community or where it registered. The same claimer claiming again changes nothing; a wish claimed by
    someone else cannot be claimed.
    """
    require(actor, "party.claim")
    if unit is None:
        member = acting_member(actor)
        if wish.claimed_member_id == member.pk and wish.status == WishStatus.CLAIMED:
            return wish
        if not any(wish.region_path.startswith(p) for p in member_reach_paths(member)):
            raise PermissionDenied(
                _("You can claim wishes in the community where you live or are registered."),
                code="party.out_of_reach",
            )
        fields = {"claimed_member": member, "claimed_unit": None}
    else:
        if not object_in_scope(scope_of(actor), unit) or unit.sector not in UNIT_SECTORS:
            raise PermissionDenied()
        if wish.claimed_unit_id == unit.pk and wish.status == WishStatus.CLAIMED:
            return wish
        if not any(wish.region_path.startswith(p) for p in unit_reach_paths(unit)):
            raise PermissionDenied(
                _("A unit can claim wishes in its own community or where it is registered."),
                code="party.out_of_reach",
            )
        fields = {"claimed_member": None, "claimed_unit": unit}
    return _move(actor, wish, "claim", "party.claim_wish", claimed_at=timezone.now(), **fields)


def _is_claimer(actor, wish: Wish) -> bool:
    if wish.claimed_member_id is not None:
        return wish.claimed_member.user_id == getattr(actor, "pk", None)
    if wish.claimed_unit_id is not None:
        return has_perm(actor, "party.claim") and object_in_scope(scope_of(actor), wish.claimed_unit)
    return False


@transaction.atomic
def release_wish(*, actor, wish: Wish, reason: str = "") -> Wish:
    """放弃认领: the claimer gives the wish back to the wall (or the community does it for them)."""
    if not _is_claimer(actor, wish):
        require(actor, "party.review_wish", wish)
    if wish.status == WishStatus.PUBLISHED:
        return wish
    reason = clean_text(reason, field="reason", max_length=200)
    return _move(
        actor,
        wish,
        "release",
        "party.release_wish",
        reason=reason,
        claimed_member=None,
        claimed_unit=None,
        claimed_at=None,
    )


@transaction.atomic
def fulfil_wish(*, actor, wish: Wish, evidence: str, photos=()) -> Wish:
    """实现: the claimer reports the wish fulfilled, with a note and photos as evidence."""
    if not _is_claimer(actor, wish):
        raise PermissionDenied(_("Only whoever claimed this wish can report it fulfilled."))
    if wish.status == WishStatus.FULFILLED:
        return wish
    evidence = clean_text(evidence, field="evidence", max_length=1000, required=True)
    cleaned = clean_files(photos, field="photos", photos_only=True)
    wish = _move(actor, wish, "fulfil", "party.fulfil_wish", fulfilled_at=timezone.now(), evidence=evidence)
    for clean, _name in cleaned:
        photo = WishPhoto(wish=wish, content_type=clean.content_type, uploaded_by=actor)
        photo.file.save(*content_file(clean), save=False)
        photo.save()
    return wish


def _may_confirm(actor, wish: Wish) -> None:
    if wish.resident_user_id is not None and wish.resident_user_id == getattr(actor, "pk", None):
        return
    if has_perm(actor, "party.review_wish") and object_in_scope(scope_of(actor), wish):
        return  # the community confirms for a resident without an account (after a call or visit)
    raise PermissionDenied(_("Only the resident, or the community for them, can confirm this wish."))


@transaction.atomic
def confirm_wish(*, actor, wish: Wish, feedback: str = "") -> Wish:
    """确认: the resident (or the community for them) confirms the wish came true; the member scores."""
    require(actor, "party.confirm_wish")
    _may_confirm(actor, wish)
    if wish.status == WishStatus.CONFIRMED:
        return wish
    feedback = clean_text(feedback, field="feedback", max_length=200)
    wish = _move(actor, wish, "confirm", "party.confirm_wish", confirmed_at=timezone.now(), feedback=feedback)
    if wish.claimed_member_id is not None:
        award_points(
            actor=actor, member=wish.claimed_member, source_type=PointsSource.WISH, source_id=wish.pk
        )
    return wish


@transaction.atomic
def dispute_wish(*, actor, wish: Wish, feedback: str) -> Wish:
    """还没实现: the resident says the wish is not fulfilled yet; it goes back to the claimer."""
    require(actor, "party.confirm_wish")
    _may_confirm(actor, wish)
    feedback = clean_text(feedback, field="feedback", max_length=200, required=True)
    return _move(
        actor, wish, "dispute", "party.dispute_wish", reason=feedback, feedback=feedback, fulfilled_at=None
    )


@transaction.atomic
def cancel_wish(*, actor, wish: Wish, reason: str = "") -> Wish:
    """撤回: the resident (or whoever posted it, or the community) withdraws a wish nobody has claimed."""
    own = getattr(actor, "pk", None) in (wish.resident_user_id, wish.posted_by_id)
    if not own:
        require(actor, "party.review_wish", wish)
    if wish.status == WishStatus.CANCELLED:
        return wish
    reason = clean_text(reason, field="reason", max_length=200)
    return _move(actor, wish, "cancel", "party.cancel_wish", reason=reason)
