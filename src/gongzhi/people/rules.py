"""校验规则: the business rules of the base-data registry, shared by services and the Excel importer.

Each rule lives here once. Functions are pure or read-only; they raise ``ValidationFailed`` with
field messages (English msgids, Chinese catalogue) and never write.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.crypto import blind_index
from gongzhi.core.errors import InvalidTransition, ValidationFailed
from gongzhi.core.scope import Scope
from gongzhi.core.validators import (
    id_number_birth_date,
    id_number_gender,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)
from gongzhi.regions.choices import HouseUse, RegionLevel

from .choices import Gender, OrganisationKind, ResidenceKind, ResidentStatus

#: Relations to the head of household that make the resident the head (户主).
HEAD_RELATIONS: Final = frozenset({"户主", "本人"})

#: Allowed status changes of a resident: (from, to). Repeating the current status is always a no-op.
STATUS_MOVES: Final = frozenset(
    {
        (ResidentStatus.ACTIVE, ResidentStatus.MOVED_OUT),
        (ResidentStatus.ACTIVE, ResidentStatus.DECEASED),
        (ResidentStatus.MOVED_OUT, ResidentStatus.ACTIVE),
        (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED),
    }
)

_LANDLINE_RE: Final = re.compile(r"0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?")
_NAME_MAX: Final = 60


def id_number_index(number: str) -> str:
    """The blind index of a normalised ID number (exact lookup and uniqueness)."""
    return blind_index(number, purpose="id_number") if number else ""


def phone_index(number: str) -> str:
    """The blind index of a normalised 11-digit mobile number."""
    return blind_index(number, purpose="phone") if number else ""


def clean_name(
    value: str | None, *, field: str = "name", max_length: int = _NAME_MAX, missing: str = ""
) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed({field: missing or _("Enter the resident's name.")})
    if len(name) > max_length:
        raise ValidationFailed({field: _("The name is too long.")})
    return name


def clean_id_number(value: str | None, *, required: bool = False, today: date | None = None) -> str:
    """居民身份证号码: the normalised number (GB 11643 checksum and birth date checked), or ``""``."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed({"id_number": _("Enter the ID number.")})
        return ""
    try:
        return validate_id_number(text, today=today)
    except ValidationError as exc:
        raise ValidationFailed({"id_number": exc.messages[0]}) from None


@dataclass(frozen=True)
class Identity:
    """A checked ID number and what it tells: blind index, gender, birth date (all blank without a number)."""

    number: str = ""
    index: str = ""
    gender: str = ""
    birth_date: date | None = None


def check_identity(value: str | None, *, required: bool = False, today: date | None = None) -> Identity:
    """Check an ID number once and derive its blind index, gender and birth date (for bulk paths too)."""
    number = clean_id_number(value, required=required, today=today)
    if not number:
        return Identity()
    return Identity(
        number=number,
        index=id_number_index(number),
        gender=id_number_gender(number),
        birth_date=id_number_birth_date(number),
    )


def identity_fields(
    identity: Identity, *, gender: str = "", birth_date: date | None = None
) -> tuple[str, date | None]:
    """Gender and birth date: derived from the ID number when not given, and must agree with it when given."""
    if not identity.number:
        if gender and gender not in _values(Gender):
            raise ValidationFailed({"gender": _("Enter the gender as male or female.")})
        return gender, birth_date
    derived_gender, derived_birth = identity.gender, identity.birth_date
    errors = {}
    if gender and gender != derived_gender:
        errors["gender"] = _("The gender does not match the ID number. Check both and enter them again.")
    if birth_date and birth_date != derived_birth:
        errors["birth_date"] = _(
            "The birth date does not match the ID number. Check both and enter them again."
        )
    if errors:
        raise ValidationFailed(errors)
    return derived_gender, derived_birth


def clean_phone(value: str | None, *, field: str = "phone") -> str:
    """手机号码: 11 digits, or ``""`` when blank."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return validate_mobile(text)
    except ValidationError as exc:
        raise ValidationFailed({field: exc.messages[0]}) from None


def clean_contact_phone(value: str | None) -> str:
    """联系电话 of an organisation: a mobile number or a landline with area code (010-12345678)."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return validate_mobile(text)
    except ValidationError:
        pass
    compact = re.sub(r"[\s()（）]+", "", text).replace("—", "-").replace("－", "-")
    if _LANDLINE_RE.fullmatch(compact):
        return compact
    raise ValidationFailed(
        {
            "contact_phone": _(
                "The contact phone is not valid. Enter a mobile number or a landline with area code."
            )
        }
    )


