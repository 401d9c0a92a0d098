from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "gongzhi.party"
    label = "party"
    verbose_name = _("Party building")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401
