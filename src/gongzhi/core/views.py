"""Kernel views: home (role-aware landing page), health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from gongzhi.accounts.selectors import roles_of
from gongzhi.regions.selectors import region_roots_for


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
