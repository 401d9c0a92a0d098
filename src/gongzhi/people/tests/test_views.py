"""HTML pages: masking, filters, fragments, forms, permissions and a fixed query budget on the list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.people import services
from gongzhi.people.models import ChangeRecord, Resident

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


def _login(client, user):
    client.force_login(user, backend=BACKEND)


def test_list_masks_id_numbers_and_phones(client, world):
    resident = f.resident(grid=world.grid_a)
    _login(client, world.community_worker)
    page = client.get("/people/").content.decode()
    assert mask_id_number(resident.id_number) in page and resident.id_number not in page
    assert mask_phone(resident.phone) in page and resident.phone not in page


def test_list_page_query_count_is_fixed(client, world, django_assert_max_num_queries):
    tags = f.standard_tags()
    house = f.house(building=f.building(grid=world.grid_a))
    household = services.create_household(actor=world.admin, number="H2001", house=house)
    for i, resident in enumerate(f.residents(24, grid=world.grid_a)):
        services.tag_resident(
            actor=world.admin, resident=resident, tag=tags["elderly_alone" if i % 2 else "veteran"]
        )
    f.resident(house=house, household=household, relation_to_head="户主")
    _login(client, world.community_worker)
    client.get("/people/")  # warm caches unrelated to the page (content types, sessions)
    with django_assert_max_num_queries(12):
        response = client.get("/people/")
    assert response.status_code == 200
    assert len(re.findall(r'id="resident-\d+"', response.content.decode())) == 25
    with django_assert_max_num_queries(12):
        client.get("/people/", {"page": 2})


def test_filters_work_without_javascript_and_by_blind_index(client, world):
    tags = f.standard_tags()
    lonely = f.resident(grid=world.grid_a, name="冯淑华")
    services.tag_resident(actor=world.admin, resident=lonely, tag=tags["elderly_alone"])
    other = f.resident(grid=world.grid_b, name="蒋建平", residence_kind="floating")
    _login(client, world.community_worker)
    by_tag = client.get("/people/", {"tag": "elderly_alone"}).content.decode()
    assert lonely.name in by_tag and other.name not in by_tag
    by_kind = client.get("/people/", {"residence_kind": "floating"}).content.decode()
    assert other.name in by_kind and lonely.name not in by_kind
    by_grid = client.get("/people/", {"grid": world.grid_b.code}).content.decode()
    assert other.name in by_grid and lonely.name not in by_grid
    by_id = client.get("/people/", {"q": lonely.id_number.lower()}).content.decode()
    assert f"/people/residents/{lonely.pk}/" in by_id and f"/people/residents/{other.pk}/" not in by_id
    by_phone = client.get("/people/", {"q": other.phone}).content.decode()
    assert f"/people/residents/{other.pk}/" in by_phone and f"/people/residents/{lonely.pk}/" not in by_phone


def test_htmx_filter_returns_only_the_table(client, world):
    f.resident(grid=world.grid_a)
    _login(client, world.community_worker)
    response = client.get("/people/", {"q": "张"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div id="resident-results">') and "<html" not in body


def test_detail_shows_history_tags_and_household(client, world):
    house = f.house(building=f.building(grid=world.grid_a))
    household = services.create_household(actor=world.admin, number="H3001", house=house)
    head = f.resident(house=house, household=household, relation_to_head="户主", name="韩国庆")
    member = f.resident(house=house, household=household, relation_to_head="子", name="韩晓东")
    services.update_resident(actor=world.admin, resident=member, changes={"phone": f.mobile()})
    _login(client, world.grid_worker_a)
    page = client.get(f"/people/residents/{member.pk}/").content.decode()
    assert head.name in page and "已更改（内容不显示）" in page and "变更记录" in page
    assert member.phone not in page
    household_page = client.get(f"/people/households/{household.pk}/").content.decode()
    assert head.name in household_page and member.name in household_page


def test_register_resident_form_shows_chinese_errors_and_keeps_input(client, world):
    _login(client, world.grid_worker_a)
    assert client.get("/people/residents/new/").status_code == 200
    bad = f.id_number_with_bad_checksum()
    response = client.post(
        "/people/residents/new/",
        {
            "name": "郭春花",
            "id_number": bad,
            "phone": "13912",
            "residence_kind": "registered",
            "grid": world.grid_a.code,
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "身份证号码校验位不正确" in page and "手机号码不正确" in page and "郭春花" in page
    good = f.id_number()
    response = client.post(
        "/people/residents/new/",
        {
            "name": "郭春花",
            "id_number": good,
            "phone": "13912345670",
            "residence_kind": "registered",
            "grid": world.grid_a.code,
        },
    )
    assert response.status_code == 302
    assert Resident.objects.get(name="郭春花").grid == world.grid_a


def test_register_in_neighbouring_grid_is_refused(client, world):
    _login(client, world.grid_worker_a)
    response = client.post(
        "/people/residents/new/",
        {
            "name": "郭春花",
            "id_number": f.id_number(),
            "residence_kind": "registered",
            "grid": world.grid_b.code,
        },
    )
    assert response.status_code == 422
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Resident.objects.exists()


def test_edit_keeps_secret_fields_blank_and_unchanged(client, world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="曹玉梅")
    _login(client, world.grid_worker_a)
    form = client.get(f"/people/residents/{resident.pk}/edit/").content.decode()
    assert resident.id_number not in form and resident.phone not in form
    response = client.post(
        f"/people/residents/{resident.pk}/edit/",
        {
            "name": "曹玉美",
            "id_number": "",
            "phone": "",
            "residence_kind": "registered",
            "grid": world.grid_a.code,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "曹玉美" and resident.id_number and resident.phone
    change = ChangeRecord.objects.get(target_id=resident.pk, action="update")
    assert change.changes == {"name": {"old": "曹玉梅", "new": "曹玉美"}}


def test_status_and_tag_forms(client, world):
    tag = f.tag("veteran", "退役军人")
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    _login(client, world.grid_worker_a)
    client.post(f"/people/residents/{resident.pk}/tags/", {"action": "add", "tag": tag.pk})
    client.post(
        f"/people/residents/{resident.pk}/status/", {"status": "moved_out", "reason": "随子女迁往上海"}
    )
    resident.refresh_from_db()
    assert resident.status == "moved_out" and list(resident.tags.all()) == [tag]


def test_tag_page_is_for_tag_managers_only(client, world):
    _login(client, world.community_worker)
    assert client.get("/people/tags/").status_code == 403
    _login(client, world.admin)
    assert client.get("/people/tags/").status_code == 200
    assert (
        client.post("/people/tags/", {"code": "disabled", "name": "残疾人", "is_sensitive": "on"}).status_code
        == 302
    )
    response = client.post("/people/tags/", {"code": "disabled", "name": "残疾人"})
    assert response.status_code == 422 and "已有相同编码或名称的标签" in response.content.decode()


def test_household_and_organisation_lists_render(client, world):
    house = f.house(building=f.building(grid=world.grid_a))
    services.create_household(actor=world.admin, number="H4001", house=house)
    services.create_organisation(
        actor=world.admin,
        name="幸福里志愿者协会",
        kind="social_org",
        contact_phone="13755556666",
        grid=world.grid_a,
    )
    services.create_organisation(actor=world.admin, name="朝晖中学", kind="resident_unit", grid=world.grid_c)
    _login(client, world.grid_worker_a)
    assert "H4001" in client.get("/people/households/").content.decode()
    page = client.get("/people/organisations/").content.decode()
    assert "幸福里志愿者协会" in page and "137****6666" in page and "朝晖中学" not in page


def test_views_and_api_never_touch_model_managers():
    root = Path(__file__).resolve().parent.parent
    for name in ("views.py", "api.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"\.objects\b", source), name


@pytest.mark.parametrize(
    "url", ["/people/", "/people/households/", "/people/organisations/", "/people/import/"]
)
def test_residents_cannot_open_staff_pages(client, world, url):
    _login(client, world.resident)
    assert client.get(url).status_code == 403
