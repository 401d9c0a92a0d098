"""Reads of 双报到, service tasks, 党员联户 and case help."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require, scope_of
from gongzhi.core.errors import NotFound

from ..choices import ClaimStatus, HelpStatus, RegistrationStatus, TaskStatus
from ..models import CaseHelp, DualRegistration, HouseholdLink, Member, ServiceTask, TaskClaim, Visit
from .members import members_visible_to
from .reach import member_reach_paths

# --- dual registration ----------------------------------------------------------------------------------


def registrations_visible_to(user, status: str = "") -> QuerySet[DualRegistration]:
    """双报到 at the communities of the user's area."""
    require(user, "party.view_organisation")
    qs = (
        DualRegistration.objects.in_scope(scope_of(user))
        .select_related("member__organisation", "unit", "community")
        .defer("community__boundary")
    )
    if status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-applied_at", "-pk")


def get_registration(*, user, pk: int) -> DualRegistration:
    registration = registrations_visible_to(user).filter(pk=pk).first()
    if registration is None:
        raise NotFound(_("The registration does not exist or you cannot view it."))
    return registration


def my_registrations(member: Member) -> QuerySet[DualRegistration]:
    return (
        DualRegistration.objects.filter(member=member)
        .select_related("community")
        .defer("community__boundary")
        .order_by("-applied_at", "-pk")
    )


def get_my_registration(*, member: Member, pk: int) -> DualRegistration:
    registration = my_registrations(member).filter(pk=pk).first()
    if registration is None:
        raise NotFound(_("The registration does not exist or you cannot view it."))
    return registration


# --- service tasks --------------------------------------------------------------------------------------


def _with_counts(qs: QuerySet[ServiceTask]) -> QuerySet[ServiceTask]:
    live = ~Q(claims__status=ClaimStatus.CANCELLED)
    return qs.annotate(taken=Count("claims", filter=live, distinct=True))


def tasks_visible_to(user, status: str = "") -> QuerySet[ServiceTask]:
    """服务任务 of the communities in the user's area, with how many places are taken."""
    require(user, "party.view_organisation")
    qs = ServiceTask.objects.in_scope(scope_of(user)).select_related("community").defer("community__boundary")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    return _with_counts(qs).order_by("-created_at", "-pk")


def get_task(*, user, pk: int) -> ServiceTask:
    task = tasks_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("The task does not exist or you cannot view it."))
    return task


def tasks_open_to(member: Member) -> QuerySet[ServiceTask]:
    """Open tasks of the communities a member lives in or is registered with."""
    paths = member_reach_paths(member)
    if not paths:
        return ServiceTask.objects.none()
    reach = Q()
    for path in paths:
        reach |= Q(region_path__prefix=path)
    qs = ServiceTask.objects.filter(reach, status=TaskStatus.OPEN).select_related("community")
    return _with_counts(qs.defer("community__boundary")).order_by("starts_at", "-pk")


def get_task_open_to(*, member: Member, pk: int) -> ServiceTask:
    task = tasks_open_to(member).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("The task does not exist or you cannot view it."))
    return task


def task_claims(task: ServiceTask) -> QuerySet[TaskClaim]:
    return (
        TaskClaim.objects.filter(task=task)
        .select_related("member__organisation")
        .order_by("claimed_at", "pk")
    )


def claims_visible_to(user, status: str = "") -> QuerySet[TaskClaim]:
    require(user, "party.view_organisation")
    qs = TaskClaim.objects.in_scope(scope_of(user)).select_related("task", "member__organisation")
    if status in ClaimStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-claimed_at", "-pk")


def get_claim(*, user, pk: int) -> TaskClaim:
    claim = claims_visible_to(user).filter(pk=pk).first()
    if claim is None:
        raise NotFound(_("The task claim does not exist or you cannot view it."))
    return claim


def my_claims(member: Member) -> QuerySet[TaskClaim]:
    return (
        TaskClaim.objects.filter(member=member)
        .select_related("task__community")
        .order_by("-claimed_at", "-pk")
    )


