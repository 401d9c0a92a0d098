from django.utils.translation import gettext_lazy as _

from .registry import register

register({"audit.view_log": _("Viewed the audit log"), "audit.verify": _("Verified the audit chain")})
