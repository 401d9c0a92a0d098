"""Build the demo district step by step; each step is idempotent, so ``gongzhi demo-data`` can be rerun."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import transaction

from gongzhi.accounts.models import Role
from gongzhi.accounts.roles import sync_roles
from gongzhi.core.validators import make_credit_code, make_id_number
from gongzhi.people.choices import ChangeSource

from . import names

DEMO_PASSWORD_ENV = "GONGZHI_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "Gongzhi@demo2026"
SEED = 20261122
CN_NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + (CN_NUMERALS[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN_NUMERALS[tens - 1] + "十" + (CN_NUMERALS[ones - 1] if ones else "")


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role name, scope
    password: str = ""


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD


def build_demo(*, residents: int = 20500, buildings_per_grid: int = 10, stdout=None) -> DemoSummary:
    """演示数据: regions, departments, tags, buildings, houses, residents, organisations, demo logins."""
    from gongzhi.accounts.services import system_actor

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    sync_roles()
    actor = system_actor()
    rng = random.Random(SEED)
    summary = DemoSummary(password=demo_password())
    say("regions and grids …")
    tree = _regions(actor)
    say("departments …")
    _departments(actor, tree)
    say("tags …")
    _tags(actor)
    say("buildings and houses …")
    buildings = _buildings(actor, tree, rng, buildings_per_grid)
    houses = _houses(actor, buildings, rng)
    say(f"residents ({residents}) …")
    _residents(actor, houses, rng, residents)
    say("organisations …")
    _organisations(actor, buildings, rng)
    say("demo accounts …")
    summary.accounts = _accounts(actor, tree, summary.password)
    for extra in _EXTRA_STEPS:
        extra(actor=actor, tree=tree, rng=rng, say=say)
    summary.counts = _counts()
    return summary


_EXTRA_STEPS: list = []


def register_step(func):
    """Later modules (cases, party …) add their own idempotent demo steps."""
    _EXTRA_STEPS.append(func)
    return func


@dataclass
class Tree:
    district: object
    streets: list
    communities: list  # (street, community)
    grids: list  # (community, grid)


def _regions(actor) -> Tree:
    from gongzhi.regions.geometry import demo_tiling, to_geojson
    from gongzhi.regions.models import Region
    from gongzhi.regions.services import create_region, get_region_by_code

    code, name = names.DISTRICT
    district = Region.objects.filter(code=code).first()
    tiling = demo_tiling(seed=SEED)
    if district is None:
        with transaction.atomic():
            district = create_region(
                actor=actor, code=code, name=name, level="district", boundary=to_geojson(tiling.geometry)
            )
            for s_index, street_node in enumerate(tiling.children, 1):
                street = create_region(
                    actor=actor,
                    code=f"{code}{s_index:03d}",
                    name=names.STREETS[s_index - 1],
                    level="street",
                    parent=district,
                    boundary=to_geojson(street_node.geometry),
                    sort_order=s_index,
                )
                for c_index, community_node in enumerate(street_node.children, 1):
                    community_name = names.COMMUNITIES[s_index - 1][c_index - 1]
                    community = create_region(
                        actor=actor,
                        code=f"{street.code}{c_index:03d}",
                        name=community_name,
                        level="community",
                        parent=street,
                        boundary=to_geojson(community_node.geometry),
                        sort_order=c_index,
                    )
                    base = community_name.removesuffix("社区")
                    for g_index, grid_node in enumerate(community_node.children, 1):
                        create_region(
                            actor=actor,
                            code=f"{community.code}{g_index:03d}",
                            name=f"{base}第{cn_number(g_index)}网格",
                            level="grid",
                            parent=community,
                            boundary=to_geojson(grid_node.geometry),
                            sort_order=g_index,
                        )
    district = get_region_by_code(code)
    streets = list(Region.objects.filter(parent=district).order_by("code"))
    communities = [(s, c) for s in streets for c in Region.objects.filter(parent=s).order_by("code")]
    grids = [(c, g) for _s, c in communities for g in Region.objects.filter(parent=c).order_by("code")]
    return Tree(district=district, streets=streets, communities=communities, grids=grids)


def _departments(actor, tree: Tree) -> None:
    from gongzhi.accounts.services import create_department

    for code, full, short, kind in names.DEPARTMENTS:
        create_department(
            actor=actor, code=code, name=full, short_name=short, kind=kind, region=tree.district
        )
    for street in tree.streets:
        create_department(
            actor=actor,
            code=f"ZZ{street.code}",
            name=f"{street.name}综治中心",
            short_name=f"{street.name.removesuffix('街道')}综治",
            kind="street_office",
            region=street,
        )
    for _street, community in tree.communities:
        create_department(
            actor=actor,
            code=f"JW{community.code}",
            name=f"{community.name}居委会",
            short_name=community.name,
            kind="community",
            region=community,
        )


def _tags(actor) -> None:
    from gongzhi.people.selectors import tags
    from gongzhi.people.services import create_tag

    existing = {t.code for t in tags(active_only=False)}
    for code, name, description in names.TAGS:
        if code not in existing:
            create_tag(actor=actor, code=code, name=name, description=description)


def _buildings(actor, tree: Tree, rng: random.Random, per_grid: int) -> list[dict]:
    from gongzhi.regions.geometry import parse_boundary, random_points_in
    from gongzhi.regions.services import import_buildings

    rows: list[dict] = []
    np_rng = np.random.default_rng(SEED)
    for g_index, (community, grid) in enumerate(tree.grids):
        geom = parse_boundary(grid.boundary)
        estate = community.name.removesuffix("社区") + names.ESTATES[g_index % len(names.ESTATES)]
        road = names.ROADS[g_index % len(names.ROADS)]
        count = per_grid + (g_index % 3 if per_grid >= 10 else 0)
        for b_index, (lon, lat) in enumerate(random_points_in(geom, count, np_rng), 1):
            rows.append(
                {
                    "code": f"B{grid.code}{b_index:02d}",
                    "name": f"{estate}{b_index}号楼",
                    "estate": estate,
                    "address": f"{road}{(g_index * 7) % 90 + 1}号院{b_index}号楼",
                    "lon": lon,
                    "lat": lat,
                    "floors": rng.choice([6, 6, 6, 11, 18, 24]),
                }
            )
    import_buildings(actor=actor, rows=rows, source_ref="demo-data")
    return rows


def _houses(actor, buildings: list[dict], rng: random.Random) -> list[dict]:
    from gongzhi.people.importing.houses import import_houses_rows

    uses = ["自住"] * 14 + ["出租"] * 4 + ["空置"] * 2 + ["商用"]
    rows = []
    for building in buildings:
        units = 2 if building["floors"] <= 6 else 3
        floors = min(building["floors"], 6)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in (1, 2):
                    rows.append(
                        {
                            "building_code": building["code"],
                            "unit": str(unit),
                            "room": f"{floor}0{room}",
                            "use": rng.choice(uses),
                            "area": str(rng.choice([48, 62, 75, 89, 96, 120])),
                        }
                    )
    import_houses_rows(actor=actor, rows=rows, source=ChangeSource.DEMO, source_ref="demo-data")
    return rows


def _residents(actor, houses: list[dict], rng: random.Random, target: int) -> None:
    from faker import Faker

    from gongzhi.people.importing.residents import import_residents_rows

    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    tag_names = [t[1] for t in names.TAGS]
    occupied = [h for h in houses if h["use"] in ("自住", "出租")]
    rows: list[dict] = []
    sequence = 0
    household_no = 0
    today = date(2026, 11, 1)
    while len(rows) < target:
        house = occupied[household_no % len(occupied)]
        household_no += 1
        floating = house["use"] == "出租"
        surname = fake.last_name()
        size = rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5])
        household = f"H{house['building_code'][1:]}{house['unit']}{house['room']}"
        head_age = rng.randint(26, 88)
        for member in range(size):
            if member == 0:
                age, relation = head_age, "户主"
            elif member == 1:
                age, relation = max(20, head_age + rng.randint(-6, 4)), "配偶"
            else:
                age, relation = max(0, head_age - rng.randint(22, 35)), rng.choice(["子", "女"])
            birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
            sequence += 1
            id_number = make_id_number(rng.choice(names.BIRTH_REGIONS), birth, sequence % 999 + 1)
            gender = "男" if int(id_number[16]) % 2 else "女"
            given = fake.first_name_male() if gender == "男" else fake.first_name_female()
            name = (surname if member != 1 else fake.last_name()) + given
            tags = []
            if age >= 70 and size == 1:
                tags.append("独居老人")
            if rng.random() < 0.02:
                tags.append(rng.choice(tag_names[1:]))
            rows.append(
                {
                    "name": name,
                    "gender": gender,
                    "id_number": id_number,
                    "phone": fake.phone_number() if age >= 16 else "",
                    "household_number": household,
                    "relation_to_head": relation,
                    "building_code": house["building_code"],
                    "unit": house["unit"],
                    "room": house["room"],
                    "residence_kind": "流动" if floating else "户籍",
                    "status": "在住",
                    "tags": "、".join(tags),
                }
            )
    # ID numbers are unique by construction of (region, birth date, sequence); drop accidental repeats.
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["id_number"] not in seen:
            seen.add(row["id_number"])
            unique.append(row)
    import_residents_rows(actor=actor, rows=unique, source=ChangeSource.DEMO, source_ref="demo-data")


def _organisations(actor, buildings: list[dict], rng: random.Random) -> None:
    from faker import Faker

    from gongzhi.people.importing.organisations import import_organisations_rows

    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 1)
    kinds = [
        ("enterprise", "企业", 45),
        ("merchant", "商户", 50),
        ("social_org", "社会组织", 15),
        ("resident_unit", "驻地单位", 12),
    ]
    rows = []
    number = 0
    for kind, word, count in kinds:
        for i in range(count):
            number += 1
            building = buildings[(number * 37) % len(buildings)]
            prefix = (
                building["estate"].removesuffix("小区")[:4] if kind != "enterprise" else fake.company_prefix()
            )
            suffix = names.ORG_SUFFIX[kind][i % len(names.ORG_SUFFIX[kind])]
            rows.append(
                {
                    "name": f"{prefix}{suffix}" if kind != "merchant" else f"{fake.last_name()}记{suffix}",
                    "kind": word,
                    "credit_code": make_credit_code("110199", number) if kind != "merchant" or i % 2 else "",
                    "legal_representative": fake.name(),
                    "contact_phone": fake.phone_number(),
                    "address": building["address"],
                    "building_code": building["code"],
                }
            )
    # merchants without a credit code need distinct names per place
    import_organisations_rows(actor=actor, rows=rows, source=ChangeSource.DEMO, source_ref="demo-data")


# username suffix, role, where: "grid" | "community" | "street" | "district" | department code | None
DEMO_ACCOUNTS = [
    ("resident", "resident", None, "王秀英"),
    ("grid_worker", "grid_worker", "grid", "李建国"),
    ("community_worker", "community_worker", "community", "陈静"),
    ("party_secretary", "party_secretary", "community", "张红梅"),
    ("hotline_operator", "hotline_operator", "district", "周晓燕"),
    ("street_dispatcher", "street_dispatcher", "street", "刘洋"),
    ("street_leader", "street_leader", "street", "马立新"),
    ("department_handler", "department_handler", "CGW", "吴强"),
    ("department_head", "department_head", "CGW", "郑国栋"),
    ("supervisor", "supervisor", "district", "冯雪"),
    ("party_member", "party_member", None, "何志远"),
    ("volunteer", "volunteer", None, "林小雨"),
    ("merchant", "merchant", None, "黄老板"),
    ("district_leader", "district_leader", "district", "孙志刚"),
    ("admin", "admin", None, "系统管理员"),
    # the district's 12345 centre: dispatches what no street holds (cases whose place is not known)
    ("district_dispatcher", "street_dispatcher", "district", "赵敏"),
]


def _accounts(actor, tree: Tree, password: str) -> list[tuple[str, str, str]]:
    from gongzhi.accounts.models import User
    from gongzhi.accounts.selectors import get_department_by_code
    from gongzhi.accounts.services import assign_role, create_user

    roles = {r.code: r for r in Role.objects.all()}
    street = tree.streets[0]
    community = tree.communities[0][1]
    grid = tree.grids[0][1]
    where_region = {"grid": grid, "community": community, "street": street, "district": tree.district}
    result = []
    for index, (suffix, role_code, where, display) in enumerate(DEMO_ACCOUNTS):
        username = f"demo_{suffix}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                actor=None,
                username=username,
                password=password,
                display_name=display,
                phone=f"1860000{index:04d}",
                is_staff=role_code not in {"resident", "party_member", "volunteer", "merchant"},
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        region = where_region.get(where) if where else None
        department = get_department_by_code(where) if where and where not in where_region else None
        assign_role(actor=None, user=user, role=roles[role_code], region=region, department=department)
        label = (region.name if region else "") or (department.name if department else "")
        result.append((username, str(roles[role_code].name), label))
    return result


def _counts() -> dict[str, int]:
    from gongzhi.accounts.models import Department
    from gongzhi.people.models import Household, Organisation, Resident
    from gongzhi.regions.models import Building, House, Region

    return {
        "streets": Region.objects.filter(level="street").count(),
        "communities": Region.objects.filter(level="community").count(),
        "grids": Region.objects.filter(level="grid").count(),
        "buildings": Building.objects.count(),
        "houses": House.objects.count(),
        "households": Household.objects.count(),
        "residents": Resident.objects.count(),
        "organisations": Organisation.objects.count(),
        "departments": Department.objects.count(),
    }


from gongzhi.cases import demo as _cases_demo  # noqa: E402,F401
from gongzhi.insights import demo as _insights_demo  # noqa: E402,F401
from gongzhi.party import demo as _party_demo  # noqa: E402,F401
