"""受理入口: ``submit_case`` from every channel, readable case numbers, and attachments.

* **Case numbers** are ``GZ`` + the local date ``YYYYMMDD`` + a 4-digit daily sequence
  (``GZ202611210001``), counted in one ``CaseNumberSequence`` row per day. The number is drawn in a short
  transaction of its own before the case is stored (the row lock is held only that long, so concurrent
  intakes do not queue behind each other's whole transaction): never duplicated, never reused; a number
  whose case then fails to store is skipped.
* **Idempotency**: a retried create carries ``idempotency_key``; ``(channel, idempotency_key)`` is unique.
  A replay with the same payload returns the existing case (no second step, audit event or notice); the
  same key with a different payload (or from another account) is a ``Conflict``. When two requests race,
  the unique constraint decides and the loser returns the winner's case.
* **Location**: an explicit grid, else the grid under ``lon``/``lat``, else a best-effort match of the
  address text against region names and registered buildings (longest match wins), else place names in
  the title and description. ``region_path`` and ``street`` are copied from the place found. A place the
  registry does not know (未定位) files the case under ``intake_region``: the region its intake user works
  in (the smallest holding them all), else the deployment's single top region, so that it is in a
  dispatcher's queue and its reporter or operator can still open it; the submit step says
  ``place_unknown``.
* **Auto-dispatch**: when the duty list has a rule for the category at that place, the rule allows
  automatic dispatch and the category is certain (chosen by staff, not guessed by a resident), the system
  actor accepts and dispatches at once; otherwise the case waits in the street dispatcher's queue.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.scoping import has_perm, object_in_scope, require, scope_of
from gongzhi.accounts.services import system_actor
from gongzhi.audit.services import record
from gongzhi.core.crypto import blind_index
from gongzhi.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.core.validators import validate_mobile
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.models import Region
from gongzhi.regions.names import place_named_in, street_of
from gongzhi.regions.paths import common_ancestor_path

from .. import images
from ..choices import OPEN_STATUSES, AttachmentKind, CaseStatus, Channel, Urgency
from ..models import Attachment, Case, CaseNumberSequence, CaseStep, Category
from . import workflow
from .routing import automatic_category, case_received, find_duty_rule, find_place_in_text, reads_urgent

__all__ = [
    "CASE_NUMBER_PREFIX",
    "MAX_ATTACHMENTS",
    "add_attachment",
    "clean_uploads",
    "locate_place",
    "next_case_number",
    "store_attachments",
    "submit_case",
    "sweep_orphan_files",
]

CASE_NUMBER_PREFIX = "GZ"
MAX_ATTACHMENTS = 9
TITLE_MIN, TITLE_MAX = 2, 120
DESCRIPTION_MAX = 5000
MAX_TAGS, TAG_MAX = 10, 20


# =====================================================================================================
# Case numbers


def next_case_number(*, day: date | None = None) -> str:
    """下一个诉求编号: ``GZ`` + ``YYYYMMDD`` + the day's next 4-digit sequence (call inside a transaction)."""
    day = day or timezone.localdate()
    connection = connections[router.db_for_write(CaseNumberSequence)]
    quote = connection.ops.quote_name
    table = quote(CaseNumberSequence._meta.db_table)
    # One statement on both engines (SQLite ≥ 3.35, PostgreSQL): create the day's row or count it up.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('day')}, {quote('last')}) VALUES (%s, 1) "
            f"ON CONFLICT ({quote('day')}) DO UPDATE SET {quote('last')} = {table}.{quote('last')} + 1 "
            f"RETURNING {quote('last')}",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{CASE_NUMBER_PREFIX}{day:%Y%m%d}{last:04d}"


# =====================================================================================================
# Location


def locate_place(
    *, address: str = "", lon: float | None = None, lat: float | None = None, grid: Region | None = None
) -> tuple[Region | None, str, Region | None]:
    """定位: ``(grid or None, region_path, street or None)`` for a case's place (best effort)."""
    node = grid
    if node is None and lon is not None and lat is not None:
        from gongzhi.regions.locate import grid_at

        node = grid_at(lon=lon, lat=lat)
    if node is None and address:
        node, street = place_named_in(address)
    else:
        street = street_of(node)
    if node is None:
        return None, "", None
    return (node if node.level == RegionLevel.GRID else None), node.path, street


def intake_region(actor: User) -> Region | None:
    """Where a case goes whose place the registry does not know: the region its intake user works in (a
    grid worker's grid, a street dispatcher's street, a 12345 operator's district; for several, the
    smallest region holding them all), else the deployment's top region when there is only one
    (residents, API clients). None otherwise."""
    common = common_ancestor_path(scope_of(actor).region_paths)
    if common:
        return Region.objects.filter(path=common).first()
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


# =====================================================================================================
# Attachments


