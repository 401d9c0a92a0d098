"""``gongzhi insights scan-alerts``: run the early-warning scan once and print what it did.

``--now 2026-11-20T09:00`` scans as of another time (local time zone when no offset is given).
"""

from __future__ import annotations

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Insights: scan-alerts (run the early-warning scan once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        scan = sub.add_parser("scan-alerts", help="Run the early-warning scan once.")
        scan.add_argument("--now", help="scan as of this ISO time instead of now")

    def handle(self, *args, **options):
        from gongzhi.insights.services import scan_alerts

        if options["subcommand"] != "scan-alerts":  # pragma: no cover - argparse rejects others
            raise CommandError("unknown subcommand")
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = scan_alerts(now=now)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
