"""Tags (标签) managed by administrators."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import ValidationFailed

from .. import rules
from ..models import Tag


def _clean_tag(*, code: str, name: str, description: str, exclude_pk: int | None = None) -> dict[str, str]:
    errors = rules.FieldErrors()
    code = (code or "").strip().lower()
    if (
        not code
        or len(code) > 40
        or not code.replace("_", "").replace("-", "").isalnum()
        or not code.isascii()
    ):
        errors.add({"code": _("The code may contain only letters, digits, - and _ (at most 40).")})
    name = errors.check(rules.clean_name, name, max_length=40, missing=_("Enter the tag name.")) or ""
    description = (description or "").strip()
    if len(description) > 200:
        errors.add({"description": _("This text is too long.")})
    errors.raise_if_any()
    clash = Tag.objects.filter(code=code) | Tag.objects.filter(name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed({"name": _("A tag with this code or name already exists.")})
    return {"code": code, "name": name, "description": description}


@transaction.atomic
def create_tag(*, actor, code: str, name: str, description: str = "", is_sensitive: bool = False) -> Tag:
    """新建标签: a care tag for residents and organisations (独居老人, 残疾人, 低保户, 退役军人 …)."""
    require(actor, "people.manage_tags")
    tag = Tag(is_sensitive=is_sensitive, **_clean_tag(code=code, name=name, description=description))
    tag.save()
    record(
        actor=actor,
        action="people.create_tag",
        target=tag,
        data={"code": tag.code, "name": tag.name, "is_sensitive": is_sensitive},
    )
    return tag


@transaction.atomic
def update_tag(
    *,
    actor,
    tag: Tag,
    name: str | None = None,
    description: str | None = None,
    is_sensitive: bool | None = None,
    is_active: bool | None = None,
) -> Tag:
    """修改标签: rename, describe, mark sensitive, or retire a tag (retired tags stay on old records)."""
    require(actor, "people.manage_tags")
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    cleaned = _clean_tag(
        code=tag.code,
        name=tag.name if name is None else name,
        description=tag.description if description is None else description,
        exclude_pk=tag.pk,
    )
    wanted = {
        "name": cleaned["name"],
        "description": cleaned["description"],
        "is_sensitive": tag.is_sensitive if is_sensitive is None else is_sensitive,
        "is_active": tag.is_active if is_active is None else is_active,
    }
    delta = {k: {"old": getattr(tag, k), "new": v} for k, v in wanted.items() if getattr(tag, k) != v}
    if not delta:
        return tag
    for field, value in wanted.items():
        setattr(tag, field, value)
    tag.save()
    record(actor=actor, action="people.update_tag", target=tag, data={"changes": delta})
    return tag
