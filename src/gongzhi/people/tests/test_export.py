"""Excel export: scoped rows, masked numbers unless unmasking is allowed and asked for, always audited."""

from __future__ import annotations

from gongzhi.audit.models import AuditEvent
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.people import services

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


def test_export_is_masked_and_audited(client, world):
    resident = f.resident(grid=world.grid_a, name="程桂芝")
    client.force_login(world.community_worker, backend=BACKEND)
    response = client.get("/people/export/residents.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = f.xlsx_rows(response.content)
    assert rows[0][:5] == ["姓名", "性别", "出生日期", "身份证号", "手机号"]
    assert rows[1][0] == "程桂芝"
    assert rows[1][3] == mask_id_number(resident.id_number) and rows[1][4] == mask_phone(resident.phone)
    event = AuditEvent.objects.get(action="people.export")
    assert event.data["rows"] == 1 and event.data["unmasked"] is False


def test_unmasked_export_needs_permission(client, world):
    resident = f.resident(grid=world.grid_a)
    client.force_login(world.grid_worker_a, backend=BACKEND)
    assert client.get("/people/export/residents.xlsx", {"unmasked": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action="people.export").exists()
    client.force_login(world.community_worker, backend=BACKEND)
    rows = f.xlsx_rows(client.get("/people/export/residents.xlsx", {"unmasked": "1"}).content)
    assert rows[1][3] == resident.id_number and rows[1][4] == resident.phone
    event = AuditEvent.objects.get(action="people.export")
    assert event.data == {"kind": "residents", "rows": 1, "unmasked": True, "filters": {}}


def test_unmasked_export_can_be_imported_again_unchanged(client, world):
    from gongzhi.people.importing import import_file

    f.residents(3, grid=world.grid_a)
    client.force_login(world.community_worker, backend=BACKEND)
    content = client.get("/people/export/residents.xlsx", {"unmasked": "1"}).content
    report = import_file(actor=world.community_worker, kind="residents", file=content, filename="export.xlsx")
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 3, "error": 0}


def test_search_term_is_masked_in_the_audit_record(client, world):
    resident = f.resident(grid=world.grid_a)
    client.force_login(world.community_worker, backend=BACKEND)
    rows = f.xlsx_rows(client.get("/people/export/residents.xlsx", {"q": resident.id_number}).content)
    assert len(rows) == 2
    event = AuditEvent.objects.get(action="people.export")
    assert resident.id_number not in str(event.data)


def test_household_and_organisation_exports(client, world):
    house = f.house(building=f.building(grid=world.grid_a))
    services.create_household(actor=world.admin, number="H6001", house=house)
    services.create_organisation(
        actor=world.admin, name="幸福里药店", kind="merchant", contact_phone="13511112222", grid=world.grid_a
    )
    services.create_organisation(actor=world.admin, name="朝晖药店", kind="merchant", grid=world.grid_c)
    client.force_login(world.grid_worker_a, backend=BACKEND)
    households = f.xlsx_rows(client.get("/people/export/households.xlsx").content)
    assert households[1][0] == "H6001"
    orgs = f.xlsx_rows(client.get("/people/export/organisations.xlsx").content)
    assert [r[0] for r in orgs[1:]] == ["幸福里药店"] and orgs[1][4] == "135****2222"
    assert client.get("/people/export/cases.xlsx").status_code == 404
