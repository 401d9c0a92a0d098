"""Built-in roles and the permission registry.

Each app declares its permissions in ``<app>/permissions.py``::

    PERMISSIONS = {"people.view_resident": _("View residents"), ...}
    GRANTS = {"grid_worker": ["people.view_resident", ...], ...}

``sync_roles()`` (run after every ``migrate``) upserts the permissions and gives each built-in role
exactly the grants the code declares. Operators add their own roles for local variations.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .choices import ScopeKind

# code: (Chinese-translatable name, scope kind, sort order)
BUILTIN_ROLES: dict[str, tuple] = {
    "resident": (_("Resident"), ScopeKind.OWN, 10),
    "grid_worker": (_("Grid worker"), ScopeKind.REGION, 20),
    "community_worker": (_("Community worker"), ScopeKind.REGION, 30),
    "party_secretary": (_("Community party secretary"), ScopeKind.REGION, 40),
    "hotline_operator": (_("Hotline operator"), ScopeKind.REGION, 45),
    "street_dispatcher": (_("Street dispatcher"), ScopeKind.REGION, 50),
    "street_leader": (_("Street leader"), ScopeKind.REGION, 60),
    "department_handler": (_("Department handler"), ScopeKind.DEPARTMENT, 70),
    "department_head": (_("Department head"), ScopeKind.DEPARTMENT, 80),
    "supervisor": (_("Supervisor"), ScopeKind.REGION, 90),
    "party_member": (_("Party member"), ScopeKind.OWN, 100),
    "volunteer": (_("Volunteer"), ScopeKind.OWN, 110),
    "merchant": (_("Merchant"), ScopeKind.OWN, 120),
    "district_leader": (_("District leader"), ScopeKind.REGION, 130),
    "admin": (_("System administrator"), ScopeKind.GLOBAL, 140),
}


def declared_permissions() -> tuple[dict[str, str], dict[str, set[str]]]:
    """All ``PERMISSIONS`` and ``GRANTS`` of the installed Gongzhi apps."""
    permissions: dict[str, str] = {}
    grants: dict[str, set[str]] = {code: set() for code in BUILTIN_ROLES}
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        permissions.update({code: str(label) for code, label in module.PERMISSIONS.items()})
        for role, codes in getattr(module, "GRANTS", {}).items():
            grants.setdefault(role, set()).update(codes)
    grants["admin"] = set(permissions)
    for role, codes in grants.items():
        unknown = codes - set(permissions)
        if unknown:
            raise RuntimeError(f"role {role} is granted undeclared permissions {sorted(unknown)}")
    return permissions, grants


def sync_roles(using: str = "default") -> None:
    """Upsert declared permissions and built-in roles (idempotent)."""
    from .models import Permission, Role

    permissions, grants = declared_permissions()
    with transaction.atomic(using=using):
        existing = {p.code: p for p in Permission.objects.using(using).all()}
        for code, label in permissions.items():
            perm = existing.get(code)
            if perm is None:
                existing[code] = Permission.objects.using(using).create(code=code, label=label)
            elif perm.label != label:
                perm.label = label
                perm.save(using=using, update_fields=["label"])
        for code, (name, scope_kind, order) in BUILTIN_ROLES.items():
            role, _created = Role.objects.using(using).update_or_create(
                code=code,
                defaults={"name": str(name), "scope_kind": scope_kind, "builtin": True, "sort_order": order},
            )
            wanted = [existing[c] for c in sorted(grants.get(code, ()))]
            role.permissions.set(wanted)
