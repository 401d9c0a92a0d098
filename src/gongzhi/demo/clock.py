"""A clock for demo data only: the demo builds a month of case history in one run, so each service call
runs as if at the moment the event would have happened. Never used outside ``gongzhi demo-data``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock


@contextmanager
def demo_clock(moment: datetime) -> Iterator[None]:
    """Within the block ``django.utils.timezone.now()`` (and so ``localdate()``, ``auto_now`` …) is
    ``moment``. Services read the time through that one function, so their rules apply unchanged."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
