"""校验: normalise and check resident ID numbers, mobile numbers and unified social credit codes.

Pure functions. Each ``validate_*`` returns the normalised value or raises
``django.core.exceptions.ValidationError`` with a stable ``code`` and a translated message. The
``make_*`` helpers build valid values for factories and demo data.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = [
    "CREDIT_CODE_CHARSET",
    "credit_code_check_char",
    "id_number_birth_date",
    "id_number_check_char",
    "id_number_gender",
    "make_credit_code",
    "make_id_number",
    "validate_credit_code",
    "validate_id_number",
    "validate_mobile",
]

# Full-width characters (typed with a Chinese input method) become their ASCII forms.
_FULL_WIDTH: Final = str.maketrans(
    {0x3000: " ", **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}  # U+FF01-FF5E → U+0021-007E
)


def _normalise(value: str | None) -> str:
    return ("" if value is None else str(value)).translate(_FULL_WIDTH).strip().upper()


def _today() -> date:
    return timezone.localdate() if settings.USE_TZ else date.today()


# --- resident ID numbers (GB 11643-1999) ----------------------------------------------------------

_ID_NUMBER_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_EARLIEST_BIRTH: Final = date(1900, 1, 1)


def id_number_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be exactly 17 ASCII digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date_or_none(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """居民身份证号码: check an 18-character resident ID number and return it normalised.

    Normalising strips surrounding spaces, turns full-width characters into ASCII and upper-cases the
    final ``x``. The number must be 17 digits plus a check character, carry a real birth date between
    1900-01-01 and ``today`` (the local date by default), and have the right MOD 11-2 check character.
    The 6-digit region code is not checked against a list, because region codes change over time.
    """
    number = _normalise(value)
    if not _ID_NUMBER_RE.fullmatch(number):
        raise ValidationError(
            # Translators: 身份证号码应为18位，由17位数字和1位数字或字母X组成，请核对后重新输入。
            _("The ID number must have 18 characters: 17 digits followed by a digit or the letter X."),
            code="id_number_format",
        )
    birth = _birth_date_or_none(number)
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today or _today()):
        raise ValidationError(
            # Translators: 身份证号码中的出生日期不正确，请核对后重新输入。
            _("The birth date in the ID number is not valid. Check the number and enter it again."),
            code="id_number_birth_date",
        )
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            # Translators: 身份证号码校验位不正确，请核对后重新输入。
            _("The check digit of the ID number is wrong. Check the number and enter it again."),
            code="id_number_check_digit",
        )
    return number


def id_number_birth_date(value: str) -> date:
    """The birth date in a resident ID number; raises ``ValidationError`` for an invalid number."""
    number = validate_id_number(value)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_gender(value: str) -> Literal["male", "female"]:
    """``"male"`` when the 17th digit is odd, else ``"female"``; raises ``ValidationError`` if invalid."""
    number = validate_id_number(value)
    return "male" if int(number[16]) % 2 else "female"


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a resident ID number with a correct check character (for factories and demo data).

    ``region_code`` is 6 digits, ``sequence`` the 3-digit order code 0-999 (odd for men, even for
    women). The birth date must not be before 1900; a future date gives a number that
    ``validate_id_number`` rejects.
    """
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError("region_code must be 6 ASCII digits.")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be between 0 and 999.")
    if birth < _EARLIEST_BIRTH:
        raise ValueError("birth must not be before 1900-01-01.")
    first17 = f"{region_code}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


# --- mobile numbers -------------------------------------------------------------------------------

_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_SEPARATORS_RE: Final = re.compile(r"[\s\-]+")


def validate_mobile(value: str) -> str:
    """手机号码: check a mainland mobile number and return its 11 digits.

    Spaces and dashes are removed, full-width digits become ASCII, and a leading ``+86``, ``0086`` or
    ``86`` country code is dropped. The result must be 11 digits starting with 13-19.
    """
    number = _MOBILE_SEPARATORS_RE.sub("", _normalise(value))
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    if not _MOBILE_RE.fullmatch(number):
        raise ValidationError(
            # Translators: 手机号码不正确，请输入11位手机号码。
            _("The mobile number is not valid. Enter an 11-digit mobile number."),
            code="mobile_invalid",
        )
    return number


# --- unified social credit codes (GB 32100-2015) --------------------------------------------------

CREDIT_CODE_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_RE: Final = re.compile(f"[{CREDIT_CODE_CHARSET}]{{18}}")
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997, for make_credit_code


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(char not in CREDIT_CODE_CHARSET for char in first17):
        raise ValueError("first17 must be 17 characters from CREDIT_CODE_CHARSET.")
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """统一社会信用代码: check an 18-character unified social credit code and return it normalised.

    Normalising strips surrounding spaces, turns full-width characters into ASCII and upper-cases
    letters. All characters must come from ``CREDIT_CODE_CHARSET`` (no I, O, S, V, Z) and the last
    must be the GB 32100-2015 check character.
    """
    code = _normalise(value)
    if not _CREDIT_CODE_RE.fullmatch(code):
        raise ValidationError(
            # Translators: 统一社会信用代码应为18位数字或大写字母，请核对后重新输入。
            _(
                "The unified social credit code must have 18 digits or capital letters. "
                "Check the code and enter it again."
            ),
            code="credit_code_format",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            # Translators: 统一社会信用代码校验位不正确，请核对后重新输入。
            _(
                "The check character of the unified social credit code is wrong. "
                "Check the code and enter it again."
            ),
            code="credit_code_check_digit",
        )
    return code


def _organisation_code(sequence: int) -> str:
    """A GB 11714-1997 organisation code (8 digits plus check character) from a number."""
    body = f"{sequence:08d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def make_credit_code(region_code: str, sequence: int, *, authority: str = "9", category: str = "1") -> str:
    """Build a unified social credit code with correct check characters (for factories and demo data).

    ``authority`` is the registering authority (``9`` market regulation, ``5`` civil affairs …),
    ``category`` the kind of organisation (``1`` enterprise …), ``region_code`` 6 digits, and
    ``sequence`` (0-99999999) becomes the embedded organisation code with its own GB 11714 check.
    """
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError("region_code must be 6 ASCII digits.")
    if not 0 <= sequence <= 99_999_999:
        raise ValueError("sequence must be between 0 and 99999999.")
    for name, char in (("authority", authority), ("category", category)):
        if len(char) != 1 or char not in CREDIT_CODE_CHARSET:
            raise ValueError(f"{name} must be one character from CREDIT_CODE_CHARSET.")
    first17 = f"{authority}{category}{region_code}{_organisation_code(sequence)}"
    return first17 + credit_code_check_char(first17)
