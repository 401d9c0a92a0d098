"""Reads of the cases app: every list starts from ``cases_visible_to(user)`` (STYLE.md §3, §4).

``cases_visible_to`` is the one scoped starting point: region prefix, lead or assisting department and
the reporter's own cases all come from ``Case.objects.in_scope(scope_of(user))``. Queues, filters and
the supervisor board narrow it; none widens it. The one exception is ``cases_followed_by(user)``: the
cases a user reported or entered (代办, patrol, a hotline call), which ``get_case``, ``case_by_number``
and "我的诉求" also find when they lie outside the user's area — to follow, never to act on
(``case.followed_only``). The public lookup ``get_case_by_number`` returns a small read-only view,
never a model instance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Department, User
from gongzhi.accounts.scoping import has_perm, scope_of
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.regions.models import Region

from .choices import OPEN_STATUSES, AssignmentRole, AttachmentKind, CaseStatus, WarningLevel
from .models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseStep,
    Category,
    ExtensionRequest,
    Notification,
    Summon,
    SummonResponse,
)
from .workflow import ASSISTING_COMMANDS, LABELS, TRANSITIONS

__all__ = [
    "DEPARTMENT_BOXES",
    "PublicCaseView",
    "PublicStep",
    "UnitLoad",
    "acting_department_ids",
    "active_assisting_ids",
    "case_dispatchers",
    "case_summons",
    "case_timeline",
    "cases_followed_by",
    "cases_visible_to",
    "category_subtree_ids",
    "department_inbox",
    "department_inbox_counts",
    "department_users",
    "dispatch_queue",
    "extension_queue",
    "filter_cases",
    "follow_up_queue",
    "get_attachment",
    "get_case",
    "get_case_by_number",
    "holders_over",
    "notifications_for",
    "review_queue",
    "supervisor_board",
    "timeline_for",
]

#: Statuses in which a department holds the case and its deadlines run.
RUNNING_STATUSES = (CaseStatus.PENDING_SIGN, CaseStatus.PROCESSING)
#: Boxes of ``department_inbox``.
DEPARTMENT_BOXES = ("to_sign", "in_progress", "due_soon", "overdue")
#: How far ahead ``due_soon`` looks, besides the yellow warning set by the deadline scan.
DUE_SOON_WITHIN = timedelta(hours=24)
#: Timeline actions a reporter sees in the public lookup (internal supervision stays internal).
PUBLIC_ACTIONS = frozenset(
    {
        "submit",
        "accept",
        "reject",
        "dispatch",
        "sign",
        "contact",
        "resolve",
        "approve",
        "rate",
        "reopen",
        "withdraw",
        "merge",
        "release",
        "master_closed",
    }
)


#: Public steps whose note speaks to the reporter (the others' notes stay internal).
REPORTER_NOTES = frozenset({"reject", "withdraw", "reopen", "rate", "merge"})


def _not_found() -> NotFound:
    return NotFound(_("The case does not exist or you cannot view it."), code="case.not_found")


# --- the scoped starting point ------------------------------------------------------------------------


def cases_visible_to(user) -> QuerySet[Case]:
    """可见诉求: cases in the user's regions or departments, plus the user's own reports.

    Staff need ``cases.view`` for their region/department reach; anyone signed in sees the cases they
    reported themselves. Anonymous users see nothing.
    """
    scope = scope_of(user)
    if has_perm(user, "cases.view"):
        qs = Case.objects.in_scope(scope)
    elif scope.user_id:
        qs = Case.objects.filter(reporter_user_id=scope.user_id)
    else:
        qs = Case.objects.none()
    # a grid's boundary (GeoJSON, often kilobytes) is never shown in a list: reading it per row tripled the
    # cost of sorting a community's cases on SQLite
    return (
        qs.select_related("category", "grid", "department")
        .defer("grid__boundary")
        .order_by("-received_at", "-pk")
    )


def cases_followed_by(user) -> QuerySet[Case]:
    """我的诉求: the cases ``user`` reported or entered for someone, wherever they lie (read only)."""
    uid = scope_of(user).user_id
    if uid is None:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(reporter_user_id=uid) | Q(submitted_by_id=uid))
        .select_related("category", "grid", "department")
        .defer("grid__boundary")
        .order_by("-received_at", "-pk")
    )


def _visible_or_followed(user, **lookup) -> Case:
    """The case matching ``lookup`` that the user may see, else one they entered outside their area
    (marked ``followed_only``: shown, not acted on); missing and hidden cases raise the same ``NotFound``."""
    case = cases_visible_to(user).filter(**lookup).first()
    if case is None:
        case = cases_followed_by(user).filter(**lookup).first()
        if case is None:
            raise _not_found()
        case.followed_only = True
    return case


def get_case(*, user, pk: int) -> Case:
    """One case the user may see; missing and out-of-scope cases raise the same ``NotFound``."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _not_found() from None
    return _visible_or_followed(user, pk=pk)


