"""Real servers for the operations tests: a Redis that can be stopped and started again
(bench/faults.py), fresh PostgreSQL databases made with the admin URL of scripts/pg.sh, and
bench/load_vote.py's round in voting."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import load_vote
from bench.faults import RedisServer, wait_for_port
from bench.load_vote import Setup, free_port, libpq, with_database

__all__ = ["RedisServer", "Setup", "build_round", "free_port", "fresh_database", "requires_postgres", "wait_for_port"]

ROOT = Path(__file__).resolve().parents[2]

ADMIN_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "")

requires_postgres = pytest.mark.skipif(
    not ADMIN_URL.startswith("postgresql"),
    reason="needs PostgreSQL: `source scripts/pg.sh && pg_start` exports TEST_DATABASE_ADMIN_URL (scripts/test.sh "
           "does this)")


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
