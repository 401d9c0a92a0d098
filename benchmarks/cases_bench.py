#!/usr/bin/env python
"""Cases benchmark: bulk-load N cases into a fresh database and measure what the issue promises.

    .venv/bin/python benchmarks/cases_bench.py --db sqlite|postgresql --cases 1000000 [--http-seconds 20]
    .venv/bin/python benchmarks/cases_bench.py --db sqlite --reuse   # the case list on a --keep database

Prints one JSON object. Steps:

1. A fresh database (SQLite file under ``var/bench/`` or a throwaway PostgreSQL database
   ``gongzhi_cases_bench`` on 127.0.0.1:5432, user postgres, dropped at the end unless ``--keep``), migrated.
2. A fictional district built through the services: 8 streets × 6 communities × 4 grids, 24 departments,
   the default category tree, duty rules, the working calendar, dispatchers, handlers, a leader.
3. N cases over ``--months`` months with a realistic status mix and their timeline (submit, accept,
   dispatch, sign, resolve, approve, rate, some reopened for a second round), lead assignments and case
   numbers, loaded with COPY (PostgreSQL) or executemany (SQLite) in large batches. Only ``--phones``
   of the reporters get an (encrypted) phone; no audit rows are written for the bulk load.
4. Measurements:
   (c) the dispatcher's case list: ``filter_cases(cases_visible_to(dispatcher), …)[:20]`` with ~200
       varied filters, p50/p99;
   (d) the three rates for the district and the last full month, median of ~20 runs (by department and
       by street);
   (a) create throughput over HTTP: ``gongzhi serve --workers 2`` on a free port, a token from
       ``gongzhi token create``, POST /api/v1/cases with an Idempotency-Key from a few client threads for
       ``--http-seconds``: cases/s and p50/p99 latency (``"http": "endpoint missing"`` if there is no
       endpoint yet), plus where the time went: CPU milliseconds per created case of the server, of
       PostgreSQL and of the load generator itself, and the share of the machine's CPU left idle (Linux
       ``/proc``). ``floors``: the same server and clients, for up to 10 s each, reading one case
       (``GET /api/v1/cases/{id}``: token, scope, timeline) and the health check (``GET /healthz``) —
       what the stack serves on this machine when a request does less than a create;
   (b) a raw INSERT of the same rows (case + submit step, executemany, 1,000 per transaction) in the same
       database; overhead ratio = raw cases/s ÷ HTTP cases/s;
   (e) ``queries_per_create``: SQL statements of one ``submit_case`` with a category (auto-dispatched)
       and without (queued), counted with ``CaptureQueriesContext`` (on-commit notices included).
"""

from __future__ import annotations

import argparse
import http.client
import json
import operator
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "cases_bench"  # var/bench/cases_bench.sqlite3 or the PostgreSQL database gongzhi_cases_bench
SEED = 20261122

# ---------------------------------------------------------------------------------------------------------
# environment


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24, help="spread the cases over this many months")
    parser.add_argument("--http-seconds", type=float, default=20.0)
    parser.add_argument("--http-threads", type=int, default=6)
    parser.add_argument("--list-runs", type=int, default=200)
    parser.add_argument("--rate-runs", type=int, default=20)
    parser.add_argument("--raw-cases", type=int, default=20_000)
    parser.add_argument("--phones", type=float, default=0.01, help="fraction of reporters with a phone")
    parser.add_argument("--batch", type=int, default=20_000, help="cases per bulk batch")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="SQLite: migrate and analyse the database a --keep run left, measure only the case list (c)",
    )
    args = parser.parse_args(argv)
    if args.reuse and args.db != "sqlite":
        parser.error("--reuse works with --db sqlite only")
    return args


def configure(args) -> str:
    return benchdb.configure(args.db, name=DB_NAME, fresh=not args.reuse)


def drop_database(args) -> None:
    if not args.keep:
        benchdb.drop(args.db, name=DB_NAME)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# the district, through the services

STREETS = ["向阳", "朝晖", "和平", "建设", "光明", "育新", "安华", "东风"]
COMMUNITIES = ["幸福里", "花园村", "新华里", "团结湖", "枣林", "安苑", "西坝河", "南湖"]
DEPARTMENTS = [  # code, name, short, kind, level-1 categories it leads
    ("CG", "区城市管理委员会", "城管", "district_department", ["市容环境", "垃圾清运"]),
    ("ZJ", "区住房和城乡建设委员会", "住建", "district_department", ["城市建设", "物业管理"]),
    ("HB", "区生态环境局", "生态环境", "district_department", ["生态环境", "噪音扰民"]),
    ("JT", "区交通委员会", "交通", "district_department", ["交通出行"]),
    ("YL", "区园林绿化局", "园林", "district_department", ["园林绿化"]),
    ("RS", "区人力资源和社会保障局", "人社", "district_department", ["劳动保障"]),
    ("JY", "区教育委员会", "教育", "district_department", ["教育文体"]),
    ("WJ", "区卫生健康委员会", "卫健", "district_department", ["医疗卫生"]),
    ("SJ", "区市场监督管理局", "市场监管", "district_department", ["市场监管"]),
    ("MZ", "区民政局", "民政", "district_department", ["社区服务"]),
    ("GA", "公安分局", "公安", "police", ["公共安全"]),
    ("RL", "热力集团", "热力", "public_service", ["供暖"]),
    ("SW", "自来水公司", "自来水", "public_service", ["供水排水"]),
    ("RQ", "燃气集团", "燃气", "public_service", ["燃气"]),
    ("XF", "区消防救援支队", "消防", "district_department", []),
    ("FG", "区发展和改革委员会", "发改", "district_department", []),
]


class World:
    pass


