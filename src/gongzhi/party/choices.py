"""Choices of the party app (English values, Chinese labels via gettext)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    """党组织类别: 党委, 党总支, 党支部, 党小组."""

    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Party group")


#: Which kind may sit under which (a group only under a branch; a branch under a committee or general branch).
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    OrganisationKind.COMMITTEE: (OrganisationKind.COMMITTEE,),
    OrganisationKind.GENERAL_BRANCH: (OrganisationKind.COMMITTEE,),
    OrganisationKind.BRANCH: (OrganisationKind.COMMITTEE, OrganisationKind.GENERAL_BRANCH),
    OrganisationKind.GROUP: (OrganisationKind.BRANCH,),
}

#: Organisation kinds that count as "a branch or group on the grid" for coverage.
GRID_COVERING_KINDS = (OrganisationKind.BRANCH, OrganisationKind.GROUP)


class Sector(models.TextChoices):
    """设置领域: where the organisation is built — on a region node or in a unit."""

    REGION = "region", _("Street or community")
    GRID = "grid", _("Grid")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    SOCIAL_ORG = "social_org", _("Social organisation")
    INSTITUTION = "institution", _("Government agency or public institution")


#: Sectors that are built in a unit (bound to a ``people.Organisation`` or a department).
UNIT_SECTORS = (Sector.ENTERPRISE, Sector.SCHOOL, Sector.SOCIAL_ORG, Sector.INSTITUTION)


class Position(models.TextChoices):
    """班子职务."""

    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GROUP_LEADER = "group_leader", _("Group leader")


class MemberStatus(models.TextChoices):
    """党员类别: 正式党员, 预备党员, 入党积极分子."""

    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")
    ACTIVIST = "activist", _("Activist")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class RegistrationKind(models.TextChoices):
    MEMBER = "member", _("In-service member")
    UNIT = "unit", _("Unit")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ENDED = "ended", _("Ended")


#: Registrations that block a second one of the same member (or unit) at the same community.
LIVE_REGISTRATION = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open for claims")
    CLOSED = "closed", _("Closed")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityKind(models.TextChoices):
    """三会一课 (branch meeting, committee meeting, group meeting, party lecture), 主题党日, 志愿服务."""

    BRANCH_MEETING = "branch_meeting", _("Branch members' meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    PARTY_DAY = "party_day", _("Party day")
    VOLUNTEER = "volunteer", _("Volunteer service")
    OTHER = "other", _("Other activity")


#: 三会一课: the standard meetings.
STANDARD_MEETINGS = (
    ActivityKind.BRANCH_MEETING,
    ActivityKind.COMMITTEE_MEETING,
    ActivityKind.GROUP_MEETING,
    ActivityKind.PARTY_LECTURE,
)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class PointsEvent(models.TextChoices):
    """What a points rule scores."""

    ATTEND_ACTIVITY = "attend_activity", _("Attend an activity")
    COMPLETE_TASK = "complete_task", _("Complete a service task")
    FULFIL_WISH = "fulfil_wish", _("Fulfil a micro-wish")
    HELP_CASE = "help_case", _("Help resolve a case")


class PointsSource(models.TextChoices):
    """The kind of event a points entry traces back to."""

    ACTIVITY = "activity", _("Activity")
    TASK_CLAIM = "task_claim", _("Service task")
    WISH = "wish", _("Micro-wish")
    CASE_HELP = "case_help", _("Case help")


#: The event a source type scores (one source → one event, so an event can never score twice).
SOURCE_EVENT: dict[str, str] = {
    PointsSource.ACTIVITY: PointsEvent.ATTEND_ACTIVITY,
    PointsSource.TASK_CLAIM: PointsEvent.COMPLETE_TASK,
    PointsSource.WISH: PointsEvent.FULFIL_WISH,
    PointsSource.CASE_HELP: PointsEvent.HELP_CASE,
}


class WishStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not accepted")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the resident")
    CANCELLED = "cancelled", _("Withdrawn")


class WishCategory(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    CARE = "care", _("Care and company")
    OTHER = "other", _("Other")


class HelpStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Contribution recorded")
    CANCELLED = "cancelled", _("Cancelled")


class VisitFollowUp(models.TextChoices):
    NONE = "none", _("No follow-up needed")
    CASE = "case", _("Filed a case")
    WISH = "wish", _("Posted a micro-wish")


class DisclosureCategory(models.TextChoices):
    """三务公开: 党务, 居务, 财务."""

    PARTY = "party", _("Party affairs")
    RESIDENTS = "residents", _("Residents' affairs")
    FINANCE = "finance", _("Finance")


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CourseKind(models.TextChoices):
    TEXT = "text", _("Text")
    PDF = "pdf", _("PDF document")
    VIDEO = "video", _("Video")


class CourseAudience(models.TextChoices):
    MEMBERS = "members", _("Party members")
    STAFF = "staff", _("Staff")
    EVERYONE = "everyone", _("Members and staff")
