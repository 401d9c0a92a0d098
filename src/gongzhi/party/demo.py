"""党建演示数据: the organisation tree on every street, community and grid of the demo district, members,
activities, points, wishes, dual registrations, household links and disclosures.

Registered as an extra step of ``gongzhi demo-data`` (``demo.build.register_step``). The tree is built
through the services (audited); the bulk rows (members, attendance, points …) are written with
``bulk_create`` as an import would be, and the whole step is recorded as one ``party.import`` audit event.
The step runs in one transaction and does nothing when the district's tree already exists, so rerunning
the command changes nothing.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.demo.build import register_step

#: Numbers of the demo (members are created whatever the number of demo residents).
GRID_MEMBERS = (14, 22)  # per grid branch
UNIT_MEMBERS = (6, 14)  # per enterprise, school or social organisation branch
AGENCY_MEMBERS = 46  # per agency branch (in-service members)
AGENCIES = ["CGW", "ZJW", "STHJ", "SCJG", "WJW", "JW", "RSJ", "MZJ"]
HISTORY_MONTHS = 4

WISHES = [
    ("想要一台助听器", "老伴耳朵背，看电视声音开得很大，想要一台助听器。", "goods"),
    ("希望有人教我用智能手机", "想学会用手机挂号、视频聊天，孩子不在身边没人教。", "service"),
    ("需要一辆轮椅", "腿脚不方便，出门看病需要一辆轮椅。", "goods"),
    ("想给孙子买套课外书", "孙子上三年级，喜欢看书，家里条件有限。", "goods"),
    ("希望有人陪伴聊天", "一个人住，白天很闷，希望每周有人来陪着说说话。", "care"),
    ("家里灯泡坏了没人换", "卫生间和厨房灯泡都坏了，自己够不着。", "service"),
    ("想要一台电暖器", "家里朝北比较冷，想要一台小电暖器。", "goods"),
    ("希望帮忙理发", "行动不便去不了理发店，希望有人上门理发。", "service"),
    ("想要一副老花镜", "原来的眼镜摔坏了，看不清药盒上的字。", "goods"),
    ("需要帮忙打扫卫生", "年纪大了，家里大扫除干不动了。", "service"),
    ("想参加社区合唱队", "退休了想参加活动，希望有人带着报名。", "care"),
    ("希望帮忙修自行车", "自行车链子掉了，修不好。", "service"),
    ("想要一个血压计", "有高血压，想在家随时测量。", "goods"),
    ("想要冬天的棉被", "被子太薄了，冬天冷。", "goods"),
]
#: How the wishes of one community are spread over the statuses (every status occurs).
WISH_STATUSES = [
    "pending_review",
    "published",
    "published",
    "rejected",
    "claimed",
    "claimed",
    "fulfilled",
    "confirmed",
    "confirmed",
    "confirmed",
    "confirmed",
    "cancelled",
]
TASKS = [
    ("周末垃圾分类桶前值守", "指导居民正确分类投放，每班两小时。", 2),
    ("看望独居老人", "上门看望独居老人，了解生活需求。", 2),
    ("社区义诊协助", "协助维持秩序、测量血压。", 3),
    ("防诈骗宣传", "在小区门口发放宣传材料，讲解常见骗局。", 2),
    ("楼道清理", "清理楼道堆物，消除消防隐患。", 3),
    ("四点半课堂辅导", "为双职工家庭孩子辅导作业。", 2),
]
COURSES = [
    ("学习贯彻党的二十大精神", "text", "members", "党的二十大报告学习辅导。"),
    ("《中国共产党章程》逐条学", "text", "members", "党章学习。"),
    ("党员积分制管理办法解读", "text", "members", "积分规则和使用说明。"),
    ("智能手机使用入门", "text", "everyone", "数字素养：用手机挂号、缴费、视频通话。"),
    ("个人信息保护与防范电信诈骗", "text", "everyone", "数字素养：识别诈骗，保护个人信息。"),
    ("网格员接诉即办工作指引", "text", "staff", "诉求受理、派单、回访的工作要点。"),
]


def _month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@register_step
def party_demo(*, actor, tree, rng, say) -> None:
    """演示: build the party data of the demo district once (idempotent)."""
    from gongzhi.party.models import PartyOrganisation

    if PartyOrganisation.objects.filter(code=f"DG{tree.streets[0].code}").exists():
        say("party building: already loaded")
        return
    started = time.monotonic()
    say("party building …")
    with transaction.atomic():
        counts = _build(actor=actor, tree=tree, rng=random.Random(20260701))
    say(
        "party building: {members} members ({in_service} in-service), {organisations} organisations, "
        "{activities} activities, {points} points entries, {wishes} wishes in {seconds:.1f}s".format(
            seconds=time.monotonic() - started, **counts
        )
    )
    say("party demo logins (demo password): " + ", ".join(f"{u} ({n})" for u, _r, n in EXTRA_ACCOUNTS))


def _build(*, actor, tree, rng: random.Random) -> dict[str, int]:
    from faker import Faker

    from gongzhi.accounts.models import Department, User
    from gongzhi.audit.services import record
    from gongzhi.core.validators import make_id_number
    from gongzhi.people import rules as people_rules
    from gongzhi.people.models import Household, Organisation, Resident

    from . import services
    from .choices import ActivityKind, MemberStatus, Position, WishStatus
    from .models import (
        Activity,
        ActivityParticipation,
        Course,
        Disclosure,
        DualRegistration,
        Enrolment,
        HouseholdLink,
        Member,
        MemberTransfer,
        Officer,
        PartyOrganisation,
        PointsEntry,
        ServiceTask,
        TaskClaim,
        Visit,
        Wish,
    )

    fake = Faker("zh_CN")
    fake.seed_instance(20260701)
    today = timezone.localdate()
    now = timezone.now()
    org = services.create_organisation

    # --- the tree (through the services) ---------------------------------------------------------
    grid_branches: dict[int, object] = {}  # grid pk → branch
    groups: dict[int, list] = defaultdict(list)  # branch pk → groups
    committees: dict[int, object] = {}  # community pk → committee
    for street in tree.streets:
        street_committee = org(
            actor=actor,
            code=f"DG{street.code}",
            name=f"{street.name}党工委",
            kind="committee",
            sector="region",
            region=street,
        )
        for _s, community in [(s, c) for s, c in tree.communities if s.pk == street.pk]:
            committees[community.pk] = org(
                actor=actor,
                code=f"DW{community.code}",
                name=f"{community.name}党委",
                kind="committee",
                sector="region",
                parent=street_committee,
                region=community,
            )
    for community, grid in tree.grids:
        branch = org(
            actor=actor,
            code=f"ZB{grid.code}",
            name=f"{grid.name}党支部",
            kind="branch",
            sector="grid",
            parent=committees[community.pk],
            region=grid,
        )
        grid_branches[grid.pk] = branch
        for index, word in enumerate(("第一", "第二"), 1):
            groups[branch.pk].append(
                org(
                    actor=actor,
                    code=f"XZ{grid.code}{index}",
                    name=f"{grid.name}{word}党小组",
                    kind="group",
                    sector="grid",
                    parent=branch,
                    region=grid,
                )
            )
    agency_committee = org(
        actor=actor,
        code=f"JG{tree.district.code}",
        name=f"{tree.district.name}直机关工委",
        kind="committee",
        sector="institution",
        region=tree.district,
    )
    agency_branches = []
    for department in Department.objects.filter(code__in=AGENCIES).order_by("code"):
        agency_branches.append(
            org(
                actor=actor,
                code=f"JG{department.code}",
                name=f"{department.name}机关党支部",
                kind="branch",
                sector="institution",
                parent=agency_committee,
                department=department,
            )
        )
    grid_of = {g.pk: (c, g) for c, g in tree.grids}
    unit_branches = []
    unit_kinds = [
        ("enterprise", "enterprise", 10),
        ("social_org", "social_org", 4),
        ("resident_unit", "school", 6),
    ]
    for kind, sector, limit in unit_kinds:
        units = Organisation.objects.filter(kind=kind, grid__isnull=False).order_by("pk")
        if sector == "school":
            units = units.filter(name__regex=r"(中学|小学)$")
        for unit in units[:limit]:
            community, _grid = grid_of[unit.grid_id]
            unit_branches.append(
                org(
                    actor=actor,
                    code=f"FG{unit.pk:05d}",
                    name=f"{unit.name}党支部",
                    kind="branch",
                    sector=sector,
                    parent=committees[community.pk],
                    unit=unit,
                )
            )

    # --- members (bulk) ---------------------------------------------------------------------------
    residents_by_grid: dict[int, list] = defaultdict(list)
    for r in (
        Resident.objects.filter(status="active", birth_date__lte=date(today.year - 22, 1, 1))
        .only("pk", "name", "gender", "birth_date", "id_number", "phone", "grid_id")
        .order_by("pk")
    ):
        residents_by_grid[r.grid_id].append(r)
    used_ids: set[str] = set()
    sequence = 0

    def new_member(organisation, *, grid=None, resident=None, in_service=False, work_unit="") -> Member:
        nonlocal sequence
        sequence += 1
        if resident is not None and resident.id_number and resident.id_number not in used_ids:
            name, gender, birth = resident.name, resident.gender, resident.birth_date
            id_number, phone = resident.id_number, resident.phone
        else:
            resident = None
            birth = date(rng.randint(1945, 2002), rng.randint(1, 12), rng.randint(1, 28))
            id_number = make_id_number(
                rng.choice(["110105", "110199", "130102", "370202"]), birth, sequence % 997 + 1
            )
            gender = "male" if int(id_number[16]) % 2 else "female"
            name = fake.last_name() + (
                fake.first_name_male() if gender == "male" else fake.first_name_female()
            )
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        if id_number in used_ids:
            id_number = ""
        used_ids.add(id_number)
        roll = rng.random()
        status = (
            MemberStatus.FULL
            if roll < 0.86
            else MemberStatus.PROBATIONARY
            if roll < 0.94
            else MemberStatus.ACTIVIST
        )
        earliest = max(birth.year + 18, 1965)
        joined = date(
            rng.randint(earliest, max(earliest, today.year - 2)), rng.randint(1, 12), rng.randint(1, 28)
        )
        if status == MemberStatus.PROBATIONARY:
            joined = today - timedelta(days=rng.randint(30, 330))
        if status == MemberStatus.ACTIVIST:
            joined = None
        mobile = rng.random() < 0.03 and not in_service
        paid = _month_start(today, rng.choice([0, 0, 0, 0, 1, 1, 2, 4])) - timedelta(days=1)
        return Member(
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=id_number,
            id_number_index=people_rules.id_number_index(id_number),
            phone=phone or "",
            phone_index=people_rules.phone_index(phone) if phone else "",
            organisation=organisation,
            region_path=organisation.region_path,
            status=status,
            joined_on=joined,
            full_on=joined + timedelta(days=365) if status == MemberStatus.FULL and joined else None,
            is_mobile=mobile,
            mobile_note=rng.choice(["在深圳务工", "在上海读研", "在雄安新区援建"]) if mobile else "",
            is_in_service=in_service,
            work_unit=work_unit,
            grid=grid,
            resident=resident,
            dues_standard=Decimal(rng.choice(["0.20", "2.00", "5.00", "12.50", "30.00", "50.00"])),
            dues_paid_until=paid,
            source="demo",
        )

    pending: list[Member] = []
    for _community, grid in tree.grids:
        branch = grid_branches[grid.pk]
        candidates = residents_by_grid.get(grid.pk, [])
        rng.shuffle(candidates)
        size = rng.randint(*GRID_MEMBERS)
        for i in range(size):
            target = branch if i < size // 3 else groups[branch.pk][i % 2]
            resident = candidates[i] if i < len(candidates) and rng.random() < 0.7 else None
            pending.append(new_member(target, grid=grid, resident=resident))
    all_grids = [g for _c, g in tree.grids]
    for branch in agency_branches:
        for _ in range(AGENCY_MEMBERS):
            pending.append(
                new_member(
                    branch, grid=rng.choice(all_grids), in_service=True, work_unit=branch.department.name
                )
            )
    for branch in unit_branches:
        for _ in range(rng.randint(*UNIT_MEMBERS)):
            pending.append(
                new_member(
                    branch,
                    grid=branch.region,
                    in_service=branch.sector != "social_org",
                    work_unit=branch.unit.name,
                )
            )
    Member.objects.bulk_create(pending, batch_size=500)
    members = list(Member.objects.filter(source="demo").select_related("organisation").order_by("pk"))
    MemberTransfer.objects.bulk_create(
        [
            MemberTransfer(
                member=m, to_organisation=m.organisation, at=now, reason="演示数据登记", actor=actor
            )
            for m in members
        ],
        batch_size=1000,
    )
    by_org: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        by_org[m.organisation_id].append(m)
    codes_of = {o.pk: o.tree_path for o in PartyOrganisation.objects.order_by("tree_path")}
    subtree_members: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        path = m.organisation.tree_path
        for org_pk, org_path in codes_of.items():
            if path.startswith(org_path):
                subtree_members[org_pk].append(m)

    # --- demo logins and officers -------------------------------------------------------------------
    first_community, first_grid = tree.grids[0]
    demo_member = by_org[grid_branches[first_grid.pk].pk][1]  # [0] becomes the branch secretary
    login = User.objects.filter(username="demo_party_member").first()
    if login is not None:
        Member.objects.filter(pk=demo_member.pk).update(user=login, name=login.display_name)
    officers = []
    for organisation in PartyOrganisation.objects.order_by("tree_path"):
        people = subtree_members.get(organisation.pk, [])
        if not people:
            continue
        posts = [Position.SECRETARY] + (
            [Position.DEPUTY_SECRETARY, Position.COMMITTEE_MEMBER, Position.COMMITTEE_MEMBER]
            if organisation.kind == "committee"
            else [Position.COMMITTEE_MEMBER]
        )
        if organisation.kind == "group":
            posts = [Position.GROUP_LEADER]
        for position, person in zip(posts, people, strict=False):
            officers.append(
                Officer(
                    organisation=organisation,
                    member=person,
                    position=position,
                    term_start=date(2024, 1, 1),
                    term_end=date(2028, 12, 31),
                    appointed_by=actor,
                )
            )
    Officer.objects.bulk_create(officers, batch_size=1000)

    _demo_logins(
        actor=actor, grid=first_grid, members=members, by_org=by_org, branch=grid_branches[first_grid.pk]
    )

    # --- points rules ------------------------------------------------------------------------------
    defaults = {r.event: r for r in services.install_default_points_rules(actor=actor)}
    override = services.set_points_rule(
        actor=actor,
        organisation=committees[first_community.pk],
        event="attend_activity",
        points=3,
        name="参加组织生活（社区党委规则）",
    )

    def rule_of(member: Member, event: str):
        if event == "attend_activity" and member.organisation.tree_path.startswith(
            override.organisation.tree_path
        ):
            return override
        return defaults[event]

    points: list[PointsEntry] = []

    # --- activities ----------------------------------------------------------------------------------
    activities: list[Activity] = []
    attendees: dict[int, list[Member]] = {}

    def activity(organisation, kind, title, day, hour, *, held=True, location="党群服务中心"):
        a = Activity(
            organisation=organisation,
            region_path=organisation.region_path,
            kind=kind,
            title=title,
            location=location,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour + 2),
            checkin_code=f"{rng.randrange(10**6):06d}",
            status="held" if held else "planned",
            minutes=f"{title}：会议按议程进行，学习传达上级精神，讨论网格内重点工作。" if held else "",
            created_by=actor,
        )
        activities.append(a)
        return a

    kinds = dict(ActivityKind.choices)
    for back in range(HISTORY_MONTHS, -1, -1):
        month = _month_start(today, back)
        for committee in committees.values():
            day = month + timedelta(days=rng.randint(0, 20))
            held = day < today
            a = activity(committee, "party_day", f"{month.month}月主题党日：重温入党誓词", day, 9, held=held)
            attendees[id(a)] = subtree_members[committee.pk]
            v = activity(
                committee,
                "volunteer",
                f"{month.month}月志愿服务：社区环境整治",
                day + timedelta(days=3),
                14,
                held=day + timedelta(days=3) < today,
            )
            attendees[id(v)] = subtree_members[committee.pk][::4]
        for branch in grid_branches.values():
            day = month + timedelta(days=rng.randint(0, 25))
            a = activity(
                branch,
                "branch_meeting",
                f"{month.month}月{kinds['branch_meeting']}",
                day,
                19,
                held=day < today,
            )
            attendees[id(a)] = subtree_members[branch.pk]
            if back % 3 == 0:
                lecture = activity(
                    branch,
                    "party_lecture",
                    "专题党课：党建引领基层治理",
                    day + timedelta(days=2),
                    19,
                    held=day + timedelta(days=2) < today,
                )
                attendees[id(lecture)] = subtree_members[branch.pk]
            if back % 2 == 0:
                for group in groups[branch.pk]:
                    g = activity(
                        group,
                        "group_meeting",
                        f"{month.month}月{kinds['group_meeting']}",
                        day + timedelta(days=5),
                        19,
                        held=day + timedelta(days=5) < today,
                    )
                    attendees[id(g)] = by_org[group.pk]
    Activity.objects.bulk_create(activities, batch_size=500)
    participations = []
    for a in activities:
        expected = attendees.get(id(a), [])
        held = a.status == "held"
        for m in expected:
            if a.kind == "volunteer" or rng.random() < (0.82 if not m.is_mobile else 0.1):
                checked = held and rng.random() < 0.95
                if not held and rng.random() < 0.5:
                    continue
                participations.append(
                    ActivityParticipation(
                        activity=a,
                        member=m,
                        signed_up_at=a.starts_at - timedelta(days=2),
                        checked_in_at=a.starts_at + timedelta(minutes=rng.randint(-20, 15))
                        if checked
                        else None,
                        checked_in_by_code=checked,
                    )
                )
                if checked:
                    rule = rule_of(m, "attend_activity")
                    points.append(
                        PointsEntry(
                            member=m,
                            rule=rule,
                            points=rule.points,
                            source_type="activity",
                            source_id=a.pk,
                            awarded_at=a.ends_at,
                            awarded_by=actor,
                            region_path=m.region_path,
                        )
                    )
    ActivityParticipation.objects.bulk_create(participations, batch_size=2000)

    # --- dual registration and service tasks --------------------------------------------------------
    community_of_grid = {g.pk: c for c, g in tree.grids}
    registrations, approved_by_community = [], defaultdict(list)
    for m in members:
        if not m.is_in_service or m.grid_id is None:
            continue
        community = community_of_grid[m.grid_id]
        roll = rng.random()
        status = (
            "approved" if roll < 0.8 else "pending" if roll < 0.9 else "rejected" if roll < 0.95 else "ended"
        )
        applied = now - timedelta(days=rng.randint(20, 200))
        registrations.append(
            DualRegistration(
                kind="member",
                member=m,
                community=community,
                region_path=community.path,
                status=status,
                offer=rng.choice(["法律咨询", "健康讲座", "垃圾分类宣传", "家电维修", "辅导作业", ""]),
                applied_at=applied,
                applied_by=actor,
                decided_at=applied + timedelta(days=3) if status != "pending" else None,
                decided_by=actor if status != "pending" else None,
                decision_note="请先提供居住证明" if status == "rejected" else "",
                ended_at=applied + timedelta(days=90) if status == "ended" else None,
            )
        )
        if status == "approved":
            approved_by_community[community.pk].append(m)
    for branch in agency_branches:
        for _c, community in rng.sample(tree.communities, 2):
            registrations.append(
                DualRegistration(
                    kind="unit",
                    unit=branch,
                    community=community,
                    region_path=community.path,
                    status="approved",
                    applied_at=now - timedelta(days=180),
                    applied_by=actor,
                    decided_at=now - timedelta(days=175),
                    decided_by=actor,
                )
            )
    DualRegistration.objects.bulk_create(registrations, batch_size=1000)
    tasks, claims = [], []
    for _s, community in tree.communities:
        for index, (title, description, hours) in enumerate(TASKS):
            tasks.append(
                ServiceTask(
                    community=community,
                    region_path=community.path,
                    title=title,
                    description=description,
                    location=f"{community.name}党群服务中心",
                    hours=Decimal(hours),
                    slots=rng.randint(2, 6),
                    starts_at=now + timedelta(days=index * 3 - 9),
                    status="open" if index % 3 else "closed",
                    posted_by=actor,
                )
            )
    ServiceTask.objects.bulk_create(tasks, batch_size=500)
    for task in tasks:
        helpers = approved_by_community.get(task.community_id, [])
        for m in rng.sample(helpers, min(len(helpers), task.slots)):
            claimed = now - timedelta(days=rng.randint(3, 30))
            stage = rng.choice(["claimed", "done", "confirmed", "confirmed", "confirmed"])
            claims.append(
                TaskClaim(
                    task=task,
                    member=m,
                    region_path=task.region_path,
                    status=stage,
                    claimed_at=claimed,
                    done_at=claimed + timedelta(days=2) if stage != "claimed" else None,
                    hours=task.hours if stage != "claimed" else None,
                    member_note="已按要求完成" if stage != "claimed" else "",
                    confirmed_at=claimed + timedelta(days=3) if stage == "confirmed" else None,
                    confirmed_by=actor if stage == "confirmed" else None,
                    feedback="服务认真负责，居民评价好" if stage == "confirmed" else "",
                )
            )
    TaskClaim.objects.bulk_create(claims, batch_size=1000)
    for claim in claims:
        if claim.status == "confirmed":
            rule = rule_of(claim.member, "complete_task")
            points.append(
                PointsEntry(
                    member=claim.member,
                    rule=rule,
                    points=rule.points,
                    source_type="task_claim",
                    source_id=claim.pk,
                    awarded_at=claim.confirmed_at,
                    awarded_by=actor,
                    region_path=claim.member.region_path,
                )
            )

    # --- member–household links and visits ------------------------------------------------------------
    households = defaultdict(list)
    for h in Household.objects.filter(grid__isnull=False).only("pk", "grid_id", "region_path").order_by("pk"):
        households[h.grid_id].append(h)
    links = []
    for m in members:
        if (
            m.is_in_service
            or m.is_mobile
            or m.grid_id is None
            or not m.organisation.tree_path.startswith("DG")
        ):
            continue
        for h in rng.sample(
            households.get(m.grid_id, []), min(len(households.get(m.grid_id, [])), rng.randint(1, 3))
        ):
            links.append(
                HouseholdLink(
                    member=m,
                    household=h,
                    region_path=h.region_path,
                    linked_on=today - timedelta(days=rng.randint(60, 400)),
                    linked_by=actor,
                )
            )
    taken_pairs, unique_links = set(), []
    for link in links:
        if (link.member.pk, link.household.pk) not in taken_pairs:
            taken_pairs.add((link.member.pk, link.household.pk))
            unique_links.append(link)
    HouseholdLink.objects.bulk_create(unique_links, batch_size=1000)
    visits = []
    for link in unique_links:
        for _ in range(rng.randint(0, 2)):
            needs = rng.choice(["", "", "楼道灯不亮", "老人需要助餐服务", "孩子放学无人看管", "暖气不热"])
            visits.append(
                Visit(
                    link=link,
                    region_path=link.region_path,
                    visited_on=today - timedelta(days=rng.randint(1, 90)),
                    note="上门走访，了解家庭近况。",
                    needs=needs,
                    recorded_by=actor,
                )
            )
    Visit.objects.bulk_create(visits, batch_size=1000)

    # --- micro-wishes in every status ---------------------------------------------------------------------
    wishes = []
    residents_of_community = defaultdict(list)
    for grid_pk, rows in residents_by_grid.items():
        if grid_pk in community_of_grid:
            residents_of_community[community_of_grid[grid_pk].pk].extend(rows[:30])
    grid_members_of_community = defaultdict(list)
    for m in members:
        if (
            not m.is_in_service
            and m.grid_id in community_of_grid
            and m.organisation.tree_path.startswith("DG")
        ):
            grid_members_of_community[community_of_grid[m.grid_id].pk].append(m)
    units_of_community = defaultdict(list)
    for b in unit_branches:
        units_of_community[community_of_grid[b.region_id].pk].append(b)
    for s_index, (_s, community) in enumerate(tree.communities):
        grids = [g for c, g in tree.grids if c.pk == community.pk]
        for index, status in enumerate(WISH_STATUSES):
            title, description, category = WISHES[(index + s_index) % len(WISHES)]
            who = (residents_of_community[community.pk] or [None])[
                index % max(1, len(residents_of_community[community.pk]))
            ]
            created = now - timedelta(days=rng.randint(2, 100))
            claimed = status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED)
            claimer_member = claimer_unit = None
            if claimed:
                if index % 4 == 0 and units_of_community[community.pk]:
                    claimer_unit = units_of_community[community.pk][0]
                elif grid_members_of_community[community.pk]:
                    claimer_member = rng.choice(grid_members_of_community[community.pk])
                else:
                    status, claimed = WishStatus.PUBLISHED, False
            fulfilled = status in (WishStatus.FULFILLED, WishStatus.CONFIRMED)
            wishes.append(
                Wish(
                    title=title,
                    description=description,
                    category=category,
                    community=community,
                    grid=grids[index % len(grids)] if grids else None,
                    region_path=(grids[index % len(grids)] if grids else community).path,
                    wisher_name=who.name if who else fake.name(),
                    wisher_phone=(who.phone if who else "") or "",
                    posted_by=actor,
                    status=status,
                    reviewed_at=created + timedelta(days=1)
                    if status != "pending_review" and status != "cancelled"
                    else None,
                    reviewed_by=actor if status not in ("pending_review", "cancelled") else None,
                    review_note="不属于微心愿范围，已转社区救助渠道" if status == "rejected" else "",
                    claimed_member=claimer_member,
                    claimed_unit=claimer_unit,
                    claimed_at=created + timedelta(days=3) if claimed else None,
                    fulfilled_at=created + timedelta(days=8) if fulfilled else None,
                    evidence="已送到居民家中，居民很满意。" if fulfilled else "",
                    confirmed_at=created + timedelta(days=9) if status == WishStatus.CONFIRMED else None,
                    feedback="谢谢党员同志！" if status == WishStatus.CONFIRMED else "",
                )
            )
    Wish.objects.bulk_create(wishes, batch_size=500)
    Wish.objects.filter(pk__in=[w.pk for w in wishes]).update(created_at=now - timedelta(days=30))
    for w in wishes:
        if w.status == WishStatus.CONFIRMED and w.claimed_member is not None:
            rule = rule_of(w.claimed_member, "fulfil_wish")
            points.append(
                PointsEntry(
                    member=w.claimed_member,
                    rule=rule,
                    points=rule.points,
                    source_type="wish",
                    source_id=w.pk,
                    awarded_at=w.confirmed_at,
                    awarded_by=actor,
                    region_path=w.claimed_member.region_path,
                )
            )
    PointsEntry.objects.bulk_create(points, batch_size=2000)

    # --- disclosures and courses -------------------------------------------------------------------------
    disclosures = []
    for _s, community in tree.communities:
        committee = committees[community.pk]
        for category, title, body in (
            (
                "party",
                f"{committee.name}{today.year}年党费收缴使用情况公示",
                "按照党费收缴、使用和管理规定，现将本年度党费收缴使用情况公示如下。",
            ),
            (
                "residents",
                f"{community.name}老旧小区加装电梯议事结果公示",
                "经居民议事会协商表决，同意加装电梯方案，公示期七天。",
            ),
            (
                "finance",
                f"{community.name}第三季度公益金使用情况",
                "本季度社区公益金主要用于助老餐桌、楼道照明改造。",
            ),
        ):
            disclosures.append(
                Disclosure(
                    community=community,
                    organisation=committee,
                    region_path=community.path,
                    category=category,
                    title=title,
                    body=body,
                    status="published",
                    published_at=now - timedelta(days=rng.randint(1, 40)),
                    created_by=actor,
                )
            )
    Disclosure.objects.bulk_create(disclosures)
    courses = Course.objects.bulk_create(
        [
            Course(title=t, kind=k, audience=a, summary=s, body=f"{t}\n\n{s}", created_by=actor)
            for t, k, a, s in COURSES
        ]
    )
    enrolments = []
    demo_user = User.objects.filter(username="demo_party_member").first()
    if demo_user is not None:
        enrolments += [
            Enrolment(
                course=c,
                user=demo_user,
                enrolled_at=now - timedelta(days=10),
                completed_at=now - timedelta(days=2) if i < 2 else None,
            )
            for i, c in enumerate(courses[:4])
        ]
    Enrolment.objects.bulk_create(enrolments)

    # --- party help on open cases (when the cases demo has cases) ------------------------------------------
    helped = _case_help(actor=actor, rng=rng, grid_branches=grid_branches, by_org=by_org, groups=groups)

    counts = {
        "organisations": PartyOrganisation.objects.order_by("tree_path").count(),
        "members": len(members),
        "in_service": sum(1 for m in members if m.is_in_service),
        "activities": len(activities),
        "points": len(points),
        "wishes": len(wishes),
        "registrations": len(registrations),
        "household_links": len(unique_links),
        "case_help": helped,
    }
    record(
        actor=actor,
        action="party.import",
        target_type="party.member",
        target_label="demo-data",
        data={"source": "demo", **counts},
    )
    return counts


def _case_help(*, actor, rng, grid_branches, by_org, groups) -> int:
    """Assign grid members to some open cases of their grid (only when cases exist)."""
    from gongzhi.cases.choices import OPEN_STATUSES
    from gongzhi.cases.selectors import cases_visible_to

    from . import services

    done = 0
    open_cases = list(
        cases_visible_to(actor).filter(status__in=OPEN_STATUSES, grid__isnull=False).order_by("pk")[:400]
    )
    for case in open_cases[::10]:
        branch = grid_branches.get(case.grid_id)
        if branch is None:
            continue
        pool = by_org[branch.pk] + [m for g in groups[branch.pk] for m in by_org[g.pk]]
        if not pool:
            continue
        help_ = services.assign_case_help(
            actor=actor, case=case, member=rng.choice(pool), note="协助走访当事人"
        )
        if done % 2 == 0:
            services.record_case_help(
                actor=actor, help_=help_, contribution="上门做通当事人工作，协助部门处置。"
            )
        done += 1
    return done


#: Extra demo logins of this step: (username, role, display name).
EXTRA_ACCOUNTS = [
    ("demo_branch_secretary", "party_secretary", "马红"),
    ("demo_in_service", "party_member", "邓强"),
]


def _demo_logins(*, actor, grid, members, by_org, branch) -> None:
    """A grid branch secretary (over the first grid) and an in-service member, linked to member records."""
    from gongzhi.accounts.models import Role, User
    from gongzhi.accounts.services import assign_role, create_user
    from gongzhi.demo.build import demo_password

    from .models import Member

    roles = {r.code: r for r in Role.objects.filter(code__in=["party_secretary", "party_member"])}
    for index, (username, role, display) in enumerate(EXTRA_ACCOUNTS):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                actor=None,
                username=username,
                password=demo_password(),
                display_name=display,
                phone=f"1860001{index:04d}",
                is_staff=True,
            )
        assign_role(
            actor=None, user=user, role=roles[role], region=grid if role == "party_secretary" else None
        )
        if username == "demo_branch_secretary":
            target = by_org[branch.pk][0]  # the branch's first member is appointed its secretary
        else:
            target = next((m for m in members if m.is_in_service and m.grid_id == grid.pk), None)
        if target is not None and not Member.objects.filter(user=user).exists():
            Member.objects.filter(pk=target.pk).update(user=user, name=display)
