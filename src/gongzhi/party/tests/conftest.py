"""Fixtures of the party tests: ``pw`` is the party world on top of the shared ``world``."""

from __future__ import annotations

import pytest

from . import factories as f

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


@pytest.fixture
def pw(world):
    return f.party_world(world)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend=BACKEND)
        return client

    return _login
