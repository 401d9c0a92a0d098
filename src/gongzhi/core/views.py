"""Kernel views: home (role-aware landing page), health check, error pages; the page decorators."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from gongzhi.accounts.selectors import roles_of
from gongzhi.core.errors import DomainError
from gongzhi.regions.selectors import region_roots_for


def domain_error_pages(view):
    """Render a ``DomainError`` escaping a page as the 404 or 403 page; any other error propagates.

    Missing and out-of-scope records give the same 404, so a page never tells that a hidden row exists.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status not in (403, 404):
                raise
            template = "404.html" if exc.status == 404 else "403.html"
            return render(request, template, {"message": exc.message}, status=exc.status)

    return wrapped


def page(view):
    """A signed-in page: login required, domain errors as 404/403 pages."""
    return login_required(domain_error_pages(view))


@login_required
def home(request):
    return render(
        request, "core/home.html", {"roles": roles_of(request.user), "roots": region_roots_for(request.user)}
    )


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def server_error(request):
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)
