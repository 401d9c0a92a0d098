"""REST: party organisations, members, dual registration, activities, points, wishes, the dashboard.

Thin: reads call selectors, writes call one service each. Workflow commands are verb sub-paths under
``actions/``. Phones and ID numbers leave only masked; ``reveal`` is audited.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.regions.selectors import get_region

from . import selectors, services
from .schemas import (
    ActivityIn,
    ActivityOut,
    CaseHelpIn,
    CaseHelpOut,
    CheckInIn,
    DashboardOut,
    DecisionIn,
    MemberIn,
    MemberOut,
    MemberPatch,
    OrganisationOut,
    ParticipationOut,
    PointsEntryOut,
    RankOut,
    RegistrationIn,
    RegistrationOut,
    RevealIn,
    RevealOut,
    TransferIn,
    WishActionIn,
    WishIn,
    WishOut,
)

router = Router(tags=["party"])


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or timezone.localdate()
    start = start or end - timedelta(days=89)
    if start > end:
        raise ValidationFailed({"start": _("The start date cannot be after the end date.")})
    return start, end


def _grid(user, code: str):
    if not code:
        return None
    try:
        return get_region(user=user, code=code)
    except NotFound as exc:
        raise ValidationFailed({"grid_code": exc.message}) from None


# --- organisations and members ---------------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut])
@paginate(LimitOffsetPagination)
def list_organisations(request):
    """党组织 of the caller's area, in tree order."""
    return selectors.organisations_visible_to(request.user)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request, organisation_id: int):
    return selectors.get_organisation(user=request.user, pk=organisation_id)


@router.get("/members", response=list[MemberOut])
@paginate(LimitOffsetPagination)
def list_members(
    request, q: str = "", organisation: str = "", status: str = "", kind: str = "", grid: str = ""
):
    """党员名册. ``q`` matches the name, or a whole ID/mobile number exactly (through its blind index)."""
    filters = selectors.MemberFilter.from_mapping(
        {"q": q, "organisation": organisation, "status": status, "kind": kind, "grid": grid}
    )
    return selectors.members_visible_to(request.user, filters)


@router.post("/members", response={201: MemberOut})
def create_member(request, payload: MemberIn):
    """登记党员. The same ID number with the same data again returns the registered member."""
    organisation = selectors.get_organisation_by_code(user=request.user, code=payload.organisation_code)
    member = services.create_member(
        actor=request.user,
        organisation=organisation,
        grid=_grid(request.user, payload.grid_code),
        **payload.dict(exclude={"organisation_code", "grid_code"}),
    )
    return Status(201, selectors.get_member(user=request.user, pk=member.pk))


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    return selectors.get_member(user=request.user, pk=member_id)


@router.patch("/members/{member_id}", response=MemberOut)
def update_member(request, member_id: int, payload: MemberPatch):
    member = selectors.get_member(user=request.user, pk=member_id)
    changes = {
        k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k.endswith("_on")
    }
    services.update_member(actor=request.user, member=member, changes=changes)
    return selectors.get_member(user=request.user, pk=member.pk)


@router.post("/members/{member_id}/actions/transfer", response=MemberOut)
def transfer_member(request, member_id: int, payload: TransferIn):
    """组织关系转接 to another organisation (it may lie outside the caller's area)."""
    member = selectors.get_member(user=request.user, pk=member_id)
    target = selectors.get_organisation_by_code(user=request.user, code=payload.to_organisation_code)
    member = services.transfer_member(
        actor=request.user, member=member, to_organisation=target, reason=payload.reason
    )
    return member


@router.post("/members/{member_id}/reveal", response=RevealOut)
def reveal_member(request, member_id: int, payload: RevealIn):
    """显示完整号码: needs the unmask permission; every call is audited."""
    member = selectors.get_member(user=request.user, pk=member_id)
    value = services.reveal_member_pii(actor=request.user, member=member, field=payload.field)
    return {"field": payload.field, "value": value}


@router.get("/me", response=MemberOut)
def my_member(request):
    """The caller's own member record."""
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound()
    return member


