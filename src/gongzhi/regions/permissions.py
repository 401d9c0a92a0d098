from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "regions.view": _("View regions, grids, buildings and houses"),
    "regions.manage": _("Edit regions and import grid boundaries"),
    "regions.manage_buildings": _("Edit buildings and houses"),
}

_STAFF = [
    "grid_worker",
    "community_worker",
    "party_secretary",
    "hotline_operator",
    "street_dispatcher",
    "street_leader",
    "department_handler",
    "department_head",
    "supervisor",
    "district_leader",
]
GRANTS = {role: ["regions.view"] for role in _STAFF}
for _role in ("grid_worker", "community_worker"):
    GRANTS[_role] = ["regions.view", "regions.manage_buildings"]