def clean_credit_code(value: str | None) -> str:
    """统一社会信用代码 (GB 32100 check character), or ``""`` when blank."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return validate_credit_code(text)
    except ValidationError as exc:
        raise ValidationFailed({"credit_code": exc.messages[0]}) from None


@functools.cache
def _values(choices: type) -> frozenset[str]:
    return frozenset(choices.values)


def clean_choice(value: str, choices: type, *, field: str) -> str:
    if value not in _values(choices):
        raise ValidationFailed({field: _("Choose one of the allowed values.")})
    return value


def clean_area(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        area = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"area": _("The floor area must be a positive number.")}) from None
    if area <= 0 or area >= Decimal("1000000"):
        raise ValidationFailed({"area": _("The floor area must be a positive number.")})
    return area


def resolve_placement(*, grid=None, house=None, building=None) -> tuple[object, str]:
    """落位: the grid and region path of a resident (from its house) or organisation (from its building).

    The house's or building's grid wins; an explicitly given grid must agree with it, and is used alone
    when there is no house or building (or it has not been placed in a grid yet).
    """
    if grid is not None and grid.level != RegionLevel.GRID:
        raise ValidationFailed({"grid": _("Choose a grid, not a street or community.")})
    place = house if house is not None else building
    field = "house" if house is not None else "building"
    if place is not None and place.grid_id:
        if grid is not None and grid.pk != place.grid_id:
            raise ValidationFailed(
                {field: _("The house or building lies in another grid than the one given.")}
            )
        grid = place.grid
    if grid is None:
        raise ValidationFailed({"grid": _("Choose the house or the grid of this record.")})
    return grid, grid.path


def placement_allowed(scope: Scope, path: str) -> bool:
    """Whether a record placed at ``path`` lies inside ``scope`` (the same prefix test as ``in_scope``)."""
    return scope.covers_path(path)


def check_status_move(old: str, new: str) -> None:
    """Raise ``InvalidTransition`` unless ``old`` → ``new`` is an allowed status change (or a repeat)."""
    if new not in _values(ResidentStatus):
        raise ValidationFailed({"status": _("Choose one of the allowed values.")})
    if old == new or (old, new) in STATUS_MOVES:
        return
    raise InvalidTransition(
        _("The status cannot change from %(old)s to %(new)s.")
        % {"old": ResidentStatus(old).label, "new": ResidentStatus(new).label},
        code="people.invalid_status_change",
    )


# --- words used in spreadsheets -------------------------------------------------------------------

_GENDER_WORDS: Final = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
}
_RESIDENCE_WORDS: Final = {
    "户籍": ResidenceKind.REGISTERED,
    "户籍人口": ResidenceKind.REGISTERED,
    "常住": ResidenceKind.REGISTERED,
    "registered": ResidenceKind.REGISTERED,
    "流动": ResidenceKind.FLOATING,
    "流动人口": ResidenceKind.FLOATING,
    "暂住": ResidenceKind.FLOATING,
    "floating": ResidenceKind.FLOATING,
}
_STATUS_WORDS: Final = {
    "在住": ResidentStatus.ACTIVE,
    "正常": ResidentStatus.ACTIVE,
    "居住": ResidentStatus.ACTIVE,
    "active": ResidentStatus.ACTIVE,
    "迁出": ResidentStatus.MOVED_OUT,
    "已迁出": ResidentStatus.MOVED_OUT,
    "moved_out": ResidentStatus.MOVED_OUT,
    "死亡": ResidentStatus.DECEASED,
    "已故": ResidentStatus.DECEASED,
    "去世": ResidentStatus.DECEASED,
    "deceased": ResidentStatus.DECEASED,
}
_ORG_KIND_WORDS: Final = {
    "企业": OrganisationKind.ENTERPRISE,
    "enterprise": OrganisationKind.ENTERPRISE,
    "社会组织": OrganisationKind.SOCIAL_ORG,
    "social_org": OrganisationKind.SOCIAL_ORG,
    "驻地单位": OrganisationKind.RESIDENT_UNIT,
    "resident_unit": OrganisationKind.RESIDENT_UNIT,
    "商户": OrganisationKind.MERCHANT,
    "个体工商户": OrganisationKind.MERCHANT,
    "merchant": OrganisationKind.MERCHANT,
}
_HOUSE_USE_WORDS: Final = {
    "自住": HouseUse.OWNER_OCCUPIED,
    "owner_occupied": HouseUse.OWNER_OCCUPIED,
    "出租": HouseUse.RENTED,
    "rented": HouseUse.RENTED,
    "空置": HouseUse.VACANT,
    "vacant": HouseUse.VACANT,
    "商用": HouseUse.COMMERCIAL,
    "commercial": HouseUse.COMMERCIAL,
}


def _word(value: str, words: dict, field: str, message: str) -> str:
    key = (value or "").strip()
    found = words.get(key) or words.get(key.lower())
    if found is None:
        raise ValidationFailed({field: message})
    return str(found)


def parse_gender(value: str) -> str:
    return _word(value, _GENDER_WORDS, "gender", _("Enter the gender as male or female."))


def parse_residence_kind(value: str) -> str:
    return _word(
        value, _RESIDENCE_WORDS, "residence_kind", _("The population type must be registered or floating.")
    )


def parse_status(value: str) -> str:
    return _word(value, _STATUS_WORDS, "status", _("The status must be living here, moved out or deceased."))


def parse_organisation_kind(value: str) -> str:
    return _word(
        value,
        _ORG_KIND_WORDS,
        "kind",
        _("The organisation kind must be enterprise, social organisation, resident unit or merchant."),
    )


def parse_house_use(value: str) -> str:
    return _word(
        value,
        _HOUSE_USE_WORDS,
        "use",
        _("The house use must be owner-occupied, rented, vacant or commercial."),
    )


def split_tags(value) -> list[str]:
    """Tag names from a cell: separated by 、 , ， ; ； or whitespace; blanks and repeats dropped."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[、,，;；\s]+", str(value))
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


