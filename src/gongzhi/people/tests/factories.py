"""Realistic test data for the base-data registry, built through services (STYLE.md §9).

Names come from Faker ``zh_CN``; ID numbers carry valid GB 11643 check digits and mobile numbers have
11 digits. Randomness is seeded so failures reproduce.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from datetime import date, timedelta

from faker import Faker

from gongzhi.accounts.services import system_actor
from gongzhi.core.validators import id_number_check_char, make_credit_code, make_id_number
from gongzhi.people import services
from gongzhi.regions.services import create_building, create_house

fake = Faker("zh_CN")
fake.seed_instance(2026)
_rng = random.Random(2026)
_counter = itertools.count(1)

STANDARD_TAGS = [
    ("elderly_alone", "独居老人", False),
    ("disabled", "残疾人", True),
    ("low_income", "低保户", True),
    ("veteran", "退役军人", False),
]


def id_number(*, birth: date | None = None, male: bool | None = None) -> str:
    """A valid resident ID number of 北京市朝阳区 (110105), unique within a test run."""
    n = next(_counter)
    birth = birth or date(1945, 1, 1) + timedelta(days=(n * 37) % 27000)
    sequence = (n * 2) % 1000
    if male is None:
        male = bool(n % 2)
    sequence = sequence + 1 if male else sequence
    return make_id_number("110105", birth, sequence % 1000)


def id_number_with_bad_checksum() -> str:
    good = id_number()
    wrong = next(c for c in "0123456789X" if c != good[17])
    return good[:17] + wrong


def id_number_with_bad_birth_date() -> str:
    first17 = "11010520230230" + "123"  # 30 February
    return first17 + id_number_check_char(first17)


def mobile() -> str:
    return f"1{_rng.choice('356789')}{_rng.randrange(10**9):09d}"


def name() -> str:
    return fake.name()


def credit_code() -> str:
    return make_credit_code("110105", 10_000_000 + next(_counter))


def building(*, grid, code: str | None = None, name: str | None = None):
    n = next(_counter)
    return create_building(
        actor=system_actor(),
        code=code or f"XFL{n:04d}",
        name=name or f"幸福里{n}号楼",
        address=f"向阳区幸福里{n}号",
        grid=grid,
    )


def house(*, building, unit: str = "1", room: str = "101", use: str = "owner_occupied"):
    return create_house(actor=system_actor(), building=building, unit=unit, room=room, use=use)


def resident(*, actor=None, grid=None, house=None, **fields):
    fields.setdefault("name", name())
    fields.setdefault("id_number", id_number())
    fields.setdefault("phone", mobile())
    return services.create_resident(actor=actor or system_actor(), grid=grid, house=house, **fields)


def residents(n: int, *, grid, actor=None) -> list:
    return [resident(actor=actor, grid=grid) for _ in range(n)]


def tag(code: str = "elderly_alone", name: str = "独居老人", *, is_sensitive: bool = False):
    return services.create_tag(actor=system_actor(), code=code, name=name, is_sensitive=is_sensitive)


def standard_tags() -> dict:
    return {code: tag(code, label, is_sensitive=sensitive) for code, label, sensitive in STANDARD_TAGS}


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
