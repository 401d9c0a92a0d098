from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    DISTRICT_DEPARTMENT = "district_department", _("District department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community committee")
    PUBLIC_SERVICE = "public_service", _("Public service company")
    POLICE = "police", _("Police station")


class ScopeKind(models.TextChoices):
    """What a role's scope is anchored to."""

    OWN = "own", _("Own records only")
    REGION = "region", _("Region node")
    DEPARTMENT = "department", _("Department")
    REGION_OR_DEPARTMENT = "region_or_department", _("Region node and/or department")
    GLOBAL = "global", _("Whole platform")
