"""Main navigation entries of the party app; each shows only to users holding its permission."""

from django.utils.translation import gettext_lazy as _

ITEMS = [
    {"label": _("Party building"), "url": "party:home", "permission": "party.view_dashboard", "order": 50},
    {
        "label": _("Party members"),
        "url": "party:members",
        "permission": "party.view_organisation",
        "order": 51,
    },
    {"label": _("My party work"), "url": "party:m_home", "permission": "party.join_activity", "order": 52},
    {"label": _("Micro-wishes"), "url": "party:wishes", "permission": "party.review_wish", "order": 53},
    {"label": _("My wishes"), "url": "party:my_wishes", "permission": "party.confirm_wish", "order": 54},
    {
        "label": _("Disclosures"),
        "url": "party:disclosures",
        "permission": "party.view_disclosure",
        "order": 55,
    },
    {"label": _("Study"), "url": "party:courses", "permission": "party.study", "order": 56},
]
