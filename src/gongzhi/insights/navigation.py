"""Main navigation entries of the insights app; each shows only to users holding its permission."""

from django.utils.translation import gettext_lazy as _

ITEMS = [
    {"label": _("Dashboard"), "url": "insights:dashboard", "permission": "insights.view_alerts", "order": 40},
    {"label": _("Hotspots"), "url": "insights:hotspots", "permission": "insights.view_hotspots", "order": 41},
]
