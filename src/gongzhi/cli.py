"""The ``gongzhi`` console script: ``manage.py`` for the installed package.

``gongzhi migrate``, ``gongzhi createsuperuser`` and our own commands (``gongzhi serve``,
``gongzhi demo-data``, ``gongzhi audit verify`` …). Hyphenated names map to Django's module names.
"""

from __future__ import annotations

import os
import sys

#: ``gongzhi nlp`` subcommands that only read and write files (``train`` unless ``--from-db``)
FILE_TOOLS = frozenset({"train", "classify", "urgency", "hotspots", "-h", "--help"})


def is_file_tool(argv: list[str]) -> bool:
    """``gongzhi nlp classify …`` and the like: they need no database and no keys."""
    return len(argv) > 2 and argv[1] == "nlp" and argv[2] in FILE_TOOLS and "--from-db" not in argv


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    configured = os.environ.get("GONGZHI_SECRET_KEY") and os.environ.get("GONGZHI_DATA_KEY")
    if is_file_tool(argv) and not configured:
        # a fresh install runs them as they are: the release checks and an analyst with an export do
        os.environ["GONGZHI_FILE_TOOL"] = "1"
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
