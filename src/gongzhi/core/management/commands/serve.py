"""``gongzhi serve --addr 127.0.0.1:8000 --workers N [--jobs]``: the production server (gunicorn, threaded
workers); ``--jobs`` also runs the background job consumer (``gongzhi run_huey``) beside it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class JobConsumer:
    """The huey consumer as a child of gunicorn's master: started before the workers, stopped on exit.

    For one machine (a laptop, the demo): deadline scans, reminders, SMS and alert scans run without a
    second terminal. A larger deployment runs ``gongzhi run_huey`` as its own service instead.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self, arbiter=None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "gongzhi", "run_huey", "--workers", "1"])
        if arbiter is not None:
            arbiter.log.info("Background jobs: huey consumer pid %s", self.process.pid)

    def stop(self, arbiter=None) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # huey finishes the task at hand, then exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Command(BaseCommand):
    help = "Serve Gongzhi with gunicorn (production-grade WSGI server)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to bind")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGZHI_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GONGZHI_THREADS", "4")))
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument(
            "--jobs",
            action="store_true",
            help="also run the background job consumer (huey) as a child process, for a single machine",
        )

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        from gongzhi.wsgi import application

        consumer = JobConsumer() if options["jobs"] else None

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
                if consumer is not None:  # hooks run in the master only, never in a forked worker
                    self.cfg.set("on_starting", consumer.start)
                    self.cfg.set("on_exit", consumer.stop)

            def load(self):
                return application

        jobs = " and the background jobs" if consumer else ""
        workers = options["workers"]
        self.stdout.write(f"Gongzhi serving on http://{options['addr']} with {workers} workers{jobs}")
        Server().run()
