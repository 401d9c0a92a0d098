"""``gongzhi serve --jobs``: one command runs the site and its background jobs, and stops both."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from gongzhi.core.testing import command_env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_with_jobs_runs_the_consumer_and_stops_it(tmp_path):
    env = command_env(tmp_path)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gongzhi", "serve", "--jobs", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        consumer = None
        answered = False
        while time.monotonic() < deadline and not (consumer and answered):
            time.sleep(0.5)
            assert server.poll() is None, "the server stopped"
            consumer = consumer or next((p for p in _children(server.pid) if "run_huey" in _cmdline(p)), None)
            try:
                answered = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
            except OSError:
                answered = False
        assert consumer is not None, "no huey consumer beside gunicorn"
        assert answered, "the site did not answer"
        assert _alive(consumer)

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        assert not _alive(consumer), "the consumer outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
