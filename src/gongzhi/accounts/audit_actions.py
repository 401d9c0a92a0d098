from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

register(
    {
        "accounts.login": _("Signed in"),
        "accounts.login_failed": _("Failed sign-in"),
        "accounts.locked": _("Account locked after failed sign-ins"),
        "accounts.logout": _("Signed out"),
        "accounts.create_user": _("Created a user"),
        "accounts.assign_role": _("Assigned a role"),
        "accounts.revoke_role": _("Revoked a role"),
        "accounts.create_token": _("Created an API token"),
        "accounts.revoke_token": _("Revoked an API token"),
        "accounts.create_department": _("Created a department"),
        "accounts.update_role": _("Changed a role's permissions"),
    }
)
