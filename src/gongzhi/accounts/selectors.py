"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.core.models import scope_q

from .models import Department, Role, RoleAssignment, User
from .scoping import require, scope_of


def departments_for_dispatch() -> QuerySet[Department]:
    """Departments that take cases (not scoped: every dispatcher may choose any of them)."""
    return (
        Department.objects.filter(is_active=True, accepts_cases=True)
        .select_related("region")
        .order_by("code")
    )


def get_department(*, pk: int) -> Department:
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise NotFound(_("The department does not exist."))
    return department


def roles_of(user: User) -> list[Role]:
    return [a.role for a in user.assignments.select_related("role").order_by("role__sort_order")]


def users_visible_to(user: User) -> QuerySet[User]:
    """Staff accounts whose role scope lies inside the viewer's scope."""
    require(user, "accounts.view_users")
    scope = scope_of(user)
    qs = User.objects.filter(is_system=False)
    if not scope.is_global:
        inside = scope_q(scope, path_field="region__path", department_fields=("department",))
        qs = qs.filter(pk__in=RoleAssignment.objects.filter(inside).values("user_id"))
    return qs.order_by("username")


def get_user_by_username(username: str) -> User:
    user = User.objects.filter(username=username, is_system=False).first()
    if user is None:
        raise NotFound(_("No user has this username."))
    return user


def get_department_by_code(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise NotFound(_("The department does not exist."))
    return department
