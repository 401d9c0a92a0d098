"""Writes for accounts: sign-in with lockout, users, role assignments, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import record
from gongzhi.core.crypto import blind_index
from gongzhi.core.errors import PermissionDenied, ValidationFailed
from gongzhi.core.validators import validate_mobile

from .backends import find_login
from .models import ApiToken, Department, Role, RoleAssignment, User
from .scoping import forget, require, scope_of

SYSTEM_USERNAME = "system"


def system_actor() -> User:
    """The account background jobs, imports and commands act as (never signs in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create(
                    username=SYSTEM_USERNAME, display_name="系统", is_system=True, is_active=True
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
        except IntegrityError:
            user = User.objects.get(username=SYSTEM_USERNAME)
    return user


class LoginLocked(PermissionDenied):
    default_code = "login.locked"


def authenticate_user(*, request, identifier: str, password: str) -> User:
    """登录: username or phone + password; locks the account after repeated failures.

    Failures are counted and audited in their own committed transaction, so raising afterwards does
    not roll the count back.
    """
    now = timezone.now()
    candidate = find_login(identifier)
    if candidate is not None and candidate.locked_until and candidate.locked_until > now:
        with transaction.atomic():
            record(actor=None, action="accounts.login_failed", target=candidate, data={"locked": True})
        raise LoginLocked(_("Too many failed attempts. The account is locked for a while; try again later."))
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        if candidate is not None:
            with transaction.atomic():
                User.objects.filter(pk=candidate.pk).update(failed_logins=F("failed_logins") + 1)
                candidate.refresh_from_db(fields=["failed_logins"])
                if candidate.failed_logins >= settings.GONGZHI_LOGIN_MAX_FAILURES:
                    until = now + timedelta(minutes=settings.GONGZHI_LOGIN_LOCKOUT_MINUTES)
                    User.objects.filter(pk=candidate.pk).update(locked_until=until, failed_logins=0)
                    record(actor=None, action="accounts.locked", target=candidate, data={"until": until})
                else:
                    record(
                        actor=None,
                        action="accounts.login_failed",
                        target=candidate,
                        data={"failures": candidate.failed_logins},
                    )
        raise PermissionDenied(_("The username or password is wrong."), code="login.failed")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
        record(actor=user, action="accounts.login", target=user)
    return user


def _set_phone(user: User, phone: str) -> None:
    phone = validate_mobile(phone) if phone else ""
    user.phone = phone
    user.phone_index = blind_index(phone, purpose="phone") if phone else ""


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str | None,
    display_name: str = "",
    phone: str = "",
    is_staff: bool = False,
) -> User:
    """新建账号: a staff or resident login (roles are assigned separately)."""
    if actor is not None:
        require(actor, "accounts.manage_users")
    username = username.strip()
    if not username:
        raise ValidationFailed({"username": _("Enter a username.")})
    if User.objects.filter(username=username).exists():
        raise ValidationFailed({"username": _("This username is already taken.")})
    user = User(username=username, display_name=display_name.strip(), is_staff=is_staff)
    try:
        _set_phone(user, phone)
    except Exception as exc:
        raise ValidationFailed({"phone": getattr(exc, "messages", [str(exc)])}) from exc
    if phone and User.objects.filter(phone_index=user.phone_index).exists():
        raise ValidationFailed({"phone": _("This phone number is already used by another account.")})
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        actor=actor or system_actor(), action="accounts.create_user", target=user, data={"staff": is_staff}
    )
    return user


@transaction.atomic
def assign_role(
    *, actor, user: User, role: Role, region=None, department: Department | None = None
) -> RoleAssignment:
    """分配角色: give ``user`` a role over a region node and/or a department (idempotent)."""
    if actor is not None:
        require(actor, "accounts.manage_users")
        actor_scope = scope_of(actor)
        if region is not None and not actor_scope.covers_path(region.path):
            raise PermissionDenied()
    if user.is_system:
        raise ValidationFailed({"user": _("The system account cannot hold roles.")})
    if role.scope_kind == "region" and region is None:
        raise ValidationFailed({"region": _("This role needs a region node.")})
    if role.scope_kind == "department" and department is None:
        raise ValidationFailed({"department": _("This role needs a department.")})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, department=department
    )
    if created:
        if role.code != "resident" and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True)
        record(
            actor=actor or system_actor(),
            action="accounts.assign_role",
            target=user,
            data={
                "role": role.code,
                "region": getattr(region, "code", None),
                "department": getattr(department, "code", None),
            },
        )
    forget(user)
    return assignment


@transaction.atomic
def revoke_role(*, actor, user: User, role: Role, region=None, department: Department | None = None) -> bool:
    """收回角色: take a role over a region node and/or a department away (a repeat changes nothing)."""
    if actor is not None:
        require(actor, "accounts.manage_users")
        if region is not None and not scope_of(actor).covers_path(region.path):
            raise PermissionDenied()
    deleted, _rows = RoleAssignment.objects.filter(
        user=user, role=role, region=region, department=department
    ).delete()
    if deleted:
        record(
            actor=actor or system_actor(),
            action="accounts.revoke_role",
            target=user,
            data={
                "role": role.code,
                "region": getattr(region, "code", None),
                "department": getattr(department, "code", None),
            },
        )
    forget(user)
    return bool(deleted)


@transaction.atomic
def create_department(
    *, actor, code: str, name: str, kind: str, region=None, short_name: str = "", accepts_cases: bool = True
) -> Department:
    """新建承办单位."""
    if actor is not None and not actor.is_system:
        require(actor, "accounts.manage_departments")
    department, created = Department.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "region": region,
            "short_name": short_name,
            "accepts_cases": accepts_cases,
        },
    )
    if created:
        record(actor=actor or system_actor(), action="accounts.create_department", target=department)
    return department


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(*, actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """签发 API 令牌: returns the row and the plaintext key (shown once, stored only hashed)."""
    if actor is not None and actor.pk != user.pk and not actor.is_system:
        require(actor, "accounts.manage_users")
    key = "gz_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash_token(key))
    record(
        actor=actor or system_actor(),
        action="accounts.create_token",
        target=user,
        data={"token": token.prefix},
    )
    return token, key


def user_for_token(key: str) -> User | None:
    """The active user a bearer token belongs to, or None (read path; marks last use)."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id:
        require(actor, "accounts.manage_users")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    record(actor=actor, action="accounts.revoke_token", target=token.user, data={"token": token.prefix})
    return token


@transaction.atomic
def set_elderly_mode(*, actor: User, enabled: bool) -> User:
    """适老化模式: large text and simple layouts for this user."""
    User.objects.filter(pk=actor.pk).update(elderly_mode=enabled)
    actor.elderly_mode = enabled
    return actor
