"""Choices of the cases app (English values, Chinese labels via gettext)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    PENDING_ACCEPT = "pending_accept", _("Pending acceptance")
    PENDING_DISPATCH = "pending_dispatch", _("Pending dispatch")
    PENDING_SIGN = "pending_sign", _("Pending sign-off")
    PROCESSING = "processing", _("Processing")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PENDING_FOLLOW_UP = "pending_follow_up", _("Pending follow-up")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (
    CaseStatus.PENDING_ACCEPT,
    CaseStatus.PENDING_DISPATCH,
    CaseStatus.PENDING_SIGN,
    CaseStatus.PROCESSING,
    CaseStatus.PENDING_REVIEW,
    CaseStatus.PENDING_FOLLOW_UP,
)


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    WEB = "web", _("Website")
    MOBILE = "mobile", _("Mobile H5")
    PATROL = "patrol", _("Grid patrol")
    WALK_IN = "walk_in", _("Walk-in")
    ENFORCEMENT = "enforcement", _("Enforcement push")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    PROACTIVE = "proactive", _("Proactive governance")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SELF = "self", _("Resident's own rating")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Home visit")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead department")
    ASSIST = "assist", _("Assisting department")


class WarningLevel(models.TextChoices):
    NORMAL = "normal", _("Normal")
    YELLOW = "yellow", _("Yellow warning")
    RED = "red", _("Overdue")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class PauseKind(models.TextChoices):
    RETURN = "return", _("Return pending")
    EXTENSION = "extension", _("Extension pending")


class CalendarDayKind(models.TextChoices):
    """Kind of a working-calendar row; ``normal`` is a day an administrator set back to its weekday's rule.

    A ``normal`` row changes nothing in the arithmetic (Monday-Friday worked, weekends off); it exists so
    that re-seeding the year does not bring back the holiday or make-up day the administrator removed.
    """

    HOLIDAY = "holiday", _("Holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")
    NORMAL = "normal", _("Normal day (set by hand)")


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("Reporter's photo")
    BEFORE = "before", _("Before handling")
    AFTER = "after", _("After handling")
    DOCUMENT = "document", _("Document")
