from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

register(
    {
        "intelligence.record_correction": _("Recorded a dispatcher's routing decision"),
        "intelligence.register_model": _("Registered a classifier model"),
        "intelligence.activate_model": _("Activated a classifier model"),
        "intelligence.rollback_model": _("Rolled back to the previous classifier model"),
        "intelligence.request_retraining": _("Asked for a classifier to be retrained"),
        "intelligence.retraining_failed": _("Retraining a classifier failed"),
        "intelligence.rebuild_duplicate_index": _("Rebuilt the duplicate-detection index"),
    }
)
