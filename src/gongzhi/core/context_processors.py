"""Template context: role-aware navigation collected from each app's ``navigation.py``.

An item's ``permission`` is one permission code or a tuple of codes that are all needed: the same
permissions the page it links to requires, so nobody is shown an entry that answers 403.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

_ITEMS: list[dict] | None = None


def _declared_items() -> list[dict]:
    global _ITEMS
    if _ITEMS is None:
        items: list[dict] = []
        for config in apps.get_app_configs():
            if not config.name.startswith("gongzhi."):
                continue
            try:
                module = import_module(f"{config.name}.navigation")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.navigation":
                    raise
                continue
            items.extend(module.ITEMS)
        _ITEMS = sorted(items, key=lambda item: item.get("order", 100))
    return _ITEMS


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "map_tile_url": settings.GONGZHI_MAP_TILE_URL}
    from gongzhi.accounts.scoping import permissions_of

    perms = permissions_of(user)
    items = []
    path = request.path
    for item in _declared_items():
        needed = item.get("permission") or ()
        if any(code not in perms for code in ((needed,) if isinstance(needed, str) else needed)):
            continue
        try:
            url = reverse(item["url"])
        except NoReverseMatch:
            continue
        items.append({"label": item["label"], "url": url, "active": False})
    # the longest matching URL is the current section
    matching = [i for i in items if i["url"] != "/" and path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "map_tile_url": settings.GONGZHI_MAP_TILE_URL}
