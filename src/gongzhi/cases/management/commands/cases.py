"""``gongzhi cases …``: catalogue tools for operators.

* ``gongzhi cases seed-calendar [--year Y ...]`` — load the State Council holidays (default: this year
  and next year, Asia/Shanghai) into the working calendar;
* ``gongzhi cases install-categories`` — add the built-in category tree (missing nodes only);
* ``gongzhi cases import-categories FILE [--dry-run]`` — add the nodes of an Excel/CSV file with the
  columns 一级分类, 二级分类, 三级分类;
* ``gongzhi cases scan-deadlines`` — run the warning/escalation scan once (normally huey does it every
  minute);
* ``gongzhi cases sweep-files`` — delete attachment files no case refers to (normally huey does it daily).

All of them act as the system account and are audited like any other write.
"""

from __future__ import annotations

import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.services import system_actor
from gongzhi.cases.deadlines import SHANGHAI
from gongzhi.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Cases catalogue tools: seed-calendar [--year Y ...], install-categories, "
        "import-categories FILE [--dry-run], scan-deadlines, sweep-files."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        seed = sub.add_parser("seed-calendar", help="Load statutory holidays and make-up working days.")
        seed.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="year to seed (repeatable; default: this year and next year)",
        )
        sub.add_parser(
            "install-categories", help="Add the built-in 3-level category tree (missing nodes only)."
        )
        imp = sub.add_parser("import-categories", help="Import categories from an .xlsx or .csv file.")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        sub.add_parser("scan-deadlines", help="Run the deadline warning scan once.")
        sub.add_parser("sweep-files", help="Delete attachment files left by failed submissions.")

    def handle(self, *args, **options):
        try:
            getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _seed_calendar(self, options) -> None:
        from gongzhi.cases.services.catalog import seed_calendar_year

        this_year = datetime.now(tz=SHANGHAI).year
        actor = system_actor()
        for year in options["years"] or [this_year, this_year + 1]:
            report = seed_calendar_year(actor=actor, year=year)
            self.stdout.write(
                f"{year}: {len(report.created)} added, {len(report.replaced)} replaced, "
                f"{len(report.removed)} removed, {len(report.kept_manual)} manual kept ({report.source})"
            )

    def _install_categories(self, options) -> None:
        from gongzhi.cases.services.catalog import install_default_categories

        report = install_default_categories(actor=system_actor())
        levels = report.created_by_level
        self.stdout.write(
            f"created {len(report.created)} categories (level 1: {levels[1]}, level 2: {levels[2]}, "
            f"level 3: {levels[3]}); {report.existing} already present."
        )

    def _import_categories(self, options) -> None:
        from gongzhi.cases.services.catalog import import_categories

        try:
            with open(options["file"], "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        import io

        stream = io.BytesIO(data)
        stream.name = options["file"]
        report = import_categories(actor=system_actor(), file_or_rows=stream, dry_run=options["dry_run"])
        for issue in report.skipped:
            self.stdout.write(f"row {issue.row}: {issue.message}")
        if not report.ok:
            for issue in report.errors:
                self.stderr.write(f"row {issue.row or '-'} {issue.code}: {issue.message}")
            self.stderr.write("Nothing was imported.")
            sys.exit(1)
        levels = report.created_by_level
        verb = "dry run: would create" if options["dry_run"] else "created"
        self.stdout.write(
            f"{verb} {len(report.created)} categories (level 1: {levels[1]}, level 2: {levels[2]}, "
            f"level 3: {levels[3]}); {report.existing} rows already present, {len(report.skipped)} skipped."
        )

    def _scan_deadlines(self, options) -> None:
        from gongzhi.cases.services.deadline_scan import scan_deadlines

        result = scan_deadlines()
        self.stdout.write(str(result))

    def _sweep_files(self, options) -> None:
        from gongzhi.cases.services.intake import sweep_orphan_files

        result = sweep_orphan_files()
        self.stdout.write(f"{result['seen']} files checked, {result['removed']} orphaned files removed.")