def get_attachment(*, user, case_id: int, pk: int) -> Attachment:
    """A photo or file of a case the user may see, as the case's pages show it: staff who may view the
    case read every file; the reporter (and the rest of ``reads_public_timeline``'s public side) only the
    report's own files and those of public timeline steps (the result photos, not handling notes).
    Missing, hidden and out-of-scope files raise the same ``NotFound``."""
    case = get_case(user=user, pk=case_id)
    files = Attachment.objects.filter(case_id=case.pk)
    if reads_public_timeline(user, case):
        files = files.filter(
            Q(step__isnull=True, kind=AttachmentKind.REPORT) | Q(step__action__in=sorted(PUBLIC_ACTIONS))
        )
    attachment = files.filter(pk=pk).first() if 0 < pk < 2**63 else None  # beyond bigint: no such file
    if attachment is None:
        raise NotFound(_("The file does not exist or you cannot view it."), code="case.file_not_found")
    return attachment


# --- public lookup by number ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    """One public timeline entry: what happened and when (no names, no units' staff)."""

    action: str
    label: str
    at: datetime


@dataclass(frozen=True)
class PublicCaseView:
    """What the public lookup shows: progress and the reply, never the reporter's data or notes."""

    number: str
    title: str
    status: str
    status_label: str
    category: str
    department: str
    received_at: datetime
    closed_at: datetime | None
    reply: str
    steps: tuple[PublicStep, ...]


def get_case_by_number(*, number: str, phone_tail: str) -> PublicCaseView:
    """公开查询: a case by its number and the last 4 digits of the reporter's phone.

    Anonymous cases and cases without a phone cannot be looked up. The view that calls this must rate-limit
    attempts (4 digits are guessable).
    """
    number = (number or "").strip().upper()
    tail = (phone_tail or "").strip()
    if not number or len(tail) != 4 or not tail.isdigit():
        raise _not_found()
    case = (
        Case.objects.filter(number=number, reporter_phone_tail=tail, anonymous=False)
        .select_related("category", "department")
        .first()
    )
    if case is None:
        raise _not_found()
    steps = tuple(
        PublicStep(action=action, label=str(LABELS.get(action, action)), at=at)
        for action, at in case.steps.filter(action__in=PUBLIC_ACTIONS)
        .order_by("at", "pk")
        .values_list("action", "at")
    )
    return PublicCaseView(
        number=case.number,
        title=case.title,
        status=case.status,
        status_label=str(case.get_status_display()),
        category=case.category.name if case.category_id else "",
        department=(case.department.short_name or case.department.name) if case.department_id else "",
        received_at=case.received_at,
        closed_at=case.closed_at,
        reply=case.reply if reply_published(case) else "",
        steps=steps,
    )


# --- filters --------------------------------------------------------------------------------------------


def _as_list(value: Any) -> list:
    if isinstance(value, str | int | Category | Department | Region):
        return [value]
    return list(value)


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _day_end(value: date | datetime) -> tuple[datetime, bool]:
    """(bound, inclusive): a date means up to the end of that local day."""
    if isinstance(value, datetime):
        return value, True
    return timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min)), False


def _overdue_q(now: datetime) -> Q:
    return Q(warning_level=WarningLevel.RED) | Q(
        status__in=RUNNING_STATUSES, resolve_due_at__lt=now, paused_at__isnull=True
    )


def category_subtree_ids(category: Category | int) -> list[int]:
    """Ids of a category and all categories below it (from the small category table, one query).

    Filtering cases by this list (``category_id IN (…)``) lets the database use the category index
    instead of joining the category table twice for every case row.
    """
    pk = category.pk if isinstance(category, Category) else int(category)
    return sorted(
        Category.objects.filter(Q(pk=pk) | Q(parent_id=pk) | Q(parent__parent_id=pk)).values_list(
            "pk", flat=True
        )
    )


