from django.utils.translation import gettext_lazy as _

PERMISSIONS = {"audit.view": _("View the audit log")}
GRANTS = {"supervisor": ["audit.view"], "district_leader": ["audit.view"]}
