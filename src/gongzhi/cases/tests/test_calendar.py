"""工作日历: seeding State Council holidays, administrator edits, the cached calendar and the commands."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.deadlines import PROVISIONAL_SOURCE, SHANGHAI
from gongzhi.cases.models import CalendarDay, Category
from gongzhi.cases.policy import work_calendar
from gongzhi.cases.services.catalog import seed_calendar_year, set_calendar_day
from gongzhi.core.errors import PermissionDenied, ValidationFailed


def test_seeding_2026_loads_the_state_council_notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = seed_calendar_year(actor=world.admin, year=2026)

    # 2026: 19 weekday holidays and 6 make-up working days (see docs/formulas.md)
    assert len(report.created) == 25
    assert CalendarDay.objects.filter(kind="holiday").count() == 19
    assert sorted(CalendarDay.objects.filter(kind="makeup_workday").values_list("date", flat=True)) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).source.startswith("chinese_calendar")
    cal = work_calendar()
    assert not cal.is_working_day(date(2026, 10, 7))  # 国庆 holiday on a Wednesday
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday worked (调休)


def test_seeding_again_changes_nothing(world):
    seed_calendar_year(actor=world.admin, year=2026)
    pks = list(CalendarDay.objects.order_by("pk").values_list("pk", flat=True))

    report = seed_calendar_year(actor=world.admin, year=2026)

    assert not report.changed
    assert list(CalendarDay.objects.order_by("pk").values_list("pk", flat=True)) == pks
    assert AuditEvent.objects.filter(action="cases.seed_calendar").count() == 1


def test_a_provisional_year_is_corrected_on_reseed_but_manual_days_stay(world):
    seed_calendar_year(actor=world.admin, year=2027)
    assert set(CalendarDay.objects.values_list("source", flat=True)) == {PROVISIONAL_SOURCE}
    assert CalendarDay.objects.filter(date__year=2027, kind="holiday").count() == 7
    # the operator enters the notice by hand: 2月9日 is 补休 and 2月20日 (Saturday) is worked
    set_calendar_day(actor=world.admin, date=date(2027, 2, 9), kind="holiday", name="春节")
    set_calendar_day(actor=world.admin, date=date(2027, 2, 20), kind="makeup_workday", name="春节调休")
    # a row an older seed wrote that the data no longer lists
    CalendarDay.objects.create(date=date(2027, 12, 31), kind="holiday", source=PROVISIONAL_SOURCE)

    report = seed_calendar_year(actor=world.admin, year=2027)

    assert report.removed == [date(2027, 12, 31)]
    assert report.created == []
    assert CalendarDay.objects.get(date=date(2027, 2, 9)).source == "manual: admin"
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).kind == "makeup_workday"


def test_editing_a_day_changes_the_cached_calendar(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_calendar_year(actor=world.admin, year=2026)
    assert work_calendar().is_working_day(date(2026, 12, 31))

    with django_capture_on_commit_callbacks(execute=True):
        row = set_calendar_day(
            actor=world.admin, date=date(2026, 12, 31), kind="holiday", name="跨年临时调整"
        )

    assert row.source == "manual: admin" and row.name == "跨年临时调整"
    assert not work_calendar().is_working_day(date(2026, 12, 31))
    event = AuditEvent.objects.get(action="cases.set_calendar_day")
    assert event.data == {
        "date": "2026-12-31",
        "old": None,
        "new": {"kind": "holiday", "name": "跨年临时调整"},
    }

    with django_capture_on_commit_callbacks(execute=True):
        row = set_calendar_day(actor=world.admin, date=date(2026, 10, 10), kind=None)

    assert (row.kind, row.source) == ("normal", "manual: admin")  # kept, so re-seeding leaves it alone
    assert not work_calendar().is_working_day(date(2026, 10, 10))  # back to an ordinary Saturday


def test_setting_a_day_to_what_it_is_changes_nothing(world):
    seed_calendar_year(actor=world.admin, year=2026)
    row = CalendarDay.objects.get(date=date(2026, 10, 1))

    assert set_calendar_day(actor=world.admin, date=date(2026, 10, 1), kind="holiday", name=row.name) == row
    assert set_calendar_day(actor=world.admin, date=date(2026, 11, 2), kind=None) is None
    assert not AuditEvent.objects.filter(action="cases.set_calendar_day").exists()


def test_a_weekday_cannot_be_a_make_up_working_day(world):
    with pytest.raises(ValidationFailed) as caught:
        set_calendar_day(actor=world.admin, date=date(2026, 11, 18), kind="makeup_workday")
    assert "kind" in caught.value.fields


def test_years_without_data_are_refused(world):
    with pytest.raises(ValidationFailed):
        seed_calendar_year(actor=world.admin, year=1999)


def test_only_catalog_managers_edit_the_calendar(world):
    with pytest.raises(PermissionDenied):
        set_calendar_day(actor=world.dispatcher, date=date(2026, 12, 31), kind="holiday")
    with pytest.raises(PermissionDenied):
        seed_calendar_year(actor=world.district_leader, year=2026)


# --- commands ---------------------------------------------------------------------------------------------


def test_seed_calendar_command_defaults_to_this_and_next_year(world):
    out = io.StringIO()
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        call_command("cases", "seed-calendar", stdout=out)

    assert set(CalendarDay.objects.dates("date", "year").values_list("date__year", flat=True)) == {2026, 2027}
    assert "2026: 25 added" in out.getvalue()


def test_seed_calendar_command_with_years(world):
    call_command("cases", "seed-calendar", "--year", "2025", "--year", "2026", stdout=io.StringIO())

    assert set(CalendarDay.objects.dates("date", "year").values_list("date__year", flat=True)) == {2025, 2026}


def test_category_commands(world, tmp_path):
    out = io.StringIO()
    call_command("cases", "install-categories", stdout=out)
    assert "created 227 categories" in out.getvalue()

    good = tmp_path / "分类.csv"
    good.write_text(
        "一级分类,二级分类,三级分类\n农村事务,宅基地,宅基地纠纷\n农村事务,宅基地,宅基地纠纷\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("cases", "import-categories", str(good), "--dry-run", stdout=out)
    assert "would create 3 categories" in out.getvalue() and "row 3" in out.getvalue()
    assert not Category.objects.filter(name="农村事务").exists()

    call_command("cases", "import-categories", str(good), stdout=io.StringIO())
    assert Category.objects.filter(full_name="农村事务/宅基地/宅基地纠纷").exists()

    bad = tmp_path / "bad.csv"
    bad.write_text("一级分类,二级分类,三级分类\n农村事务,,宅基地纠纷\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("cases", "import-categories", str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 2 blank_cell" in err.getvalue()

    with pytest.raises(CommandError):
        call_command("cases", "import-categories", str(tmp_path / "missing.csv"))


def test_a_seeded_holiday_cleared_by_hand_stays_a_working_day_after_reseeding(
    world, django_capture_on_commit_callbacks
):
    # 2026-10-07 (Wednesday) is a 国庆 holiday in the State Council notice; the street works that day
    with django_capture_on_commit_callbacks(execute=True):
        seed_calendar_year(actor=world.admin, year=2026)
        set_calendar_day(actor=world.admin, date=date(2026, 10, 7), kind=None, name="国庆值守")
    assert work_calendar().is_working_day(date(2026, 10, 7))

    with django_capture_on_commit_callbacks(execute=True):
        report = seed_calendar_year(actor=world.admin, year=2026)

    assert date(2026, 10, 7) in report.kept_manual
    assert not report.created
    assert work_calendar().is_working_day(date(2026, 10, 7))


def test_a_seeded_make_up_day_cleared_by_hand_is_an_ordinary_saturday_after_reseeding(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seed_calendar_year(actor=world.admin, year=2026)
        set_calendar_day(actor=world.admin, date=date(2026, 10, 10), kind=None)
        seed_calendar_year(actor=world.admin, year=2026)

    assert not work_calendar().is_working_day(date(2026, 10, 10))
