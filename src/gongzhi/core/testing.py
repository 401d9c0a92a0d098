"""Shared test fixtures: a small fictional district and fixed personas (STYLE.md §9).

向阳区 (110199) → 向阳街道 → 幸福里社区 → 幸福里第一网格 (A) / 幸福里第二网格 (B);
向阳区 → 朝晖街道 → 朝晖社区 → 朝晖第一网格 (C).
Personas: a resident, the worker of grid A, the worker of neighbouring grid B, a community worker,
a street dispatcher of 向阳街道, a 城管 department handler, a district leader, an admin.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import TestCase

PASSWORD = "Gongzhi#2026"


def command_env(tmp_path, **extra: str) -> dict[str, str]:
    """The environment for a ``gongzhi`` command a test starts in a subprocess: none of the test run's
    own ``GONGZHI_*`` settings, debug keys, and its ``var/`` and SQLite file under ``tmp_path``."""
    import os

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GONGZHI_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "GONGZHI_DEBUG": "1",
        "GONGZHI_VAR_DIR": str(tmp_path / "var"),
        "GONGZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        **extra,
    }
    return env


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


@dataclass
class World:
    district: object
    street: object
    community: object
    grid_a: object
    grid_b: object
    other_street: object
    other_community: object
    grid_c: object
    chengguan: object
    zhujian: object
    resident: object
    grid_worker_a: object
    grid_worker_b: object
    community_worker: object
    dispatcher: object
    handler: object
    district_leader: object
    admin: object


def build_world() -> World:
    from gongzhi.accounts.models import Role
    from gongzhi.accounts.roles import sync_roles
    from gongzhi.accounts.services import assign_role, create_department, create_user, system_actor
    from gongzhi.regions.services import create_region

    sync_roles()
    system = system_actor()
    district = create_region(
        actor=system, code="110199", name="向阳区", level="district", boundary=square(116.40, 39.90, 0.04)
    )
    street = create_region(
        actor=system,
        code="110199001",
        name="向阳街道",
        level="street",
        parent=district,
        boundary=square(116.40, 39.90, 0.02),
    )
    community = create_region(
        actor=system,
        code="110199001001",
        name="幸福里社区",
        level="community",
        parent=street,
        boundary={
            "type": "Polygon",
            "coordinates": [
                [[116.40, 39.90], [116.42, 39.90], [116.42, 39.91], [116.40, 39.91], [116.40, 39.90]]
            ],
        },
    )
    grid_a = create_region(
        actor=system,
        code="110199001001001",
        name="幸福里第一网格",
        level="grid",
        parent=community,
        boundary=square(116.40, 39.90),
    )
    grid_b = create_region(
        actor=system,
        code="110199001001002",
        name="幸福里第二网格",
        level="grid",
        parent=community,
        boundary=square(116.41, 39.90),
    )
    other_street = create_region(
        actor=system,
        code="110199002",
        name="朝晖街道",
        level="street",
        parent=district,
        boundary=square(116.42, 39.90, 0.02),
    )
    other_community = create_region(
        actor=system,
        code="110199002001",
        name="朝晖社区",
        level="community",
        parent=other_street,
        boundary=square(116.42, 39.90, 0.02),
    )
    grid_c = create_region(
        actor=system,
        code="110199002001001",
        name="朝晖第一网格",
        level="grid",
        parent=other_community,
        boundary=square(116.42, 39.90),
    )
    chengguan = create_department(
        actor=system,
        code="CG",
        name="区城市管理委员会",
        short_name="城管",
        kind="district_department",
        region=district,
    )
    zhujian = create_department(
        actor=system,
        code="ZJ",
        name="区住房和城乡建设委员会",
        short_name="住建",
        kind="district_department",
        region=district,
    )
    roles = {r.code: r for r in Role.objects.all()}

    def person(username: str, name: str, phone: str, role: str, *, region=None, department=None):
        user = create_user(
            actor=None,
            username=username,
            password=PASSWORD,
            display_name=name,
            phone=phone,
            is_staff=role != "resident",
        )
        assign_role(actor=None, user=user, role=roles[role], region=region, department=department)
        return user

    return World(
        district=district,
        street=street,
        community=community,
        grid_a=grid_a,
        grid_b=grid_b,
        other_street=other_street,
        other_community=other_community,
        grid_c=grid_c,
        chengguan=chengguan,
        zhujian=zhujian,
        resident=person("resident", "王秀英", "13800138000", "resident"),
        grid_worker_a=person("grid_a", "李建国", "13900139001", "grid_worker", region=grid_a),
        grid_worker_b=person("grid_b", "赵丽华", "13900139002", "grid_worker", region=grid_b),
        community_worker=person("community", "陈静", "13700137003", "community_worker", region=community),
        dispatcher=person("dispatcher", "刘洋", "13600136004", "street_dispatcher", region=street),
        handler=person("handler", "周强", "13500135005", "department_handler", department=chengguan),
        district_leader=person("leader", "孙志刚", "13300133006", "district_leader", region=district),
        admin=person("admin", "系统管理员", "13200132007", "admin"),
    )


class GongzhiTestCase(TestCase):
    """TestCase with ``self.world`` (regions, departments, personas) built once per class."""

    world: World

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def login(self, user) -> None:
        self.client.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
