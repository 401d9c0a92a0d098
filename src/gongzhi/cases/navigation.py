"""Main navigation entries of the cases app; each shows only to users holding its permission(s).

The notifications entry carries a small htmx element that loads the unread count and refreshes it
whenever a case changes (``case-changed``); without JavaScript the entry is a plain link.
"""

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _notifications_label() -> SafeString:
    return format_html(
        '{} <span id="notification-count" hx-get="{}" hx-trigger="load, case-changed from:body" '
        'hx-swap="innerHTML" data-testid="notification-count"></span>',
        gettext("Notifications"),
        reverse("cases:notification_count"),
    )


ITEMS = [
    {"label": _("Report a problem"), "url": "cases:report", "permission": "cases.submit", "order": 30},
    {"label": _("My cases"), "url": "cases:mine", "permission": "cases.submit", "order": 31},
    {
        "label": _("Dispatch workbench"),
        "url": "cases:workbench",
        "permission": "cases.dispatch",
        "order": 32,
    },
    {"label": _("Department inbox"), "url": "cases:inbox", "permission": "cases.handle", "order": 33},
    {"label": _("Supervision board"), "url": "cases:board", "permission": "cases.supervise", "order": 34},
    {"label": _("Follow-up calls"), "url": "cases:follow_up", "permission": "cases.follow_up", "order": 36},
    {
        "label": _("Proxy submission"),
        "url": "cases:proxy",
        "permission": ("cases.submit", "cases.view"),  # as views.proxy requires
        "order": 35,
    },
    {
        "label": _("Case settings"),  # 事项配置: categories, duty list, working calendar
        "url": "cases:catalog",
        "permission": "cases.manage_catalog",
        "order": 37,
    },
    {
        "label": _("Rates and assessment"),  # 三率与考核
        "url": "cases:rates",
        "permission": "cases.view_rates",
        "order": 38,
    },
    {"label": lazy(_notifications_label, SafeString)(), "url": "cases:notifications", "order": 39},
]
