"""Shared abstract models of the kernel: timestamps and region scoping (STYLE.md §4)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from . import lookups  # noqa: F401  (registers the ``prefix`` lookup)
from .scope import Scope


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def scope_q(
    scope: Scope,
    *,
    path_field: str = "region_path",
    department_fields: tuple[str, ...] = (),
    owner_field: str | None = None,
    model: type[models.Model] | None = None,
) -> Q:
    """The one translation of a ``Scope`` into a filter; every scoped queryset calls it.

    A department field may cross a reverse relation (``"assignments__department"``); it then becomes an
    ``EXISTS`` subquery so that rows are never duplicated.
    """
    if scope.is_global:
        return Q()
    parts: list[Q] = [Q(**{f"{path_field}__prefix": prefix}) for prefix in scope.region_paths]
    if scope.department_ids:
        ids = sorted(scope.department_ids)
        for field in department_fields:
            relation, _sep, rest = field.partition("__")
            if rest and model is not None:
                related = model._meta.get_field(relation)
                sub = related.related_model.objects.filter(
                    **{related.field.name: OuterRef("pk"), f"{rest}__in": ids}
                )
                parts.append(Q(Exists(sub)))
            else:
                parts.append(Q(**{f"{field}__in": ids}))
    if owner_field and scope.user_id:
        parts.append(Q(**{owner_field: scope.user_id}))
    if not parts:
        return Q(pk__in=[])
    return reduce(or_, parts)


class ScopedQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope) -> ScopedQuerySet:
        """Only the rows ``scope`` may see (region prefix, assigned department or ownership)."""
        model = self.model
        q = scope_q(
            scope,
            path_field=getattr(model, "scope_path_field", "region_path"),
            department_fields=tuple(getattr(model, "scope_department_fields", ())),
            owner_field=getattr(model, "scope_owner_field", None),
            model=model,
        )
        return self.filter(q)


class RegionScopedModel(models.Model):
    """A record bound to a place: ``region_path`` is copied from its grid by the service that sets it.

    Subclasses may declare ``scope_department_fields`` (records assigned to a department are visible to
    it) and ``scope_owner_field`` (records a user owns are visible to that user).
    """

    region_path = models.CharField(_("region path"), max_length=120, blank=True, default="", db_index=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_field = "region_path"
    scope_department_fields: tuple[str, ...] = ()
    scope_owner_field: str | None = None

    class Meta:
        abstract = True
