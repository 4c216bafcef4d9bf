"""Real servers for the operations tests: a Redis that can be stopped and started again, and
fresh PostgreSQL databases made with the admin URL of scripts/pg.sh."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import load_vote
from bench.load_vote import Setup, free_port, libpq, with_database

ROOT = Path(__file__).resolve().parents[2]

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "")

requires_postgres = pytest.mark.skipif(
    not ADMIN_URL.startswith("postgresql"),
    reason="needs PostgreSQL: `source scripts/pg.sh && pg_start` exports TEST_DATABASE_ADMIN_URL (scripts/test.sh "
           "does this)")


def wait_for_port(port: int, up: bool, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            answered = sock.connect_ex(("127.0.0.1", port)) == 0
        if answered == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout} s")


class RedisServer:
    """redis-server on 127.0.0.1, without persistence, that a test can stop and start again
    on the same port."""

    def __init__(self, port: int | None = None):
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="bb-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir, "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, up=True)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        wait_for_port(self.port, up=False)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(libpq(ADMIN_URL), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def fresh_database(prefix: str, migrate: bool = True) -> Iterator[str]:
    """A new, empty database (migrated to the head revision with ``flask db upgrade``); dropped
    afterwards, also when the test fails."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    url = with_database(ADMIN_URL, name)
    try:
        if migrate:
            subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "burgerbegroting.app", "db",
                            "upgrade"], cwd=ROOT, check=True, capture_output=True,
                           env={**os.environ, "DATABASE_URL": url, "BURGERBEGROTING_CONFIG": "development"},
                           timeout=60)
        yield url
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_round(db_url: str, counts: dict[str, int]) -> Setup:
    """bench/load_vote.py's round in voting (one district per entry of ``counts``, with that many
    codes), made in a separate process: an app made here would re-initialise the extensions the
    test suite shares. The codes use load_vote's HMAC key, as its gunicorn ``Server`` does."""
    script = ("import dataclasses, json, sys\n"
              "from bench import load_vote\n"
              "load_vote.HMAC_KEY = sys.argv[1]\n"
              "setup = load_vote.build_round(sys.argv[2], json.loads(sys.argv[3]))\n"
              "print(json.dumps(dataclasses.asdict(setup)))\n")
    done = subprocess.run([sys.executable, "-c", script, load_vote.HMAC_KEY, db_url, json.dumps(counts)],
                          cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BURGERBEGROTING_CONFIG": "development"})
    return Setup(**json.loads(done.stdout.strip().splitlines()[-1]))
