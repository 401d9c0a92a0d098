"""诉求测试工厂: realistic Chinese case input and cases brought to any status THROUGH the services.

Other test modules reuse these helpers — keep the names and signatures stable:

* ``CaseInputFactory()`` — a dict of ``submit_case`` keyword arguments (title, description, address,
  reporter name and 11-digit mobile) written the way residents write (factory_boy + Faker ``zh_CN``,
  seeded). Pass overrides as keywords.
* ``categories(world)`` — imports a small 3-level category tree through ``catalog.import_categories``
  and returns its leaves by name (``"占道经营"``, ``"噪音扰民"``, ``"餐饮油烟"``, ``"供暖"``, ``"欠薪"``,
  ``"垃圾清运"``).
* ``staff(world, username, role, *, region=None, department=None, name=...)`` — one more staff account.
* ``seed_calendar(*years)`` — ``CalendarDay`` rows from ``deadlines.seed_calendar`` (the real State
  Council calendar) and a fresh ``policy.work_calendar()``.
* Stateful cases (each returns the ``Case`` as the services left it; extra keywords go to
  ``submit_case``): ``submitted_case`` (pending_accept) → ``accepted_case`` (pending_dispatch) →
  ``dispatched_case`` (pending_sign, lead 城管 by default) → ``processing_case`` (signed) →
  ``resolved_case`` (pending_review) → ``approved_case`` (pending_follow_up) → ``closed_case`` (rated);
  plus ``returned_case``, ``rejected_case``, ``withdrawn_case``, ``merged_case`` and
  ``case_in_status(world, status)`` for any ``CaseStatus``.
* Files: ``jpeg_with_exif()``, ``png_bytes()``, ``pdf_bytes()``, ``upload(name, data)``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import factory
import factory.random
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.accounts.models import Role
from gongzhi.accounts.services import assign_role, create_user
from gongzhi.cases import deadlines, policy
from gongzhi.cases.choices import CalendarDayKind, CaseStatus, Channel, Rating
from gongzhi.cases.models import CalendarDay, Case, Category
from gongzhi.cases.services import (
    accept_case,
    dispatch_case,
    merge_case,
    rate_case,
    reject_case,
    resolve_case,
    return_case,
    review_case,
    sign_case,
    submit_case,
    withdraw_case,
)
from gongzhi.cases.services.catalog import import_categories
from gongzhi.core.testing import PASSWORD

factory.random.reseed_random("gongzhi-cases")

#: (title, description, address) as residents phone or type them in.
CASE_TEXTS: tuple[tuple[str, str, str], ...] = (
    (
        "小区南门早市占道经营",
        "每天早上6点到9点，幸福里小区南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去，希望城管管一管。",
        "向阳区幸福里小区南门",
    ),
    (
        "楼下烧烤店深夜噪音扰民",
        "3号楼底商的烧烤店天天营业到凌晨两点，客人喝酒划拳声音特别大，孩子没法睡觉，已经一个多月了。",
        "幸福里小区3号楼底商",
    ),
    (
        "川菜馆油烟直排进居民家",
        "和平路12号川菜馆的油烟管子正对着我家窗户排，屋里全是油烟味，衣服都不敢往外晾，之前反映过没人管。",
        "和平路12号",
    ),
    (
        "暖气不热室温只有14度",
        "供暖一周了我家暖气片还是温的，室温就14度，家里有80多岁的老人，找物业说了好几次都没人上门。",
        "幸福里小区7号楼2单元501",
    ),
    (
        "装修公司拖欠工资",
        "我们6个工人在幸福里小区干装修，老板拖了三个月工资4万多块，现在电话也不接，快过年了求帮帮忙。",
        "幸福里小区9号楼",
    ),
    (
        "垃圾桶满了三天没人清运",
        "5号楼西边的垃圾桶已经满了三天，垃圾都堆到地上了，天热有味还招苍蝇，请尽快安排清运。",
        "幸福里小区5号楼西侧",
    ),
    (
        "消防通道被私家车长期占用",
        "2号楼北侧消防通道天天停着好几辆私家车，万一着火消防车根本进不来，物业说管不了。",
        "幸福里小区2号楼北侧",
    ),
    (
        "楼道里飞线给电动车充电",
        "4单元有人从三楼窗户拉电线下来给电动车充电，晚上一直插着，电线就搭在树上，太危险了。",
        "幸福里小区6号楼4单元",
    ),
)

#: Inside the squares of the test world (see core.testing): lon/lat of a point in each grid.
POINTS = {"a": (116.405, 39.905), "b": (116.415, 39.905), "c": (116.425, 39.905)}


class CaseInputFactory(factory.DictFactory):
    """Keyword arguments for ``submit_case``: a realistic resident complaint from the 12345 hotline."""

    class Params:
        text = factory.Iterator(CASE_TEXTS)

    channel = Channel.HOTLINE
    title = factory.LazyAttribute(lambda o: o.text[0])
    description = factory.LazyAttribute(lambda o: o.text[1])
    address = factory.LazyAttribute(lambda o: o.text[2])
    reporter_name = factory.Faker("name", locale="zh_CN")
    reporter_phone = factory.Faker("phone_number", locale="zh_CN")


def categories(world) -> dict[str, Category]:
    """A small category tree imported through the catalog service; leaves by name."""
    rows = [
        {"一级分类": "城市管理", "二级分类": "市容环境", "三级分类": "占道经营"},
        {"一级分类": "城市管理", "二级分类": "市容环境", "三级分类": "噪音扰民"},
        {"一级分类": "城市管理", "二级分类": "市容环境", "三级分类": "餐饮油烟"},
        {"一级分类": "城市管理", "二级分类": "环境卫生", "三级分类": "垃圾清运"},
        {"一级分类": "城乡建设", "二级分类": "房屋管理", "三级分类": "供暖"},
        {"一级分类": "劳动社保", "二级分类": "劳动关系", "三级分类": "欠薪"},
    ]
    report = import_categories(actor=world.admin, file_or_rows=rows, source="tests")
    assert not report.errors, report.errors
    return {c.name: c for c in Category.objects.filter(level=3).order_by("path")}


def staff(
    world, username: str, role: str, *, region=None, department=None, name: str = "测试人员", phone: str = ""
):
    """One more staff account with ``role`` over ``region`` and/or ``department``."""
    user = create_user(
        actor=None, username=username, password=PASSWORD, display_name=name, phone=phone, is_staff=True
    )
    assign_role(actor=None, user=user, role=Role.objects.get(code=role), region=region, department=department)
    return user


def seed_calendar(*years: int) -> deadlines.WorkCalendar:
    """Working-calendar rows for ``years`` (the real State Council notice data) and the fresh calendar."""
    for year in years or (2026,):
        holidays, makeup, source = deadlines.seed_calendar(year)
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=CalendarDayKind.HOLIDAY, source=source) for d in sorted(holidays)]
            + [
                CalendarDay(date=d, kind=CalendarDayKind.MAKEUP_WORKDAY, source=source)
                for d in sorted(makeup)
            ],
            ignore_conflicts=True,
        )
    policy.forget_calendar()
    return policy.work_calendar()


# --- stateful cases, through the services ------------------------------------------------------------


def submitted_case(world, *, actor=None, grid="a", **overrides) -> Case:
    """``pending_accept``: a hotline case at a point in grid A (or ``grid="b"``/``"c"``) by the resident.

    The resident account is the reporter (so resident-side commands work); the hotline operator is
    played by the street dispatcher. Pass a resident as ``actor`` (``world.resident``) for a
    self-submitted web case.
    """
    lon, lat = POINTS[grid]
    kwargs = CaseInputFactory()
    kwargs.update(lon=lon, lat=lat)  # located through regions.locate.grid_at
    actor = actor or world.dispatcher
    if actor.is_staff and "reporter_user" not in overrides and "on_behalf_of" not in overrides:
        kwargs["reporter_user"] = world.resident
    if not actor.is_staff:  # a resident typing on the website: the account is the reporter
        kwargs["channel"] = Channel.WEB
        kwargs.pop("reporter_name")
        kwargs.pop("reporter_phone")
    kwargs.update(overrides)
    return submit_case(actor=actor, **kwargs)


def accepted_case(world, **overrides) -> Case:
    """``pending_dispatch``: accepted by the street dispatcher."""
    return accept_case(actor=world.dispatcher, case=submitted_case(world, **overrides))


def dispatched_case(world, *, department=None, assisting: Iterable = (), **overrides) -> Case:
    """``pending_sign``: dispatched by the street dispatcher to 城管 (or ``department``)."""
    case = accepted_case(world, **overrides)
    return dispatch_case(
        actor=world.dispatcher, case=case, department=department or world.chengguan, assisting=assisting
    )


def processing_case(world, **overrides) -> Case:
    """``processing``: signed for by the 城管 handler."""
    case = dispatched_case(world, **overrides)
    return sign_case(actor=world.handler, case=case)


def returned_case(world, **overrides) -> Case:
    """``pending_dispatch`` after a return by 城管 (the resolve clock is paused)."""
    case = processing_case(world, **overrides)
    return return_case(
        actor=world.handler, case=case, reason="该点位属于住建部门管辖的在建工地，不属于城管职责。"
    )


def resolved_case(world, **overrides) -> Case:
    """``pending_review``: 城管 reported the result."""
    case = processing_case(world, **overrides)
    return resolve_case(
        actor=world.handler, case=case, reply="已联系商户并现场整改，摊位已清理，后续纳入日常巡查。"
    )


def approved_case(world, **overrides) -> Case:
    """``pending_follow_up``: the street dispatcher approved the result."""
    case = resolved_case(world, **overrides)
    return review_case(actor=world.dispatcher, case=case, approve=True, note="整改到位，同意办结。")


def closed_case(world, *, rating: str = Rating.SATISFIED, **overrides) -> Case:
    """``closed``: the reporter (the world's resident) rated the result."""
    case = approved_case(world, **overrides)
    return rate_case(actor=world.resident, case=case, rating=rating, comment="处理得挺快，谢谢。")


def rejected_case(world, **overrides) -> Case:
    """``rejected`` by the street dispatcher."""
    case = submitted_case(world, **overrides)
    return reject_case(actor=world.dispatcher, case=case, reason="咨询类问题，已当场解答，不予受理。")


def withdrawn_case(world, **overrides) -> Case:
    """``withdrawn`` by the reporter."""
    case = submitted_case(world, **overrides)
    return withdraw_case(actor=world.resident, case=case, reason="问题已经自行解决了。")


def merged_case(world, *, master: Case | None = None, **overrides) -> Case:
    """``merged`` into ``master`` (a fresh dispatched case by default)."""
    master = master or dispatched_case(world)
    case = submitted_case(world, **overrides)
    return merge_case(actor=world.dispatcher, case=case, master=master, reason="同一点位重复反映。")


_BY_STATUS = {
    CaseStatus.PENDING_ACCEPT: submitted_case,
    CaseStatus.PENDING_DISPATCH: accepted_case,
    CaseStatus.PENDING_SIGN: dispatched_case,
    CaseStatus.PROCESSING: processing_case,
    CaseStatus.PENDING_REVIEW: resolved_case,
    CaseStatus.PENDING_FOLLOW_UP: approved_case,
    CaseStatus.CLOSED: closed_case,
    CaseStatus.REJECTED: rejected_case,
    CaseStatus.WITHDRAWN: withdrawn_case,
    CaseStatus.MERGED: merged_case,
}


def case_in_status(world, status: str, **overrides) -> Case:
    """A case in any ``CaseStatus``, built through the services."""
    return _BY_STATUS[CaseStatus(status)](world, **overrides)


# --- files ---------------------------------------------------------------------------------------------


def jpeg_with_exif(*, size: tuple[int, int] = (64, 48), orientation: int = 6) -> bytes:
    """A JPEG carrying EXIF: camera make, GPS position and an orientation tag (6 = rotate 90°)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Gongzhi Camera"  # Make
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 18.0), 3: "E", 4: (116.0, 24.0, 18.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def heic_with_exif(*, size: tuple[int, int] = (64, 48), orientation: int = 6) -> bytes:
    """An iPhone-style HEIC photo carrying EXIF: camera make, GPS position and an orientation tag."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = "Gongzhi Camera"  # Make
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 18.0), 3: "E", 4: (116.0, 24.0, 18.0)}  # GPS IFD
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def catalog_admin(world, username: str = "xiangyang_catalog", *, region=None, name: str = "吴晓梅"):
    """A street's catalog administrator: an operator-defined role holding ``cases.manage_catalog``
    (and ``cases.view``) over ``region`` (向阳街道 by default), as a district sets up for its streets."""
    from gongzhi.accounts.choices import ScopeKind
    from gongzhi.accounts.models import Permission

    role, created = Role.objects.get_or_create(
        code="street_catalog_admin",
        defaults={"name": "街道事项配置管理员", "scope_kind": ScopeKind.REGION, "sort_order": 150},
    )
    if created:
        role.permissions.set(Permission.objects.filter(code__in=["cases.manage_catalog", "cases.view"]))
    user = create_user(
        actor=None, username=username, password=PASSWORD, display_name=name, phone="", is_staff=True
    )
    assign_role(actor=None, user=user, role=role, region=region or world.street)
    return user