def _filter_unindexed(qs: QuerySet[Case], field: str, lookup: str, value: Any) -> QuerySet[Case]:
    """``qs.filter(<field>__<lookup>=value)``, on SQLite through a no-op expression that no index matches.

    A category subtree (an ``IN`` list), a region prefix (a range) and a channel each match a few thousand
    to hundreds of thousands of cases. SQLite's planner has no histograms: given an index on such a
    column it reads every matching case and sorts them all for a page of 20 (80–300 ms at a million
    cases). Without that choice it walks an index in list order — ``received_at``, or the status or
    department index, whose trailing category, status and region columns (migration 0004) let it test
    these filters without reading the row — and stops after 20 hits. PostgreSQL estimates these filters
    from its statistics and keeps the plain filter.
    """
    if connections[qs.db].vendor != "sqlite":
        return qs.filter(**{f"{field}__{lookup}": value})
    if isinstance(Case._meta.get_field(field), CharField):
        plain = Concat(field, Value(""), output_field=CharField())
    else:
        plain = ExpressionWrapper(F(field) + 0, output_field=IntegerField())
    return qs.alias(**{f"{field}_plain": plain}).filter(**{f"{field}_plain__{lookup}": value})


def filter_cases(
    qs: QuerySet[Case],
    *,
    status: str | Iterable[str] | None = None,
    category: Category | int | None = None,
    department: Department | int | None = None,
    region: Region | None = None,
    channel: str | Iterable[str] | None = None,
    overdue: bool | None = None,
    received_from: date | datetime | None = None,
    received_to: date | datetime | None = None,
    text: str | None = None,
) -> QuerySet[Case]:
    """Narrow an already scoped case queryset by the list filters (empty values are ignored).

    ``category`` includes its sub-categories; ``region`` includes everything below it; ``received_to``
    as a date includes that whole local day; ``text`` searches number, title, description and address.
    """
    if status:
        qs = qs.filter(status__in=[str(s) for s in _as_list(status)])
    if category:
        qs = _filter_unindexed(qs, "category_id", "in", category_subtree_ids(category))
    if department:
        qs = qs.filter(department_id=department.pk if isinstance(department, Department) else int(department))
    if region is not None:
        qs = _filter_unindexed(qs, "region_path", "prefix", region.path)
    if channel:
        qs = _filter_unindexed(qs, "channel", "in", [str(c) for c in _as_list(channel)])
    if overdue is not None:
        q = _overdue_q(timezone.now())
        qs = qs.filter(q) if overdue else qs.exclude(q)
    if received_from:
        qs = qs.filter(received_at__gte=_day_start(received_from))
    if received_to:
        bound, inclusive = _day_end(received_to)
        qs = qs.filter(received_at__lte=bound) if inclusive else qs.filter(received_at__lt=bound)
    text = (text or "").strip()
    if text:
        qs = qs.filter(
            Q(number=text.upper())  # numbers are upper case (as in case_by_number): the unique index
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(address__icontains=text)
        )
    return qs


def case_timeline(case: Case) -> QuerySet[CaseStep]:
    """办理过程: the case's steps, oldest first, with actor and units loaded."""
    return (
        CaseStep.objects.filter(case_id=case.pk)
        .select_related("actor", "actor_department", "department")
        .order_by("at", "pk")
    )


def case_summons(case: Case) -> QuerySet[Summon]:
    """吹哨记录: the case's summonses, oldest first, each with its departments' report-ins (two queries)."""
    responses = SummonResponse.objects.select_related("department", "summon").order_by("department_id")
    return (
        Summon.objects.filter(case_id=case.pk)
        .prefetch_related(Prefetch("responses", queryset=responses))
        .order_by("at", "pk")
    )


def reads_public_timeline(user, case: Case) -> bool:
    """Whether ``user`` reads only the public part of the case's timeline: everyone but staff who may view
    the case in their own area (its reporter, or staff following a case they entered elsewhere)."""
    return not has_perm(user, "cases.view") or getattr(case, "followed_only", False)


