"""Accounts: users, departments, roles as data with named permissions, role assignments with scopes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField

from .choices import DepartmentKind, ScopeKind


class Department(models.Model):
    """承办单位: a department (条) or territorial office (块) that cases are dispatched to."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(
        _("kind"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.DISTRICT_DEPARTMENT
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
    )
    accepts_cases = models.BooleanField(_("accepts cases"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Permission(models.Model):
    """A named permission (``people.view_resident``) declared by an app's ``permissions.py``."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Role(models.Model):
    """A role as data (网格员, 街道派单员 …): a set of permissions and the kind of scope it needs."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    scope_kind = models.CharField(
        _("scope kind"), max_length=30, choices=ScopeKind.choices, default=ScopeKind.REGION
    )
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="roles"
    )
    builtin = models.BooleanField(_("built in"), default=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login: staff member or resident. Phone encrypted at rest, found by its blind index."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("mobile phone"), aad="accounts.User.phone", blank=True, default="")
    phone_index = models.CharField(
        _("phone blind index"), max_length=64, blank=True, default="", db_index=True
    )
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    elderly_mode = models.BooleanField(_("elderly-friendly mode"), default=False)
    is_system = models.BooleanField(_("system account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"], condition=~Q(phone_index=""), name="uniq_user_phone_index"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A user holds a role within a scope: a region node and/or a department."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "department"], name="uniq_role_assignment"
            ),
        ]

    def __str__(self) -> str:
        where = self.region or self.department or ""
        return f"{self.role} {where}".strip()


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
