"""Helpers shared by the party services: the acting member, placement checks, file cleaning (internal)."""

from __future__ import annotations

import uuid
from typing import Any

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


def _file_message(code: str) -> str:
    if code == "too_large":
        return _("The file is too large. Upload a file of at most 10 MB.")
    if code == "empty":
        return _("The file is empty.")
    if code == "broken":
        return _("The file is damaged and cannot be opened.")
    return _("Only JPEG, PNG or WebP photos and PDF files can be uploaded.")


def read_upload(upload: Any, *, limit: int = images.MAX_BYTES) -> tuple[bytes, str]:
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise images.FileRejected("too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    return data, name


def clean_files(uploads, *, field: str, photos_only: bool = False) -> list[tuple[images.CleanFile, str]]:
    """Check and clean uploads before anything is stored (images re-encoded without EXIF)."""
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed({field: _("Upload at most %(max)s files.") % {"max": MAX_FILES}})
    cleaned = []
    for upload in uploads:
        try:
            data, name = read_upload(upload)
            clean = images.clean_upload(data, filename=name)
        except images.FileRejected as exc:
            raise ValidationFailed({field: _file_message(exc.code)}, code=f"attachment.{exc.code}") from exc
        if photos_only and not clean.content_type.startswith("image/"):
            raise ValidationFailed({field: _("Only JPEG, PNG or WebP photos can be uploaded.")})
        cleaned.append((clean, name))
    return cleaned


def content_file(clean: images.CleanFile) -> tuple[str, ContentFile]:
    """A random storage name and the content to save (the original name never reaches the disk)."""
    return f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content)
