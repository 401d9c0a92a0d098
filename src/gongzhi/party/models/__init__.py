"""Models of the party app (党建), re-exported from their modules."""

from .activities import Activity, ActivityParticipation, ActivityPhoto
from .disclosure import Disclosure, DisclosureAttachment
from .engagement import CaseHelp, DualRegistration, HouseholdLink, ServiceTask, TaskClaim, Visit
from .members import Member, MemberTransfer
from .organisations import Officer, PartyOrganisation
from .points import PointsEntry, PointsRule
from .study import Course, Enrolment
from .wishes import Wish, WishPhoto

__all__ = [
    "Activity",
    "ActivityParticipation",
    "ActivityPhoto",
    "CaseHelp",
    "Course",
    "Disclosure",
    "DisclosureAttachment",
    "DualRegistration",
    "Enrolment",
    "HouseholdLink",
    "Member",
    "MemberTransfer",
    "Officer",
    "PartyOrganisation",
    "PointsEntry",
    "PointsRule",
    "ServiceTask",
    "TaskClaim",
    "Visit",
    "Wish",
    "WishPhoto",
]
