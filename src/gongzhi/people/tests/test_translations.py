"""The people app keeps its own zh-hans catalogue (people/locale); it must be complete and not fuzzy."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from gongzhi.audit.registry import all_actions
from gongzhi.people import permissions

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str, str]]:
    """(flags, msgid, msgstr) of every entry, multi-line strings joined."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        head = block.split("msgid_plural")[0].split("msgstr")[0]
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', head, re.M))
        tail = block[block.index("msgstr") :] if "msgstr" in block else ""
        msgstr = "".join(re.findall(r'^(?:msgstr(?:\[\d\])? )?"(.*)"$', tail, re.M))
        if "msgid" in block and msgid:
            entries.append((flags, msgid, msgstr))
    return entries


def test_people_catalogue_is_complete():
    entries = _entries()
    assert len(entries) > 100
    assert not [m for _f, m, s in entries if not s], "untranslated entries in people/locale"
    assert not [m for f, m, _s in entries if "fuzzy" in f], "fuzzy entries in people/locale"


def test_audit_codes_and_permissions_are_translated():
    translated = {m for _f, m, _s in _entries()}
    with translation.override("en"):
        labels = [str(label) for code, label in all_actions().items() if code.startswith("people.")]
        labels += [str(label) for label in permissions.PERMISSIONS.values()]
    assert labels and not [label for label in labels if label not in translated]
