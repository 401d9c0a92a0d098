"""``gongzhi token create USERNAME``: print a new API bearer token."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.selectors import get_user_by_username
from gongzhi.accounts.services import create_token, system_actor
from gongzhi.core.errors import DomainError


class Command(BaseCommand):
    help = "API tokens: `gongzhi token create USERNAME [--name NAME]` prints a bearer token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="cli")

    def handle(self, *args, **options):
        try:
            user = get_user_by_username(options["username"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        _token, key = create_token(actor=system_actor(), user=user, name=options["name"])
        self.stdout.write(key)
