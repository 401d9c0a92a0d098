"""Organisations: enterprises, social organisations, resident units (驻地单位) and merchants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.core.errors import Conflict
from gongzhi.regions.services import grid_fields_for

from .. import history, rules
from ..choices import ChangeSource, OrganisationKind
from ..models import Organisation
from ._common import require_placement as _require_placement

ORGANISATION_EDITABLE: Final = frozenset(
    {
        "name",
        "kind",
        "credit_code",
        "legal_representative",
        "contact_phone",
        "address",
        "building",
        "grid",
        "lon",
        "lat",
        "employees",
    }
)


def _clean_organisation(values: Mapping[str, Any]) -> dict[str, Any]:
    errors = rules.FieldErrors()
    cleaned = {
        "name": errors.check(
            rules.clean_name, values.get("name"), max_length=120, missing=_("Enter the organisation's name.")
        ),
        "kind": errors.check(rules.clean_choice, values.get("kind") or "", OrganisationKind, field="kind"),
        "credit_code": errors.check(rules.clean_credit_code, values.get("credit_code")) or "",
        "legal_representative": " ".join((values.get("legal_representative") or "").split())[:60],
        "contact_phone": errors.check(rules.clean_contact_phone, values.get("contact_phone")) or "",
        "address": (values.get("address") or "").strip()[:200],
        "lon": values.get("lon"),
        "lat": values.get("lat"),
        "employees": values.get("employees"),
        "building": values.get("building"),
    }
    grid = values.get("grid")
    if grid is None and values.get("building") is None:
        grid, _path = grid_fields_for(lon=values.get("lon"), lat=values.get("lat"))
    placement = errors.check(rules.resolve_placement, grid=grid, building=values.get("building"))
    errors.raise_if_any()
    cleaned["grid"], cleaned["region_path"] = placement
    return cleaned


def _duplicate_credit_code() -> Conflict:
    message = _("An organisation with this unified social credit code is already registered.")
    return Conflict(message, code="people.duplicate_credit_code", fields={"credit_code": [message]})


@transaction.atomic
def create_organisation(
    *,
    actor,
    name: str,
    kind: str,
    credit_code: str = "",
    legal_representative: str = "",
    contact_phone: str = "",
    address: str = "",
    building=None,
    grid=None,
    lon: float | None = None,
    lat: float | None = None,
    employees: int | None = None,
    source: str = ChangeSource.MANUAL,
    source_ref: str = "",
) -> Organisation:
    """登记组织: an enterprise, social organisation, resident unit (驻地单位) or merchant in a grid.

    The grid comes from the building, the given grid, or the point (lon/lat). The unified social credit
    code, when given, is checked and must be unique.
    """
    require(actor, "people.manage_organisation")
    values = _clean_organisation(
        {
            "name": name,
            "kind": kind,
            "credit_code": credit_code,
            "legal_representative": legal_representative,
            "contact_phone": contact_phone,
            "address": address,
            "building": building,
            "grid": grid,
            "lon": lon,
            "lat": lat,
            "employees": employees,
        }
    )
    _require_placement(actor, values["region_path"])
    if values["credit_code"] and Organisation.objects.filter(credit_code=values["credit_code"]).exists():
        raise _duplicate_credit_code()
    organisation = Organisation(source=source, **values)
    organisation.full_clean(exclude=["contact_phone"])
    try:
        with transaction.atomic():
            organisation.save(force_insert=True)
    except IntegrityError:
        raise _duplicate_credit_code() from None
    changes = history.diff({}, history.organisation_snapshot(organisation))
    history.log_change(
        actor=actor,
        target_type=history.ORGANISATION,
        target_id=organisation.pk,
        action="create",
        changes=changes,
        source=source,
        source_ref=source_ref,
    )
    record(
        actor=actor,
        action="people.create_organisation",
        target=organisation,
        data={"grid": values["grid"].code, "kind": values["kind"]},
    )
    return organisation


@transaction.atomic
def update_organisation(
    *,
    actor,
    organisation: Organisation,
    changes: Mapping[str, Any],
    source: str = ChangeSource.MANUAL,
    source_ref: str = "",
) -> Organisation:
    """修改组织信息: change some fields; the history keeps old and new values (phone as "changed")."""
    unknown = set(changes) - ORGANISATION_EDITABLE
    if unknown:
        raise ValueError(f"update_organisation cannot change {sorted(unknown)}")
    require(actor, "people.manage_organisation", organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = history.organisation_snapshot(organisation)
    current = {field: getattr(organisation, field) for field in ORGANISATION_EDITABLE}
    if "building" in changes and "grid" not in changes:
        current["grid"] = None
    values = _clean_organisation({**current, **changes})
    _require_placement(actor, values["region_path"])
    code = values["credit_code"]
    if code and Organisation.objects.filter(credit_code=code).exclude(pk=organisation.pk).exists():
        raise _duplicate_credit_code()
    for field, value in values.items():
        setattr(organisation, field, value)
    delta = history.diff(before, history.organisation_snapshot(organisation))
    if not delta:
        return organisation
    organisation.save()
    history.log_change(
        actor=actor,
        target_type=history.ORGANISATION,
        target_id=organisation.pk,
        action="update",
        changes=delta,
        source=source,
        source_ref=source_ref,
    )
    record(actor=actor, action="people.update_organisation", target=organisation, data={"changes": delta})
    return organisation


@transaction.atomic
def reveal_organisation_phone(*, actor, organisation: Organisation) -> str:
    """显示完整联系电话: the plaintext contact phone of an organisation; audited."""
    require(actor, "people.reveal_pii", organisation)
    record(
        actor=actor,
        action="people.reveal_contact_phone",
        target=organisation,
        data={"field": "contact_phone"},
    )
    return organisation.contact_phone or ""