def build_world(cal_years: list[int]) -> World:
    from gongzhi.accounts.models import Role
    from gongzhi.accounts.services import assign_role, create_department, create_user, system_actor
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalog import (
        create_duty_rule,
        install_default_categories,
        seed_calendar_year,
    )
    from gongzhi.core.testing import square
    from gongzhi.regions.services import create_region

    system = system_actor()
    w = World()
    roles = {r.code: r for r in Role.objects.all()}
    w.district = create_region(
        actor=system, code="110199", name="向阳区", level="district", boundary=square(116.30, 39.80, 0.4)
    )
    w.streets, w.communities, w.grids = [], [], []
    for s, street_name in enumerate(STREETS, start=1):
        lon0, lat0 = 116.30 + 0.1 * ((s - 1) % 4), 39.80 + 0.1 * ((s - 1) // 4)
        street = create_region(
            actor=system,
            code=f"110199{s:03d}",
            name=f"{street_name}街道",
            level="street",
            parent=w.district,
            boundary=square(lon0, lat0, 0.1),
        )
        w.streets.append(street)
        for c in range(1, 7):
            name = f"{COMMUNITIES[(s + c) % len(COMMUNITIES)]}{'东西南北中新'[c - 1]}社区"
            clon, clat = lon0 + 0.03 * ((c - 1) % 3), lat0 + 0.03 * ((c - 1) // 3)
            community = create_region(
                actor=system,
                code=f"{street.code}{c:03d}",
                name=name,
                level="community",
                parent=street,
                boundary=square(clon, clat, 0.03),
            )
            w.communities.append(community)
            for g in range(1, 5):
                grid = create_region(
                    actor=system,
                    code=f"{community.code}{g:03d}",
                    name=f"{name[:-2]}第{'一二三四'[g - 1]}网格",
                    level="grid",
                    parent=community,
                    boundary=square(clon + 0.015 * ((g - 1) % 2), clat + 0.015 * ((g - 1) // 2), 0.015),
                )
                w.grids.append(grid)
    w.departments = {}
    for code, name, short, kind, _cats in DEPARTMENTS:
        w.departments[code] = create_department(
            actor=system, code=code, name=name, short_name=short, kind=kind, region=w.district
        )
    for s, street in enumerate(w.streets, start=1):
        w.departments[f"JD{s}"] = create_department(
            actor=system,
            code=f"JD{s}",
            name=f"{street.name}办事处",
            short_name=street.name,
            kind="street_office",
            region=street,
        )
    install_default_categories(actor=system)
    for year in cal_years:
        seed_calendar_year(actor=system, year=year)
    level1 = {c.name: c for c in Category.objects.filter(level=1)}
    w.lead_of = {}
    for code, _name, _short, _kind, cats in DEPARTMENTS:
        for cat in cats:
            create_duty_rule(actor=system, category=level1[cat], lead_department=w.departments[code])
            w.lead_of[level1[cat].pk] = w.departments[code]
    w.leaves = list(Category.objects.filter(level=3).select_related("parent__parent").order_by("pk"))

    def person(username, display, phone, role, **scope):
        user = create_user(
            actor=None,
            username=username,
            password=None,
            display_name=display,
            phone=phone,
            is_staff=True,
        )
        assign_role(actor=None, user=user, role=roles[role], **scope)
        return user

    w.dispatchers = [
        person(f"dispatcher{s}", f"派单员{s}", f"1360013{s:04d}", "street_dispatcher", region=street)
        for s, street in enumerate(w.streets, start=1)
    ]
    w.handlers = {
        code: person(
            f"handler_{code.lower()}",
            f"承办人{code}",
            f"1350013{i:04d}",
            "department_handler",
            department=dep,
        )
        for i, (code, dep) in enumerate(w.departments.items(), start=1)
    }
    w.leader = person("leader", "区领导", "13300130001", "district_leader", region=w.district)
    w.hotline = person("hotline", "热线接线员", "13200130001", "hotline_operator", region=w.district)
    w.system = system
    return w


# ---------------------------------------------------------------------------------------------------------
# generated cases

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = [
    "秀英",
    "桂英",
    "建国",
    "志强",
    "丽华",
    "淑珍",
    "海燕",
    "国庆",
    "红梅",
    "建华",
    "玉兰",
    "俊杰",
    "子涵",
    "浩然",
    "雨轩",
    "桂芳",
    "文博",
    "晓东",
    "婷婷",
    "德明",
]
COMPLAINTS = [
    "已经持续一个多星期了，希望有关部门尽快处理。",
    "反映过好几次都没人管，请尽快解决！",
    "严重影响居民正常生活，请相关部门来看看。",
    "老人孩子出行很不方便，麻烦尽快处理，谢谢。",
    "晚上根本睡不着觉，请帮忙协调解决。",
    "希望街道和社区重视一下这个问题。",
]
CHANNELS = [
    ("hotline", 0.62),
    ("web", 0.10),
    ("mobile", 0.14),
    ("patrol", 0.09),
    ("walk_in", 0.03),
    ("enforcement", 0.02),
]


def _weighted(rng: random.Random, table):
    x = rng.random()
    for value, weight in table:
        x -= weight
        if x <= 0:
            return value
    return table[-1][0]


class Generator:
    """Builds case, step and assignment rows (tuples in column order) for the bulk load.

    Times are whole epoch seconds while generating; ``ts()`` turns them into what the engine's loader
    takes (SQLite converts in SQL with ``datetime(?, 'unixepoch')``, PostgreSQL gets aware datetimes).
    """

    def __init__(self, world: World, *, engine: str, months: int, phones: float, now: datetime):
        from django.db import connection

        from gongzhi.cases.models import Case, CaseAssignment, CaseStep
        from gongzhi.cases.policy import deadline_plan, work_calendar

        self.w = world
        self.engine = engine
        self.now = int(now.timestamp())
        self.start = self.now - int(86400 * 30.44 * months)
        self.phones = phones
        self.rng = random.Random(SEED)
        self.cal = work_calendar()
        self.connection = connection
        self.models = {"cases_case": Case, "cases_casestep": CaseStep, "cases_caseassignment": CaseAssignment}
        self.case_cols = [f.column for f in Case._meta.concrete_fields]
        # actor_unit (the place of street/community staff) is left to its database default ''
        self.step_cols = [f.column for f in CaseStep._meta.concrete_fields if f.column != "actor_unit"]
        self.assign_cols = [f.column for f in CaseAssignment._meta.concrete_fields]
        # the row builders below write tuples in these column orders
        assert self.step_cols == [
            "id",
            "case_id",
            "round",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_role",
            "actor_department_id",
            "department_id",
            "at",
            "note",
            "data",
            "on_time",
            "rating",
            "region_path",
        ], self.step_cols
        assert self.assign_cols == [
            "id",
            "case_id",
            "department_id",
            "role",
            "round",
            "is_active",
            "assigned_at",
            "signed_at",
            "ended_at",
        ], self.assign_cols
        self.template = {}
        for f in Case._meta.concrete_fields:
            value = f.get_default() if f.has_default() else (None if f.null else "")
            if f.get_internal_type() == "JSONField":
                value = json.dumps(value)
            self.template[f.column] = value
        self.phone_field = Case._meta.get_field("reporter_phone")
        self.plans = {
            leaf.pk: deadline_plan(category=leaf, rule=None, urgency="normal") for leaf in world.leaves
        }
        self.leaf_info = []  # plain values only: attribute access on model instances is slow in a hot loop
        for leaf in world.leaves:
            lead = world.lead_of.get(leaf.parent.parent.pk)
            plan = self.plans[leaf.pk]
            self.leaf_info.append(
                (
                    leaf.pk,
                    lead.pk if lead else None,
                    leaf.keywords.split() or [leaf.name],
                    leaf.name,
                    plan.sign_hours * 3600,
                    plan.contact_hours * 3600,
                    plan.resolve_days,
                )
            )
        by_pk = {r.pk: r for r in [*world.streets, *world.communities]}
        dispatcher_of = {s.pk: d.pk for s, d in zip(world.streets, world.dispatchers, strict=True)}
        self.grid_info = []
        for grid in world.grids:
            community = by_pk[grid.parent_id]
            self.grid_info.append(
                (grid.pk, grid.path, community.name, community.parent_id, dispatcher_of[community.parent_id])
            )
        self.row_of = operator.itemgetter(*self.case_cols)
        self.day_prefix: dict[int, str] = {}
        self.rate_data = {
            (rating, solved): json.dumps({"rating": rating, "method": "phone", "resolved_in_fact": solved})
            for rating in ("satisfied", "basically_satisfied", "dissatisfied")
            for solved in (True, False, None)
        }
        self.handler_of = {dep.pk: world.handlers[code].pk for code, dep in world.departments.items()}
        self.day_seq: dict[int, int] = {}
        self.due_cache: dict[tuple[int, int], int] = {}
        self.next_case_id = 1
        self.next_step_id = 1
        self.next_assign_id = 1
        self.days: list[int] | None = None

    # -- values ---------------------------------------------------------------------------------------------
    def ts(self, value: int | None):
        """Times stay epoch seconds; SQL (SQLite ``datetime(?, 'unixepoch')``, PostgreSQL ``to_timestamp``)
        or the COPY text formatter turns them into timestamps."""
        return value

    def datetime_columns(self, table: str) -> set[str]:
        model = self.models[table]
        return {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"}

    def number(self, received: int) -> str:
        day = (received + 28800) // 86400
        if self.days is not None:  # in a generator process: the loading process numbers the cases
            self.days.append(day)
            return ""
        n = self.day_seq.get(day, 0) + 1
        self.day_seq[day] = n
        prefix = self.day_prefix.get(day)
        if prefix is None:
            prefix = self.day_prefix[day] = f"GZ{date.fromordinal(719163 + day):%Y%m%d}"
        return f"{prefix}{n:04d}"

    def resolve_due(self, at: int, days: int) -> int:
        key = ((at + 28800) // 86400, days)
        due = self.due_cache.get(key)
        if due is None:
            from gongzhi.cases.deadlines import add_working_days

            due = int(add_working_days(datetime.fromtimestamp(at, UTC), days, self.cal).timestamp())
            self.due_cache[key] = due
        return due

    def _received(self) -> int:
        rng = self.rng
        t = self.start + int(rng.random() * (self.now - self.start))
        if rng.random() < 0.6:  # office-hours peak: 60% between 08:00 and 20:00 Beijing time
            midnight = (t + 28800) // 86400 * 86400 - 28800
            t = midnight + int(rng.uniform(8, 20) * 3600)
            if t > self.now:
                t = self.now - int(rng.uniform(60, 36000))
        return t

    def _status(self, age_days: float) -> str:
        r = self.rng.random()
        if age_days > 30:
            table = STATUS_OLD
        elif age_days > 7:
            table = STATUS_RECENT
        else:
            table = STATUS_NEW
        for value, weight in table:
            r -= weight
            if r <= 0:
                return value
        return table[0][0]

    def _step(
        self,
        steps,
        case_id,
        action,
        frm,
        to,
        at,
        actor,
        role,
        actor_dep,
        dep,
        path,
        *,
        rnd=1,
        on_time=None,
        rating="",
        data="{}",
        note="",
    ):
        sid = self.next_step_id
        self.next_step_id += 1
        steps.append(
            (
                sid,
                case_id,
                rnd,
                action,
                frm,
                to,
                actor,
                role,
                actor_dep,
                dep,
                self.ts(at),
                note,
                data,
                on_time,
                rating,
                path,
            )
        )

    # -- one case -------------------------------------------------------------------------------------------
    def case(self, cases, steps, assigns, *, status: str | None = None, received: int | None = None) -> None:
        from gongzhi.core.crypto import blind_index

        rng = self.rng
        received = received or self._received()
        status = status or self._status((self.now - received) / 86400)
        leaf_pk, lead, words, leaf_name, sign_s, contact_s, resolve_days = self.leaf_info[
            int(rng.random() * len(self.leaf_info))
        ]
        grid_pk, path, community, street_pk, dispatcher = self.grid_info[
            int(rng.random() * len(self.grid_info))
        ]
        cid = self.next_case_id
        self.next_case_id += 1
        building = rng.randint(1, 30)
        row = dict(self.template)
        if rng.random() < self.phones:
            phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            row["reporter_phone"] = self.phone_field.get_db_prep_value(phone, self.connection)
            row["reporter_phone_index"] = blind_index(phone, purpose="phone")
            row["reporter_phone_tail"] = phone[-4:]
        row.update(
            id=cid,
            region_path=path,
            number=self.number(received),
            title=f"{community}{leaf_name}"[:120],
            description=f"我是{community}{building}号楼的居民，"
            f"小区附近{words[int(rng.random() * len(words))]}"
            f"的问题很突出，{COMPLAINTS[rng.randrange(len(COMPLAINTS))]}",
            category_id=leaf_pk,
            category_certain=True,
            channel=_weighted(rng, CHANNELS),
            status=status,
            urgency="urgent" if rng.random() < 0.02 else "normal",
            address=f"{community}{building}号楼",
            grid_id=grid_pk,
            street_id=street_pk,
            reporter_name=SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))],
            submitted_by_id=dispatcher,
        )
        self._step(
            steps, cid, "submit", "", "pending_accept", received, dispatcher, "街道派单员", None, None, path
        )
        at = received + int(rng.uniform(120, 2400))
        last = received
        if status == "pending_accept":
            pass
        elif status in ("pending_dispatch", "rejected", "merged") or lead is None:
            self._step(
                steps,
                cid,
                "accept",
                "pending_accept",
                "pending_dispatch",
                at,
                dispatcher,
                "街道派单员",
                None,
                None,
                path,
            )
            row["accepted_at"] = at
            last = at
            if status in ("rejected", "merged"):
                last = at + int(rng.uniform(300, 7200))
                action = "reject" if status == "rejected" else "merge"
                note = "不属于受理范围，已告知诉求人通过其他渠道反映。" if status == "rejected" else ""
                self._step(
                    steps,
                    cid,
                    action,
                    "pending_dispatch",
                    status,
                    last,
                    dispatcher,
                    "街道派单员",
                    None,
                    None,
                    path,
                    note=note,
                )
            else:
                row["status"] = "pending_dispatch"
        else:
            last = self._handled(
                row,
                steps,
                assigns,
                cid,
                status,
                at,
                lead,
                dispatcher,
                path,
                (sign_s, contact_s, resolve_days),
            )
        if row["status"] == "closed":
            row["closed_at"] = last
        row["received_at"] = row["created_at"] = self.ts(received)
        row["updated_at"] = self.ts(last)
        cases.append(self.row_of(row))

    def _handled(self, row, steps, assigns, cid, status, at, dep, dispatcher, path, plan) -> int:
        rng = self.rng
        handler = self.handler_of[dep]
        rnd = 1
        row.update(department_id=dep, accepted_at=at)
        sign_s, contact_s, resolve_days = plan
        while True:
            sign_due = at + sign_s
            resolve_due = self.resolve_due(at, resolve_days)
            contact_due = at + contact_s
            row.update(
                dispatched_at=at,
                sign_due_at=sign_due,
                resolve_due_at=resolve_due,
                contact_due_at=contact_due,
                round=rnd,
            )
            if rnd == 1:
                self._step(
                    steps,
                    cid,
                    "dispatch",
                    "pending_accept",
                    "pending_sign",
                    at,
                    dispatcher,
                    "街道派单员",
                    None,
                    dep,
                    path,
                )
            else:
                self._step(
                    steps,
                    cid,
                    "reopen",
                    "closed",
                    "pending_sign",
                    at,
                    dispatcher,
                    "街道派单员",
                    None,
                    dep,
                    path,
                    rnd=rnd,
                    note="诉求人表示问题仍未解决，重新办理。",
                )
            assign = [self.next_assign_id, cid, dep, "lead", rnd, True, self.ts(at), None, None]
            self.next_assign_id += 1
            assigns.append(assign)
            last = at
            if status == "withdrawn":
                last = at + int(rng.uniform(600, 5400))
                self._step(
                    steps, cid, "withdraw", "pending_sign", "withdrawn", last, None, "居民", None, dep, path
                )
                assign[5], assign[8] = False, self.ts(last)
                return last
            signed = at + int(60 * rng.lognormvariate(3.2, 0.9))
            if status == "pending_sign" or signed > self.now:
                row["status"] = "pending_sign"
                self._warn(row, at, sign_due)
                return last
            self._step(
                steps,
                cid,
                "sign",
                "pending_sign",
                "processing",
                signed,
                handler,
                "部门承办人",
                dep,
                dep,
                path,
                rnd=rnd,
                on_time=signed <= sign_due,
            )
            row["signed_at"] = signed
            if signed > sign_due:  # the deadline scan turned it red; nothing resets that later
                row["warning_level"] = "red"
            assign[7] = self.ts(signed)
            last = signed
            contact = signed + int(rng.uniform(600, 108000))
            if contact < self.now:
                self._step(
                    steps,
                    cid,
                    "contact",
                    "processing",
                    "processing",
                    contact,
                    handler,
                    "部门承办人",
                    dep,
                    dep,
                    path,
                    rnd=rnd,
                    on_time=contact <= contact_due,
                    note="已电话联系诉求人，了解具体情况。",
                )
                row["contacted_at"] = contact
                last = contact
            resolved = signed + int((resolve_due - at) * rng.uniform(0.15, 1.25))
            if status == "processing" or resolved > self.now:
                row["status"] = "processing"
                self._warn(row, at, resolve_due)
                return last
            self._step(
                steps,
                cid,
                "resolve",
                "processing",
                "pending_review",
                resolved,
                handler,
                "部门承办人",
                dep,
                dep,
                path,
                rnd=rnd,
                on_time=resolved <= resolve_due,
                note=REPLY,
            )
            row.update(resolved_at=resolved, reply=REPLY)
            if resolved > resolve_due:
                row["warning_level"] = "red"
            last = resolved
            approved = resolved + int(rng.uniform(1800, 72000))
            if status == "pending_review" or approved > self.now:
                row["status"] = "pending_review"
                return last
            self._step(
                steps,
                cid,
                "approve",
                "pending_review",
                "pending_follow_up",
                approved,
                dispatcher,
                "街道派单员",
                None,
                dep,
                path,
                rnd=rnd,
            )
            last = approved
            rated = approved + int(rng.uniform(3600, 259200))
            if status == "pending_follow_up" or rated > self.now:
                row["status"] = "pending_follow_up"
                return last
            x = rng.random()
            rating = "satisfied" if x < 0.76 else "basically_satisfied" if x < 0.91 else "dissatisfied"
            y = rng.random()
            solved = (
                None if y < 0.15 else (rating != "dissatisfied") if y < 0.95 else (rating == "dissatisfied")
            )
            data = self.rate_data[rating, solved]
            self._step(
                steps,
                cid,
                "rate",
                "pending_follow_up",
                "closed",
                rated,
                dispatcher,
                "街道派单员",
                None,
                dep,
                path,
                rnd=rnd,
                rating=rating,
                data=data,
            )
            row.update(
                status="closed",
                rating=rating,
                rated_at=rated,
                follow_up_method="phone",
                resolved_in_fact=solved,
            )
            assign[5], assign[8] = False, self.ts(rated)
            last = rated
            if rnd == 1 and rating == "dissatisfied" and rng.random() < 0.4:
                nxt = rated + int(rng.uniform(3600, 86400))
                if nxt < self.now - 10 * 86400:
                    rnd, at = 2, nxt
                    row.update(signed_at=None, contacted_at=None, resolved_at=None, rated_at=None)
                    continue
            return last

    def _warn(self, row, start: int, due: int) -> None:
        if due < self.now:
            row["warning_level"], row["warn_at"] = "red", None
        elif start + (due - start) * 0.8 <= self.now:
            row["warning_level"], row["warn_at"] = "yellow", due + 1
        else:
            row["warn_at"] = int(start + (due - start) * 0.8) + 1


REPLY = "经现场核查，已协调相关单位处理完毕，感谢您的监督。"
STATUS_OLD = [
    ("closed", 0.89),
    ("rejected", 0.04),
    ("withdrawn", 0.03),
    ("merged", 0.02),
    ("pending_follow_up", 0.02),
]
STATUS_RECENT = [
    ("closed", 0.55),
    ("pending_follow_up", 0.15),
    ("pending_review", 0.08),
    ("processing", 0.14),
    ("rejected", 0.03),
    ("withdrawn", 0.03),
    ("merged", 0.02),
]
STATUS_NEW = [
    ("pending_accept", 0.03),
    ("pending_dispatch", 0.05),
    ("pending_sign", 0.08),
    ("processing", 0.40),
    ("pending_review", 0.10),
    ("pending_follow_up", 0.12),
    ("closed", 0.18),
    ("rejected", 0.02),
    ("withdrawn", 0.02),
]
DATETIME_CASE_COLUMNS = (
    "accepted_at",
    "dispatched_at",
    "sign_due_at",
    "signed_at",
    "contact_due_at",
    "contacted_at",
    "resolve_due_at",
    "resolved_at",
    "closed_at",
    "rated_at",
    "warn_at",
)


def insert_sql(gen: Generator, table: str, cols: list[str], engine: str) -> str:
    stamps = gen.datetime_columns(table)
    if engine == "postgresql":
        marks = ", ".join("to_timestamp(%s)" if c in stamps else "%s" for c in cols)
    else:
        marks = ", ".join("datetime(?, 'unixepoch')" if c in stamps else "?" for c in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"


def copy_text(rows: list, stamp_at: list[int]) -> str:
    """Rows as PostgreSQL COPY text (epoch seconds at ``stamp_at`` become UTC timestamps)."""
    days: dict[int, str] = {}
    lines = []
    for row in rows:
        values = list(row)
        for i in stamp_at:
            t = values[i]
            if t is not None:
                day, sec = divmod(t, 86400)
                prefix = days.get(day)
                if prefix is None:
                    prefix = days[day] = date.fromordinal(719163 + day).isoformat() + " "
                values[i] = f"{prefix}{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}+00"
        out = []
        for v in values:
            if v is None:
                out.append("\\N")
            elif v is True:
                out.append("t")
            elif v is False:
                out.append("f")
            else:
                v = str(v)
                if "\\" in v or "\t" in v or "\n" in v:
                    v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                out.append(v)
        lines.append("\t".join(out))
    return "\n".join(lines) + "\n" if lines else ""


def insert_rows(gen: Generator, connection, engine: str, table: str, cols: list[str], rows) -> None:
    """Write one batch: COPY text (PostgreSQL; ``rows`` is already text) or executemany (SQLite)."""
    if not rows:
        return
    raw = connection.connection
    if engine == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            copy.write(rows)
    else:
        raw.executemany(insert_sql(gen, table, cols, engine), rows)


class LoadMode:
    """Bulk-load settings: secondary indexes dropped and rebuilt afterwards, no per-row FK checks."""

    TABLES = ("cases_case", "cases_casestep", "cases_caseassignment")

    def __init__(self, connection, engine: str):
        self.connection = connection
        self.engine = engine
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self):
        tables = ", ".join(f"'{t}'" for t in self.TABLES)
        with self.connection.cursor() as cur:
            if self.engine == "sqlite":
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("PRAGMA cache_size=-1000000")
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name IN ({tables}) "
                    "AND sql IS NOT NULL"
                )
            else:
                cur.execute("SET session_replication_role = replica")  # no FK trigger per row (superuser)
                cur.execute("SET synchronous_commit = off")
                cur.execute("SET maintenance_work_mem = '1GB'")
                cur.execute(
                    f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({tables}) AND indexname "
                    "NOT IN (SELECT conname FROM pg_constraint)"
                )
            self.indexes = list(cur.fetchall())
            for name, _sql in self.indexes:
                cur.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        started = time.perf_counter()
        with self.connection.cursor() as cur:
            for _name, sql in self.indexes:
                cur.execute(sql)
            if self.engine == "postgresql":
                cur.execute("SET session_replication_role = DEFAULT")
            else:
                cur.execute("PRAGMA synchronous=NORMAL")
        self.rebuild_seconds = time.perf_counter() - started
        return False


STEP_SLOTS = 16  # ids reserved per case for its steps (at most 13: two full rounds)
_WORK: dict = {}


def _make_batch(k: int) -> tuple[list, list, list, list[int]]:
    """Runs in the generator process (forked): rows for batch ``k`` with ids from disjoint blocks."""
    gen, received, size = _WORK["gen"], _WORK["received"], _WORK["batch"]
    gen.rng.seed(SEED * 7919 + k)
    gen.next_case_id = k * size + 1
    gen.next_step_id = k * size * STEP_SLOTS + 1
    gen.next_assign_id = k * size * 2 + 1
    gen.days = []
    cases, steps, assigns = [], [], []
    for t in received[k * size : (k + 1) * size]:
        gen.case(cases, steps, assigns, received=t)
    assigns = [tuple(a) for a in assigns]
    steps.sort(key=lambda step: step[10])  # by time: in real life steps are appended as they happen
    first_id = k * size * STEP_SLOTS + 1
    steps = [(first_id + i, *step[1:]) for i, step in enumerate(steps)]
    if gen.engine == "postgresql":  # format here, so that the loading process only streams text
        steps = copy_text(steps, _WORK["stamps"]["cases_casestep"])
        assigns = copy_text(assigns, _WORK["stamps"]["cases_caseassignment"])
    return cases, steps, assigns, gen.days


def bulk_load(world: World, args, now: datetime) -> dict:
    """Generate the cases in time order in a second process while this one writes them."""
    import multiprocessing

    from django.db import connection, transaction

    from gongzhi.cases.models import CaseNumberSequence

    gen = Generator(world, engine=args.db, months=args.months, phones=args.phones, now=now)
    received = sorted(gen._received() for _ in range(args.cases))  # ids grow with time, as in real tables
    stamps = {
        table: [i for i, c in enumerate(cols) if c in gen.datetime_columns(table)]
        for table, cols in (
            ("cases_case", gen.case_cols),
            ("cases_casestep", gen.step_cols),
            ("cases_caseassignment", gen.assign_cols),
        )
    }
    _WORK.update(gen=gen, received=received, batch=args.batch, stamps=stamps)
    number_at = gen.case_cols.index("number")
    connection.ensure_connection()
    started = time.perf_counter()
    total_steps = total_assign = done = 0
    waiting = 0.0
    batches = range((args.cases + args.batch - 1) // args.batch)
    with LoadMode(connection, args.db) as mode, multiprocessing.get_context("fork").Pool(1) as pool:
        results = pool.imap(_make_batch, batches)
        for _k in batches:
            t0 = time.perf_counter()
            cases, steps, assigns, days = next(results)
            waiting += time.perf_counter() - t0
            numbered = []
            for row, day in zip(cases, days, strict=True):
                n = gen.day_seq.get(day, 0) + 1
                gen.day_seq[day] = n
                prefix = gen.day_prefix.get(day) or gen.day_prefix.setdefault(
                    day, f"GZ{date.fromordinal(719163 + day):%Y%m%d}"
                )
                numbered.append((*row[:number_at], f"{prefix}{n:04d}", *row[number_at + 1 :]))
            if args.db == "postgresql":
                numbered = copy_text(numbered, stamps["cases_case"])
                total_steps += steps.count("\n")
                total_assign += assigns.count("\n")
            else:
                total_steps += len(steps)
                total_assign += len(assigns)
            with transaction.atomic():
                insert_rows(gen, connection, args.db, "cases_case", gen.case_cols, numbered)
                insert_rows(gen, connection, args.db, "cases_casestep", gen.step_cols, steps)
                insert_rows(gen, connection, args.db, "cases_caseassignment", gen.assign_cols, assigns)
            done += len(cases)
            if done % (args.batch * 10) == 0 or done == args.cases:
                rate = done / (time.perf_counter() - started)
                log(f"loaded {done:,} cases, {total_steps:,} steps ({rate:,.0f} cases/s)")
        log(f"rebuilding {len(mode.indexes)} indexes")
    _WORK.clear()
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(day=date.fromordinal(719163 + d), last=n) for d, n in gen.day_seq.items()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    gen.day_seq.clear()
    reset_sequences(connection, args.db)
    t0 = time.perf_counter()
    analyze(connection, args.db)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "waited_for_generator_s": round(waiting, 1),
        "index_rebuild_s": round(mode.rebuild_seconds, 1),
        "analyze_s": round(time.perf_counter() - t0, 1),
        "cases": done,
        "steps": total_steps,
        "assignments": total_assign,
        "cases_per_s": round(done / seconds),
        "rows_per_s": round((done + total_steps + total_assign) / seconds),
        "generator": gen,
    }


def reset_sequences(connection, engine: str) -> None:
    if engine != "postgresql":
        return
    with connection.cursor() as cur:
        for table in ("cases_case", "cases_casestep", "cases_caseassignment"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )


def analyze(connection, engine: str) -> None:
    """Statistics (and on PostgreSQL the visibility map) as autovacuum keeps them in a running system."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE")


# ---------------------------------------------------------------------------------------------------------
# (c) the case list


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def list_filters(world: World, now: datetime, runs: int) -> list[dict]:
    from gongzhi.cases.models import Category

    rng = random.Random(SEED + 1)
    level12 = list(Category.objects.filter(level__in=(1, 2)).order_by("pk"))
    street = world.streets[0]
    communities = [c for c in world.communities if c.parent_id == street.pk]
    departments = list(world.departments.values())
    statuses = [
        None,
        None,
        "pending_sign",
        "processing",
        ["pending_accept", "pending_dispatch"],
        "pending_review",
        "pending_follow_up",
        "closed",
        ["pending_sign", "processing"],
    ]
    out = []
    for _ in range(runs):
        f = {}
        status = rng.choice(statuses)
        if status:
            f["status"] = status
        if rng.random() < 0.35:
            f["category"] = rng.choice(level12)
        if rng.random() < 0.3:
            f["department"] = rng.choice(departments)
        if rng.random() < 0.3:
            f["region"] = rng.choice(communities)
        if rng.random() < 0.2:
            f["channel"] = rng.choice(["hotline", "mobile", "patrol"])
        if rng.random() < 0.15:
            f["overdue"] = True
        if rng.random() < 0.3:
            end = now - timedelta(days=rng.uniform(0, 600))
            f["received_from"] = (end - timedelta(days=30)).date()
            f["received_to"] = end.date()
        out.append(f)
    return out


def _describe(value):
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "name", value)


def bench_list(world: World, filters: list[dict]) -> dict:
    from gongzhi.accounts.models import User
    from gongzhi.cases.selectors import cases_visible_to, filter_cases

    dispatcher = User.objects.get(pk=world.dispatchers[0].pk)
    list(filter_cases(cases_visible_to(dispatcher))[:20])  # warm up
    timings = []
    slow = []
    for f in filters:
        t0 = time.perf_counter()
        rows = list(filter_cases(cases_visible_to(dispatcher), **f)[:20])
        ms = (time.perf_counter() - t0) * 1000
        timings.append(ms)
        slow.append((ms, {k: _describe(v) for k, v in f.items()}, len(rows)))
    found = [ms for ms, _f, n in slow if n >= 20]  # a full first page: the index order pays off
    slow.sort(key=lambda x: -x[0])
    return {
        "runs": len(timings),
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(max(timings), 2),
        "over_100ms": sum(1 for ms in timings if ms > 100),
        "full_page_runs": len(found),
        "full_page_p99_ms": round(percentile(found, 0.99), 2) if found else None,
        "short_page_runs": len(timings) - len(found),
        "slowest": [{"ms": round(ms, 1), "filters": f, "rows": n} for ms, f, n in slow[:5]],
    }


def kept_world() -> World:
    """What ``list_filters`` and ``bench_list`` need of the district a ``--keep`` run built, read back."""
    from gongzhi.accounts.models import Department, User
    from gongzhi.regions.models import Region

    w = World()
    w.streets = list(Region.objects.filter(level="street").order_by("code"))
    w.communities = list(Region.objects.filter(level="community").order_by("code"))
    w.departments = {d.code: d for d in Department.objects.order_by("pk")}  # creation order, as built
    w.dispatchers = list(User.objects.filter(username__startswith="dispatcher").order_by("username"))
    return w


def reuse_list(args) -> dict:
    """``--reuse``: upgrade the kept database as docs/deployment.md says (``migrate``, then ``ANALYZE``),
    then measure the case list only."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    from gongzhi.cases.models import Case

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result: dict = {"db": args.db, "reused": True, "migrate_s": round(time.perf_counter() - t0, 1)}
    t0 = time.perf_counter()
    analyze(connection, args.db)
    result["analyze_s"] = round(time.perf_counter() - t0, 1)
    world = kept_world()
    now = Case.objects.aggregate(last=Max("received_at"))["last"]  # the same filters on every rerun
    result["cases"] = Case.objects.count()
    result["list"] = bench_list(world, list_filters(world, now, args.list_runs))
    log(f"list: {result['list']['p50_ms']} / {result['list']['p99_ms']} ms")
    return result


# ---------------------------------------------------------------------------------------------------------
# (d) the three rates


RATES_INDEXES = ("case_step_rates_idx", "case_step_rate_at_idx")
"""Added by cases/migrations/0002 for rates.py; the rates are measured without and with them."""


def _time_rates(world: World, first: date, last: date, runs: int) -> dict:
    from gongzhi.cases.rates import rates_for, total_of

    out: dict = {}
    for group_by in ("department", "street"):
        timings = []
        rows = []
        for _ in range(runs):
            t0 = time.perf_counter()
            rows = rates_for(
                period_start=first, period_end=last, group_by=group_by, within_path=world.district.path
            )
            timings.append((time.perf_counter() - t0) * 1000)
        out[group_by] = {
            "median_ms": round(statistics.median(timings), 2),
            "max_ms": round(max(timings), 2),
            "groups": len(rows),
        }
        total = total_of(rows)
        out["district"] = {
            "dispatched": total.dispatched,
            "rated": total.rated,
            "response_rate": round(total.response_rate or 0, 4),
            "resolution_rate": round(total.resolution_rate or 0, 4),
            "satisfaction_rate": round(total.satisfaction_rate or 0, 4),
        }
    return out


def bench_rates(world: World, now: datetime, runs: int, engine: str) -> dict:
    """(d) the three rates of the district for the last full month: without, then with the rates indexes."""
    from django.db import connection

    from gongzhi.cases.models import CaseStep
    from gongzhi.cases.rates import month_bounds

    local = now + timedelta(hours=8)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    first, last = month_bounds(year, month)
    indexes = [i for i in CaseStep._meta.indexes if i.name in RATES_INDEXES]
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(CaseStep, index)
    analyze(connection, engine)
    before = _time_rates(world, first, last, runs)
    t0 = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(CaseStep, index)
    analyze(connection, engine)
    build = time.perf_counter() - t0
    after = _time_rates(world, first, last, runs)
    return {
        "month": f"{year}-{month:02d}",
        "district": after.pop("district"),
        "without_rates_indexes": {k: v for k, v in before.items() if k != "district"},
        "with_rates_indexes": after,
        "index_build_s": round(build, 1),
        "department": after["department"],
        "street": after["street"],
    }


# ---------------------------------------------------------------------------------------------------------
# (e) SQL statements per create


def bench_queries(world: World) -> dict:
    """(e) statements one ``submit_case`` sends (what ``POST /api/v1/cases`` runs inside the endpoint),
    for a hotline case with a category (auto-dispatched by the duty list) and one without (queued)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User
    from gongzhi.cases.services import submit_case

    routed = next(leaf for leaf in world.leaves if leaf.parent.parent_id in world.lead_of)
    out = {}
    for label, category in (("auto_dispatched", routed), ("queued", None)):
        hotline = User.objects.get(pk=world.hotline.pk)  # a fresh user object, as in a new request
        with CaptureQueriesContext(connection) as queries:
            submit_case(
                actor=hotline,
                channel="hotline",
                title="幸福里东社区占道经营",
                description="幸福里东社区3号楼门口每天都有流动摊贩摆摊，把人行道堵了，请尽快处理。",
                address="幸福里东社区3号楼",
                reporter_name="王秀英",
                reporter_phone="13912345678",
                category=category,
                idempotency_key=f"bench-queries-{label}",
            )
        out[label] = len(queries.captured_queries)
    return out


# ---------------------------------------------------------------------------------------------------------
# (a) HTTP create throughput


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gongzhi_bin() -> str:
    candidate = Path(sys.executable).parent / "gongzhi"
    return str(candidate) if candidate.exists() else shutil.which("gongzhi") or "gongzhi"


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    """user + system clock ticks each process used so far (Linux /proc; unreadable ones left out)."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def _ticks_between(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks used in between; a process that started in between (a new database backend) from zero."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def _process_tree(root: int) -> list[int]:
    """``root`` and its children (the gunicorn master and its workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == root:
                children.append(int(entry.name))
    return [root, *children]


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _machine_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return sum(values) - values[3] - values[4], values[3] + values[4]


def _drive(
    port: int, threads: int, seconds: float, request, expect: int, server_pid: int, postgres: bool
) -> dict:
    """``threads`` keep-alive clients send ``request(rng)`` → (method, path, body, headers) for ``seconds``.

    Returns the rate of responses with status ``expect``, their p50/p99 latency, the other outcomes, and
    where the CPU went per such response: the server (gunicorn master and workers), PostgreSQL, this
    process (the load generator), plus the share of the machine's CPU left idle."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(seed: int) -> None:
        r = random.Random(seed)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], {}
        while time.perf_counter() < stop_at:
            method, path, body, head = request(r)
            t0 = time.perf_counter()
            try:
                c.request(method, path, body=body, headers=head)
                resp = c.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ms = (time.perf_counter() - t0) * 1000
            if status == expect:
                mine.append(ms)
            else:
                bad[str(status)] = bad.get(str(status), 0) + 1
        c.close()
        with lock:
            latencies.extend(mine)
            for k, v in bad.items():
                errors[k] = errors.get(k, 0) + v

    server_pids = _process_tree(server_pid)
    server_before, pg_before = _cpu_ticks(server_pids), _cpu_ticks(_postgres_pids() if postgres else [])
    busy_before, idle_before = _machine_ticks()
    client_before = sum(os.times()[:2])
    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(SEED + 10 + i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - started
    client_s = sum(os.times()[:2]) - client_before
    server_ticks = _ticks_between(server_before, _cpu_ticks(server_pids))
    pg_ticks = _ticks_between(pg_before, _cpu_ticks(_postgres_pids() if postgres else []))
    busy_after, idle_after = _machine_ticks()
    busy, idle = busy_after - busy_before, idle_after - idle_before
    done = max(1, len(latencies))
    per_tick = 1000 / os.sysconf("SC_CLK_TCK") / done
    return {
        "seconds": round(elapsed, 1),
        "done": len(latencies),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "errors": errors,
        "server_cpu_ms": round(server_ticks * per_tick, 2),
        "postgres_cpu_ms": round(pg_ticks * per_tick, 2) if postgres else None,
        "client_cpu_ms": round(client_s * 1000 / done, 2),
        "machine_idle_share": round(idle / max(1, busy + idle), 3),
    }


def bench_http(world: World, args) -> dict | str:
    port = free_port()
    env = dict(os.environ)
    token = (
        subprocess.run(
            [gongzhi_bin(), "token", "create", world.hotline.username, "--name", "bench"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    server_log = open(benchdb.BENCH_DIR / "server.log", "w")
    server = subprocess.Popen(
        [gongzhi_bin(), "serve", "--addr", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            return "server did not start"
        leaves = [leaf.pk for leaf in world.leaves]
        rng = random.Random(SEED + 2)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def payload(r: random.Random) -> bytes:
            community = world.communities[r.randrange(len(world.communities))]
            body = {
                "title": f"{community.name}占道经营",
                "description": f"{community.name}{r.randint(1, 30)}号楼门口每天都有流动摊贩摆摊，"
                "把人行道堵了，"
                f"{COMPLAINTS[r.randrange(len(COMPLAINTS))]}",
                "address": f"{community.name}{r.randint(1, 30)}号楼",
                "reporter_name": SURNAMES[r.randrange(len(SURNAMES))] + GIVEN[r.randrange(len(GIVEN))],
                "reporter_phone": f"139{r.randrange(10**8):08d}",
                "channel": "hotline",
            }
            if r.random() < 0.5:
                body["category_id"] = leaves[r.randrange(len(leaves))]
            return json.dumps(body, ensure_ascii=False).encode()

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            "/api/v1/cases",
            body=payload(rng),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        probe = conn.getresponse()
        probe_body = probe.read()
        conn.close()
        if probe.status in (404, 405):
            return "endpoint missing"
        if probe.status not in (200, 201):
            return f"probe failed: HTTP {probe.status} {probe_body[:300]!r}"

        case_id = json.loads(probe_body)["id"]

        def drive(seconds: float, request, expect: int) -> dict:
            return _drive(
                port, args.http_threads, seconds, request, expect, server.pid, args.db == "postgresql"
            )

        create = drive(
            args.http_seconds,
            lambda r: (
                "POST",
                "/api/v1/cases",
                payload(r),
                {**headers, "Idempotency-Key": str(uuid.UUID(int=r.getrandbits(128)))},
            ),
            201,
        )
        # the same server, clients and machine doing less per request: what a create costs beyond them
        floor_seconds = min(args.http_seconds, 10.0)
        read_one = drive(floor_seconds, lambda r: ("GET", f"/api/v1/cases/{case_id}", None, headers), 200)
        health = drive(floor_seconds, lambda r: ("GET", "/healthz", None, {}), 200)
        return {
            "threads": args.http_threads,
            "workers": 2,
            "cpus": os.cpu_count(),
            "cases_per_s": create.pop("per_s"),
            **create,
            "floors": {
                "read_one_case": {"request": "GET /api/v1/cases/{id} (token, scope, timeline)", **read_one},
                "health": {"request": "GET /healthz (middleware, SELECT 1)", **health},
            },
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()


# ---------------------------------------------------------------------------------------------------------
# (b) raw INSERT of the same rows


def bench_raw(gen: Generator, args) -> dict:
    """(b) the same rows as an HTTP create (a case and its submit step), inserted directly."""
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("SELECT MAX(id) FROM cases_case")
        gen.next_case_id = (cur.fetchone()[0] or 0) + 1
        cur.execute("SELECT MAX(id) FROM cases_casestep")
        gen.next_step_id = (cur.fetchone()[0] or 0) + 1
    rows_c, rows_s = [], []
    number_at = gen.case_cols.index("number")
    for i in range(args.raw_cases):
        gen.case(rows_c, rows_s, [], status="pending_accept", received=gen.now)
        row = list(rows_c[-1])
        row[number_at] = f"RAW{i:012d}"  # cannot collide with the numbers of HTTP-created cases
        rows_c[-1] = tuple(row)
    gen.day_seq.clear()
    sql_c = insert_sql(gen, "cases_case", gen.case_cols, args.db)
    sql_s = insert_sql(gen, "cases_casestep", gen.step_cols, args.db)
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    for i in range(0, len(rows_c), 1000):
        with transaction.atomic():
            if args.db == "postgresql":
                with raw.cursor() as cur:
                    cur.executemany(sql_c, rows_c[i : i + 1000])
                    cur.executemany(sql_s, rows_s[i : i + 1000])
            else:
                raw.executemany(sql_c, rows_c[i : i + 1000])
                raw.executemany(sql_s, rows_s[i : i + 1000])
    seconds = time.perf_counter() - started
    reset_sequences(connection, args.db)
    return {
        "cases": len(rows_c),
        "rows": len(rows_c) + len(rows_s),
        "seconds": round(seconds, 2),
        "cases_per_s": round(len(rows_c) / seconds),
        "method": "executemany into the indexed tables, 1,000 cases (+ submit steps) per transaction",
    }


# ---------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    url = configure(args)
    if args.reuse:
        print(json.dumps(reuse_list(args), ensure_ascii=False))
        return 0
    from django.core.management import call_command
    from django.db import connection

    result: dict = {"db": args.db, "cases": args.cases, "months": args.months}
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        result["migrate_s"] = round(time.perf_counter() - t0, 1)
        now = datetime.now(UTC).replace(microsecond=0)
        years = list(range((now - timedelta(days=31 * args.months)).year, now.year + 2))
        t0 = time.perf_counter()
        world = build_world(years)
        result["world_s"] = round(time.perf_counter() - t0, 1)
        log(f"world built in {result['world_s']} s; loading {args.cases:,} cases into {args.db}")
        load = bulk_load(world, args, now)
        gen = load.pop("generator")
        result["load"] = load
        log(f"loaded in {load['seconds']} s")
        filters = list_filters(world, now, args.list_runs)
        result["list"] = bench_list(world, filters)
        log(f"list: {result['list']['p50_ms']} / {result['list']['p99_ms']} ms")
        result["rates"] = bench_rates(world, now, args.rate_runs, args.db)
        log(f"rates: {result['rates']}")
        result["queries_per_create"] = bench_queries(world)
        log(f"queries per create: {result['queries_per_create']}")
        if args.skip_http:
            result["http"] = "skipped"
        else:
            connection.close()
            result["http"] = bench_http(world, args)
            log(f"http: {result['http']}")
        result["raw_insert"] = bench_raw(gen, args)
        http_rate = result["http"].get("cases_per_s") if isinstance(result["http"], dict) else None
        result["overhead_ratio"] = (
            round(result["raw_insert"]["cases_per_s"] / http_rate, 1) if http_rate else None
        )
        result["targets"] = {
            "http_200_per_s": (http_rate or 0) >= 200 if http_rate else None,
            "list_p99_under_100ms": result["list"]["p99_ms"] < 100,
            "rates_under_300ms": max(
                result["rates"]["department"]["median_ms"], result["rates"]["street"]["median_ms"]
            )
            < 300,
        }
    finally:
        drop_database(args)
    result["database"] = url.split("@")[-1] if "@" in url else url.replace(str(ROOT) + "/", "")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
