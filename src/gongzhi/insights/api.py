"""REST API of the insights app (/api/v1/insights): alerts, acknowledging and closing them, hotspots.

Thin: reads call selectors, writes call one service each.
"""

from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.scoping import require

from . import selectors, services
from .schemas import AlertActionIn, AlertDetailOut, AlertFilter, AlertOut, HotspotOut

PREFIX = "/insights"
router = Router(tags=["insights"])


def _detail(request, alert):
    """The alert with the cases behind it that the caller may see (attributes read by ``AlertDetailOut``)."""
    cases = list(selectors.alert_cases(user=request.user, alert=alert).values_list("pk", "number"))
    alert.case_ids = [pk for pk, _n in cases]
    alert.case_numbers = [n for _pk, n in cases]
    return alert


@router.get("/alerts", response=list[AlertOut])
@paginate(LimitOffsetPagination)
def list_alerts(request, filters: Query[AlertFilter]):
    """预警: the alerts of the caller's area, newest first (filter by kind and status)."""
    require(request.user, "insights.view_alerts")
    qs = selectors.alerts_visible_to(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/alerts/{alert_id}", response=AlertDetailOut)
def get_alert(request, alert_id: int):
    """One alert with the ids and numbers of the cases behind it that the caller may see."""
    return _detail(request, selectors.get_alert(user=request.user, pk=alert_id))


@router.post("/alerts/{alert_id}/actions/acknowledge", response=AlertDetailOut)
def acknowledge(request, alert_id: int, payload: AlertActionIn):
    alert = selectors.get_alert(user=request.user, pk=alert_id)
    services.acknowledge_alert(actor=request.user, alert=alert, note=payload.note)
    return _detail(request, selectors.get_alert(user=request.user, pk=alert_id))


@router.post("/alerts/{alert_id}/actions/close", response=AlertDetailOut)
def close(request, alert_id: int, payload: AlertActionIn):
    alert = selectors.get_alert(user=request.user, pk=alert_id)
    services.close_alert(actor=request.user, alert=alert, note=payload.note)
    return _detail(request, selectors.get_alert(user=request.user, pk=alert_id))


@router.get("/hotspots", response=list[HotspotOut])
def list_hotspots(request, days: int = Query(30, ge=1, le=90), limit: int = Query(50, ge=1, le=100)):
    """热点: hotspots over the caller's cases of the last ``days`` days, hottest first."""
    require(request.user, "insights.view_hotspots")
    rows = selectors.hotspots_for(request.user, days=days, limit=limit)
    return [
        {
            "key": r.key,
            "rank": r.rank,
            "heat": r.heat,
            "start": r.start,
            "end": r.end,
            "place": r.place,
            "summary": r.summary,
            "size": r.size,
            "reporters": r.reporters,
            "growth": r.growth,
            "cases": r.cases,
            "proactive_case_id": r.proactive.case_id if r.proactive else None,
        }
        for r in rows
    ]
