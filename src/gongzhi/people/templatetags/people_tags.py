"""Formatting filters for the base-data templates: masking and history labels (no logic, STYLE.md §7)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from gongzhi.core import masking
from gongzhi.regions.choices import HouseUse

from ..choices import ChangeSource, Gender, OrganisationKind, ResidenceKind, ResidentStatus

register = template.Library()

FIELD_LABELS = {
    "name": _("Name"),
    "gender": _("Gender"),
    "birth_date": _("Birth date"),
    "id_number": _("ID number"),
    "phone": _("Mobile phone"),
    "household": _("Household"),
    "relation_to_head": _("Relation to head"),
    "house": _("House"),
    "grid": _("Grid"),
    "residence_kind": _("Population type"),
    "status": _("Status"),
    "tags": _("Tags"),
    "number": _("Household number"),
    "head": _("Head of household"),
    "kind": _("Kind"),
    "credit_code": _("Unified social credit code"),
    "legal_representative": _("Legal representative"),
    "contact_phone": _("Contact phone"),
    "address": _("Address"),
    "building": _("Building"),
    "use": _("Use"),
    "area": _("Floor area"),
}
ACTION_LABELS = {"create": _("Created"), "update": _("Changed"), "status": _("Status changed")}
_VALUE_LABELS = {
    "gender": dict(Gender.choices),
    "residence_kind": dict(ResidenceKind.choices),
    "status": dict(ResidentStatus.choices),
    "kind": dict(OrganisationKind.choices),
    "use": dict(HouseUse.choices),
}


@register.filter
def mask_id(value) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value)


@register.filter
def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


@register.filter
def field_labels(names) -> str:
    return "、".join(str(FIELD_LABELS.get(n, n)) for n in names or [])


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def source_label(source: str) -> str:
    return str(dict(ChangeSource.choices).get(source, source))


@register.simple_tag
def change_value(field: str, value) -> str:
    """One old/new value of a history entry, readable: choice labels, tag lists, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    labels = _VALUE_LABELS.get(field)
    if labels and value in labels:
        return str(labels[value])
    return str(value)
