"""Authenticate with username or mobile phone (looked up by its blind index)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from gongzhi.core.crypto import blind_index
from gongzhi.core.validators import validate_mobile


def find_login(identifier: str):
    from .models import User

    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None:
        try:
            phone = validate_mobile(identifier)
        except Exception:
            return None
        user = User.objects.filter(phone_index=blind_index(phone, purpose="phone")).first()
    return user


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_login(username)
        if user is None:
            # Run the hasher anyway so timing does not reveal whether the account exists.
            from .models import User

            User().set_password(password or "")
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user) and not user.is_system:
            return user
        return None
