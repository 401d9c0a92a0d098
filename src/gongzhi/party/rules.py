"""校验规则 of the party app, shared by services and the Excel importer.

Each rule lives here once; person rules (names, ID numbers, mobile numbers) are the base-data registry's
(``people.rules``) and are called, not copied. Functions are pure or read-only and raise
``ValidationFailed`` with field messages.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.people import rules as people_rules
from gongzhi.people.rules import FieldErrors
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.paths import COMMUNITY_DEPTH, ancestor_path

from .choices import (
    ALLOWED_PARENTS,
    GRID_COVERING_KINDS,
    UNIT_SECTORS,
    MemberStatus,
    OrganisationKind,
    Sector,
)

__all__ = [
    "FieldErrors",
    "check_organisation_placement",
    "clean_member_fields",
    "community_path_of",
    "member_home_grid",
    "parse_bool",
    "parse_date",
    "parse_member_status",
]


def today() -> date:
    return timezone.localdate()


# --- organisations ------------------------------------------------------------------------------------


def check_organisation_placement(
    *, kind: str, sector: str, parent, region, unit=None, department=None
) -> None:
    """Where an organisation may be built: kind under parent, sector on the right node, inside the parent.

    * a committee may stand alone (the root of a tree) or under another committee; a general branch under
      a committee; a branch under a committee or general branch; a group only under a branch;
    * a grid organisation sits on a grid; a street or community organisation on a street, community or
      the district;
    * a unit's branch or group (enterprise, school, social organisation, agency) names its unit (a
      committee of a sector, such as the agencies' working committee, may span several units);
    * every organisation lies inside its parent's region node, so scope follows the tree.
    """
    errors = FieldErrors()
    if kind not in OrganisationKind.values:
        errors.add({"kind": _("Choose one of the allowed values.")})
    if sector not in Sector.values:
        errors.add({"sector": _("Choose one of the allowed values.")})
    if parent is None and kind != OrganisationKind.COMMITTEE:
        errors.add({"parent": _("Choose the higher party organisation.")})
    if parent is not None and kind in ALLOWED_PARENTS and parent.kind not in ALLOWED_PARENTS[kind]:
        errors.add({"parent": _("This kind of organisation cannot be placed under the chosen organisation.")})
    if parent is not None and not parent.is_active:
        errors.add({"parent": _("The higher organisation is no longer active.")})
    if region is None:
        errors.add({"region": _("Choose the region node the organisation is built on.")})
    else:
        if sector == Sector.GRID and region.level != RegionLevel.GRID:
            errors.add({"region": _("A grid organisation must be built on a grid.")})
        if sector == Sector.REGION and region.level == RegionLevel.GRID:
            errors.add({"region": _("Choose the grid sector for an organisation built on a grid.")})
        if parent is not None and not region.path.startswith(parent.region.path):
            errors.add({"region": _("The organisation must lie inside the area of its higher organisation.")})
    if sector in UNIT_SECTORS and kind in GRID_COVERING_KINDS and unit is None and department is None:
        errors.add({"unit": _("Name the unit this organisation is built in.")})
    if sector not in UNIT_SECTORS and (unit is not None or department is not None):
        errors.add({"unit": _("Only organisations built in a unit can name a unit.")})
    errors.raise_if_any()


# --- members -----------------------------------------------------------------------------------------


def clean_member_fields(
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    status: str = MemberStatus.FULL,
    joined_on: date | None = None,
    full_on: date | None = None,
    is_mobile: bool = False,
    mobile_note: str = "",
    is_in_service: bool = False,
    work_unit: str = "",
    dues_standard: Decimal | str | None = None,
    dues_paid_until: date | None = None,
) -> dict:
    """党员信息校验: every field rule of a member in one place; all problems are reported together.

    Returns the normalised values with the blind indexes. Person fields follow the base-data rules
    (GB 11643 ID numbers give gender and birth date; 11-digit mobile numbers).
    """
    errors = FieldErrors()
    values: dict = {
        "name": errors.check(people_rules.clean_name, name, missing=_("Enter the member's name."))
    }
    identity = errors.check(people_rules.check_identity, id_number) or people_rules.Identity()
    values["id_number"], values["id_number_index"] = identity.number, identity.index
    derived = errors.check(people_rules.identity_fields, identity, gender=gender or "", birth_date=birth_date)
    values["gender"], values["birth_date"] = derived if derived else (gender or "", birth_date)
    mobile = errors.check(people_rules.clean_phone, phone) or ""
    values["phone"], values["phone_index"] = mobile, people_rules.phone_index(mobile)
    if status not in MemberStatus.values:
        errors.add({"status": _("Choose one of the allowed values.")})
    now = today()
    if joined_on and joined_on > now:
        errors.add({"joined_on": _("The date cannot be in the future.")})
    if status == MemberStatus.FULL and full_on is None and joined_on is None:
        errors.add({"joined_on": _("Enter the date the member joined the party.")})
    if status == MemberStatus.PROBATIONARY and joined_on is None:
        errors.add({"joined_on": _("Enter the date the member joined the party.")})
    if status != MemberStatus.FULL and full_on is not None:
        errors.add({"full_on": _("Only full members have a date of becoming a full member.")})
    if full_on and joined_on and full_on < joined_on:
        errors.add({"full_on": _("A member becomes a full member after joining the party.")})
    if full_on and full_on > now:
        errors.add({"full_on": _("The date cannot be in the future.")})
    mobile_note = " ".join((mobile_note or "").split())
    work_unit = " ".join((work_unit or "").split())
    if len(mobile_note) > 120 or len(work_unit) > 120:
        errors.add({"work_unit" if len(work_unit) > 120 else "mobile_note": _("This text is too long.")})
    if is_in_service and not work_unit:
        errors.add({"work_unit": _("Enter the work unit of an in-service member.")})
    dues = errors.check(clean_money, dues_standard, field="dues_standard")
    values.update(
        status=status,
        joined_on=joined_on,
        full_on=full_on,
        is_mobile=bool(is_mobile),
        mobile_note=mobile_note if is_mobile else "",
        is_in_service=bool(is_in_service),
        work_unit=work_unit,
        dues_standard=dues,
        dues_paid_until=dues_paid_until,
    )
    errors.raise_if_any()
    return values


def clean_money(value, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: _("Enter an amount in yuan, such as 12.50.")}) from None
    if amount < 0 or amount >= Decimal("100000"):
        raise ValidationFailed({field: _("Enter an amount in yuan, such as 12.50.")})
    return amount


def member_home_grid(member):
    """The grid a member lives or serves in: their own grid, else their organisation's grid (or None)."""
    if member.grid_id:
        return member.grid
    region = member.organisation.region
    return region if region.level == RegionLevel.GRID else None


