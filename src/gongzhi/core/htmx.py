"""One URL, two renderings (STYLE.md §7): full page normally, only the fragment for non-boosted htmx."""

from __future__ import annotations

from django.shortcuts import render


def is_fragment_request(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_page_or_fragment(
    request, page: str, fragment: str, context: dict, *, status: int = 200, trigger: str | None = None
):
    template = fragment if is_fragment_request(request) else page
    response = render(request, template, context, status=status)
    if trigger:
        response["HX-Trigger"] = trigger
    return response
