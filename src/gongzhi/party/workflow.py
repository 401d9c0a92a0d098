"""The state machines of the party app: the only tables of allowed (command, status) → next status.

Services look moves up here (``next_status``) and change rows compare-and-set on the expected status;
a move not in the table raises ``InvalidTransition``. Asking for a state that already holds is a no-op
(the services check ``already`` first).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import InvalidTransition

from .choices import ClaimStatus as C
from .choices import HelpStatus as H
from .choices import RegistrationStatus as R
from .choices import WishStatus as W

#: 微心愿: posted → reviewed → published → claimed → fulfilled → confirmed by the resident.
WISH_TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {W.PENDING_REVIEW: W.PUBLISHED},
    "reject": {W.PENDING_REVIEW: W.REJECTED},
    "claim": {W.PUBLISHED: W.CLAIMED},
    "release": {W.CLAIMED: W.PUBLISHED},
    "fulfil": {W.CLAIMED: W.FULFILLED},
    "confirm": {W.FULFILLED: W.CONFIRMED},
    "dispute": {W.FULFILLED: W.CLAIMED},
    "cancel": {W.PENDING_REVIEW: W.CANCELLED, W.PUBLISHED: W.CANCELLED},
}

WISH_LABELS: dict[str, object] = {
    "approve": _("Approve and publish"),
    "reject": _("Do not accept"),
    "claim": _("Claim"),
    "release": _("Give up the claim"),
    "fulfil": _("Report fulfilled"),
    "confirm": _("Confirm fulfilled"),
    "dispute": _("Not fulfilled yet"),
    "cancel": _("Withdraw"),
}

#: 双报到: applied → approved or rejected; an approved registration may end.
REGISTRATION_TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {R.PENDING: R.APPROVED},
    "reject": {R.PENDING: R.REJECTED},
    "end": {R.APPROVED: R.ENDED, R.PENDING: R.ENDED},
}

#: 服务任务认领: claimed → done (member reports hours) → confirmed (community); cancel before confirmation.
CLAIM_TRANSITIONS: dict[str, dict[str, str]] = {
    "finish": {C.CLAIMED: C.DONE},
    "confirm": {C.DONE: C.CONFIRMED},
    "cancel": {C.CLAIMED: C.CANCELLED, C.DONE: C.CANCELLED},
}

#: 党员参与办理: assigned → contribution recorded, or cancelled.
HELP_TRANSITIONS: dict[str, dict[str, str]] = {
    "record": {H.ASSIGNED: H.DONE},
    "cancel": {H.ASSIGNED: H.CANCELLED},
}


def next_status(table: dict[str, dict[str, str]], command: str, current: str) -> str | None:
    """The status after ``command`` from ``current`` in ``table``, or None when the move is not allowed."""
    return table.get(command, {}).get(current)


def allowed_commands(table: dict[str, dict[str, str]], current: str) -> list[str]:
    return [command for command, moves in table.items() if current in moves]


def require_move(table: dict[str, dict[str, str]], command: str, current: str, *, code: str) -> str:
    """The next status, or ``InvalidTransition`` with a plain Chinese message."""
    target = next_status(table, command, current)
    if target is None:
        raise InvalidTransition(
            _("This action is not possible in the current state. Please refresh the page."), code=code
        )
    return target