@router.get("/me/points", response=list[PointsEntryOut])
@paginate(LimitOffsetPagination)
def my_points(request):
    """积分明细 of the caller, each entry with its rule and source event."""
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound()
    return selectors.member_ledger(member)


# --- dual registration -----------------------------------------------------------------------------------


@router.get("/registrations", response=list[RegistrationOut])
@paginate(LimitOffsetPagination)
def list_registrations(request, status: str = ""):
    return selectors.registrations_visible_to(request.user, status=status)


@router.post("/registrations", response={201: RegistrationOut})
def register(request, payload: RegistrationIn):
    """双报到 of the caller (an in-service member); a pending or approved one is returned unchanged."""
    community = selectors.get_community(code=payload.community_code)
    registration = services.register_at_community(
        actor=request.user, community=community, offer=payload.offer
    )
    return Status(201, registration)


@router.post("/registrations/{registration_id}/actions/approve", response=RegistrationOut)
def approve_registration(request, registration_id: int, payload: DecisionIn):
    registration = selectors.get_registration(user=request.user, pk=registration_id)
    return services.approve_registration(actor=request.user, registration=registration, note=payload.note)


@router.post("/registrations/{registration_id}/actions/reject", response=RegistrationOut)
def reject_registration(request, registration_id: int, payload: DecisionIn):
    registration = selectors.get_registration(user=request.user, pk=registration_id)
    return services.reject_registration(actor=request.user, registration=registration, note=payload.note)


# --- activities and points --------------------------------------------------------------------------------


@router.get("/activities", response=list[ActivityOut])
@paginate(LimitOffsetPagination)
def list_activities(request, start: date | None = None, end: date | None = None, kind: str = ""):
    """组织生活 of the caller's area (newest first); ``start``/``end`` filter by start day."""
    if start or end:
        start, end = _period(start, end)
    return selectors.activities_visible_to(request.user, start=start, end=end, kind=kind)


@router.post("/activities", response={201: ActivityOut})
def create_activity(request, payload: ActivityIn):
    organisation = selectors.get_organisation_by_code(user=request.user, code=payload.organisation_code)
    activity = services.create_activity(
        actor=request.user, organisation=organisation, **payload.dict(exclude={"organisation_code"})
    )
    return Status(201, selectors.get_activity(user=request.user, pk=activity.pk))


@router.get("/me/activities", response=list[ActivityOut])
@paginate(LimitOffsetPagination)
def my_activities(request):
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound()
    return selectors.activities_for_member(member)


@router.post("/me/activities/{activity_id}/actions/sign-up", response=ParticipationOut)
def sign_up(request, activity_id: int):
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound()
    activity = selectors.get_member_activity(member=member, pk=activity_id)
    return services.sign_up(actor=request.user, activity=activity)


@router.post("/me/activities/{activity_id}/actions/check-in", response=ParticipationOut)
def check_in(request, activity_id: int, payload: CheckInIn):
    """签到 with the venue's code; attending scores points once."""
    member = selectors.get_my_member(request.user)
    if member is None:
        raise NotFound()
    activity = selectors.get_member_activity(member=member, pk=activity_id)
    return services.check_in(actor=request.user, activity=activity, code=payload.code)


@router.get("/points/ranking", response=list[RankOut])
def ranking(
    request,
    organisation: str = "",
    start: date | None = None,
    end: date | None = None,
    limit: int = Query(20, le=100),
):
    """积分排行 of the caller's area, or of one organisation and everything under it, in a period."""
    target = (
        selectors.get_organisation_by_code(user=request.user, code=organisation) if organisation else None
    )
    start, end = _period(start, end)
    return selectors.points_ranking(request.user, organisation=target, start=start, end=end, limit=limit)


# --- wishes ------------------------------------------------------------------------------------------


@router.get("/wishes", response=list[WishOut])
@paginate(LimitOffsetPagination)
def list_wishes(request, status: str = ""):
    """微心愿 of the caller's area (staff) or the caller's own (a resident)."""
    return selectors.wishes_visible_to(request.user, status=status)


