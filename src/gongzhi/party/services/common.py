"""Helpers shared by the party services: the acting member, placement checks, file cleaning (internal)."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import scope_of
from gongzhi.cases import images
from gongzhi.core.errors import PermissionDenied, ValidationFailed
from gongzhi.regions.choices import RegionLevel

from ..models import Member

#: Largest number of photos or attachments one call may add.
MAX_FILES = 9


def acting_member(actor) -> Member:
    """The active member record of the signed-in user (a member acting for themselves)."""
    member = (
        Member.objects.filter(user_id=getattr(actor, "pk", None), is_active=True)
        .select_related("organisation__region", "grid")
        .defer("organisation__region__boundary", "grid__boundary")
        .first()
    )
    if member is None:
        raise PermissionDenied(
            _("Your account is not linked to a party member. Ask your branch secretary to link it."),
            code="party.not_a_member",
        )
    return member


def require_placement(actor, path: str) -> None:
    """A write may only put a record inside the actor's scope (else ``PermissionDenied``)."""
    if not scope_of(actor).covers_path(path):
        raise PermissionDenied()


def require_level(region, level: str, field: str) -> None:
    if region is None or region.level != level:
        messages = {
            RegionLevel.COMMUNITY: _("Choose a community."),
            RegionLevel.GRID: _("Choose a grid."),
        }
        raise ValidationFailed({field: messages.get(level, _("Choose one of the allowed values."))})


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationFailed({field: _("This text is too long.")})
    return text


read_upload = images.read_upload


def clean_files(uploads, *, field: str, photos_only: bool = False) -> list[tuple[images.CleanFile, str]]:
    """Check and clean uploads before anything is stored (images re-encoded without EXIF)."""
    return images.clean_files(uploads, field=field, max_files=MAX_FILES, photos_only=photos_only)


def content_file(clean: images.CleanFile) -> tuple[str, ContentFile]:
    """A random storage name and the content to save (the original name never reaches the disk)."""
    return f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content)
