"""HTML + HTMX interface of the intelligence app: the administrator's classifier-model page (分类模型).

Thin: the page reads ``selectors.model_overview``; each button posts a plain form to one service
(activate, roll back, retrain now). Without JavaScript a post redirects back to the page with a message;
from htmx it returns the section of that kind with the message and an ``HX-Trigger: model-changed``.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.scoping import require
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.htmx import is_fragment_request
from gongzhi.core.views import page

from . import selectors, services
from .choices import LabelKind

MANAGE = "intelligence.manage_models"


def _kind(value: str) -> str:
    if value not in LabelKind.values:
        raise NotFound()
    return value


def _message(exc: DomainError) -> str:
    if exc.fields:
        return "；".join(
            str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])
        )
    return str(exc.message)


@page
@require_GET
def model_list(request):
    """分类模型: per kind, every version with its validation scores; activate, roll back, retrain."""
    require(request.user, MANAGE)
    return render(request, "intelligence/models.html", {"kinds": selectors.model_overview()})


def _done(request, kind: str, *, success: str = "", error: str = ""):
    if is_fragment_request(request):
        overview = next(o for o in selectors.model_overview() if o.kind == kind)
        context = {"k": overview, "success": success, "error": error}
        response = render(
            request, "intelligence/partials/_model_kind.html", context, status=422 if error else 200
        )
        if success:
            response["HX-Trigger"] = "model-changed"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("intelligence:models")


def _run(request, kind: str, call, success):
    try:
        result = call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _done(request, kind, error=_message(exc))
    return _done(request, kind, success=success(result))


@page
@require_POST
def model_activate(request, kind: str, version: int):
    """启用: use this version of the kind (the previous one stays available for rollback)."""
    require(request.user, MANAGE)
    row = selectors.get_classifier_model(kind=_kind(kind), version=version)
    return _run(
        request,
        kind,
        lambda: services.activate_model(actor=request.user, model=row),
        lambda done: (
            _("%(kind)s model version %(version)s is now in use.")
            % {"kind": done.get_kind_display(), "version": done.version}
        ),
    )


@page
@require_POST
def model_rollback(request, kind: str):
    """回退: go back to the version in use before the current one."""
    require(request.user, MANAGE)
    return _run(
        request,
        _kind(kind),
        lambda: services.rollback_model(actor=request.user, kind=kind),
        lambda done: (
            _("Rolled back: %(kind)s model version %(version)s is in use again.")
            % {"kind": done.get_kind_display(), "version": done.version}
        ),
    )


@page
@require_POST
def model_retrain(request, kind: str):
    """立即重训: queue a training on the platform's decided cases; too few labels are said at once."""
    require(request.user, MANAGE)
    return _run(
        request,
        _kind(kind),
        lambda: services.request_retraining(actor=request.user, kind=kind),
        lambda queued: (
            _(
                "Training on %(count)s decided cases has started. The new version will appear in the list in "
                "a few minutes; compare its scores, then activate it."
            )
            % {"count": queued.distinct}
        ),
    )
