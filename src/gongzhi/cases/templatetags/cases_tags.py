"""Formatting for the case templates: status and deadline badges, labels, masking (no logic, STYLE.md §7)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongzhi.core import masking

from .. import workflow
from ..choices import CaseStatus, Rating, WarningLevel

register = template.Library()

STATUS_CLASS = {
    CaseStatus.PENDING_ACCEPT: "warn",
    CaseStatus.PENDING_DISPATCH: "warn",
    CaseStatus.PENDING_SIGN: "warn",
    CaseStatus.PROCESSING: "",
    CaseStatus.PENDING_REVIEW: "",
    CaseStatus.PENDING_FOLLOW_UP: "ok",
    CaseStatus.CLOSED: "ok",
    CaseStatus.REJECTED: "bad",
    CaseStatus.WITHDRAWN: "",
    CaseStatus.MERGED: "",
}


@register.filter
def status_badge(case) -> str:
    """``<span class="badge …" data-status="closed">Closed</span>`` for a case."""
    status = CaseStatus(case.status)
    return format_html(
        '<span class="badge {}" data-status="{}" data-testid="case-status">{}</span>',
        STATUS_CLASS.get(status, ""),
        status.value,
        status.label,
    )


@register.filter
def warning_badge(case) -> str:
    """The case's yellow/red light (empty when on schedule or finished)."""
    if case.status in workflow.TERMINAL or case.warning_level == WarningLevel.NORMAL:
        return ""
    css = "bad" if case.warning_level == WarningLevel.RED else "warn"
    return format_html(
        '<span class="badge {}" data-warning="{}">{}</span>',
        css,
        case.warning_level,
        WarningLevel(case.warning_level).label,
    )


@register.filter
def light_for(case, deadline: str) -> str:
    """The case's warning level for the badge of one of its deadlines: only the deadline that runs in its
    status carries the light, as in ``{% deadline_badge case.sign_due_at case.signed_at
    case|light_for:"sign" %}``."""
    return case.warning_level if workflow.RUNNING_DEADLINE.get(case.status) == deadline else ""


@register.simple_tag
def deadline_badge(due, done=None, level: str = "") -> str:
    """A deadline with its light: done (on time or late), overdue (red), warning (yellow) or pending."""
    if due is None:
        return ""
    when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    if done is not None:
        css, text = ("ok", _("Done on time")) if done <= due else ("bad", _("Done late"))
    elif timezone.now() > due:
        css, text = "bad", _("Overdue")
    elif level == WarningLevel.YELLOW:
        css, text = "warn", _("Due soon")
    else:
        css, text = "", _("Not yet done")
    return format_html(
        '<time datetime="{}">{}</time> <span class="badge {}">{}</span>', due.isoformat(), when, css, text
    )


@register.filter
def action_label(action: str) -> str:
    """The Chinese label of a timeline event (``sign`` → 签收)."""
    return str(workflow.LABELS.get(action, action))


@register.filter
def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value or ""


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_name(value) -> str:
    return masking.mask_name(value)


@register.filter
def get_item(mapping, key):
    """``{{ forms|get_item:"dispatch" }}``: a dict lookup by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def rating_label(value: str) -> str:
    try:
        return str(Rating(value).label)
    except ValueError:
        return value or ""


@register.filter(name="rate")
def rate_text(value: float | None) -> str:
    """A rate as a percentage with one decimal (0.875 → "87.5%"); no data (None) → "—", never "0%"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"
