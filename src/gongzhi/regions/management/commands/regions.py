"""``gongzhi regions import-geojson FILE --level grid --parent CODE``."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.services import system_actor
from gongzhi.core.errors import DomainError
from gongzhi.regions.choices import RegionLevel
from gongzhi.regions.services import get_region_by_code, import_geojson


class Command(BaseCommand):
    help = "Region tools: import-geojson FILE --level grid --parent CODE [--dry-run]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import-geojson", help="Import region boundaries from a GeoJSON FeatureCollection."
        )
        imp.add_argument("file")
        imp.add_argument(
            "--level", required=True, choices=[c.value for c in RegionLevel if c != RegionLevel.DISTRICT]
        )
        imp.add_argument("--parent", required=True, help="code of the parent region")
        imp.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as fh:
                collection = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            parent = get_region_by_code(options["parent"])
            report = import_geojson(
                actor=system_actor(),
                collection=collection,
                level=options["level"],
                parent=parent,
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if not report.ok:
            for error in report.errors:
                where = f"feature #{error['index']}" if error["index"] is not None else "file"
                self.stderr.write(f"{where} {error['code']}: {error['message']}")
            self.stderr.write("Nothing was imported.")
            sys.exit(1)
        prefix = "dry run: would create" if options["dry_run"] else "created"
        self.stdout.write(f"{prefix} {len(report.created)}, updated {len(report.updated)}.")
