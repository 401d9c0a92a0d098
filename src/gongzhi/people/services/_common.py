"""Helpers shared by the people services."""

from __future__ import annotations

from gongzhi.accounts.scoping import scope_of
from gongzhi.core.errors import PermissionDenied

from .. import rules


def require_placement(actor, path: str) -> None:
    """A write may only put a record inside the actor's scope (else ``PermissionDenied``)."""
    if not rules.placement_allowed(scope_of(actor), path):
        raise PermissionDenied()
