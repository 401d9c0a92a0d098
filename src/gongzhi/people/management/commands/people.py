"""``gongzhi people import residents|houses|organisations FILE [--dry-run] [--map 字段=表头 …]``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.selectors import get_user_by_username
from gongzhi.accounts.services import system_actor
from gongzhi.core.errors import DomainError
from gongzhi.people.importing import KINDS, import_file, parse_mapping


class Command(BaseCommand):
    help = "Base-data tools: import residents|houses|organisations FILE [--dry-run] [--map field=header ...]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Import residents, houses or organisations from .xlsx or .csv.")
        imp.add_argument("kind", choices=KINDS)
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
        imp.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="use HEADER of the file for FIELD (field name or default header), repeatable",
        )
        imp.add_argument(
            "--as",
            dest="username",
            default="",
            help="act as this user (scope and permissions); default: the system account",
        )
        imp.add_argument("--all-rows", action="store_true", help="print every row, not only errors")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            mapping = parse_mapping(options["map"])
        except ValueError as exc:
            raise CommandError(f"--map must look like field=header, got {exc}") from exc
        actor = self._actor(options["username"])
        try:
            report = import_file(
                actor=actor,
                kind=options["kind"],
                file=data,
                filename=path.name,
                mapping=mapping,
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for row in report.sorted_rows():
            if row.is_error or options["all_rows"]:
                detail = row.reason or "、".join(row.fields)
                stream = self.stderr if row.is_error else self.stdout
                stream.write(f"第{row.row}行 [{row.status}] {row.key} {detail}".rstrip())
        counts = report.counts
        prefix = "dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}created {counts['created']}, updated {counts['updated']}, "
            f"unchanged {counts['unchanged']}, errors {counts['error']}."
        )
        if not report.ok:
            sys.exit(1)

    def _actor(self, username: str):
        if not username:
            return system_actor()
        try:
            return get_user_by_username(username)
        except DomainError as exc:
            raise CommandError(f"no active user {username!r}") from exc
