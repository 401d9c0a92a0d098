from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

register(
    {
        "regions.create": _("Created a region"),
        "regions.update": _("Changed a region"),
        "regions.import_boundaries": _("Imported grid boundaries"),
        "regions.create_building": _("Created a building"),
        "regions.update_building": _("Changed a building"),
        "regions.create_house": _("Created a house"),
        "regions.update_house": _("Changed a house"),
    }
)
