from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "intelligence.manage_models": _("Train, activate and roll back classifier models"),
    "intelligence.rebuild_duplicate_index": _("Rebuild the duplicate-detection index"),
}

GRANTS: dict[str, list[str]] = {}
