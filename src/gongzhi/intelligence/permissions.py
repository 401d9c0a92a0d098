from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "intelligence.manage_models": _("Train, activate and roll back classifier models"),
}

GRANTS: dict[str, list[str]] = {}
