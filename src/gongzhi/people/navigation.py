from django.utils.translation import gettext_lazy as _

ITEMS = [
    {"label": _("Residents"), "url": "people:residents", "permission": "people.view_resident", "order": 20},
    {"label": _("Households"), "url": "people:households", "permission": "people.view_resident", "order": 21},
    {
        "label": _("Organisations"),
        "url": "people:organisations",
        "permission": "people.view_organisation",
        "order": 22,
    },
    {"label": _("Tags"), "url": "people:tags", "permission": "people.manage_tags", "order": 23},
    {"label": _("Import"), "url": "people:import", "permission": "people.import", "order": 24},
]
