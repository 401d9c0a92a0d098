"""Resident, household, organisation and tag services: rules, history (追本溯源) and audit."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from gongzhi.accounts.services import system_actor
from gongzhi.audit.models import AuditEvent
from gongzhi.core.crypto import blind_index
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.people import services
from gongzhi.people.models import ChangeRecord, Resident

from . import factories as f


def test_create_resident_derives_birth_date_and_gender_from_id_number(world):
    number = f.id_number(birth=date(1952, 3, 14), male=False)
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="王桂兰", id_number=number)
    assert resident.birth_date == date(1952, 3, 14)
    assert resident.gender == "female"
    assert resident.region_path == world.grid_a.path
    assert resident.id_number_index == blind_index(number, purpose="id_number")


def test_resident_takes_grid_and_path_from_house(world):
    house = f.house(building=f.building(grid=world.grid_b), unit="2", room="301")
    resident = f.resident(actor=world.grid_worker_b, house=house)
    assert resident.grid == world.grid_b
    assert resident.region_path == world.grid_b.path


def test_id_number_and_phone_are_encrypted_at_rest(world):
    number, phone = f.id_number(), f.mobile()
    resident = f.resident(grid=world.grid_a, id_number=number, phone=phone)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, phone_index FROM people_resident WHERE id = %s", [resident.pk]
        )
        stored_id, stored_phone, phone_index = cursor.fetchone()
    assert stored_id.startswith("v1:") and number not in stored_id
    assert stored_phone.startswith("v1:") and phone not in stored_phone
    assert phone_index == blind_index(phone, purpose="phone")
    assert Resident.objects.get(pk=resident.pk).id_number == number


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "bad_checksum", "身份证号码校验位不正确"),
        ("id_number", "bad_birth", "身份证号码中的出生日期不正确"),
        ("id_number", "11010519491231", "身份证号码应为18位"),
        ("phone", "1380013800", "手机号码不正确"),
        ("phone", "12800138000", "手机号码不正确"),
    ],
)
def test_rejects_invalid_numbers_with_chinese_messages(world, field, value, message):
    if value == "bad_checksum":
        value = f.id_number_with_bad_checksum()
    elif value == "bad_birth":
        value = f.id_number_with_bad_birth_date()
    fields = {"id_number": f.id_number(), "phone": f.mobile(), field: value}
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        f.resident(actor=world.grid_worker_a, grid=world.grid_a, **fields)
    assert message in str(exc.value.fields[field][0])
    assert Resident.objects.count() == 0


def test_gender_and_birth_date_must_agree_with_id_number(world):
    number = f.id_number(birth=date(1960, 5, 1), male=True)
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        f.resident(grid=world.grid_a, id_number=number, gender="female", birth_date=date(1960, 5, 2))
    assert "性别与身份证号码不一致" in exc.value.fields["gender"][0]
    assert "出生日期与身份证号码不一致" in exc.value.fields["birth_date"][0]


def test_resident_needs_a_house_or_grid(world):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        f.resident(actor=world.grid_worker_a)
    assert "grid" in exc.value.fields


def test_grid_worker_cannot_register_resident_in_neighbouring_grid(world):
    with pytest.raises(PermissionDenied):
        f.resident(actor=world.grid_worker_a, grid=world.grid_b)
    assert Resident.objects.count() == 0


def test_same_id_number_twice_is_replay_or_conflict(world):
    number, phone = f.id_number(), f.mobile()
    first = f.resident(
        actor=world.grid_worker_a, grid=world.grid_a, name="张建华", id_number=number, phone=phone
    )
    events = AuditEvent.objects.filter(action="people.create_resident").count()
    again = f.resident(
        actor=world.grid_worker_a, grid=world.grid_a, name="张建华", id_number=number, phone=phone
    )
    assert again.pk == first.pk
    assert AuditEvent.objects.filter(action="people.create_resident").count() == events
    with translation.override("zh-hans"), pytest.raises(Conflict) as exc:
        f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="张建国", id_number=number)
    assert "已登记" in exc.value.fields["id_number"][0]


def test_update_records_history_without_personal_data(world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a, name="李秀珍")
    new_phone = f.mobile()
    services.update_resident(
        actor=world.grid_worker_a,
        resident=resident,
        changes={"name": "李秀贞", "phone": new_phone, "residence_kind": "floating"},
    )
    change = ChangeRecord.objects.filter(target_type="resident", target_id=resident.pk, action="update").get()
    assert change.actor == world.grid_worker_a
    assert change.source == "manual"
    assert change.changes["name"] == {"old": "李秀珍", "new": "李秀贞"}
    assert change.changes["residence_kind"] == {"old": "registered", "new": "floating"}
    assert change.changes["phone"] == {"changed": True}
    audit = AuditEvent.objects.filter(action="people.update_resident").get()
    assert new_phone not in str(audit.data) and new_phone not in str(change.changes)
    create = ChangeRecord.objects.get(target_id=resident.pk, action="create")
    assert resident.id_number not in str(create.changes)


def test_update_with_same_values_writes_nothing(world):
    resident = f.resident(grid=world.grid_a)
    before = ChangeRecord.objects.count(), AuditEvent.objects.count()
    services.update_resident(
        actor=system_actor(), resident=resident, changes={"name": resident.name, "phone": resident.phone}
    )
    assert (ChangeRecord.objects.count(), AuditEvent.objects.count()) == before


def test_moving_resident_to_house_takes_new_grid(world):
    resident = f.resident(actor=world.community_worker, grid=world.grid_a)
    house = f.house(building=f.building(grid=world.grid_b))
    services.update_resident(actor=world.community_worker, resident=resident, changes={"house": house})
    resident.refresh_from_db()
    assert resident.grid == world.grid_b and resident.region_path == world.grid_b.path


def test_grid_worker_cannot_move_resident_out_of_own_grid(world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    with pytest.raises(PermissionDenied):
        services.update_resident(actor=world.grid_worker_a, resident=resident, changes={"grid": world.grid_b})
    resident.refresh_from_db()
    assert resident.grid == world.grid_a


def test_status_moves_out_then_deceased_and_not_back(world):
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    services.set_resident_status(
        actor=world.grid_worker_a, resident=resident, status="moved_out", reason="迁往外省"
    )
    services.set_resident_status(actor=world.grid_worker_a, resident=resident, status="moved_out")
    assert ChangeRecord.objects.filter(target_id=resident.pk, action="status").count() == 1
    services.set_resident_status(actor=world.grid_worker_a, resident=resident, status="deceased")
    with pytest.raises(InvalidTransition):
        services.set_resident_status(actor=world.grid_worker_a, resident=resident, status="active")
    resident.refresh_from_db()
    assert resident.status == "deceased"
    assert AuditEvent.objects.filter(action="people.set_resident_status").count() == 2


def test_tag_and_untag_resident_are_recorded(world):
    tags = f.standard_tags()
    resident = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    services.tag_resident(actor=world.grid_worker_a, resident=resident, tag=tags["elderly_alone"])
    services.tag_resident(actor=world.grid_worker_a, resident=resident, tag=tags["elderly_alone"])
    services.tag_resident(actor=world.grid_worker_a, resident=resident, tag=tags["veteran"])
    services.untag_resident(actor=world.grid_worker_a, resident=resident, tag=tags["elderly_alone"])
    assert [t.name for t in resident.tags.all()] == ["退役军人"]
    changes = [
        c.changes["tags"]
        for c in ChangeRecord.objects.filter(target_id=resident.pk, action="update").order_by("pk")
    ]
    assert changes == [
        {"old": [], "new": ["独居老人"]},
        {"old": ["独居老人"], "new": ["独居老人", "退役军人"]},
        {"old": ["独居老人", "退役军人"], "new": ["退役军人"]},
    ]


def test_retired_tag_cannot_be_added(world):
    tag = f.tag("veteran", "退役军人")
    services.update_tag(actor=world.admin, tag=tag, is_active=False)
    resident = f.resident(grid=world.grid_a)
    with pytest.raises(ValidationFailed):
        services.tag_resident(actor=world.admin, resident=resident, tag=tag)


def test_only_tag_managers_create_tags(world):
    with pytest.raises(PermissionDenied):
        services.create_tag(actor=world.community_worker, code="low_income", name="低保户")
    tag = services.create_tag(actor=world.admin, code="low_income", name="低保户", is_sensitive=True)
    assert AuditEvent.objects.filter(action="people.create_tag", target_id=str(tag.pk)).exists()
    with pytest.raises(ValidationFailed):
        services.create_tag(actor=world.admin, code="low_income_2", name="低保户")


def test_household_head_must_be_member(world):
    house = f.house(building=f.building(grid=world.grid_a))
    household = services.create_household(actor=world.grid_worker_a, number="110105000123", house=house)
    assert household.grid == world.grid_a
    head = f.resident(actor=world.grid_worker_a, house=house, household=household, relation_to_head="户主")
    household.refresh_from_db()
    assert household.head == head
    other = f.resident(actor=world.grid_worker_a, grid=world.grid_a)
    with pytest.raises(ValidationFailed):
        services.set_household_head(actor=world.grid_worker_a, household=household, head=other)
    spouse = f.resident(actor=world.grid_worker_a, house=house, household=household, relation_to_head="配偶")
    services.set_household_head(actor=world.grid_worker_a, household=household, head=spouse)
    household.refresh_from_db()
    assert household.head == spouse
    heads = ChangeRecord.objects.filter(target_type="household", target_id=household.pk, action="update")
    assert [c.changes["head"]["new"] for c in heads.order_by("pk")] == [head.name, spouse.name]


def test_create_organisation_checks_credit_code(world):
    code = f.credit_code()
    org = services.create_organisation(
        actor=world.grid_worker_a,
        name="向阳区幸福里便民超市",
        kind="merchant",
        credit_code=code,
        contact_phone="010-65001234",
        grid=world.grid_a,
    )
    assert org.region_path == world.grid_a.path
    assert ChangeRecord.objects.filter(target_type="organisation", target_id=org.pk, action="create").exists()
    with pytest.raises(Conflict):
        services.create_organisation(
            actor=world.grid_worker_a, name="另一家超市", kind="merchant", credit_code=code, grid=world.grid_a
        )
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        services.create_organisation(
            actor=world.grid_worker_a,
            name="幸福里社区养老驿站",
            kind="social_org",
            credit_code=code[:17] + ("0" if code[17] != "0" else "1"),
            grid=world.grid_a,
        )
    assert "统一社会信用代码校验位不正确" in exc.value.fields["credit_code"][0]


def test_update_organisation_records_phone_as_changed(world):
    org = services.create_organisation(
        actor=world.grid_worker_a,
        name="幸福里物业服务中心",
        kind="enterprise",
        contact_phone="13911112222",
        grid=world.grid_a,
    )
    services.update_organisation(
        actor=world.grid_worker_a,
        organisation=org,
        changes={"contact_phone": "13933334444", "legal_representative": "周明"},
    )
    change = ChangeRecord.objects.get(target_type="organisation", target_id=org.pk, action="update")
    assert change.changes == {
        "legal_representative": {"old": None, "new": "周明"},
        "contact_phone": {"changed": True},
    }
