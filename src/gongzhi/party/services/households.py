"""Writes of 党员联户 (links, visits, needs → case or wish) and of members helping with cases."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.cases.choices import OPEN_STATUSES, Channel
from gongzhi.core.errors import InvalidTransition, ValidationFailed

from .. import rules, workflow
from ..choices import HelpStatus, PointsSource, VisitFollowUp, WishCategory
from ..models import CaseHelp, HouseholdLink, Member, Visit
from .common import clean_text
from .points import award_points
from .wishes import create_wish

# --- links ---------------------------------------------------------------------------------------------


@transaction.atomic
def link_household(*, actor, member: Member, household, linked_on: date | None = None) -> HouseholdLink:
    """联户: a member takes on a household of the grid they live or serve in (a repeat changes nothing)."""
    require(actor, "party.manage_links", member)
    require(actor, "party.manage_links", household)
    if not member.is_active:
        raise ValidationFailed({"member": _("This member is no longer on the roll.")})
    grid = rules.member_home_grid(member)
    if grid is None:
        raise ValidationFailed({"member": _("Set the grid the member lives in before linking households.")})
    if not household.region_path.startswith(grid.path):
        raise ValidationFailed(
            {"household": _("Members can only be linked to households in their own grid.")}
        )
    live = HouseholdLink.objects.filter(member=member, household=household, ended_on__isnull=True).first()
    if live is not None:
        return live
    link = HouseholdLink(
        member=member,
        household=household,
        region_path=household.region_path,
        linked_on=linked_on or timezone.localdate(),
        linked_by=actor,
    )
    try:
        with transaction.atomic():
            link.save(force_insert=True)
    except IntegrityError:
        return HouseholdLink.objects.get(member=member, household=household, ended_on__isnull=True)
    record(
        actor=actor,
        action="party.link_household",
        target=link,
        data={"member": member.pk, "household": household.pk},
    )
    return link


@transaction.atomic
def unlink_household(*, actor, link: HouseholdLink, ended_on: date | None = None) -> HouseholdLink:
    """结束联户 (a repeat changes nothing)."""
    require(actor, "party.manage_links", link)
    changed = HouseholdLink.objects.filter(pk=link.pk, ended_on__isnull=True).update(
        ended_on=ended_on or timezone.localdate(), updated_at=timezone.now()
    )
    link.refresh_from_db()
    if changed:
        record(actor=actor, action="party.unlink_household", target=link, data={"ended_on": link.ended_on})
    return link


def _may_act_on_link(actor, link: HouseholdLink) -> None:
    """The linked member themselves, or a secretary whose area holds the link."""
    if link.member.user_id == getattr(actor, "pk", None):
        require(actor, "party.visit")
        return
    require(actor, "party.manage_links", link)


# --- visits --------------------------------------------------------------------------------------------


@transaction.atomic
def record_visit(*, actor, link: HouseholdLink, visited_on: date, note: str = "", needs: str = "") -> Visit:
    """走访记录: what the member saw and which needs they found at the household."""
    _may_act_on_link(actor, link)
    if link.ended_on is not None:
        raise ValidationFailed({"link": _("This household link has ended.")})
    if visited_on > timezone.localdate():
        raise ValidationFailed({"visited_on": _("The date cannot be in the future.")})
    note = clean_text(note, field="note", max_length=1000)
    needs = clean_text(needs, field="needs", max_length=1000)
    if not (note or needs):
        raise ValidationFailed({"note": _("Write what you saw or which needs you found.")})
    visit = Visit.objects.create(
        link=link,
        region_path=link.region_path,
        visited_on=visited_on,
        note=note,
        needs=needs,
        recorded_by=actor,
    )
    record(
        actor=actor, action="party.record_visit", target=visit, data={"link": link.pk, "needs": bool(needs)}
    )
    return visit


@transaction.atomic
def file_case_for_visit(*, actor, visit: Visit, title: str, description: str, category=None):
    """一键代办: file a case for the visited household through the cases service (channel: patrol).

    The household head is the reporter; the member is recorded as the one who submitted it. Filing
    again for the same visit returns the case already filed (the visit is the idempotency key).
    """
    from gongzhi.cases.services import submit_case

    _may_act_on_link(actor, visit.link)
    if visit.case_id is not None:
        return visit.case
    household = visit.link.household
    head = household.head
    case = submit_case(
        actor=actor,
        channel=Channel.PATROL,
        title=title,
        description=description,
        category=category,
        grid=household.grid,
        address=str(household.house) if household.house_id else "",
        reporter_name=head.name if head else "",
        reporter_phone=head.phone if head else "",
        idempotency_key=f"party-visit-{visit.pk}",
    )
    changed = Visit.objects.filter(pk=visit.pk, case__isnull=True).update(
        case=case, follow_up=VisitFollowUp.CASE
    )
    if changed != 1:
        raise InvalidTransition(code="party.visit_already_followed_up")
    visit.refresh_from_db()
    record(
        actor=actor, action="party.file_case", target=visit, data={"case": case.pk, "household": household.pk}
    )
    return case


@transaction.atomic
def post_wish_for_visit(
    *, actor, visit: Visit, title: str, description: str = "", category: str = WishCategory.GOODS
):
    """把需求变成微心愿: post a micro-wish for the visited household (the community still reviews it)."""
    _may_act_on_link(actor, visit.link)
    if visit.wish_id is not None:
        return visit.wish
    household = visit.link.household
    grid = household.grid
    head = household.head
    wish = create_wish(
        actor=actor,
        community=grid.parent if grid else None,
        grid=grid,
        household=household,
        title=title,
        description=description,
        category=category,
        wisher_name=head.name if head else "",
        wisher_phone=head.phone if head else "",
        resident_user=head.user if head and head.user_id else None,
        idempotency_key=f"visit-{visit.pk}",
    )
    Visit.objects.filter(pk=visit.pk, wish__isnull=True).update(wish=wish, follow_up=VisitFollowUp.WISH)
    visit.refresh_from_db()
    return wish


# --- members helping with cases -------------------------------------------------------------------------


@transaction.atomic
def assign_case_help(*, actor, case, member: Member, note: str = "") -> CaseHelp:
    """派党员协助: a grid branch (or the community committee) asks a member to help with an open case.

    Both the case and the member must lie in the actor's area; a member already helping is returned.
    """
    require(actor, "party.assign_case_help", case)
    require(actor, "party.assign_case_help", member)
    if case.status not in OPEN_STATUSES:
        raise InvalidTransition(_("This case is already finished."), code="party.case_finished")
    if not member.is_active:
        raise ValidationFailed({"member": _("This member is no longer on the roll.")})
    note = clean_text(note, field="note", max_length=300)
    live = CaseHelp.objects.filter(case=case, member=member).exclude(status=HelpStatus.CANCELLED).first()
    if live is not None:
        return live
    help_ = CaseHelp(
        case=case,
        member=member,
        organisation=member.organisation,
        region_path=case.region_path,
        task_note=note,
        assigned_at=timezone.now(),
        assigned_by=actor,
    )
    try:
        with transaction.atomic():
            help_.save(force_insert=True)
    except IntegrityError:
        return CaseHelp.objects.exclude(status=HelpStatus.CANCELLED).get(case=case, member=member)
    record(
        actor=actor,
        action="party.assign_case_help",
        target=help_,
        data={"case": case.pk, "member": member.pk},
    )
    return help_


def _move_help(actor, help_: CaseHelp, command: str, action: str, **fields) -> CaseHelp:
    old = help_.status
    target = workflow.require_move(
        workflow.HELP_TRANSITIONS, command, old, code="party.help_invalid_transition"
    )
    changed = CaseHelp.objects.filter(pk=help_.pk, status=old).update(status=target, **fields)
    if changed != 1:
        raise InvalidTransition(code="party.help_invalid_transition")
    help_.refresh_from_db()
    record(actor=actor, action=action, target=help_, data={"case": help_.case_id, "from": old, "to": target})
    return help_


@transaction.atomic
def record_case_help(*, actor, help_: CaseHelp, contribution: str) -> CaseHelp:
    """记录参与: the branch records what the member did for the case; the member scores points once."""
    require(actor, "party.assign_case_help", help_)
    if help_.status == HelpStatus.DONE:
        return help_
    contribution = clean_text(contribution, field="contribution", max_length=1000, required=True)
    help_ = _move_help(
        actor, help_, "record", "party.record_case_help", contribution=contribution, done_at=timezone.now()
    )
    award_points(actor=actor, member=help_.member, source_type=PointsSource.CASE_HELP, source_id=help_.pk)
    return help_


@transaction.atomic
def cancel_case_help(*, actor, help_: CaseHelp) -> CaseHelp:
    require(actor, "party.assign_case_help", help_)
    if help_.status == HelpStatus.CANCELLED:
        return help_
    return _move_help(actor, help_, "cancel", "party.cancel_case_help")
