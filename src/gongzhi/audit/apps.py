from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gongzhi.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401
        from .services import install_transaction_hook

        install_transaction_hook()
