"""REST API of the intelligence app (/api/v1/intelligence): classifier versions for administrators.

Thin: reads call selectors, writes call one service each; every operation needs
``intelligence.manage_models`` (the services check it again for writes).
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.scoping import require

from . import selectors, services
from .schemas import ClassifierModelOut, KindValue, ModelFilter, ModelKindOut, RetrainOut

PREFIX = "/intelligence"
router = Router(tags=["intelligence"])
MANAGE = "intelligence.manage_models"


def _kind_out(overview: selectors.KindOverview) -> dict:
    return {
        "kind": overview.kind,
        "kind_label": overview.label,
        "active_version": overview.active.version if overview.active else None,
        "previous_version": overview.previous.version if overview.previous else None,
        "versions": len(overview.versions),
        "labels_since_active": overview.labels_since_active,
        "corrections_since_active": overview.corrections_since_active,
    }


@router.get("/models", response=list[ClassifierModelOut], url_name="intelligence_models")
@paginate(LimitOffsetPagination)
def list_models(request, filters: Query[ModelFilter]):
    """分类模型版本: every version, by kind and newest first; ``is_active`` marks the one in use."""
    require(request.user, MANAGE)
    return selectors.classifier_models(kind=filters.kind)


@router.get("/models/{kind}", response=ModelKindOut, url_name="intelligence_model_kind")
def model_kind(request, kind: KindValue):
    """The active version of a kind, the version a rollback returns to, and labels recorded since."""
    require(request.user, MANAGE)
    return _kind_out(next(o for o in selectors.model_overview() if o.kind == kind))


@router.post(
    "/models/{kind}/versions/{version}/actions/activate",
    response=ClassifierModelOut,
    url_name="intelligence_model_activate",
)
def activate(request, kind: KindValue, version: int):
    """启用: use this version of ``kind`` (version numbers count per kind)."""
    require(request.user, MANAGE)
    row = selectors.get_classifier_model(kind=kind, version=version)
    return services.activate_model(actor=request.user, model=row)


@router.post("/models/{kind}/actions/rollback", response=ClassifierModelOut, url_name="intelligence_rollback")
def rollback(request, kind: KindValue):
    """回退: go back to the version of ``kind`` that was in use before the current one."""
    return services.rollback_model(actor=request.user, kind=kind)


@router.post("/models/{kind}/actions/retrain", response={202: RetrainOut}, url_name="intelligence_retrain")
def retrain(request, kind: KindValue):
    """立即重训: queue the training of a new version on the platform's decided cases (not activated)."""
    queued = services.request_retraining(actor=request.user, kind=kind)
    return Status(
        202,
        {
            "kind": queued.kind,
            "examples": queued.examples,
            "distinct": queued.distinct,
            "requested_at": queued.requested_at,
            "message": _("Training has started. The new version will appear in the list in a few minutes."),
        },
    )
