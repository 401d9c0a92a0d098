"""受理登记的测试: numbers, reporters, validation, idempotency, location, auto-dispatch and attachments."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from PIL import Image

from gongzhi.accounts.models import Role
from gongzhi.accounts.services import assign_role
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.choices import AttachmentKind, CaseStatus, Channel, Urgency
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.cases.models import Attachment, Case, CaseNumberSequence, CaseStep, Notification
from gongzhi.cases.selectors import case_dispatchers, cases_visible_to, dispatch_queue, get_case
from gongzhi.cases.services import add_attachment, submit_case
from gongzhi.cases.services import intake as intake_module
from gongzhi.cases.services.catalog import create_duty_rule
from gongzhi.cases.tests import factories as f
from gongzhi.core.crypto import blind_index
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.regions.services import create_building, create_region


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def hotline(world, **overrides) -> dict:
    """A hotline call taken by the street dispatcher (acting as the operator) in grid A."""
    lon, lat = f.POINTS["a"]
    kwargs = f.CaseInputFactory(lon=lon, lat=lat)
    kwargs.update(overrides)
    return kwargs


def submit_audits(case: Case) -> int:
    return AuditEvent.objects.filter(action="cases.submit", target_id=str(case.pk)).count()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- case numbers ------------------------------------------------------------------------------------


def test_case_numbers_count_per_local_day(world):
    with time_machine.travel(at(2026, 11, 21, 9, 0), tick=False):
        first = submit_case(actor=world.dispatcher, **hotline(world))
        second = submit_case(actor=world.dispatcher, **hotline(world))
    with time_machine.travel(at(2026, 11, 21, 23, 59), tick=False):  # 15:59 UTC: still the 21st in Beijing
        third = submit_case(actor=world.dispatcher, **hotline(world))
    with time_machine.travel(at(2026, 11, 22, 0, 1), tick=False):
        next_day = submit_case(actor=world.dispatcher, **hotline(world))
    assert [first.number, second.number, third.number, next_day.number] == [
        "GZ202611210001",
        "GZ202611210002",
        "GZ202611210003",
        "GZ202611220001",
    ]
    assert CaseNumberSequence.objects.get(day=datetime(2026, 11, 21).date()).last == 3


def test_a_failed_submission_does_not_use_up_a_number(world):
    with time_machine.travel(at(2026, 11, 21, 9, 0), tick=False):
        with pytest.raises(ValidationFailed):
            submit_case(actor=world.dispatcher, **hotline(world, title="吵"))
        case = submit_case(actor=world.dispatcher, **hotline(world))
    assert case.number == "GZ202611210001"


# --- reporters ---------------------------------------------------------------------------------------


def test_resident_submits_their_own_case(world):
    cats = f.categories(world)
    case = submit_case(
        actor=world.resident,
        channel=Channel.WEB,
        title="楼下烧烤店深夜噪音扰民",
        description="3号楼底商烧烤店每天营业到凌晨两点，吵得孩子睡不着。",
        grid=world.grid_a,
        category=cats["噪音扰民"],
    )
    assert case.status == CaseStatus.PENDING_ACCEPT
    assert case.reporter_user_id == world.resident.pk and case.submitted_by_id == world.resident.pk
    assert case.reporter_name == "王秀英" and case.reporter_phone_tail == "8000"  # from the account
    assert case.category_certain is False  # a resident's own choice is confirmed by the dispatcher
    step = case.steps.get()
    assert (step.action, step.from_status, step.to_status, step.actor_id) == (
        "submit",
        "",
        CaseStatus.PENDING_ACCEPT,
        world.resident.pk,
    )
    assert submit_audits(case) == 1


def test_reporter_phone_is_encrypted_and_indexed(world):
    case = submit_case(
        actor=world.dispatcher, **hotline(world, reporter_name="张桂芳", reporter_phone="139 1234 5678")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored and "5678" not in stored
    case = Case.objects.get(pk=case.pk)
    assert case.reporter_phone == "13912345678"
    assert case.reporter_phone_index == blind_index("13912345678", purpose="phone")
    assert case.reporter_phone_tail == "5678"
    event = AuditEvent.objects.get(action="cases.submit", target_id=str(case.pk))
    assert "13912345678" not in str(event.data) and "张桂芳" not in str(event.data)


def test_anonymous_case_keeps_no_contact(world):
    case = submit_case(
        actor=world.dispatcher,
        **hotline(world, anonymous=True, reporter_name="李先生", reporter_phone="13912345678"),
    )
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_phone, case.reporter_phone_index, case.reporter_phone_tail) == (
        "",
        "",
        "",
        "",
    )
    assert case.anonymous is True


def test_proxy_submission_records_staff_and_resident(world):
    case = submit_case(
        actor=world.community_worker,
        on_behalf_of=world.resident,
        channel=Channel.WALK_IN,
        title="暖气不热室温只有14度",
        description="王阿姨来社区反映，家里暖气片不热，室温14度，家中有老人。",
        grid=world.grid_a,
    )
    assert case.reporter_user_id == world.resident.pk
    assert case.submitted_by_id == world.community_worker.pk
    event = AuditEvent.objects.get(action="cases.submit", target_id=str(case.pk))
    assert event.actor_id == world.community_worker.pk
    assert event.data["proxy"] is True
    assert event.data["on_behalf_of"] == world.resident.pk
    assert event.data["submitted_by"] == world.community_worker.pk
    assert case.steps.get().actor_id == world.community_worker.pk
    assert cases_visible_to(world.resident).filter(pk=case.pk).exists()


def test_resident_cannot_submit_for_someone_else(world):
    with pytest.raises(PermissionDenied):
        submit_case(actor=world.resident, on_behalf_of=world.grid_worker_a, **hotline(world))
    assert not Case.objects.exists()


def test_user_without_submit_permission_is_refused(world):
    with pytest.raises(PermissionDenied):
        submit_case(actor=world.handler, **hotline(world))


# --- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "吵"}, "title"),
        ({"title": "噪" * 121}, "title"),
        ({"description": "   "}, "description"),
        ({"urgency": "very"}, "urgency"),
        ({"channel": "fax"}, "channel"),
        ({"lon": 116.405, "lat": None}, "lat"),
        ({"lon": 216.0, "lat": 39.9}, "lat"),
        ({"lon": "abc", "lat": 39.9}, "lat"),
        ({"reporter_phone": "010-12345678"}, "reporter_phone"),
        ({"tags": ["很长的标签" * 5]}, "tags"),
    ],
)
def test_invalid_input_is_refused_and_nothing_stored(world, overrides, field):
    with pytest.raises(ValidationFailed) as info:
        submit_case(actor=world.dispatcher, **hotline(world, **overrides))
    assert field in info.value.fields
    assert info.value.code == "validation_failed"
    assert not Case.objects.exists() and not CaseStep.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.submit").exists()


def test_every_field_error_is_reported_at_once(world):
    with pytest.raises(ValidationFailed) as info:
        submit_case(
            actor=world.dispatcher,
            channel=Channel.HOTLINE,
            title="",
            description="",
            urgency="x",
            lon=1.0,
            reporter_phone="12",
        )
    assert {"title", "description", "urgency", "lat", "reporter_phone"} <= set(info.value.fields)


# --- idempotency ---------------------------------------------------------------------------------------


def test_replay_with_the_same_key_returns_the_same_case(world, django_capture_on_commit_callbacks):
    kwargs = hotline(world, idempotency_key="12345-20261121-000731")
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_case(actor=world.dispatcher, **kwargs)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = submit_case(actor=world.dispatcher, **kwargs)
    assert again.pk == first.pk and again.number == first.number
    assert Case.objects.count() == 1
    assert CaseStep.objects.filter(case=first, action="submit").count() == 1
    assert submit_audits(first) == 1
    assert callbacks == []


def test_same_key_with_another_payload_is_a_conflict(world):
    kwargs = hotline(world, idempotency_key="web-7f3a")
    submit_case(actor=world.dispatcher, **kwargs)
    with pytest.raises(Conflict) as info:
        submit_case(actor=world.dispatcher, **{**kwargs, "description": "内容改过了，和第一次不一样。"})
    assert info.value.code == "case.idempotency_conflict"
    with pytest.raises(Conflict):  # another account replaying someone's key
        submit_case(actor=world.community_worker, **kwargs)
    assert Case.objects.count() == 1


def test_the_key_is_scoped_by_channel(world):
    first = submit_case(actor=world.dispatcher, **hotline(world, idempotency_key="0001"))
    other = submit_case(actor=world.dispatcher, **hotline(world, idempotency_key="0001", channel=Channel.WEB))
    assert first.pk != other.pk


def test_a_race_is_decided_by_the_unique_constraint(world, monkeypatch):
    kwargs = hotline(world, idempotency_key="race-1")
    winner = submit_case(actor=world.dispatcher, **kwargs)
    real = intake_module._existing
    calls = []

    def missed_first(channel, key):  # the loser's first look happened before the winner committed
        calls.append(key)
        return None if len(calls) == 1 else real(channel, key)

    monkeypatch.setattr(intake_module, "_existing", missed_first)
    loser = submit_case(actor=world.dispatcher, **kwargs)
    assert loser.pk == winner.pk and len(calls) == 2
    assert Case.objects.count() == 1
    assert submit_audits(winner) == 1
    with pytest.raises(Conflict):
        calls.clear()
        submit_case(actor=world.dispatcher, **{**kwargs, "title": "另一个标题的诉求"})


# --- location ----------------------------------------------------------------------------------------


def test_explicit_grid_sets_path_and_street(world):
    case = submit_case(actor=world.dispatcher, **hotline(world, grid=world.grid_b, lon=None, lat=None))
    assert case.grid_id == world.grid_b.pk
    assert case.region_path == world.grid_b.path
    assert case.street_id == world.street.pk


def test_address_text_finds_a_registered_building(world):
    create_building(
        actor=world.admin,
        code="XFL0303",
        name="3号楼",
        address="幸福路18号院3号楼",
        estate="幸福里小区",
        grid=world.grid_b,
    )
    kwargs = hotline(world, address="幸福路18号院3号楼楼下垃圾站", lon=None, lat=None)
    case = submit_case(actor=world.dispatcher, **kwargs)
    assert case.grid_id == world.grid_b.pk
    assert case.region_path == world.grid_b.path
    assert case.street_id == world.street.pk


def test_address_text_naming_a_community_gives_the_community(world):
    case = submit_case(
        actor=world.dispatcher, **hotline(world, address="向阳区幸福里社区活动中心门口", lon=None, lat=None)
    )
    assert case.grid_id is None
    assert case.region_path == world.community.path
    assert case.street_id == world.street.pk


def unknown_place(world, **overrides) -> dict:
    return hotline(world, address="火星路1号", lon=None, lat=None, **overrides)


def test_unknown_place_is_filed_under_the_street_of_the_dispatcher_who_took_it(world):
    case = submit_case(actor=world.dispatcher, **unknown_place(world))
    assert (case.grid_id, case.region_path, case.street_id) == (None, world.street.path, world.street.pk)
    assert case.steps.get(action="submit").data["place_unknown"] is True
    assert list(dispatch_queue(world.dispatcher)) == [case]
    assert list(case_dispatchers(case)) == [world.dispatcher]


def test_unknown_place_reported_on_patrol_is_filed_under_the_grid_workers_grid(world):
    case = submit_case(actor=world.grid_worker_a, **unknown_place(world, channel=Channel.PATROL))
    assert (case.grid_id, case.region_path, case.street_id) == (
        world.grid_a.pk,
        world.grid_a.path,
        world.street.pk,
    )
    assert get_case(user=world.grid_worker_a, pk=case.pk) == case
    assert not cases_visible_to(world.grid_worker_b).filter(pk=case.pk).exists()


def test_unknown_place_from_someone_working_in_two_grids_goes_to_their_community(world):
    assign_role(
        actor=None, user=world.grid_worker_a, role=Role.objects.get(code="grid_worker"), region=world.grid_b
    )
    case = submit_case(actor=world.grid_worker_a, **unknown_place(world, channel=Channel.PATROL))
    assert (case.grid_id, case.region_path, case.street_id) == (None, world.community.path, world.street.pk)


def test_unknown_place_taken_by_the_district_hotline_goes_to_the_district_dispatchers(world):
    operator = f.staff(world, "hotline_1", "hotline_operator", region=world.district)
    centre = f.staff(world, "centre_1", "street_dispatcher", region=world.district)
    case = submit_case(actor=operator, **unknown_place(world))
    assert (case.grid_id, case.region_path, case.street_id) == (None, world.district.path, None)
    assert get_case(user=operator, pk=case.pk) == case  # the operator can open what they just filed
    assert list(dispatch_queue(centre)) == [case]
    assert list(dispatch_queue(world.dispatcher)) == []  # no street holds it
    assert list(case_dispatchers(case)) == [centre]


def test_a_street_without_its_own_dispatcher_falls_back_to_the_district_dispatchers(world):
    case = submit_case(actor=world.dispatcher, **hotline(world))
    assert list(case_dispatchers(case)) == [world.dispatcher]
    centre = f.staff(world, "centre_2", "street_dispatcher", region=world.district)
    assert list(case_dispatchers(case)) == [world.dispatcher]  # the street's own dispatcher comes first
    world.dispatcher.assignments.all().delete()
    assert list(case_dispatchers(case)) == [centre]  # returns and extension requests still reach someone


def test_unknown_place_reported_by_a_resident_goes_under_the_top_region(world):
    case = submit_case(actor=world.resident, **unknown_place(world, channel=Channel.WEB))
    assert (case.region_path, case.street_id) == (world.district.path, None)
    assert get_case(user=world.resident, pk=case.pk) == case
    assert get_case(user=world.district_leader, pk=case.pk) == case


def test_unknown_place_stays_unplaced_when_the_top_region_is_ambiguous(world):
    create_region(actor=world.admin, code="110299", name="朝晖区", level="district")
    case = submit_case(actor=world.resident, **unknown_place(world, channel=Channel.WEB))
    assert (case.grid_id, case.region_path, case.street_id) == (None, "", None)
    assert case.steps.get(action="submit").data["place_unknown"] is True
    assert list(case_dispatchers(case)) == []


def test_a_known_place_is_not_marked_unknown(world):
    case = submit_case(actor=world.dispatcher, **hotline(world))
    assert "place_unknown" not in case.steps.get(action="submit").data


def test_coordinates_find_the_grid(world):
    lon, lat = f.POINTS["b"]
    case = submit_case(actor=world.dispatcher, **hotline(world, lon=lon, lat=lat))
    assert (case.grid_id, case.region_path) == (world.grid_b.pk, world.grid_b.path)
    assert case.street_id == world.street.pk
    lon, lat = f.POINTS["c"]
    other = submit_case(actor=world.dispatcher, **hotline(world, lon=lon, lat=lat))
    assert (other.grid_id, other.street_id) == (world.grid_c.pk, world.other_street.pk)


def test_an_explicit_grid_wins_over_coordinates(world):
    case = submit_case(actor=world.dispatcher, **hotline(world, grid=world.grid_b))  # the point is in grid A
    assert case.grid_id == world.grid_b.pk


# --- auto-dispatch -------------------------------------------------------------------------------------


def test_duty_rule_dispatches_automatically(world, django_capture_on_commit_callbacks):
    cats = f.categories(world)
    rule = create_duty_rule(
        actor=world.admin, category=cats["占道经营"], lead_department=world.chengguan, region=world.street
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_case(actor=world.dispatcher, category=cats["占道经营"], **hotline(world))
    assert case.status == CaseStatus.PENDING_SIGN
    assert case.department_id == world.chengguan.pk and case.duty_rule_id == rule.pk
    steps = list(case.steps.order_by("at", "pk").select_related("actor"))
    assert [s.action for s in steps] == ["submit", "accept", "dispatch"]
    assert steps[0].actor_id == world.dispatcher.pk
    assert steps[1].actor.is_system and steps[2].actor.is_system
    assert case.sign_due_at is not None and case.resolve_due_at is not None
    assert Notification.objects.filter(recipient=world.handler, case=case, kind="case.dispatch").exists()


@pytest.mark.parametrize("why", ["resident_choice", "no_auto", "other_region", "no_category"])
def test_case_stays_with_the_dispatcher_without_a_sure_rule(world, why):
    cats = f.categories(world)
    region = world.other_street if why == "other_region" else world.street
    create_duty_rule(
        actor=world.admin,
        category=cats["占道经营"],
        lead_department=world.chengguan,
        region=region,
        auto_dispatch=why != "no_auto",
    )
    actor = world.resident if why == "resident_choice" else world.dispatcher
    category = None if why == "no_category" else cats["占道经营"]
    kwargs = hotline(world, category=category)
    if actor == world.resident:
        kwargs.pop("reporter_name"), kwargs.pop("reporter_phone")
    case = submit_case(actor=actor, **kwargs)
    assert case.status == CaseStatus.PENDING_ACCEPT
    assert case.steps.count() == 1


def test_urgent_case_is_dispatched_with_short_limits(world):
    f.seed_calendar(2026)
    cats = f.categories(world)
    create_duty_rule(actor=world.admin, category=cats["供暖"], lead_department=world.zhujian)
    with time_machine.travel(at(2026, 12, 4, 16, 30), tick=False):  # Friday afternoon
        case = submit_case(
            actor=world.dispatcher,
            category=cats["供暖"],
            urgency=Urgency.URGENT,
            **hotline(world, title="独居老人家暖气漏水", description="楼上暖气管爆了，水漏到独居老人家里。"),
        )
    assert case.status == CaseStatus.PENDING_SIGN and case.department_id == world.zhujian.pk
    assert case.sign_due_at == at(2026, 12, 4, 17, 30)
    assert case.resolve_due_at == at(2026, 12, 7, 23, 59, 59)


# --- attachments ---------------------------------------------------------------------------------------


def test_files_of_a_failed_submission_are_swept_once_they_are_old(world, media, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    photo = f.upload("现场照片.jpg", f.jpeg_with_exif(), "image/jpeg")
    kept = submit_case(actor=world.dispatcher, attachments=[photo], **hotline(world))

    def audit_down(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(intake_module, "record", audit_down)
    with pytest.raises(RuntimeError):  # the photo was written, then the transaction rolled back
        submit_case(
            actor=world.dispatcher,
            attachments=[f.upload("b.jpg", f.jpeg_with_exif(), "image/jpeg")],
            **hotline(world),
        )
    monkeypatch.undo()
    files = sorted(p for p in media.rglob("*") if p.is_file())
    assert len(files) == 2 and Attachment.objects.count() == 1

    assert intake_module.sweep_orphan_files() == {"seen": 2, "removed": 0}  # too young: maybe in flight
    later = timezone.now() + intake_module.ORPHAN_GRACE + timedelta(minutes=1)
    assert intake_module.sweep_orphan_files(now=later) == {"seen": 2, "removed": 1}
    (attachment,) = Attachment.objects.filter(case=kept)
    assert [p for p in media.rglob("*") if p.is_file()] == [media / attachment.file.name]
    assert AuditEvent.objects.filter(action="cases.sweep_orphan_files").latest("pk").data == {"removed": 1}
    assert intake_module.sweep_orphan_files(now=later) == {"seen": 1, "removed": 0}  # safe to run twice
    out = io.StringIO()
    call_command("cases", "sweep-files", stdout=out)
    assert out.getvalue().strip() == "1 files checked, 0 orphaned files removed."


def test_photo_exif_is_removed_and_orientation_applied(world, media):
    photo = f.jpeg_with_exif(size=(64, 48), orientation=6)
    assert Image.open(io.BytesIO(photo)).getexif()  # the upload does carry EXIF
    case = submit_case(
        actor=world.dispatcher, attachments=[f.upload("现场照片.jpg", photo, "image/jpeg")], **hotline(world)
    )
    attachment = Attachment.objects.get(case=case)
    assert attachment.kind == AttachmentKind.REPORT
    assert attachment.step == case.steps.get(action="submit")
    assert (attachment.content_type, attachment.original_name) == ("image/jpeg", "现场照片.jpg")
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert attachment.size == len(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "exif" not in image.info
    assert image.size == (48, 64)  # turned upright, then the tag dropped
    assert b"Gongzhi Camera" not in data


def test_an_iphone_heic_photo_is_stored_as_jpeg_without_its_metadata(world, media):
    photo = f.heic_with_exif(size=(64, 48), orientation=6)
    assert photo[4:12] == b"ftypheic"
    case = submit_case(
        actor=world.dispatcher, attachments=[f.upload("IMG_0001.HEIC", photo, "image/heic")], **hotline(world)
    )
    attachment = Attachment.objects.get(case=case)
    assert (attachment.content_type, attachment.original_name) == ("image/jpeg", "IMG_0001.HEIC")
    assert attachment.file.name.endswith(".jpg")
    with attachment.file.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (48, 64)  # upright
    assert not image.getexif() and "exif" not in image.info
    assert b"Gongzhi Camera" not in data


def test_a_heic_photo_named_as_something_else_is_refused(world, media):
    with pytest.raises(ValidationFailed) as info:
        submit_case(
            actor=world.dispatcher, attachments=[f.upload("a.png", f.heic_with_exif())], **hotline(world)
        )
    assert info.value.code == "attachment.type"
    assert "HEIC" in str(info.value.fields["attachments"]) and not Case.objects.exists()


def test_png_and_pdf_are_accepted(world, media):
    case = f.processing_case(world)
    png = add_attachment(
        actor=world.handler,
        case=case,
        upload=f.upload("整改后.png", f.png_bytes()),
        kind=AttachmentKind.AFTER,
    )
    pdf = add_attachment(
        actor=world.handler,
        case=case,
        upload=f.upload("情况说明.pdf", f.pdf_bytes()),
        kind=AttachmentKind.DOCUMENT,
    )
    assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert AuditEvent.objects.filter(action="cases.add_attachment", target_id=str(case.pk)).count() == 2


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "attachment.type"),
        ("photo.jpg", b"%PDF-1.4\n%%EOF\n", "attachment.type"),
        ("huge.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024), "attachment.too_large"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg", "attachment.broken"),
        ("empty.png", b"", "attachment.empty"),
    ],
)
def test_bad_files_are_refused_and_nothing_stored(world, media, name, data, code):
    with pytest.raises(ValidationFailed) as info:
        submit_case(actor=world.dispatcher, attachments=[f.upload(name, data)], **hotline(world))
    assert info.value.code == code
    assert "attachments" in info.value.fields
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused(world, media):
    photos = [f.upload(f"{i}.png", f.png_bytes()) for i in range(10)]
    with pytest.raises(ValidationFailed):
        submit_case(actor=world.dispatcher, attachments=photos, **hotline(world))


def test_attachment_needs_scope_and_an_open_case(world, media):
    case = f.processing_case(world)
    with pytest.raises(PermissionDenied):
        add_attachment(
            actor=world.grid_worker_b,
            case=case,
            upload=f.upload("a.png", f.png_bytes()),
            kind=AttachmentKind.REPORT,
        )
    closed = f.closed_case(world)
    with pytest.raises(InvalidTransition):
        add_attachment(
            actor=world.resident,
            case=closed,
            upload=f.upload("a.png", f.png_bytes()),
            kind=AttachmentKind.REPORT,
        )
    # the reporter may add a photo to their own open case
    add_attachment(
        actor=world.resident, case=case, upload=f.upload("a.png", f.png_bytes()), kind=AttachmentKind.REPORT
    )
