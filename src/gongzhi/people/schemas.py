"""Ninja schemas of the base-data API. Personal data leaves only masked (``*_masked``), never encrypted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from gongzhi.core.masking import mask_id_number, mask_phone

from . import history


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None = None
    id_number_masked: str
    phone_masked: str
    household_number: str | None = None
    relation_to_head: str
    house: str | None = None
    grid_code: str | None = None
    grid_name: str | None = None
    residence_kind: str
    status: str
    tags: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_household_number(obj) -> str | None:
        return obj.household.number if obj.household_id else None

    @staticmethod
    def resolve_house(obj) -> str | None:
        return history.house_label(obj.house) if obj.house_id else None

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_grid_name(obj) -> str | None:
        return obj.grid.name if obj.grid_id else None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class ResidentIn(Schema):
    """登记居民. Give a house (building code + unit + room) or a grid code; tags by code."""

    name: str = Field(..., min_length=1, max_length=60)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    gender: Literal["", "male", "female"] = ""
    residence_kind: Literal["registered", "floating"] = "registered"
    status: Literal["active", "moved_out", "deceased"] = "active"
    building_code: str = Field("", max_length=40)
    unit: str = Field("", max_length=20)
    room: str = Field("", max_length=20)
    grid_code: str = Field("", max_length=32)
    household_number: str = Field("", max_length=40)
    relation_to_head: str = Field("", max_length=20)
    tags: list[str] = []


class ResidentPatch(Schema):
    """修改居民信息: only the fields sent change; a new house without a grid code takes the house's grid."""

    name: str | None = Field(None, min_length=1, max_length=60)
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=20)
    gender: Literal["", "male", "female"] | None = None
    residence_kind: Literal["registered", "floating"] | None = None
    building_code: str | None = Field(None, max_length=40)
    unit: str | None = Field(None, max_length=20)
    room: str | None = Field(None, max_length=20)
    grid_code: str | None = Field(None, max_length=32)
    household_number: str | None = Field(None, max_length=40)
    relation_to_head: str | None = Field(None, max_length=20)


class RevealIn(Schema):
    field: Literal["id_number", "phone"]


class RevealOut(Schema):
    field: str
    value: str


class ChangeOut(Schema):
    at: datetime
    actor: str | None = None
    source: str
    source_ref: str
    action: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class HouseholdOut(Schema):
    id: int
    number: str
    head_name: str | None = None
    member_count: int = 0
    house: str | None = None
    grid_code: str | None = None

    @staticmethod
    def resolve_head_name(obj) -> str | None:
        return obj.head.name if obj.head_id else None

    @staticmethod
    def resolve_house(obj) -> str | None:
        return history.house_label(obj.house) if obj.house_id else None

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    legal_representative: str
    contact_phone_masked: str
    address: str
    building_code: str | None = None
    grid_code: str | None = None
    tags: list[str]

    @staticmethod
    def resolve_contact_phone_masked(obj) -> str:
        return mask_phone(obj.contact_phone)

    @staticmethod
    def resolve_building_code(obj) -> str | None:
        return obj.building.code if obj.building_id else None

    @staticmethod
    def resolve_grid_code(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class TagOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_sensitive: bool
