from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelKind(models.TextChoices):
    """What a classifier predicts: the case category or the lead department."""

    CATEGORY = "category", _("Category")
    DEPARTMENT = "department", _("Department")
