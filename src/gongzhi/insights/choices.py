"""Choices of the insights app: alert kinds and statuses, problem-of-the-month statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    CATEGORY_SURGE = "category_surge", _("Category surge")
    REPEAT_ADDRESS = "repeat_address", _("Repeated complaints from one place")
    DEPARTMENT_REOPENS = "department_reopens", _("Many reopened cases")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Awaiting action")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Dealt with")


#: Statuses in which an alert is still "the" alert of its situation (at most one per dedupe key).
ACTIVE_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    SOLVED = "solved", _("Solved")
    CANCELLED = "cancelled", _("Cancelled")
