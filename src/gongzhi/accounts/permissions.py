from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "accounts.view_users": _("View users and roles"),
    "accounts.manage_users": _("Create users and assign roles"),
    "accounts.manage_roles": _("Edit roles and their permissions"),
    "accounts.manage_departments": _("Edit departments"),
}

GRANTS = {
    "street_leader": ["accounts.view_users"],
    "district_leader": ["accounts.view_users"],
}
