from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401

        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(sender, using="default", **kwargs) -> None:
    # Like django.contrib.auth's permission sync: declared permissions and built-in roles exist after migrate.
    from .roles import sync_roles

    sync_roles(using=using)
