"""Writes of the points ledger: rules set by committees, idempotent awards traceable to their event."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.audit.services import record
from gongzhi.core.errors import ValidationFailed

from ..choices import SOURCE_EVENT, ClaimStatus, HelpStatus, PointsEvent, PointsSource, WishStatus
from ..models import (
    ActivityParticipation,
    CaseHelp,
    Member,
    PartyOrganisation,
    PointsEntry,
    PointsRule,
    TaskClaim,
    Wish,
)

#: District-wide defaults installed by ``install_default_points_rules`` (committees may override).
DEFAULT_RULES = {
    PointsEvent.ATTEND_ACTIVITY: ("参加组织生活", 2),
    PointsEvent.COMPLETE_TASK: ("完成社区服务任务", 3),
    PointsEvent.FULFIL_WISH: ("认领并实现微心愿", 5),
    PointsEvent.HELP_CASE: ("协助办理群众诉求", 5),
}


@transaction.atomic
def set_points_rule(
    *, actor, event: str, points: int, name: str = "", organisation: PartyOrganisation | None = None
) -> PointsRule:
    """设置积分规则: how many points an event scores in an organisation's subtree (or district-wide).

    The active rule of the same organisation and event is changed in place, so entries already awarded
    keep pointing at the rule they were scored under and an event is never scored again.
    """
    if organisation is None:
        require(actor, "party.manage_points")
        if not scope_of(actor).is_global:  # district-wide defaults are for administrators
            raise ValidationFailed({"organisation": _("Choose the party organisation the rule is for.")})
    else:
        require(actor, "party.manage_points", organisation)
    if event not in PointsEvent.values:
        raise ValidationFailed({"event": _("Choose one of the allowed values.")})
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 100:
        raise ValidationFailed({"points": _("Enter a whole number of points from 0 to 100.")})
    name = (name or "").strip()[:60] or str(PointsEvent(event).label)
    rule = (
        PointsRule.objects.select_for_update()
        .filter(organisation=organisation, event=event, is_active=True)
        .first()
    )
    if rule is not None and (rule.points, rule.name) == (points, name):
        return rule
    if rule is None:
        rule = PointsRule.objects.create(
            organisation=organisation, event=event, name=name, points=points, changed_by=actor
        )
        old = None
    else:
        old = rule.points
        rule.points, rule.name, rule.changed_by = points, name, actor
        rule.save(update_fields=["points", "name", "changed_by", "updated_at"])
    record(
        actor=actor,
        action="party.set_points_rule",
        target=rule,
        data={
            "event": event,
            "organisation": organisation.pk if organisation else None,
            "old": old,
            "new": points,
        },
    )
    return rule


def install_default_points_rules(*, actor) -> list[PointsRule]:
    """The district-wide default rules (idempotent)."""
    return [
        set_points_rule(actor=actor, event=event, points=points, name=name)
        for event, (name, points) in DEFAULT_RULES.items()
    ]


def rule_for(member: Member, event: str) -> PointsRule | None:
    """The rule that scores ``event`` for ``member``: the nearest organisation's, else the default."""
    codes = [c for c in member.organisation.tree_path.split("/") if c]
    candidates = list(
        PointsRule.objects.filter(event=event, is_active=True, organisation__code__in=codes).select_related(
            "organisation"
        )
    )
    if candidates:
        return max(candidates, key=lambda r: len(r.organisation.tree_path))
    return PointsRule.objects.filter(event=event, is_active=True, organisation__isnull=True).first()


def _event_happened(member: Member, source_type: str, source_id: int) -> bool:
    """Points only for a real, completed event of this member."""
    if source_type == PointsSource.ACTIVITY:
        return ActivityParticipation.objects.filter(
            activity_id=source_id, member=member, checked_in_at__isnull=False
        ).exists()
    if source_type == PointsSource.TASK_CLAIM:
        return TaskClaim.objects.filter(pk=source_id, member=member, status=ClaimStatus.CONFIRMED).exists()
    if source_type == PointsSource.WISH:
        return Wish.objects.filter(pk=source_id, claimed_member=member, status=WishStatus.CONFIRMED).exists()
    if source_type == PointsSource.CASE_HELP:
        return CaseHelp.objects.filter(pk=source_id, member=member, status=HelpStatus.DONE).exists()
    return False


@transaction.atomic
def award_points(
    *, actor, member: Member, source_type: str, source_id: int, note: str = ""
) -> PointsEntry | None:
    """记积分: score one event for a member under the applicable rule; idempotent.

    Called by the services that complete an event (check-in, confirmed task, confirmed wish, recorded
    case help), inside their transaction. The event must really have happened; the same event never
    scores twice — a replay (or a rule changed since) returns the first entry and writes no audit event,
    and the unique key (member, source, rule) decides a race. Returns None when no rule applies.
    """
    if source_type not in SOURCE_EVENT:
        raise ValueError(f"unknown points source {source_type!r}")
    existing = PointsEntry.objects.filter(member=member, source_type=source_type, source_id=source_id).first()
    if existing is not None:
        return existing
    if not _event_happened(member, source_type, source_id):
        raise ValidationFailed({"points": _("Points are given only for a completed event.")})
    rule = rule_for(member, SOURCE_EVENT[source_type])
    if rule is None or rule.points == 0:
        return None
    entry = PointsEntry(
        member=member,
        rule=rule,
        points=rule.points,
        source_type=source_type,
        source_id=source_id,
        note=(note or "")[:200],
        awarded_at=timezone.now(),
        awarded_by=actor,
        region_path=member.region_path,
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        return PointsEntry.objects.get(member=member, source_type=source_type, source_id=source_id, rule=rule)
    record(
        actor=actor,
        action="party.award_points",
        target=member,
        data={
            "entry": entry.pk,
            "rule": rule.pk,
            "points": rule.points,
            "source": f"{source_type}:{source_id}",
        },
    )
    return entry