def community_path_of(path: str) -> str:
    """The community-level prefix of a region path (``district/street/community/``), or the path itself."""
    return ancestor_path(path, COMMUNITY_DEPTH) or path


# --- words used in spreadsheets ------------------------------------------------------------------------

_STATUS_WORDS: Final = {
    "正式党员": MemberStatus.FULL,
    "正式": MemberStatus.FULL,
    "full": MemberStatus.FULL,
    "预备党员": MemberStatus.PROBATIONARY,
    "预备": MemberStatus.PROBATIONARY,
    "probationary": MemberStatus.PROBATIONARY,
    "入党积极分子": MemberStatus.ACTIVIST,
    "积极分子": MemberStatus.ACTIVIST,
    "activist": MemberStatus.ACTIVIST,
}
_TRUE: Final = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE: Final = {"否", "n", "no", "false", "0", ""}
_DATE_RE: Final = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_member_status(value: str) -> str:
    key = (value or "").strip()
    found = _STATUS_WORDS.get(key) or _STATUS_WORDS.get(key.lower())
    if found is None:
        raise ValidationFailed(
            {"status": _("The member status must be full member, probationary or activist.")}
        )
    return str(found)


def parse_bool(value: str, *, field: str) -> bool:
    key = (value or "").strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationFailed({field: _("Enter yes or no.")})


def parse_date(value: str, *, field: str) -> date | None:
    """A date typed as 2021-07-01, 2021/7/1, 2021.7.1 or 2021年7月1日 (blank gives None)."""
    text = (value or "").strip()
    if not text:
        return None
    match = _DATE_RE.fullmatch(text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise ValidationFailed({field: _("Enter a valid date, such as 2021-07-01.")})
