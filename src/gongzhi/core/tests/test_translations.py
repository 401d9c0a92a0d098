"""zh-hans is the default language and its catalogue is complete (no empty or fuzzy entries)."""

from __future__ import annotations

from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    entry: dict = {"flags": "", "msgid": "", "msgstr": "", "plural": False}
    field = None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if entry["msgid"]:
                yield entry
            entry = {"flags": "", "msgid": "", "msgstr": "", "plural": False}
            field = None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("msgid_plural"):
            entry["plural"] = True
            field = None
        elif line.startswith("msgid "):
            field = "msgid"
            entry["msgid"] = line[6:].strip('"')
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"] += line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and field:
            entry[field] += line.strip('"')


def test_catalogue_complete():
    entries = list(_entries(PO.read_text(encoding="utf-8")))
    assert len(entries) > 100
    empty = [e["msgid"] for e in entries if not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not empty, f"untranslated: {empty[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
