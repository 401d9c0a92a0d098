from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "insights.view_alerts": _("View early warnings and the dashboard"),
    "insights.handle_alerts": _("Acknowledge and close early warnings"),
    "insights.view_hotspots": _("View the hotspot list"),
    "insights.act_on_hotspots": _("Turn a hotspot into a proactive case"),
    "insights.choose_monthly_problem": _("Choose and update the problem of the month"),
}

_LEADERS = [
    "insights.view_alerts",
    "insights.handle_alerts",
    "insights.view_hotspots",
    "insights.act_on_hotspots",
    "insights.choose_monthly_problem",
]

GRANTS = {
    # Leaders act on the hotspot list (未诉先办): the proactive case goes through ``cases.submit_case``,
    # which needs ``cases.submit``; street dispatchers hold it already, leaders get it here.
    "street_leader": [*_LEADERS, "cases.submit"],
    "district_leader": [*_LEADERS, "cases.submit"],
    "street_dispatcher": [
        "insights.view_alerts",
        "insights.handle_alerts",
        "insights.view_hotspots",
        "insights.act_on_hotspots",
    ],
    "department_head": ["insights.view_alerts", "insights.handle_alerts"],
    "supervisor": ["insights.view_alerts", "insights.view_hotspots"],
    "party_secretary": ["insights.view_hotspots"],
}