#: the department's reply reaches the reporter once the result was approved (回访 and after)
REPLY_PUBLISHED_STATUSES = frozenset({CaseStatus.PENDING_FOLLOW_UP, CaseStatus.CLOSED})


def reply_published(case: Case) -> bool:
    return case.status in REPLY_PUBLISHED_STATUSES


def reply_for(user, case: Case) -> str:
    """The reply as ``user`` may read it: staff read the draft under review, the reporter (and anyone on
    the public side of ``reads_public_timeline``) only the approved reply."""
    if reads_public_timeline(user, case) and not reply_published(case):
        return ""
    return case.reply


def timeline_for(user, case: Case) -> list[CaseStep]:
    """办理过程 as ``user`` may read it (the API's timeline; the progress page shows the same part).

    Staff who may view the case read every step. Anyone else (``reads_public_timeline``) reads the
    ``PUBLIC_ACTIONS`` steps only, with a note only where it speaks to the reporter (``REPORTER_NOTES``)
    and without the names of the staff who acted (their unit stays): supervision notes, return reasons,
    warnings and handling notes are internal.
    """
    if not reads_public_timeline(user, case):
        return list(case_timeline(case).prefetch_related("attachments"))
    return public_timeline(case)


def public_timeline(case: Case) -> list[CaseStep]:
    """The reporter's view of the timeline (the progress page, and ``timeline_for`` the public side)."""
    public = list(
        case_timeline(case).prefetch_related("attachments").filter(action__in=sorted(PUBLIC_ACTIONS))
    )
    for step in public:
        if step.action not in REPORTER_NOTES:
            step.note = ""
        if step.actor_id != case.reporter_user_id:
            step.staff_hidden = True
    return public


# --- queues ---------------------------------------------------------------------------------------------


#: ``order_by`` term putting urgent cases first (the stored "urgent" sorts after "normal")
URGENT_FIRST = F("urgency").desc()


def dispatch_queue(user) -> QuerySet[Case]:
    """待派单队列: cases waiting for acceptance or dispatch in the user's street(s): urgent ones (gas,
    fire, someone trapped …) first, then oldest first."""
    if not has_perm(user, "cases.dispatch"):
        return Case.objects.none()
    return (
        cases_visible_to(user)
        .filter(status__in=(CaseStatus.PENDING_ACCEPT, CaseStatus.PENDING_DISPATCH))
        .order_by(URGENT_FIRST, "received_at", "pk")
    )


def follow_up_queue(user) -> QuerySet[Case]:
    """待回访: approved cases waiting for the reporter's rating, longest waiting first, for follow-up staff.

    Reporters with an account may rate on their own; those who left only a phone (12345 callers) are
    called back and their answer recorded here (``rate`` with method ``phone``)."""
    if not has_perm(user, "cases.follow_up"):
        return Case.objects.none()
    return (
        cases_visible_to(user)
        .filter(status=CaseStatus.PENDING_FOLLOW_UP)
        .select_related("reporter_user")
        .order_by("resolved_at", "pk")
    )


def extension_queue(user) -> QuerySet[Case]:
    """待审批延期: cases paused on a department's request for more time, the oldest request first.

    Nothing warns about them while the clock is paused, so the dispatcher who decides sees them here;
    ``extension_requested_at`` and ``extension_days`` come with each case."""
    if not has_perm(user, "cases.dispatch"):
        return Case.objects.none()
    pending = ExtensionRequest.objects.filter(case_id=OuterRef("pk"), status="pending").order_by(
        "requested_at"
    )
    return (
        cases_visible_to(user)
        .filter(status=CaseStatus.PROCESSING, paused_at__isnull=False)
        .annotate(
            extension_requested_at=Subquery(pending.values("requested_at")[:1]),
            extension_days=Subquery(pending.values("days")[:1]),
        )
        .filter(extension_requested_at__isnull=False)
        .order_by("extension_requested_at", "pk")
    )


def review_queue(user) -> QuerySet[Case]:
    """待审核队列: resolved cases waiting for review in the user's scope, the longest waiting first."""
    if not has_perm(user, "cases.review"):
        return Case.objects.none()
    return (
        cases_visible_to(user)
        .filter(status=CaseStatus.PENDING_REVIEW)
        .order_by("resolved_at", "received_at", "pk")
    )


