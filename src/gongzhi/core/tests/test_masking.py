"""Masking personal data for display (``core.masking``)."""

from __future__ import annotations

import pytest

from gongzhi.core.masking import mask_id_number, mask_name, mask_phone


def test_id_number_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张*"), ("欧阳娜娜", "欧***"), ("买买提·艾力", "买*****")],
)
def test_name_keeps_only_the_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_name])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_values_give_empty_text(mask, blank):
    assert mask(blank) == ""


@pytest.mark.parametrize(
    ("mask", "value", "masked"),
    [
        (mask_id_number, "1101051949", "**********"),
        (mask_id_number, "11010519491", "110105*9491"),
        (mask_phone, "1234567", "*******"),
        (mask_phone, "12345678", "123*5678"),
        (mask_name, "张", "*"),
    ],
)
def test_short_values_never_show_more_than_the_usual_parts(mask, value, masked):
    assert mask(value) == masked
