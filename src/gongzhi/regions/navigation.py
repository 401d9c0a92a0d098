from django.utils.translation import gettext_lazy as _

ITEMS = [
    {"label": _("Regions and grids"), "url": "regions:tree", "permission": "regions.view", "order": 10},
    {"label": _("Grid map"), "url": "regions:map", "permission": "regions.view", "order": 11},
]
