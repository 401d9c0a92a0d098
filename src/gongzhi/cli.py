"""The ``gongzhi`` console script: ``manage.py`` for the installed package.

``gongzhi migrate``, ``gongzhi createsuperuser`` and our own commands (``gongzhi serve``,
``gongzhi demo-data``, ``gongzhi audit verify`` …). Hyphenated names map to Django's module names.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
