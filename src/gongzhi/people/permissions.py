"""Permissions of the base-data registry (人、地、物、组织) and which built-in roles hold them.

Unmasking personal data (``people.reveal_pii``) is deliberately not given to grid workers: they work
with masked numbers and ask their community when they need the full value.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "people.view_resident": _("View residents and households"),
    "people.manage_resident": _("Register and edit residents and households"),
    "people.reveal_pii": _("Show full ID numbers and phone numbers"),
    "people.import": _("Import residents, houses and organisations from Excel"),
    "people.export": _("Export base-data lists to Excel"),
    "people.manage_tags": _("Manage resident and organisation tags"),
    "people.view_organisation": _("View organisations"),
    "people.manage_organisation": _("Register and edit organisations"),
}

_VIEW = ["people.view_resident", "people.view_organisation"]

GRANTS = {
    "grid_worker": [*_VIEW, "people.manage_resident", "people.manage_organisation", "people.export"],
    "community_worker": [
        *_VIEW,
        "people.manage_resident",
        "people.manage_organisation",
        "people.export",
        "people.import",
        "people.reveal_pii",
    ],
    "party_secretary": [*_VIEW, "people.export"],
    "hotline_operator": ["people.view_resident"],
    "street_dispatcher": [*_VIEW],
    "street_leader": [*_VIEW, "people.export", "people.reveal_pii"],
    "supervisor": [*_VIEW],
    "district_leader": [*_VIEW, "people.export"],
}
