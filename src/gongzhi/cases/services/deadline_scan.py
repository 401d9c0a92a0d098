"""预警与超期升级: the periodic scan behind yellow warnings and red (overdue) escalation.

Every case whose next check (``Case.warn_at``, partial index where not null) has come is claimed by a
compare-and-set on ``(pk, warn_at)`` inside its own short transaction, so two workers never act on one
row. The level is computed for the deadline that is running in the case's status:

* ``pending_sign`` → ``sign_due_at``, clock hours from the dispatch (``dispatched_at``);
* ``processing`` → ``resolve_due_at``, working days (``TimeUnit.WORKING_DAY``) from the start of the
  round, with the round's closed ``CasePause`` rows left out (the due already includes their shift).

Yellow writes a ``warning`` step and tells the lead department; red writes an ``escalate`` step (the case
is then on the supervisor board) and also tells the street's dispatchers and the supervisors above the
case. Each (round, deadline, due) gets at most one ``warning`` and one ``escalate`` step, and every
notice carries a dedupe key, so nothing is ever sent twice. After a catch-up (the job was down) a case
that went straight to red gets both steps in one run. The next check comes from
``workflow.next_warn_at`` (the due after a yellow, nothing more for that deadline after a red). A row that
raises is logged and its check moved forward by ``RETRY_AFTER``, so one bad row cannot stall the scan.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.services import system_actor
from gongzhi.audit.services import record

from .. import deadlines, policy
from ..choices import WarningLevel
from ..models import Case, CaseAssignment, CasePause, CaseStep
from ..selectors import case_dispatchers, department_users, holders_over
from ..workflow import RUNNING_DEADLINE
from .notify import notify

logger = logging.getLogger("gongzhi.cases.deadline_scan")

__all__ = ["RETRY_AFTER", "RunningDeadline", "ScanResult", "running_deadline", "scan_deadlines"]

RETRY_AFTER = timedelta(minutes=15)
"""How far a row that raised is pushed forward before it is tried again."""
TIME_BUDGET = timedelta(seconds=50)
"""One run stops taking new batches after this long (the task runs every minute and picks up the rest)."""


@dataclass
class ScanResult:
    """What one run of the scan did."""

    checked: int = 0
    yellow: int = 0
    red: int = 0
    steps: int = 0
    rescheduled: int = 0
    skipped: int = 0
    failed: int = 0
    batches: int = 0
    caught_up: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunningDeadline:
    """The deadline that runs in the case's status: kind (sign/resolve), start, due, unit, pauses."""

    kind: str
    start: datetime
    due: datetime
    unit: deadlines.TimeUnit
    pauses: tuple[deadlines.Pause, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}:{int(self.due.timestamp())}"


def _round_start(case: Case) -> datetime | None:
    """Start of the resolve clock: the round's first lead assignment (as ``workflow.next_warn_at`` uses)."""
    first = (
        CaseAssignment.objects.filter(case_id=case.pk, round=case.round, role="lead")
        .order_by("assigned_at", "pk")
        .values_list("assigned_at", flat=True)
        .first()
    )
    return first or case.dispatched_at or case.received_at


def running_deadline(case: Case) -> RunningDeadline | None:
    """当前计时的时限: the sign deadline while pending sign, the resolve deadline while processing
    (``workflow.RUNNING_DEADLINE``)."""
    kind = RUNNING_DEADLINE.get(case.status)
    if kind == "sign" and case.sign_due_at:
        start = case.dispatched_at or case.received_at
        return RunningDeadline("sign", start, case.sign_due_at, deadlines.TimeUnit.CLOCK, ())
    if kind == "resolve" and case.resolve_due_at:
        pauses = tuple(
            deadlines.Pause(started, ended)
            for started, ended in CasePause.objects.filter(case_id=case.pk, round=case.round)
            .order_by("started_at", "pk")
            .values_list("started_at", "ended_at")
        )
        start = _round_start(case)
        if start is None:
            return None
        return RunningDeadline("resolve", start, case.resolve_due_at, deadlines.TimeUnit.WORKING_DAY, pauses)
    return None


def _note(action: str, kind: str, due: datetime) -> str:
    """The timeline note of a warning or escalation step (whole sentences, one per deadline)."""
    notes = {
        ("warning", "sign"): _("Sign-for deadline %(due)s: 80%% of the time has been used."),
        ("warning", "resolve"): _("Resolution deadline %(due)s: 80%% of the time has been used."),
        ("escalate", "sign"): _("The sign-for deadline %(due)s has passed. The case is overdue."),
        ("escalate", "resolve"): _("The resolution deadline %(due)s has passed. The case is overdue."),
    }
    return notes[action, kind] % {"due": _local(due)}


def _message(action: str, kind: str, number: str, due: datetime) -> str:
    """The notice sent to people for a warning or escalation."""
    messages = {
        ("warning", "sign"): _("Case %(number)s must be signed for by %(due)s. Please sign for it soon."),
        ("warning", "resolve"): _("Case %(number)s must be resolved by %(due)s. Please hurry."),
        ("escalate", "sign"): _("Case %(number)s is overdue: it was not signed for by %(due)s."),
        ("escalate", "resolve"): _("Case %(number)s is overdue: it was not resolved by %(due)s."),
    }
    return messages[action, kind] % {"number": number, "due": _local(due)}


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _write_step(
    case: Case, *, action: str, system: User, deadline: RunningDeadline, level: str, now: datetime, late: bool
) -> CaseStep:
    data = {
        "deadline": deadline.kind,
        "level": level,
        "due": deadline.due.isoformat(),
        "start": deadline.start.isoformat(),
        "key": deadline.key,
        "late": late,
    }
    note = _note(action, deadline.kind, deadline.due)
    step = CaseStep.objects.create(
        case=case,
        round=case.round,
        action=action,
        from_status=case.status,
        to_status=case.status,
        actor=system,
        actor_role=str(system)[:60],
        actor_department=None,
        department_id=case.department_id,
        at=now,
        note=note,
        data=data,
        region_path=case.region_path,
    )
    record(actor=system, action=f"cases.{action}", target=case, data=data)
    return step


