"""The case state machine: the only table of allowed (status, command) → next status.

Services look moves up here (``next_status``); docs/workflow.md is kept in step by a test. Commands that
do not change the status (handle, contact, urge, supervise, summon, report_in, request_extension …) list
the statuses in which they are allowed and map them to themselves.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import CaseStatus as S

# command: {from_status: to_status}
TRANSITIONS: dict[str, dict[str, str]] = {
    "accept": {S.PENDING_ACCEPT: S.PENDING_DISPATCH},
    "reject": {S.PENDING_ACCEPT: S.REJECTED, S.PENDING_DISPATCH: S.REJECTED},
    "dispatch": {S.PENDING_ACCEPT: S.PENDING_SIGN, S.PENDING_DISPATCH: S.PENDING_SIGN},
    "sign": {S.PENDING_SIGN: S.PROCESSING},
    "return": {S.PENDING_SIGN: S.PENDING_DISPATCH, S.PROCESSING: S.PENDING_DISPATCH},
    "reassign": {
        S.PENDING_SIGN: S.PENDING_SIGN,
        S.PROCESSING: S.PENDING_SIGN,
        S.PENDING_DISPATCH: S.PENDING_SIGN,
    },
    "request_extension": {S.PROCESSING: S.PROCESSING},
    "approve_extension": {S.PROCESSING: S.PROCESSING},
    "deny_extension": {S.PROCESSING: S.PROCESSING},
    "contact": {S.PROCESSING: S.PROCESSING},
    "handle": {S.PROCESSING: S.PROCESSING},
    "resolve": {S.PROCESSING: S.PENDING_REVIEW},
    "approve": {S.PENDING_REVIEW: S.PENDING_FOLLOW_UP},
    "send_back": {S.PENDING_REVIEW: S.PROCESSING},
    "rate": {S.PENDING_FOLLOW_UP: S.CLOSED},
    "reopen": {S.PENDING_FOLLOW_UP: S.PENDING_SIGN, S.CLOSED: S.PENDING_SIGN},
    "urge": {
        s: s for s in (S.PENDING_ACCEPT, S.PENDING_DISPATCH, S.PENDING_SIGN, S.PROCESSING, S.PENDING_REVIEW)
    },
    "supervise": {
        s: s
        for s in (
            S.PENDING_ACCEPT,
            S.PENDING_DISPATCH,
            S.PENDING_SIGN,
            S.PROCESSING,
            S.PENDING_REVIEW,
            S.PENDING_FOLLOW_UP,
        )
    },
    "summon": {s: s for s in (S.PENDING_DISPATCH, S.PENDING_SIGN, S.PROCESSING)},
    "report_in": {s: s for s in (S.PENDING_DISPATCH, S.PENDING_SIGN, S.PROCESSING, S.PENDING_REVIEW)},
    "withdraw": {S.PENDING_ACCEPT: S.WITHDRAWN, S.PENDING_DISPATCH: S.WITHDRAWN, S.PENDING_SIGN: S.WITHDRAWN},
    "merge": {S.PENDING_ACCEPT: S.MERGED, S.PENDING_DISPATCH: S.MERGED, S.PENDING_SIGN: S.MERGED},
    "release": {S.MERGED: S.PENDING_DISPATCH},
}

LABELS: dict[str, object] = {
    "submit": _("Submitted"),
    "accept": _("Accepted"),
    "reject": _("Rejected"),
    "dispatch": _("Dispatched"),
    "sign": _("Signed for"),
    "return": _("Returned"),
    "reassign": _("Reassigned"),
    "request_extension": _("Requested an extension"),
    "approve_extension": _("Approved the extension"),
    "deny_extension": _("Denied the extension"),
    "contact": _("Contacted the reporter"),
    "handle": _("Handling note"),
    "resolve": _("Applied to close"),
    "approve": _("Review approved"),
    "send_back": _("Sent back for more work"),
    "rate": _("Rated"),
    "reopen": _("Reopened"),
    "urge": _("Urged"),
    "supervise": _("Supervision note"),
    "summon": _("Summoned departments"),
    "report_in": _("Reported in"),
    "withdraw": _("Withdrawn by the reporter"),
    "merge": _("Merged into another case"),
    "release": _("Released from the merge"),
    "master_closed": _("The master case was closed"),
    "warning": _("Deadline warning"),
    "escalate": _("Escalated as overdue"),
}

TERMINAL = frozenset({S.CLOSED, S.REJECTED, S.WITHDRAWN, S.MERGED})

#: The deadline that runs in a status, the one the case's yellow/red light (``warning_level``) is about:
#: signing while the case waits to be signed, resolving while it is handled. No light in other statuses.
RUNNING_DEADLINE: dict[str, str] = {S.PENDING_SIGN: "sign", S.PROCESSING: "resolve"}

#: Department commands that an active assisting department (协办部门) may run as well as the lead
#: department; every other department command (sign, contact, resolve …) is the lead department's alone.
#: Services and the actions offered on pages both read this through ``selectors.acting_department_ids``.
ASSISTING_COMMANDS = frozenset({"handle"})


def next_status(command: str, current: str) -> str | None:
    """The status after ``command`` from ``current``, or None when the move is not allowed."""
    return TRANSITIONS.get(command, {}).get(current)


def allowed_commands(current: str) -> list[str]:
    return [command for command, moves in TRANSITIONS.items() if current in moves]
