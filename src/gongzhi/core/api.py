"""The single NinjaAPI: auth (session or bearer token), error rendering, routers under /api/v1/<app>/."""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from .errors import DomainError, PermissionDenied

logger = logging.getLogger("gongzhi.api")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from gongzhi.accounts.services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Session cookie auth with CSRF protection for unsafe methods.

    The CSRF check guards a session, so it runs only when the request carries the session cookie: a
    client without one (an app whose bearer token expired or was mistyped) is simply not signed in and
    gets the 401 "please sign in", not a CSRF error. A failed check is a 403 with a Chinese message.
    """

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise PermissionDenied(
                _("The page has expired. Please refresh the page and try again."), code="csrf_failed"
            ) from exc

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="共治 Gongzhi API",
    version="1.0.0",
    description="共治 数字党建引领基层治理平台 REST API. Authenticate with a session cookie or "
    "`Authorization: Bearer <token>` (`gongzhi token create USERNAME`). Errors are "
    '`{"code", "message", "fields"}` with Chinese messages.',
    urls_namespace="api",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    docs_url="/docs",
)


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    body = exc.as_dict()
    return _error(request, exc.status, body["code"], body["message"], body["fields"])


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query", "path")]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(_schema_message(error))
    return _error(
        request,
        422,
        "validation_failed",
        _("Some fields are not valid. Please correct them and try again."),
        fields,
    )


def _schema_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("string_too_long"):
        return _("This text is too long.")
    if kind.startswith("string_too_short"):
        return _("This text is too short.")
    if kind in {"int_parsing", "float_parsing", "int_type", "float_type"}:
        return _("Enter a number.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    if kind.startswith("datetime") or kind.startswith("date"):
        return _("Enter a valid date and time.")
    return _("This value is not valid.")


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "not_authenticated", _("Please sign in first."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


def mount_routers() -> None:
    """Mount each app's router under /api/v1/<app>/ (called once from urls.py)."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi.") or config.label == "core":
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        prefix = getattr(module, "PREFIX", f"/{config.label}/")
        api.add_router(prefix, module.router)
        for extra_prefix, extra_router in getattr(module, "EXTRA_ROUTERS", ()):
            api.add_router(extra_prefix, extra_router)


mount_routers()
