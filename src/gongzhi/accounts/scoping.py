"""The one scoping mechanism (STYLE.md §4): ``scope_of(user)`` and ``require(actor, permission, obj)``."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Model

from gongzhi.core.errors import PermissionDenied
from gongzhi.core.scope import NOBODY, Scope

from .choices import ScopeKind

_SCOPE_ATTR = "_gongzhi_scope"
_PERMS_ATTR = "_gongzhi_permissions"


def _assignments(user) -> list:
    if getattr(user, "is_system", False):
        return []  # the system account holds no roles (``assign_role`` refuses it)
    cached = getattr(user, "_gongzhi_assignments", None)
    if cached is None:
        cached = list(user.assignments.select_related("role", "region", "department").order_by("pk"))
        user._gongzhi_assignments = cached
    return cached


def scope_of(user) -> Scope:
    """Frozen ``Scope`` of ``user``, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, _SCOPE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser or user.is_system:
        scope = Scope(user_id=user.pk, is_global=True)
    else:
        paths: set[str] = set()
        departments: set[int] = set()
        is_global = False
        for a in _assignments(user):
            if a.role.scope_kind == ScopeKind.GLOBAL:
                is_global = True
            if a.region_id is not None and a.role.scope_kind != ScopeKind.OWN:
                paths.add(a.region.path)
            if a.department_id is not None and a.role.scope_kind != ScopeKind.OWN:
                departments.add(a.department_id)
        # A wider path makes narrower ones redundant.
        reduced = tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))
        scope = Scope(
            user_id=user.pk, region_paths=reduced, department_ids=frozenset(departments), is_global=is_global
        )
    setattr(user, _SCOPE_ATTR, scope)
    return scope


def permissions_of(user) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _PERMS_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser or user.is_system:
        perms = _every_permission()
    else:
        from .models import Permission

        role_ids = {a.role_id for a in _assignments(user)}
        perms = frozenset(
            Permission.objects.filter(roles__in=role_ids).values_list("code", flat=True).distinct()
        )
    setattr(user, _PERMS_ATTR, perms)
    return perms


@functools.cache
def _every_permission() -> frozenset[str]:
    """Every permission the installed apps declare (what ``sync_roles`` stores; no query needed)."""
    from .roles import declared_permissions

    return frozenset(declared_permissions()[0])


def has_perm(user, permission: str) -> bool:
    return permission in permissions_of(user)


def forget(user) -> None:
    """Drop cached scope and permissions (after role changes)."""
    for attr in (_SCOPE_ATTR, _PERMS_ATTR, "_gongzhi_assignments"):
        if hasattr(user, attr):
            delattr(user, attr)


def object_in_scope(scope: Scope, obj: Any) -> bool:
    """Is ``obj`` visible under ``scope``? Saved scoped rows are checked with the same query selectors use."""
    if scope.is_global:
        return True
    if isinstance(obj, Model) and hasattr(type(obj).objects, "in_scope"):
        if obj.pk is not None:
            return type(obj).objects.in_scope(scope).filter(pk=obj.pk).exists()
        owner_field = getattr(type(obj), "scope_owner_field", None)
        if owner_field and scope.user_id and getattr(obj, f"{owner_field}_id", None) == scope.user_id:
            return True
        if any(
            scope.covers_department(getattr(obj, f"{f}_id", None))
            for f in getattr(type(obj), "scope_department_fields", ())
        ):
            return True
        return scope.covers_path(getattr(obj, "region_path", ""))
    path = getattr(obj, "path", None)  # a Region node itself
    if path is not None:
        return scope.covers_path(path) or any(p.startswith(path) for p in scope.region_paths)
    return False


def require(actor, permission: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``permission`` (over ``obj`` when given)."""
    if not has_perm(actor, permission):
        raise PermissionDenied()
    if obj is not None and not object_in_scope(scope_of(actor), obj):
        raise PermissionDenied()
