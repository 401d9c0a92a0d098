from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class ResidenceKind(models.TextChoices):
    REGISTERED = "registered", _("Registered population")
    FLOATING = "floating", _("Floating population")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORG = "social_org", _("Social organisation")
    RESIDENT_UNIT = "resident_unit", _("Resident unit")
    MERCHANT = "merchant", _("Merchant")


class ChangeSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    IMPORT = "import", _("Imported from a file")
    API = "api", _("Data exchange API")
    DEMO = "demo", _("Demo data")
    SYSTEM = "system", _("System")