def department_inbox(user, box: str) -> QuerySet[Case]:
    """部门工作台: the user's departments' cases in one box, most urgent first.

    * ``to_sign`` — waiting for the department to acknowledge it: dispatched to it as lead and not yet
      signed for, or summoned to it (吹哨) and not yet reported in (报到), whatever the case's status;
    * ``in_progress`` — being handled, as lead or as an active assisting department;
    * ``due_soon`` — lead cases with a yellow warning or a resolve deadline within 24 hours;
    * ``overdue`` — lead cases past their resolve deadline (or marked red by the deadline scan).
    """
    if box not in DEPARTMENT_BOXES:
        raise ValidationFailed({"box": _("Choose a valid box.")})
    departments = sorted(scope_of(user).department_ids)
    if not departments or not has_perm(user, "cases.handle"):
        return Case.objects.none()
    now = timezone.now()
    qs = cases_visible_to(user)
    lead = Q(department_id__in=departments)
    if box == "to_sign":
        summoned = SummonResponse.objects.filter(
            summon__case_id=OuterRef("pk"), department_id__in=departments, reported_at__isnull=True
        )
        qs = qs.filter(
            Q(lead, status=CaseStatus.PENDING_SIGN)
            | Q(Exists(summoned), status__in=list(TRANSITIONS["report_in"]))
        )
    elif box == "in_progress":
        assisting = CaseAssignment.objects.filter(
            case_id=OuterRef("pk"), department_id__in=departments, role=AssignmentRole.ASSIST, is_active=True
        )
        qs = qs.filter(lead | Q(Exists(assisting)), status=CaseStatus.PROCESSING)
    elif box == "due_soon":
        qs = (
            qs.filter(lead, status__in=RUNNING_STATUSES)
            .filter(
                Q(warning_level=WarningLevel.YELLOW)
                | Q(resolve_due_at__gte=now, resolve_due_at__lte=now + DUE_SOON_WITHIN)
            )
            .exclude(_overdue_q(now))
        )
    else:
        qs = qs.filter(lead, status__in=RUNNING_STATUSES).filter(_overdue_q(now))
    return qs.order_by("resolve_due_at", "received_at", "pk")


def department_inbox_counts(user) -> dict[str, int]:
    """How many cases each box of ``department_inbox`` holds (the counts on its tabs): one query a box."""
    return {box: department_inbox(user, box=box).count() for box in DEPARTMENT_BOXES}


@dataclass(frozen=True)
class UnitLoad:
    """One unit's line on the supervisor board: open cases with a yellow or red warning, or overdue."""

    department_id: int | None
    department_name: str
    yellow: int
    red: int
    overdue: int
    total: int


def supervisor_board(user) -> list[UnitLoad]:
    """督办看板: warned and overdue open cases in the user's scope, grouped by lead department.

    Sorted by red warnings, then overdue, then yellow (worst first). Cases not yet dispatched are grouped
    under ``department_id=None``.
    """
    if not has_perm(user, "cases.view"):
        return []
    now = timezone.now()
    overdue = _overdue_q(now)
    rows = (
        cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(warning_level__in=(WarningLevel.YELLOW, WarningLevel.RED)) | overdue)
        .order_by()
        .values("department_id", "department__name", "department__short_name")
        .annotate(
            yellow=Count("pk", filter=Q(warning_level=WarningLevel.YELLOW)),
            red=Count("pk", filter=Q(warning_level=WarningLevel.RED)),
            overdue=Count("pk", filter=overdue),
            total=Count("pk"),
        )
    )
    board = [
        UnitLoad(
            department_id=row["department_id"],
            department_name=(
                row["department__short_name"] or row["department__name"] or _("Not dispatched yet")
            ),
            yellow=row["yellow"],
            red=row["red"],
            overdue=row["overdue"],
            total=row["total"],
        )
        for row in rows
    ]
    board.sort(key=lambda u: (-u.red, -u.overdue, -u.yellow, u.department_name))
    return board


