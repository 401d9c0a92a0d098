"""Main navigation entries of the intelligence app; each shows only to users holding its permission."""

from django.utils.translation import gettext_lazy as _

ITEMS = [
    {
        "label": _("Classifier models"),
        "url": "intelligence:models",
        "permission": "intelligence.manage_models",
        "order": 90,
    },
]
