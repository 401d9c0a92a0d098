"""A value built from the database once per process and rebuilt when its key changes (thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeyedMemo(Generic[T]):
    """``memo.get(key)`` returns the value built for ``key``, building it again whenever ``key`` changes.

    The key is something cheap that changes whenever the source changes (a version, counts and latest
    change times read in one query), so every process sees an edit made in any other.
    """

    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._lock = threading.Lock()
        self._cached: tuple[Hashable, T] | None = None

    def get(self, key: Hashable) -> T:
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            if self._cached is None or self._cached[0] != key:
                self._cached = (key, self._build())
            return self._cached[1]

    def forget(self) -> None:
        """Drop the value (tests)."""
        self._cached = None