@router.post("/wishes", response={201: WishOut})
def post_wish(request, payload: WishIn):
    """许愿. Send an ``Idempotency-Key`` header: a retry returns the first wish."""
    community = selectors.get_community(code=payload.community_code)
    wish = services.post_wish(
        actor=request.user,
        community=community,
        title=payload.title,
        description=payload.description,
        category=payload.category,
        wisher_name=payload.wisher_name,
        wisher_phone=payload.wisher_phone,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, wish)


@router.get("/wishes/{wish_id}", response=WishOut)
def get_wish(request, wish_id: int):
    return selectors.get_wish(user=request.user, pk=wish_id)


_WISH_ACTIONS = ("review", "claim", "release", "fulfil", "confirm", "dispute", "cancel")


def _wish_for(request, wish_id: int, action: str, *, for_unit: bool):
    """A member acting for themselves sees only the wishes open to them (others: 404)."""
    member = selectors.get_my_member(request.user)
    if action in ("claim", "release", "fulfil") and member is not None and not for_unit:
        return selectors.get_wish_for_member(member=member, pk=wish_id)
    return selectors.get_wish(user=request.user, pk=wish_id)


@router.post("/wishes/{wish_id}/actions/{action}", response=WishOut)
def wish_action(request, wish_id: int, action: str, payload: WishActionIn):
    """One command on a wish: review (``approve``), claim (as a member, or for ``unit_code``), release,
    fulfil, confirm, dispute, cancel. Moves not allowed in the current status answer 409."""
    if action not in _WISH_ACTIONS:
        raise NotFound()
    wish = _wish_for(request, wish_id, action, for_unit=bool(payload.unit_code))
    user, note = request.user, payload.note
    if action == "review":
        return services.review_wish(actor=user, wish=wish, approve=payload.approve, note=note)
    if action == "claim":
        unit = (
            selectors.get_organisation_by_code(user=user, code=payload.unit_code)
            if payload.unit_code
            else None
        )
        return services.claim_wish(actor=user, wish=wish, unit=unit)
    if action == "release":
        return services.release_wish(actor=user, wish=wish, reason=note)
    if action == "fulfil":
        return services.fulfil_wish(actor=user, wish=wish, evidence=note)
    if action == "confirm":
        return services.confirm_wish(actor=user, wish=wish, feedback=note)
    if action == "dispute":
        return services.dispute_wish(actor=user, wish=wish, feedback=note)
    return services.cancel_wish(actor=user, wish=wish, reason=note)


@router.get("/wall", response=list[WishOut], auth=None)
def wish_wall(request, community: str = ""):
    """心愿墙 (public): wishes that came true; names masked, no contact data."""
    return list(selectors.wish_wall(community=selectors.get_wall_community(community)))


# --- numbers and cases -------------------------------------------------------------------------------


@router.get("/dashboard", response=DashboardOut)
def dashboard(request, start: date | None = None, end: date | None = None):
    """书记驾驶舱 numbers of the caller's area (formulas in docs/party.md)."""
    start, end = _period(start, end)
    board = selectors.dashboard(request.user, start=start, end=end)
    return {
        **{k: getattr(board, k) for k in DashboardOut.model_fields if hasattr(board, k) and k != "coverage"},
        "coverage": {
            "total": board.coverage.total,
            "covered": board.coverage.covered,
            "rate": board.coverage.rate,
            "grids": board.coverage.grids,
        },
    }


@router.post("/cases/{case_id}/help", response={201: CaseHelpOut})
def assign_case_help(request, case_id: int, payload: CaseHelpIn):
    """派党员协助: a branch asks a member of its area to help with a case of its area."""
    from gongzhi.cases.selectors import get_case

    case = get_case(user=request.user, pk=case_id)
    member = selectors.get_member(user=request.user, pk=payload.member_id)
    return Status(
        201, services.assign_case_help(actor=request.user, case=case, member=member, note=payload.note)
    )
