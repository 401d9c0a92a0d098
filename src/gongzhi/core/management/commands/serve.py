"""``gongzhi serve --addr 127.0.0.1:8000 --workers N``: the production server (gunicorn, threaded workers)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Gongzhi with gunicorn (production-grade WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to bind")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGZHI_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GONGZHI_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        from gongzhi.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", options["addr"])
                self.cfg.set("workers", options["workers"])
                self.cfg.set("threads", options["threads"])
                self.cfg.set("worker_class", "gthread" if options["threads"] > 1 else "sync")
                self.cfg.set("timeout", options["timeout"])
                self.cfg.set("accesslog", os.environ.get("GONGZHI_ACCESS_LOG", "-"))
                self.cfg.set(
                    "forwarded_allow_ips", os.environ.get("GONGZHI_FORWARDED_ALLOW_IPS", "127.0.0.1")
                )

            def load(self):
                return application

        self.stdout.write(f"Gongzhi serving on http://{options['addr']} with {options['workers']} workers")
        Server().run()