def _notify_on_commit(case: Case, *, action: str, deadline: RunningDeadline) -> None:
    lead = list(department_users([case.department_id]))
    message = _message(action, deadline.kind, case.number, deadline.due)
    if action == "warning":
        recipients, kind, level = lead, "case.warning", WarningLevel.YELLOW
    else:
        recipients = [*lead, *case_dispatchers(case), *holders_over(case.region_path, "cases.supervise")]
        kind, level = "case.escalate", WarningLevel.RED
    if not recipients:
        return
    dedupe_key = f"deadline:{case.pk}:{case.round}:{deadline.key}:{level}"
    transaction.on_commit(
        functools.partial(
            notify, recipients=recipients, case=case, kind=kind, message=message, dedupe_key=dedupe_key
        )
    )


def _next_check(case: Case, now: datetime, cal: deadlines.WorkCalendar) -> datetime | None:
    from .workflow import next_warn_at

    moment = next_warn_at(case, now=now, cal=cal)
    if moment is not None and moment <= now:  # never schedule into the past: that would loop
        moment = now + timedelta(seconds=1)
    return moment


def _process(
    pk: int,
    expected: datetime,
    *,
    now: datetime,
    cal: deadlines.WorkCalendar,
    system: User,
    result: ScanResult,
) -> None:
    with transaction.atomic():
        if not Case.objects.filter(pk=pk, warn_at=expected).update(warn_at=None):
            result.skipped += 1  # another worker (or a workflow command) got there first
            return
        case = Case.objects.get(pk=pk)  # read after the claim: the row is ours until commit
        result.checked += 1
        deadline = running_deadline(case) if case.paused_at is None else None
        level = case.warning_level
        if deadline is not None:
            level = deadlines.warning_level(
                deadline.start, deadline.due, now, cal=cal, unit=deadline.unit, pauses=deadline.pauses
            )
            done = set(
                CaseStep.objects.filter(
                    case_id=pk, round=case.round, action__in=("warning", "escalate"), data__key=deadline.key
                ).values_list("action", flat=True)
            )
            if level in (WarningLevel.YELLOW, WarningLevel.RED) and "warning" not in done:
                _write_step(
                    case,
                    action="warning",
                    system=system,
                    deadline=deadline,
                    level=WarningLevel.YELLOW,
                    now=now,
                    late=level == WarningLevel.RED,
                )
                _notify_on_commit(case, action="warning", deadline=deadline)
                result.yellow += 1
                result.steps += 1
            if level == WarningLevel.RED and "escalate" not in done:
                _write_step(
                    case,
                    action="escalate",
                    system=system,
                    deadline=deadline,
                    level=WarningLevel.RED,
                    now=now,
                    late=False,
                )
                _notify_on_commit(case, action="escalate", deadline=deadline)
                result.red += 1
                result.steps += 1
        case.warning_level = level  # judged just now: the next check follows from it
        next_check = _next_check(case, now, cal)
        Case.objects.filter(pk=pk).update(warn_at=next_check, warning_level=level)
        result.rescheduled += 1


def _push_forward(pk: int, expected: datetime, now: datetime) -> None:
    try:
        with transaction.atomic():
            Case.objects.filter(pk=pk, warn_at=expected).update(warn_at=now + RETRY_AFTER)
    except Exception:  # pragma: no cover - the database itself is failing; the next run retries
        logger.exception("deadline scan: could not move case %s forward", pk)


def scan_deadlines(
    *, now: datetime | None = None, limit: int = 500, time_budget: timedelta = TIME_BUDGET
) -> ScanResult:
    """预警扫描: warn and escalate every case whose next check is due, batch after batch.

    Processes batches of ``limit`` rows (oldest ``warn_at`` first) until none is due — so a run after the
    job was down catches up completely — or until ``time_budget`` is spent (then ``caught_up`` is False and
    the next run continues). Safe to run concurrently and repeatedly.
    """
    now = now or timezone.now()
    started = time.monotonic()
    result = ScanResult()
    system = system_actor()
    cal = policy.work_calendar()
    seen: set[tuple[int, datetime]] = set()
    while True:
        batch = list(
            Case.objects.filter(warn_at__lte=now)
            .order_by("warn_at", "pk")
            .values_list("pk", "warn_at")[:limit]
        )
        fresh = [row for row in batch if row not in seen]
        if not fresh:
            break
        result.batches += 1
        for pk, expected in fresh:
            seen.add((pk, expected))
            try:
                _process(pk, expected, now=now, cal=cal, system=system, result=result)
            except Exception:
                logger.exception("deadline scan: case %s failed; retrying after %s", pk, RETRY_AFTER)
                result.failed += 1
                _push_forward(pk, expected, now)
            if time.monotonic() - started > time_budget.total_seconds():
                result.caught_up = not Case.objects.filter(warn_at__lte=now).exists()
                return result
    return result
