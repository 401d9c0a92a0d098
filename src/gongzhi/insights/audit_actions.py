from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

register(
    {
        "insights.raise_alert": _("Raised an early warning"),
        "insights.update_alert": _("Updated an early warning with new cases"),
        "insights.acknowledge_alert": _("Acknowledged an early warning"),
        "insights.close_alert": _("Closed an early warning"),
        "insights.create_proactive_case": _("Turned a hotspot into a proactive case"),
        "insights.choose_monthly_problem": _("Chose the problem of the month"),
        "insights.update_monthly_problem": _("Changed the problem of the month"),
    }
)
