"""Ninja schemas of the party API. Personal data leaves only masked (``*_masked``), never encrypted."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from gongzhi.core.masking import mask_id_number, mask_name, mask_phone


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    sector: str
    parent_code: str | None = None
    region_code: str
    region_name: str
    is_active: bool
    member_count: int = 0

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_member_count(obj) -> int:
        return getattr(obj, "member_count", 0) or 0


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None = None
    id_number_masked: str
    phone_masked: str
    organisation_code: str
    organisation_name: str
    status: str
    joined_on: date | None = None
    full_on: date | None = None
    is_mobile: bool
    is_in_service: bool
    work_unit: str
    grid_code: str | None = None
    dues_standard: Decimal | None = None
    dues_paid_until: date | None = None
    is_active: bool

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_organisation_code(obj) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None


_STATUS = Literal["full", "probationary", "activist"]


class MemberIn(Schema):
    """登记党员. The organisation and the grid are given by code."""

    name: str = Field(..., min_length=1, max_length=60)
    organisation_code: str = Field(..., max_length=40)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    gender: Literal["", "male", "female"] = ""
    status: _STATUS = "full"
    joined_on: date | None = None
    full_on: date | None = None
    is_mobile: bool = False
    mobile_note: str = Field("", max_length=120)
    is_in_service: bool = False
    work_unit: str = Field("", max_length=120)
    grid_code: str = Field("", max_length=32)
    dues_standard: Decimal | None = None
    dues_paid_until: date | None = None


class MemberPatch(Schema):
    """修改党员信息: only the fields sent change (use the transfer action to change the organisation)."""

    name: str | None = Field(None, min_length=1, max_length=60)
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=20)
    status: _STATUS | None = None
    joined_on: date | None = None
    full_on: date | None = None
    is_mobile: bool | None = None
    mobile_note: str | None = Field(None, max_length=120)
    is_in_service: bool | None = None
    work_unit: str | None = Field(None, max_length=120)
    dues_standard: Decimal | None = None
    dues_paid_until: date | None = None
    is_active: bool | None = None


class TransferIn(Schema):
    to_organisation_code: str = Field(..., max_length=40)
    reason: str = Field("", max_length=200)


class RevealIn(Schema):
    field: Literal["phone", "id_number"]


class RevealOut(Schema):
    field: str
    value: str


class RegistrationOut(Schema):
    id: int
    kind: str
    member_name: str | None = None
    unit_name: str | None = None
    community_code: str
    community_name: str
    status: str
    offer: str
    applied_at: datetime
    decided_at: datetime | None = None
    decision_note: str

    @staticmethod
    def resolve_member_name(obj) -> str | None:
        return obj.member.name if obj.member_id else None

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name


class RegistrationIn(Schema):
    """双报到 of the signed-in in-service member at a community."""

    community_code: str = Field(..., max_length=32)
    offer: str = Field("", max_length=200)


class DecisionIn(Schema):
    note: str = Field("", max_length=200)


class ActivityOut(Schema):
    id: int
    organisation_code: str
    organisation_name: str
    kind: str
    title: str
    location: str
    starts_at: datetime
    ends_at: datetime
    status: str
    signed_up: int = 0
    checked_in: int = 0

    @staticmethod
    def resolve_organisation_code(obj) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return obj.organisation.name


class ActivityIn(Schema):
    organisation_code: str = Field(..., max_length=40)
    kind: Literal[
        "branch_meeting",
        "committee_meeting",
        "group_meeting",
        "party_lecture",
        "party_day",
        "volunteer",
        "other",
    ]
    title: str = Field(..., min_length=1, max_length=100)
    starts_at: datetime
    ends_at: datetime
    location: str = Field("", max_length=120)
    capacity: int | None = Field(None, ge=1, le=10000)
    description: str = Field("", max_length=2000)


class CheckInIn(Schema):
    code: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")


class ParticipationOut(Schema):
    activity_id: int
    signed_up_at: datetime | None = None
    checked_in_at: datetime | None = None


class RankOut(Schema):
    rank: int
    member_id: int
    name: str
    organisation: str
    points: int


class PointsEntryOut(Schema):
    id: int
    points: int
    rule: str
    source_type: str
    source_id: int
    awarded_at: datetime

    @staticmethod
    def resolve_rule(obj) -> str:
        return obj.rule.name


class WishOut(Schema):
    """A wish for staff and the resident: the resident's name masked, never the phone."""

    id: int
    title: str
    description: str
    category: str
    community_code: str
    community_name: str
    wisher_name_masked: str
    status: str
    claimed_by: str | None = None
    created_at: datetime
    claimed_at: datetime | None = None
    fulfilled_at: datetime | None = None
    confirmed_at: datetime | None = None

    @staticmethod
    def resolve_community_code(obj) -> str:
        return obj.community.code

    @staticmethod
    def resolve_community_name(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_wisher_name_masked(obj) -> str:
        return mask_name(obj.wisher_name)

    @staticmethod
    def resolve_claimed_by(obj) -> str | None:
        if obj.claimed_member_id:
            return mask_name(obj.claimed_member.name)
        if obj.claimed_unit_id:
            return obj.claimed_unit.name
        return None


class WishIn(Schema):
    """许愿. Staff give the resident's name (and phone); a resident's own name and phone are used."""

    community_code: str = Field(..., max_length=32)
    title: str = Field(..., min_length=1, max_length=60)
    description: str = Field("", max_length=500)
    category: Literal["goods", "service", "care", "other"] = "goods"
    wisher_name: str = Field("", max_length=60)
    wisher_phone: str = Field("", max_length=20)


class WishActionIn(Schema):
    note: str = Field("", max_length=1000)
    approve: bool = True
    unit_code: str = Field("", max_length=40)


class GridCoverageOut(Schema):
    code: str
    name: str
    community: str
    organisations: list[str]
    members: int
    covered: bool


class CoverageOut(Schema):
    total: int
    covered: int
    rate: float | None = None
    grids: list[GridCoverageOut]


class DashboardOut(Schema):
    start: date
    end: date
    coverage: CoverageOut
    members_total: int
    members_by_status: dict[str, int]
    mobile_members: int
    in_service_members: int
    registered_in_service: int
    pending_registrations: int
    service_hours: float
    served_members: int
    activities_held: int
    activities_by_kind: dict[str, int]
    check_ins: int
    expected: int
    attendance_rate: float | None = None
    ranking: list[RankOut]
    wishes_posted: int
    wishes_claimed: int
    wishes_fulfilled: int
    party_cases: int
    party_cases_rated: int
    party_cases_satisfied: int
    satisfaction_rate: float | None = None


class CaseHelpIn(Schema):
    member_id: int
    note: str = Field("", max_length=300)


class CaseHelpOut(Schema):
    id: int
    case_id: int
    member_id: int
    member_name: str
    status: str
    task_note: str
    contribution: str
    assigned_at: datetime

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name