def clean_uploads(
    uploads: Iterable[Any], *, field: str = "attachments"
) -> list[tuple[images.CleanFile, str]]:
    """Read, check and clean a case's uploads before anything is stored (``images.clean_files``)."""
    return images.clean_files(uploads, field=field, max_files=MAX_ATTACHMENTS)


def store_attachments(
    *,
    actor: User,
    case: Case,
    files: Sequence[tuple[images.CleanFile, str]],
    kind: str,
    step: CaseStep | None = None,
) -> list[Attachment]:
    """Save cleaned files as ``Attachment`` rows (internal: callers check permission and audit)."""
    stored = []
    for clean, original_name in files:
        attachment = Attachment(
            case=case,
            step=step,
            kind=kind,
            original_name=original_name,
            content_type=clean.content_type,
            size=len(clean.content),
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


#: A file younger than this may belong to a transaction still in flight; the sweep leaves it alone.
ORPHAN_GRACE = timedelta(hours=6)
ATTACHMENT_DIR = "cases"


def _stored_files(storage, folder: str) -> Iterator[str]:
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _stored_files(storage, f"{folder}/{directory}")


def sweep_orphan_files(*, now: datetime | None = None, grace: timedelta = ORPHAN_GRACE) -> dict[str, int]:
    """清理孤儿附件: delete stored attachment files that no ``Attachment`` row refers to.

    Files are written before the transaction that records them commits; a submission that fails or
    rolls back after that (or a crash) leaves its files behind. Only files older than ``grace`` go, so a
    transaction still in flight never loses its photo. Rows are never touched; safe to run twice.
    """
    storage = Attachment._meta.get_field("file").storage
    cutoff = (now or timezone.now()) - grace
    seen = removed = 0
    if not storage.exists(ATTACHMENT_DIR):
        return {"seen": 0, "removed": 0}
    names = _stored_files(storage, ATTACHMENT_DIR)
    while batch := list(itertools.islice(names, 500)):
        seen += len(batch)
        known = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    if removed:
        record(actor=system_actor(), action="cases.sweep_orphan_files", data={"removed": removed})
    return {"seen": seen, "removed": removed}


@transaction.atomic
def add_attachment(
    *, actor: User, case: Case, upload: Any, kind: str, step: CaseStep | None = None
) -> Attachment:
    """上传附件: add a photo or PDF to an open case (images re-encoded without EXIF, at most 10 MB).

    The reporter and staff who may see the case and work on it (submit, dispatch or handle) may attach.
    """
    if not object_in_scope(scope_of(actor), case):
        raise PermissionDenied()
    is_reporter = case.reporter_user_id is not None and case.reporter_user_id == getattr(actor, "pk", None)
    if not is_reporter and not any(
        has_perm(actor, p) for p in ("cases.handle", "cases.dispatch", "cases.submit")
    ):
        raise PermissionDenied()
    if case.status not in OPEN_STATUSES:
        raise InvalidTransition(_("Files can only be added to an open case."), code="case.closed_for_files")
    if kind not in AttachmentKind.values:
        raise ValidationFailed({"kind": _("Choose a valid attachment kind.")})
    if step is not None and step.case_id != case.pk:
        raise ValidationFailed({"step": _("This step belongs to another case.")})
    (attachment,) = store_attachments(
        actor=actor, case=case, files=clean_uploads([upload], field="file"), kind=kind, step=step
    )
    record(
        actor=actor,
        action="cases.add_attachment",
        target=case,
        data={
            "attachment": attachment.pk,
            "kind": kind,
            "content_type": attachment.content_type,
            "size": attachment.size,
        },
    )
    return attachment


# =====================================================================================================
# Submitting


def _is_resident(actor: User) -> bool:
    return not (actor.is_staff or actor.is_superuser or getattr(actor, "is_system", False))


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("bool")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _idempotency_conflict() -> Conflict:
    return Conflict(
        _("This request key was already used for a different case."), code="case.idempotency_conflict"
    )


def _replay(existing: Case, digest: str) -> Case:
    if existing.request_digest != digest:
        raise _idempotency_conflict()
    return existing


#: Foreign keys ``submit_case`` fills from model instances it holds (``full_clean`` need not look them up).
#: ``number`` is taken only after the checks (a rejected submission must not use one up).
_LOADED_RELATIONS = ("category", "grid", "street", "reporter_user", "submitted_by", "duty_rule", "number")


def _existing(channel: str, key: str) -> Case | None:
    # The key != '' term repeats the unique index's condition: SQLite only uses a partial index when the
    # query states its condition (else it reads every case of the channel, 600,000 at 1,000,000 cases).
    return Case.objects.filter(channel=channel, idempotency_key=key).exclude(idempotency_key="").first()


def submit_case(
    *,
    actor: User,
    channel: str,
    title: str,
    description: str,
    category: Category | None = None,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    grid: Region | None = None,
    reporter_user: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    urgency: str = Urgency.NORMAL,
    tags: Iterable[str] = (),
    attachments: Iterable[Any] = (),
    idempotency_key: str = "",
    on_behalf_of: User | None = None,
) -> Case:
    """受理登记: record a resident's request from any channel (→ ``pending_accept``), then route it.

    A resident submits their own case (``reporter_user`` is the actor). Staff may enter a case for a
    resident account (``on_behalf_of``, 代办): the resident becomes the reporter and ``submitted_by`` the
    staff member, and the audit event names both. Otherwise the reporter is a name and phone, or nobody
    (``anonymous``). Invalid input raises ``ValidationFailed`` with every field error and stores nothing.
    A reporter entered by staff is told the case number (an SMS to a phone, a notice to an account), so
    that they can look it up later by the number and the last 4 digits of their phone.

    Checks and look-ups run first; everything is then stored in one transaction. The case number is
    taken just before it, in its own short transaction (unless the caller already holds one), so that
    concurrent intakes do not queue behind the day counter's row lock until each commits; a submission
    that fails after that leaves a gap in the day's numbers, never a reused number.
    """
    require(actor, "cases.submit")
    resident = _is_resident(actor)
    errors: dict[str, str] = {}

    # --- who reports ---------------------------------------------------------------------------------
    if resident:
        if on_behalf_of is not None or (reporter_user is not None and reporter_user.pk != actor.pk):
            raise PermissionDenied(
                _("Residents can only submit their own cases."), code="case.proxy_not_allowed"
            )
        reporter = actor
    else:
        if on_behalf_of is not None and reporter_user is not None and on_behalf_of.pk != reporter_user.pk:
            errors["on_behalf_of"] = _("Choose one resident to submit for.")
        reporter = on_behalf_of or reporter_user
    proxy = not resident and reporter is not None

    # --- field checks ---------------------------------------------------------------------------------
    if channel not in Channel.values:
        errors["channel"] = _("Choose a valid channel.")
    title = (title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = _("Enter a title of %(min)s to %(max)s characters.") % {
            "min": TITLE_MIN,
            "max": TITLE_MAX,
        }
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep it within %(limit)s characters.") % {"limit": DESCRIPTION_MAX}
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose a valid urgency.")
    if category is not None and not category.is_active:
        errors["category"] = _("This category is no longer in use. Choose another one.")
    if grid is not None and grid.level != RegionLevel.GRID:
        errors["grid"] = _("Choose a grid.")
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = _("Keep it within %(limit)s characters.") % {"limit": 200}
    try:
        lon, lat = _number(lon), _number(lat)
    except (TypeError, ValueError):
        errors["lat"] = _("The coordinates are out of range.")
        lon = lat = None
    if (lon is None) != (lat is None):
        errors["lat"] = _("Longitude and latitude must be given together.")
    elif lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        errors["lat"] = _("The coordinates are out of range.")
    clean_tags: list[str] = []
    for tag in tags or ():
        tag = str(tag).strip()
        if tag and tag not in clean_tags:
            clean_tags.append(tag)
    if len(clean_tags) > MAX_TAGS or any(len(tag) > TAG_MAX for tag in clean_tags):
        errors["tags"] = _("Use at most %(count)s tags of up to %(length)s characters.") % {
            "count": MAX_TAGS,
            "length": TAG_MAX,
        }
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        errors["idempotency_key"] = _("The request key is too long.")

    reporter_name = (reporter_name or "").strip()
    reporter_phone = (reporter_phone or "").strip()
    if anonymous:
        reporter_name = reporter_phone = ""
    else:
        if reporter is not None:
            reporter_name = reporter_name or reporter.display_name or ""
            reporter_phone = reporter_phone or reporter.phone or ""
        if len(reporter_name) > 60:
            errors["reporter_name"] = _("Keep it within %(limit)s characters.") % {"limit": 60}
        if reporter_phone:
            try:
                reporter_phone = validate_mobile(reporter_phone)
            except ValidationError as exc:
                errors["reporter_phone"] = exc.messages[0]
    if errors:
        raise ValidationFailed(errors)

    # --- replay? --------------------------------------------------------------------------------------
    uploads = list(attachments or ())
    phone_index = blind_index(reporter_phone, purpose="phone") if reporter_phone else ""
    digest = _digest(
        {
            "actor": actor.pk,
            "channel": channel,
            "title": title,
            "description": description,
            "category": category.pk if category else None,
            "address": address,
            "lon": lon,
            "lat": lat,
            "grid": grid.pk if grid else None,
            "reporter": reporter.pk if reporter else None,
            "reporter_name": reporter_name,
            "reporter_phone": phone_index,
            "anonymous": bool(anonymous),
            "confidential": bool(confidential),
            "urgency": urgency,
            "tags": clean_tags,
            "attachments": [[str(getattr(u, "name", "")), getattr(u, "size", None)] for u in uploads],
        }
    )
    if key:
        existing = _existing(channel, key)
        if existing is not None:
            return _replay(existing, digest)

    cleaned = clean_uploads(uploads)
    detected_urgent = urgency == Urgency.NORMAL and reads_urgent(title, description)
    if detected_urgent:
        urgency = Urgency.URGENT  # raised only: a flag a person set is never lowered
    place_grid, region_path, street = locate_place(address=address, lon=lon, lat=lat, grid=grid)
    place_from_text = not region_path and grid is None and lon is None
    if place_from_text:  # 地点识别: the names in the address, or in the request itself when there is none
        found = find_place_in_text(address or f"{title}。{description}")
        place_from_text = found is not None
        if found is not None:
            place_grid, region_path, street = locate_place(grid=found)
    place_unknown = not region_path
    if place_unknown:  # 未定位: filed where it came in, so that a dispatcher's queue holds it
        home = intake_region(actor)
        if home is not None:
            place_grid, region_path, street = locate_place(grid=home)
    now = timezone.now()
    case = Case(
        title=title,
        description=description,
        category=category,
        category_certain=category is not None and not resident,
        channel=channel,
        status=CaseStatus.PENDING_ACCEPT,
        urgency=urgency,
        tags=clean_tags,
        address=address,
        lon=lon,
        lat=lat,
        grid=place_grid,
        street=street,
        region_path=region_path,
        reporter_user=reporter,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_phone_index=phone_index,
        reporter_phone_tail=reporter_phone[-4:],
        anonymous=bool(anonymous),
        confidential=bool(confidential),
        submitted_by=actor,
        idempotency_key=key,
        request_digest=digest if key else "",
        duty_rule=find_duty_rule(category=category, region_path=region_path),
        received_at=now,
    )
    # 智能分类: a case nobody classified takes the classifier's category only above the model's threshold
    # validated for the target precision (then the duty list may dispatch it); below it a person decides.
    guessed = automatic_category(case)
    if guessed is not None:
        case.category, case.category_certain = guessed.category, True
        case.duty_rule = find_duty_rule(category=guessed.category, region_path=region_path)
    try:
        # the related rows were just loaded: no existence query per foreign key
        case.full_clean(exclude=_LOADED_RELATIONS, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed({k: v[0] for k, v in exc.message_dict.items()}) from exc
    with transaction.atomic():  # commits at once unless the caller holds a transaction
        case.number = next_case_number(day=timezone.localdate(now))
    try:
        with transaction.atomic():
            case.save(force_insert=True)
            data: dict[str, Any] = {
                "channel": channel,
                "category": category.pk if category else None,
                "grid": place_grid.pk if place_grid else None,
                "urgency": urgency,
                "anonymous": bool(anonymous),
                "reporter_user": reporter.pk if reporter else None,
                "submitted_by": actor.pk,
                "attachments": len(cleaned),
            }
            if guessed is not None:
                data["category"] = case.category_id
                data["auto_category"] = {"confidence": guessed.confidence, "source": guessed.source}
            if detected_urgent:
                data["urgency_detected"] = True
            if place_from_text:
                data["place_from_text"] = True
            if place_unknown:
                data["place_unknown"] = True
            if proxy:
                data["proxy"] = True
                data["on_behalf_of"] = reporter.pk
            step = workflow._step(case, action="submit", actor=actor, from_status="", at=now, data=data)
            store_attachments(actor=actor, case=case, files=cleaned, kind=AttachmentKind.REPORT, step=step)
            record(actor=actor, action="cases.submit", target=case, data=data)
            # 告知编号: a resident entered by staff (desk, hotline, 代办) needs the number to follow the case;
            # staff reporting what they found on patrol (their own phone) have it on screen
            if not resident and (reporter is not None or reporter_phone != (actor.phone or "")):
                workflow._tell_reporter(
                    case,
                    kind="case.received",
                    step=step,
                    message=_(
                        "Your request was registered as case %(number)s. Check its progress with this "
                        "number and the last 4 digits of your phone."
                    )
                    % {"number": case.number},
                )
            case_received(case)

            rule = case.duty_rule
            if (
                rule is not None
                and rule.auto_dispatch
                and case.category_certain
                and rule.lead_department.is_active
                and rule.lead_department.accepts_cases
            ):
                workflow.auto_dispatch_new_case(actor=system_actor(), case=case, rule=rule)
            return case
    except IntegrityError:  # a concurrent retry with the same key stored the case first
        winner = _existing(channel, key) if key else None
        if winner is None:
            raise
        return _replay(winner, digest)
