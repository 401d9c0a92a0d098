"""脱敏: mask personal data for display (lists, API output, exports).

Pure functions that accept ``None``, empty and unexpectedly short values. A value too short to keep
the usual visible parts is masked completely rather than shown.
"""

from __future__ import annotations

from typing import Final

__all__ = ["mask_id_number", "mask_name", "mask_phone"]

MASK_CHAR: Final = "*"


def _mask(value: str | None, *, keep_start: int, keep_end: int) -> str:
    text = (value or "").strip()
    if len(text) <= keep_start + keep_end:
        return MASK_CHAR * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + MASK_CHAR * hidden + (text[-keep_end:] if keep_end else "")


def mask_id_number(value: str | None) -> str:
    """Keep the first 6 and the last 4 characters: ``110105********002X``."""
    return _mask(value, keep_start=6, keep_end=4)


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and the last 4 digits: ``138****5678``."""
    return _mask(value, keep_start=3, keep_end=4)


def mask_name(value: str | None) -> str:
    """Keep the first character (usually the surname): ``张三丰`` → ``张**``, ``张三`` → ``张*``.

    A one-character name is masked completely.
    """
    return _mask(value, keep_start=1, keep_end=0)
