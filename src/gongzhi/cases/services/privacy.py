"""显示诉求人完整号码: a reporter's full phone for the staff who must call them, audited each time.

Lists and the API show the phone masked (``138****5678``). The lead or an assisting department (to
contact the reporter, 联系诉求人), the dispatcher and follow-up staff (回访) may reveal it; a confidential
case's reporter stays hidden from departments, and an anonymous reporter has no phone to reveal.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.scoping import has_perm
from gongzhi.audit.services import record
from gongzhi.core.errors import PermissionDenied

from ..models import Case
from ..schemas import reporter_identity_hidden
from ..selectors import get_case

#: Permissions of the people who call reporters: handlers (contact), dispatchers, follow-up staff.
CONTACT_PERMISSIONS = ("cases.handle", "cases.dispatch", "cases.follow_up")


def may_reveal_reporter_phone(user: User, case: Case) -> bool:
    """Whether ``user`` (who can see ``case``) may see its reporter's full phone."""
    if getattr(case, "followed_only", False):  # entered by the user outside their area: read only
        return False
    if not case.reporter_phone_tail or reporter_identity_hidden(user, case):
        return False
    return any(has_perm(user, code) for code in CONTACT_PERMISSIONS)


@transaction.atomic
def reveal_reporter_phone(*, actor: User, case_id: int) -> str:
    """The reporter's full phone, for a user allowed to see it; every reveal is in the audit log."""
    case = get_case(user=actor, pk=case_id)  # out of scope: the same "not found" as a missing case
    if not may_reveal_reporter_phone(actor, case):
        raise PermissionDenied(_("You may not see this reporter's phone number."))
    record(actor=actor, action="cases.reveal_reporter", target=case, data={"field": "reporter_phone"})
    return case.reporter_phone or ""
