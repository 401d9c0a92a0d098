"""Fixtures for the repository-level tests (end-to-end browser tests under tests/browser/)."""

from __future__ import annotations

import pytest

from gongzhi.core.testing import build_world


@pytest.fixture
def world(transactional_db):
    """The fictional district and personas of ``gongzhi.core.testing``, committed (for the live server)."""
    return build_world()
