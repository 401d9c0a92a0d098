"""The ``Scope`` value: what part of the district a user may see (STYLE.md §4, region scoping).

Built once per request by ``accounts.scoping.scope_of(user)``; consumed by
``RegionScopedQuerySet.in_scope``. Holds no rules about roles — only the resolved reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """Resolved visibility of one user.

    ``region_paths``: path prefixes of the region nodes the user covers ("110105/110105001/").
    ``department_ids``: departments whose assigned records the user sees.
    ``user_id``: records the user owns (a resident's own cases) are always visible.
    ``is_global``: administrators and whole-platform auditors.
    """

    user_id: int | None = None
    region_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = field(default_factory=frozenset)
    is_global: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.is_global or self.region_paths or self.department_ids or self.user_id)

    def covers_path(self, path: str | None) -> bool:
        if self.is_global:
            return True
        if not path:
            return False
        return any(path.startswith(prefix) for prefix in self.region_paths)

    def covers_department(self, department_id: int | None) -> bool:
        return self.is_global or (department_id is not None and department_id in self.department_ids)


NOBODY = Scope()
EVERYTHING = Scope(is_global=True)
