"""Every audit code and permission label of the people app has Chinese in the central catalogue."""

from __future__ import annotations

from django.utils import translation

from gongzhi.audit.registry import all_actions
from gongzhi.people import permissions


def test_audit_codes_and_permissions_are_translated():
    labels = [label for code, label in all_actions().items() if code.startswith("people.")]
    labels += list(permissions.PERMISSIONS.values())
    with translation.override("en"):
        english = [str(label) for label in labels]
    with translation.override("zh-hans"):
        chinese = [str(label) for label in labels]
    assert labels
    untranslated = [en for en, zh in zip(english, chinese, strict=True) if en == zh]
    assert not untranslated, untranslated