def notifications_for(user, unread_only: bool = False) -> QuerySet[Notification]:
    """站内通知: the user's notifications, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("case").order_by("-created_at", "-pk")


# --- recipients of notifications ------------------------------------------------------------------------


def _holders(permission: str, **assignment) -> QuerySet[User]:
    """Active users holding ``permission`` through a role assignment matching ``assignment`` (one row:
    the permission and the place or department come from the same assignment)."""
    return (
        User.objects.filter(is_active=True, assignments__role__permissions__code=permission, **assignment)
        .distinct()
        .order_by("pk")
    )


def department_users(department_ids: Iterable[int], *, permission: str = "cases.handle") -> QuerySet[User]:
    """Active users holding ``permission`` through a role in one of these departments."""
    ids = sorted({pk for pk in department_ids if pk is not None})
    if not ids:
        return User.objects.none()
    return _holders(permission, assignments__department_id__in=ids)


def _ancestor_paths(path: str) -> list[str]:
    """The paths of a region path's nodes, widest first: ``"1/2/"`` → ``["1/", "1/2/"]``."""
    parts = [p for p in (path or "").split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def holders_over(region_path: str, permission: str) -> QuerySet[User]:
    """Active users holding ``permission`` over a region node that contains ``region_path``."""
    paths = _ancestor_paths(region_path)
    if not paths:
        return User.objects.none()
    return _holders(permission, assignments__region__path__in=paths)


def case_dispatchers(case: Case) -> QuerySet[User]:
    """派单员 of a case: those of its street; for a case filed above any street (a place the registry did not
    know, filed under the district), or in a street without a dispatcher of its own, those over its place
    (the district's dispatch centre), so that returns, extension requests and results to review reach
    someone who can decide them. A case with no place at all has none."""
    if case.street_id is not None:
        street = _holders("cases.dispatch", assignments__region_id=case.street_id)
        if street.exists():
            return street
    return holders_over(case.region_path, "cases.dispatch")


def case_holders(case: Case) -> QuerySet[User]:
    """Who must act on the case next: the reviewers (its dispatchers) while the result awaits review, the
    lead department while the case is with it, the dispatchers before dispatch."""
    if case.status == CaseStatus.PENDING_REVIEW or not case.department_id:
        return case_dispatchers(case)
    return department_users([case.department_id])


# ------------------------------------------------------------------ reads shared by the HTML pages and API


def active_categories():
    """Categories a case may be filed under (shape check of a chosen category id).

    Parents come along: routing walks a category's ancestors (``find_duty_rule``), without a query each.
    """
    return Category.objects.filter(is_active=True).select_related("parent__parent").order_by("path")


def case_by_number(user, number: str):
    """A case the user may see, by its readable number (the same 404 for missing and hidden cases)."""
    return _visible_or_followed(user, number=(number or "").strip().upper())


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in (text or "") if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def possible_duplicates(user, cases, *, limit: int = 3, threshold: float = 0.3) -> dict[int, list]:
    """Open cases at the same place with a similar title, per case (a simple aid until a classifier exists).

    One query for the whole page: open cases visible to ``user`` with the same ``region_path`` (the same
    grid, or the same community when no grid was found); similarity is the overlap of the titles' character
    pairs. The dispatcher decides; nothing is merged automatically. When the intelligence app registered a
    duplicate finder (MinHash LSH with evidence), that finder answers instead.
    """
    from .services.routing import duplicate_finder

    finder = duplicate_finder()
    if finder is not None:
        return finder(user, list(cases), limit=limit)
    paths = sorted({case.region_path for case in cases if case.region_path})
    if not paths:
        return {}
    pool = list(
        filter_cases(cases_visible_to(user), status=OPEN_STATUSES)
        .filter(region_path__in=paths)
        .order_by("received_at", "pk")[:300]
    )
    result: dict[int, list] = {}
    for case in cases:
        mine = _bigrams(case.title)
        scored = []
        for other in pool:
            if (
                other.pk == case.pk
                or other.region_path != case.region_path
                or other.received_at > case.received_at
            ):
                continue
            theirs = _bigrams(other.title)
            union = mine | theirs
            score = len(mine & theirs) / len(union) if union else 0.0
            if score >= threshold:
                scored.append((score, other))
        scored.sort(key=lambda item: (-item[0], item[1].received_at, item[1].pk))
        result[case.pk] = [other for _score, other in scored[:limit]]
    return result


def extension_is_pending(case) -> bool:
    if case.status != CaseStatus.PROCESSING or case.paused_at is None:
        return False
    return case.extensions.filter(status="pending").exists()


def has_pending_summons(case, scope) -> bool:
    if not scope.department_ids:
        return False
    return open_summons_for_scope(case, scope).exists()


def open_summons_for_scope(case, scope):
    return (
        case.summons.filter(
            responses__department_id__in=sorted(scope.department_ids), responses__reported_at__isnull=True
        )
        .distinct()
        .order_by("at", "pk")
    )


def active_assisting_ids(case) -> list[int]:
    """协办部门: ids of the case's active assisting departments in the current round."""
    return list(
        CaseAssignment.objects.filter(
            case_id=case.pk, round=case.round, role=AssignmentRole.ASSIST, is_active=True
        )
        .order_by("department_id")
        .values_list("department_id", flat=True)
    )


def acting_department_ids(case, command: str, *, assisting: Iterable[int] | None = None) -> list[int]:
    """承办部门: the departments that may run the department command ``command`` on ``case``.

    The lead department, and for the commands in ``workflow.ASSISTING_COMMANDS`` (办理记录) also the
    active assisting departments. ``assisting``: their ids when already loaded (``action_flags``).
    The services check the actor against this list; the pages offer the command by the same list.
    """
    ids = [case.department_id] if case.department_id is not None else []
    if command in ASSISTING_COMMANDS:
        more = active_assisting_ids(case) if assisting is None else assisting
        ids.extend(pk for pk in more if pk not in ids)
    return ids


@dataclass(frozen=True)
class ActionFlags:
    """Per-case facts ``available_actions`` needs, loaded for a whole list in at most three queries."""

    extension_pending: bool
    summoned: bool
    #: the user's departments among the case's active assisting ones (for ``acting_department_ids``)
    assisting: tuple[int, ...] = ()


def action_flags(user, cases) -> dict[int, ActionFlags]:
    """``{case pk: ActionFlags}`` for a page of cases (pending extension, open summons for the user)."""
    ids = [case.pk for case in cases]
    if not ids:
        return {}
    paused = [case.pk for case in cases if case.paused_at is not None]
    extension = set()
    if paused:
        extension = set(
            ExtensionRequest.objects.filter(case_id__in=paused, status="pending").values_list(
                "case_id", flat=True
            )
        )
    summoned = set()
    assisting: dict[int, list[int]] = {}
    departments = sorted(scope_of(user).department_ids)
    if departments:
        summoned = set(
            Summon.objects.filter(
                case_id__in=ids, responses__department_id__in=departments, responses__reported_at__isnull=True
            ).values_list("case_id", flat=True)
        )
        # the user's departments assisting on a case they do not lead, where an assisting command is open
        rounds = {
            case.pk: case.round
            for case in cases
            if case.department_id not in departments
            and any(case.status in TRANSITIONS.get(command, {}) for command in ASSISTING_COMMANDS)
        }
        if rounds:
            for case_id, round_, department_id in (
                CaseAssignment.objects.filter(
                    case_id__in=sorted(rounds),
                    department_id__in=departments,
                    role=AssignmentRole.ASSIST,
                    is_active=True,
                )
                .order_by("case_id", "department_id")
                .values_list("case_id", "round", "department_id")
            ):
                if rounds[case_id] == round_:
                    assisting.setdefault(case_id, []).append(department_id)
    return {
        pk: ActionFlags(
            extension_pending=pk in extension, summoned=pk in summoned, assisting=tuple(assisting.get(pk, ()))
        )
        for pk in ids
    }


def pending_summons_for(user, case) -> list:
    """Summonses of ``case`` that one of the user's departments has not reported in to yet."""
    scope = scope_of(user)
    if not scope.department_ids:
        return []
    return list(open_summons_for_scope(case, scope))


from .selectors_catalog import (  # noqa: E402  (the 事项配置 reads, re-exported)
    calendar_days,
    calendar_summary,
    calendar_years,
    category_node,
    category_tree,
    duty_rule_changes,
    duty_rules_visible_to,
    get_category,
    get_duty_rule,
    has_categories,
    manages_whole_catalog,
    rule_categories,
    rule_regions_for,
)

__all__ += [
    "calendar_days",
    "calendar_summary",
    "calendar_years",
    "category_node",
    "category_tree",
    "duty_rule_changes",
    "duty_rules_visible_to",
    "get_category",
    "get_duty_rule",
    "has_categories",
    "manages_whole_catalog",
    "rule_categories",
    "rule_regions_for",
]
