"""Audit action codes of the base-data registry, each with a Chinese-translatable label."""

from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

register(
    {
        "people.create_resident": _("Registered a resident"),
        "people.update_resident": _("Changed a resident"),
        "people.set_resident_status": _("Changed a resident's status"),
        "people.tag_resident": _("Added a tag to a resident"),
        "people.untag_resident": _("Removed a tag from a resident"),
        "people.reveal_id_number": _("Revealed an ID number"),
        "people.reveal_phone": _("Revealed a phone number"),
        "people.reveal_contact_phone": _("Revealed an organisation's contact phone"),
        "people.create_household": _("Registered a household"),
        "people.set_household_head": _("Changed the head of a household"),
        "people.create_organisation": _("Registered an organisation"),
        "people.update_organisation": _("Changed an organisation"),
        "people.create_tag": _("Created a tag"),
        "people.update_tag": _("Changed a tag"),
        "people.import": _("Imported base data from a file"),
        "people.export": _("Exported a base-data list"),
    }
)
