"""pytest fixtures shared by every app: ``world`` (see gongzhi.core.testing)."""

from __future__ import annotations

import pytest

from gongzhi.core.testing import build_world


@pytest.fixture
def world(db):
    return build_world()
