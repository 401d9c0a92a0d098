"""Write the Chinese msgstr of every entry in django.po from i18n/zh_Hans/*.tsv.

Run by `make messages` after `makemessages`. Exits 1 and lists the msgids that still need Chinese.
Entries are matched on the exact msgid (plural forms use the singular msgid for both forms).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src" / "gongzhi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TSV_DIR = ROOT / "i18n" / "zh_Hans"


def load_translations() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted(TSV_DIR.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                raise SystemExit(f"{path.name}:{number}: expected msgid<TAB>msgstr")
            msgid, msgstr = line.split("\t", 1)
            table[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    return table


def po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def po_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def field_value(lines: list[str], start: int) -> tuple[str, int]:
    value = lines[start].split(" ", 1)[1].strip()[1:-1]
    i = start + 1
    while i < len(lines) and lines[i].startswith('"'):
        value += lines[i][1:-1]
        i += 1
    return po_unescape(value), i


def main() -> int:
    table = load_translations()
    blocks = parse_blocks(PO.read_text(encoding="utf-8"))
    missing: list[str] = []
    out_blocks = []
    for block in blocks:
        comments = [line for line in block if line.startswith("#")]
        body = [line for line in block if not line.startswith("#")]
        msgid, i = field_value(body, 0) if body and body[0].startswith("msgid ") else ("", 0)
        if not msgid:  # header: not fuzzy, and say which language it is
            header = [line for line in block if not (line.startswith("#,") and "fuzzy" in line)]
            header = [line.replace('"Language: \\n"', '"Language: zh_Hans\\n"') for line in header]
            out_blocks.append(header)
            continue
        plural = None
        if i < len(body) and body[i].startswith("msgid_plural"):
            plural, i = field_value(body, i)
        msgctxt_lines = [line for line in body if line.startswith("msgctxt")]
        translated = table.get(msgid)
        if translated is None:
            missing.append(msgid)
            translated = ""
        comments = [c for c in comments if not (c.startswith("#,") and "fuzzy" in c)]
        new = comments + msgctxt_lines + [f'msgid "{po_escape(msgid)}"']
        if plural is not None:
            new += [f'msgid_plural "{po_escape(plural)}"', f'msgstr[0] "{po_escape(translated)}"']
        else:
            new.append(f'msgstr "{po_escape(translated)}"')
        out_blocks.append(new)
    PO.write_text("\n\n".join("\n".join(b) for b in out_blocks) + "\n", encoding="utf-8")
    if missing:
        print(f"{len(missing)} msgids have no Chinese yet; add them to i18n/zh_Hans/*.tsv:", file=sys.stderr)
        for msgid in missing:
            print(f"  {msgid!r}", file=sys.stderr)
        return 1
    print(f"filled {len(blocks) - 1} entries from {len(table)} translations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
