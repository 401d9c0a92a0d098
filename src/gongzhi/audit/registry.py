"""Registered audit action codes (``"<app>.<verb>"``) with Chinese labels; ``record()`` rejects others."""

from __future__ import annotations

_ACTIONS: dict[str, object] = {}


def register(actions: dict[str, object]) -> None:
    for code, label in actions.items():
        if "." not in code:
            raise ValueError(f"audit action code must look like app.verb: {code}")
        _ACTIONS[code] = label


def is_registered(code: str) -> bool:
    return code in _ACTIONS


def label_of(code: str) -> str:
    label = _ACTIONS.get(code)
    return str(label) if label is not None else code


def all_actions() -> dict[str, object]:
    return dict(_ACTIONS)
