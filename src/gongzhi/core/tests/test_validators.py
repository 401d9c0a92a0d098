"""Resident ID numbers, mobile numbers and unified social credit codes (``core.validators``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core.validators import (
    credit_code_check_char,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    make_credit_code,
    make_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

KNOWN_ID_NUMBER = "11010519491231002X"
KNOWN_CREDIT_CODE = "91350100M000100Y43"


def error_code(excinfo: pytest.ExceptionInfo[ValidationError]) -> str | None:
    assert excinfo.value.messages and all(excinfo.value.messages)
    return excinfo.value.code


def with_check_char(first17: str) -> str:
    return first17 + id_number_check_char(first17)


# --- resident ID numbers -------------------------------------------------------------------------


def test_known_id_number_is_valid():
    assert validate_id_number(KNOWN_ID_NUMBER) == KNOWN_ID_NUMBER
    assert id_number_birth_date(KNOWN_ID_NUMBER) == date(1949, 12, 31)
    assert id_number_gender(KNOWN_ID_NUMBER) == "female"  # 17th digit 2


@pytest.mark.parametrize(
    "typed",
    [" 11010519491231002x ", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_id_number_is_normalised(typed):
    assert validate_id_number(typed) == KNOWN_ID_NUMBER


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "gender"),
    [
        ("330106", date(1985, 6, 15), 371, "male"),
        ("440305", date(2000, 2, 29), 48, "female"),
        ("510107", date(1900, 1, 1), 1, "male"),
        ("652801", date(2019, 12, 31), 0, "female"),
    ],
)
def test_made_id_numbers_are_valid(region, birth, sequence, gender):
    number = make_id_number(region, birth, sequence)
    assert len(number) == 18
    assert validate_id_number(number) == number
    assert id_number_birth_date(number) == birth
    assert id_number_gender(number) == gender


def test_many_made_id_numbers_are_valid_and_hit_every_check_char():
    rng = random.Random(20240601)
    check_chars = set()
    for _ in range(500):
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 90))
        number = make_id_number(f"{rng.randrange(110000, 660000):06d}", birth, rng.randrange(1000))
        assert validate_id_number(number) == number
        check_chars.add(number[-1])
    assert check_chars == set("0123456789X")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1101051949123100",
        "11010519491231002XX",
        "110105194912310",
        "1101051949123100AX",
        "X1010519491231002X",
    ],
)
def test_id_number_with_wrong_length_or_characters_is_rejected(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert error_code(excinfo) == "id_number_format"


def test_id_number_with_wrong_check_digit_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("110105194912310021")
    assert error_code(excinfo) == "id_number_check_digit"


@pytest.mark.parametrize(
    "birth",
    ["19900230", "19900431", "19001301", "19000229", "18991231", "19850015", "00000000"],
)
def test_id_number_with_impossible_birth_date_is_rejected(birth):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(with_check_char(f"110105{birth}123"))
    assert error_code(excinfo) == "id_number_birth_date"


def test_id_number_born_in_the_future_is_rejected():
    today = date(2024, 3, 1)
    born_today = make_id_number("110105", today, 12)
    assert validate_id_number(born_today, today=today) == born_today
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(make_id_number("110105", today + timedelta(days=1), 12), today=today)
    assert error_code(excinfo) == "id_number_birth_date"
    with pytest.raises(ValidationError):
        validate_id_number(make_id_number("110105", date(2999, 1, 1), 12))


def test_region_code_is_not_checked_against_a_list():
    number = with_check_char("99999919800101123")
    assert validate_id_number(number) == number


def test_make_id_number_refuses_impossible_parts():
    with pytest.raises(ValueError):
        make_id_number("11010", date(1980, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("110105", date(1980, 1, 1), 1000)
    with pytest.raises(ValueError):
        make_id_number("110105", date(1899, 12, 31), 1)


# --- mobile numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "8613812345678",
        "0086 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_is_normalised_to_11_digits(typed):
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_all_mobile_prefixes_are_accepted(prefix):
    assert validate_mobile(f"{prefix}912345678") == f"{prefix}912345678"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12812345678",
        "10012345678",
        "1381234567",
        "138123456789",
        "1381234567a",
        "+8513812345678",
        "02584321234",
    ],
)
def test_invalid_mobile_is_rejected(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_mobile(value)
    assert error_code(excinfo) == "mobile_invalid"


# --- unified social credit codes -----------------------------------------------------------------


def test_known_credit_code_is_valid():
    assert validate_credit_code(KNOWN_CREDIT_CODE) == KNOWN_CREDIT_CODE
    assert validate_credit_code(" 91350100m000100y43 ") == KNOWN_CREDIT_CODE
    assert credit_code_check_char(KNOWN_CREDIT_CODE[:17]) == "3"


def test_credit_code_with_wrong_check_char_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91350100M000100Y44")
    assert error_code(excinfo) == "credit_code_check_digit"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "91350100I000100Y43",
        "91350100O000100Y43",
        "9135010-M000100Y43",
    ],
)
def test_credit_code_with_wrong_length_or_characters_is_rejected(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert error_code(excinfo) == "credit_code_format"


def test_made_credit_codes_are_valid():
    rng = random.Random(20240601)
    codes = {make_credit_code("350100", rng.randrange(100_000_000)) for _ in range(300)}
    codes.add(make_credit_code("330106", 1, authority="5", category="2"))
    for code in codes:
        assert validate_credit_code(code) == code
    assert len(codes) == 301


def test_make_credit_code_refuses_impossible_parts():
    with pytest.raises(ValueError):
        make_credit_code("35010", 1)
    with pytest.raises(ValueError):
        make_credit_code("350100", 100_000_000)
    with pytest.raises(ValueError):
        make_credit_code("350100", 1, authority="I")
