"""``gongzhi demo-data``: load the demo district (idempotent) and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo district (向阳区) with one login per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=20500, help="number of residents (default 20500)"
        )
        parser.add_argument(
            "--buildings-per-grid", type=int, default=10, help="buildings per grid (default 10)"
        )

    def handle(self, *args, **options):
        import time

        from gongzhi.demo import build_demo

        started = time.monotonic()
        summary = build_demo(
            residents=options["residents"],
            buildings_per_grid=options["buildings_per_grid"],
            stdout=self.stdout,
        )
        self.stdout.write("")
        self.stdout.write(
            "demo district ready in %.0f s: " % (time.monotonic() - started)
            + ", ".join(f"{k} {v}" for k, v in summary.counts.items())
        )
        self.stdout.write("")
        self.stdout.write("演示账号 (demo logins) — password / 口令: " + summary.password)
        for username, role, where in summary.accounts:
            self.stdout.write(f"  {username:<28} {role:<12} {where}")
