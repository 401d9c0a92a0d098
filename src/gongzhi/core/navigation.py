from django.utils.translation import gettext_lazy as _

ITEMS = [{"label": _("Home"), "url": "core:home", "order": 0}]
