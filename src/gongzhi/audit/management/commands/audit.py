"""``gongzhi audit verify``: exit 0 on an intact chain, 1 naming the first bad event otherwise."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from gongzhi.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `gongzhi audit verify` checks the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Recompute the hash chain and report the first bad event.")

    def handle(self, *args, **options):
        if options["subcommand"] == "verify":
            result = verify_chain()
            if result.ok:
                self.stdout.write(f"OK: audit chain intact, {result.checked} events checked.")
                return
            self.stderr.write(
                f"FAILED: audit event #{result.first_bad_id}: {result.problem} "
                f"({result.checked} events verified before it)."
            )
            sys.exit(1)