def get_my_claim(*, member: Member, pk: int) -> TaskClaim:
    claim = my_claims(member).filter(pk=pk).first()
    if claim is None:
        raise NotFound(_("The task claim does not exist or you cannot view it."))
    return claim


def service_records_of_unit(user) -> QuerySet[TaskClaim]:
    """回馈单位: confirmed service of the members of the user's organisations, wherever they served.

    This is how hours and feedback return to an in-service member's own unit.
    """
    members = members_visible_to(user).values("pk")
    return (
        TaskClaim.objects.filter(member__in=members, status=ClaimStatus.CONFIRMED)
        .select_related("task__community", "member__organisation")
        .defer("task__community__boundary")
        .order_by("-confirmed_at", "-pk")
    )


# --- member–household links -----------------------------------------------------------------------------


def links_visible_to(user, *, active_only: bool = True) -> QuerySet[HouseholdLink]:
    """党员联户 in the user's area."""
    require(user, "party.view_organisation")
    qs = HouseholdLink.objects.in_scope(scope_of(user))
    if active_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.select_related("member", "household__head", "household__house__building").order_by(
        "member__name", "household__number", "pk"
    )


def get_link(*, user, pk: int) -> HouseholdLink:
    link = links_visible_to(user, active_only=False).filter(pk=pk).first()
    if link is None:
        raise NotFound(_("The household link does not exist or you cannot view it."))
    return link


def my_links(member: Member) -> QuerySet[HouseholdLink]:
    return (
        HouseholdLink.objects.filter(member=member, ended_on__isnull=True)
        .select_related("household__head", "household__house__building", "household__grid")
        .defer("household__grid__boundary")
        .order_by("household__number", "pk")
    )


def get_my_link(*, member: Member, pk: int) -> HouseholdLink:
    link = my_links(member).filter(pk=pk).first()
    if link is None:
        raise NotFound(_("The household link does not exist or you cannot view it."))
    return link


def link_visits(link: HouseholdLink) -> QuerySet[Visit]:
    return Visit.objects.filter(link=link).select_related("case", "wish").order_by("-visited_on", "-pk")


def get_visit(*, link: HouseholdLink, pk: int) -> Visit:
    visit = link_visits(link).filter(pk=pk).first()
    if visit is None:
        raise NotFound(_("The visit does not exist or you cannot view it."))
    return visit


# --- cases with party involvement -------------------------------------------------------------------------


def party_involved_q() -> Q:
    """Cases the party organisation took part in: a secretary summoned departments, or a member helped."""
    live_help = CaseHelp.objects.filter(case=OuterRef("pk")).exclude(status=HelpStatus.CANCELLED)
    return Q(party_involved=True) | Q(Exists(live_help))


def party_cases(user, *, involved_only: bool = False):
    """The cases of the user's area (``cases_visible_to``), optionally only those with party involvement."""
    from gongzhi.cases.selectors import cases_visible_to

    qs = cases_visible_to(user)
    if involved_only:
        qs = qs.filter(party_involved_q())
    return qs


def case_help_for(case) -> QuerySet[CaseHelp]:
    return (
        CaseHelp.objects.filter(case=case)
        .select_related("member", "organisation")
        .order_by("assigned_at", "pk")
    )


def get_case_help(*, user, pk: int) -> CaseHelp:
    require(user, "party.view_organisation")
    help_ = CaseHelp.objects.in_scope(scope_of(user)).select_related("member", "case").filter(pk=pk).first()
    if help_ is None:
        raise NotFound(_("The record does not exist or you cannot view it."))
    return help_


def my_case_help(member: Member) -> QuerySet[CaseHelp]:
    return CaseHelp.objects.filter(member=member).select_related("case").order_by("-assigned_at", "-pk")


def case_help_by_case(case_ids) -> dict[int, list[CaseHelp]]:
    """Live help of several cases at once (for a list page: one query)."""
    found: dict[int, list[CaseHelp]] = {}
    rows = (
        CaseHelp.objects.filter(case_id__in=list(case_ids))
        .exclude(status=HelpStatus.CANCELLED)
        .select_related("member")
        .order_by("assigned_at", "pk")
    )
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found
