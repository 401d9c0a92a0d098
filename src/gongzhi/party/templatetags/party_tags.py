"""Formatting for the party templates: masking, percentages, and the section menu (no logic, STYLE.md §7)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core import masking

register = template.Library()

#: The section menu: (label, URL name, permission). Entries show only to users holding the permission.
SECTIONS = [
    (_("Dashboard"), "party:dashboard", "party.view_dashboard"),
    (_("Organisations"), "party:organisations", "party.view_organisation"),
    (_("Members"), "party:members", "party.view_organisation"),
    (_("Dual registration"), "party:registrations", "party.view_organisation"),
    (_("Service tasks"), "party:tasks", "party.view_organisation"),
    (_("Activities"), "party:activities", "party.view_organisation"),
    (_("Points"), "party:points", "party.view_points"),
    (_("Micro-wishes"), "party:wishes", "party.review_wish"),
    (_("Cases"), "party:cases", "party.assign_case_help"),
    (_("Disclosures"), "party:disclosures", "party.view_disclosure"),
    (_("Study"), "party:courses", "party.study"),
    (_("Wish wall"), "party:wall", None),
]


@register.filter
def mask_name(value) -> str:
    return masking.mask_name(value)


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_id(value) -> str:
    return masking.mask_id_number(value)


@register.filter
def percent(value) -> str:
    """0.875 → "87.5%"; None (no data) → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.inclusion_tag("party/partials/_subnav.html", takes_context=True)
def party_subnav(context):
    from gongzhi.accounts.scoping import permissions_of

    request = context.get("request")
    user = getattr(request, "user", None)
    perms = permissions_of(user) if user is not None else frozenset()
    path = request.path if request is not None else ""
    items = []
    for label, name, permission in SECTIONS:
        if permission and permission not in perms:
            continue
        url = reverse(name)
        items.append({"label": label, "url": url, "active": path.startswith(url)})
    return {"items": items}


@register.filter
def get_item(mapping, key):
    """``{{ helps|get_item:case.pk }}``: a value of a dict prepared by the view (empty list when absent)."""
    return (mapping or {}).get(key, [])