class FieldErrors:
    """Collects the field messages of several checks so a form or row reports them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def check(self, func, /, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationFailed as exc:
            self.add(exc.fields)
            return None

    def add(self, fields: dict) -> None:
        for name, messages in fields.items():
            items = messages if isinstance(messages, list | tuple) else [messages]
            self.fields.setdefault(name, []).extend(str(m) for m in items)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)

    def messages(self) -> list[str]:
        return [m for messages in self.fields.values() for m in messages]


def clean_resident_fields(
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    residence_kind: str = ResidenceKind.REGISTERED,
    status: str = ResidentStatus.ACTIVE,
    relation_to_head: str = "",
    house=None,
    grid=None,
    id_required: bool = False,
    identity: Identity | None = None,
) -> dict:
    """居民信息校验: every field rule of a resident in one place; all problems are reported together.

    Returns the normalised values, the blind indexes and the placement (``grid``, ``region_path``).
    Bulk callers that already checked the ID number pass its ``identity`` instead of ``id_number``.
    """
    errors = FieldErrors()
    values: dict = {"name": errors.check(clean_name, name)}
    if identity is None:
        identity = errors.check(check_identity, id_number, required=id_required) or Identity()
    values["id_number"] = identity.number
    values["id_number_index"] = identity.index
    derived = errors.check(identity_fields, identity, gender=gender or "", birth_date=birth_date)
    values["gender"], values["birth_date"] = derived if derived else (gender, birth_date)
    mobile = errors.check(clean_phone, phone) or ""
    values["phone"], values["phone_index"] = mobile, phone_index(mobile)
    values["residence_kind"] = errors.check(
        clean_choice, residence_kind, ResidenceKind, field="residence_kind"
    )
    values["status"] = errors.check(clean_choice, status, ResidentStatus, field="status")
    relation = (relation_to_head or "").strip()
    if len(relation) > 20:
        errors.add({"relation_to_head": _("This text is too long.")})
    values["relation_to_head"] = relation
    placement = errors.check(resolve_placement, grid=grid, house=house)
    values["house"] = house
    values["grid"], values["region_path"] = placement if placement else (None, "")
    errors.raise_if_any()
    return values
