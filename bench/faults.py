"""Faults during voting load: PostgreSQL restarted, Redis stopped, a worker killed (prints figures).

    source scripts/pg.sh && pg_start      # a throw-away server: this script RESTARTS it
    .venv/bin/python bench/faults.py [--seconds 15] [--concurrency 12]

Needs TEST_DATABASE_ADMIN_URL and PG_DIR (exported by scripts/pg.sh; or --admin-url and --pg-data)
and redis-server. It creates a fresh database ``bb_faults_<pid>``, runs ``flask db upgrade``, builds a
round in voting with codes (bench/load_vote.py), starts its own Redis on a random port and gunicorn
(production configuration, rate limits on and stored in that Redis), and drives the full voting flow
of bench/load_vote.py with ``--concurrency`` voters while a prober asks a page that reads the database
every 50 ms. Then, one after the other:

a) ``pg_ctl restart -m fast`` of the PostgreSQL server during the load: the status of requests that
   failed (503 wanted, no 500, no stack trace), how long the app did not serve and how long after
   PostgreSQL accepted connections again it served again (target < 5 s), and acknowledged ballots
   lost (receipt pages received, but no such ballot in the database; must be 0).
b) Redis stopped during the load, started again later: votes cast while it was down, errors (0
   wanted), the switch to per-process rate limits and back in the app's log, and how long after
   Redis was back the rate-limit counters were written to Redis again.
c) ``kill -9`` of one gunicorn worker during the load: no half-written rows (participation rows,
   spent codes and ballots are equal in number, no ballot without choices) and acknowledged =
   stored.

Everything it started is stopped and the database dropped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_vote import (
    ROOT,
    SLUG,
    VENV_BIN,
    Browser,
    LoadResult,
    Server,
    build_round,
    free_port,
    interrupted,
    libpq,
    receipt_hmacs,
    run_load,
    with_database,
)


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
    """redis-server on 127.0.0.1 without persistence, which can be stopped and started again on
    the same port (used by tests/operations too)."""

    def __init__(self, port: int | None = None):
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

    def keys(self) -> int:
        import redis

        with redis.Redis.from_url(self.url, socket_timeout=1) as client:
            return len(client.keys("*"))


# ----------------------------------------------------------------------------------------------
# A prober: what a resident sees, every 50 ms.

@dataclass
class Probe:
    at: float
    status: int | str
    traceback: bool = False


@dataclass
class Prober:
    port: int
    interval: float = 0.05
    samples: list[Probe] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        browser = Browser(self.port, timeout=10)
        while not self.stop.is_set():
            at = time.monotonic()
            try:
                status, _, body = browser.request("GET", f"/stemmen/{SLUG}")
                self.samples.append(Probe(at, status, "Traceback" in body))
            except (OSError, http.client.HTTPException) as exc:
                self.samples.append(Probe(at, f"connection: {type(exc).__name__}"))
            time.sleep(self.interval)
        browser.close()

    def __enter__(self) -> Prober:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(15)

    def outage(self, since: float) -> tuple[float | None, float | None, Counter]:
        """(first failure, first success after the last failure, statuses of failures) after ``since``."""
        after = [p for p in self.samples if p.at >= since]
        failures = [p for p in after if p.status != 200]
        if not failures:
            return None, None, Counter()
        last = failures[-1].at
        back = next((p.at for p in after if p.at > last and p.status == 200), None)
        return failures[0].at, back, Counter(p.status for p in failures)


# ----------------------------------------------------------------------------------------------
# PostgreSQL.

def pg_ctl_binary() -> str:
    found = shutil.which("pg_ctl") or (sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or [None])[-1]
    if not found:
        raise SystemExit("pg_ctl not found (apt-get install postgresql)")
    return found


def pg_restart(data_dir: Path) -> None:
    """``pg_ctl restart -m fast`` as the owner of the data directory; returns once it accepts connections."""
    command = [pg_ctl_binary(), "-D", str(data_dir), "-m", "fast", "-w", "-t", "60",
               "-l", str(data_dir.parent / "server.log"), "restart"]
    owner = pwd.getpwuid(data_dir.stat().st_uid).pw_name
    if os.geteuid() == 0 and owner != "root":
        command = ["runuser", "-u", owner, "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=90)


@dataclass
class Stored:
    ballots: int
    participation: int
    used_codes: int
    ballots_without_choices: int


def stored(dsn: str, district_id: int) -> Stored:
    with psycopg.connect(dsn) as conn:
        def one(sql: str) -> int:
            row = conn.execute(sql, (district_id,)).fetchone()  # type: ignore[arg-type]
            return int(row[0]) if row else 0

        return Stored(
            ballots=one("SELECT count(*) FROM ballot WHERE district_id = %s"),
            participation=one("SELECT count(*) FROM participation WHERE district_id = %s"),
            used_codes=one("SELECT count(*) FROM voting_code WHERE district_id = %s AND state = 'used'"),
            ballots_without_choices=one("SELECT count(*) FROM ballot b WHERE b.district_id = %s AND NOT EXISTS "
                                        "(SELECT 1 FROM ballot_choice c WHERE c.ballot_id = b.id)"))


def lost(dsn: str, receipts: list[str]) -> int:
    """Acknowledged ballots (receipt page received) that are not in the database."""
    hmacs = receipt_hmacs(receipts)
    with psycopg.connect(dsn) as conn:
        found = {row[0] for row in conn.execute("SELECT receipt_hmac FROM ballot WHERE receipt_hmac = ANY(%s)",
                                                (hmacs,))}
    return len(set(hmacs) - found)


def integrity_line(result: LoadResult, rows: Stored, missing: int) -> tuple[str, bool]:
    half_written = (rows.participation != rows.ballots or rows.used_codes != rows.ballots
                    or rows.ballots_without_choices != 0)
    ok = missing == 0 and not half_written and rows.ballots >= result.cast_ok
    return (f"  casts acknowledged (303) {result.cast_ok}, receipts received {len(result.receipts)}; stored: ballots "
            f"{rows.ballots}, participation {rows.participation}, codes used {rows.used_codes}, ballots without "
            f"choices {rows.ballots_without_choices}\n"
            f"  acknowledged ballots lost {missing} (must be 0); half-written rows: "
            f"{'YES' if half_written else 'none'}"), ok


def log_count(log: Path, text: str) -> int:
    with contextlib.suppress(OSError):
        return log.read_text(errors="replace").count(text)
    return 0


def verdict(ok: bool) -> str:
    return "OK" if ok else "FAILED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_ADMIN_URL"),
                        help="PostgreSQL URL for CREATE/DROP DATABASE (default: $TEST_DATABASE_ADMIN_URL)")
    parser.add_argument("--pg-data", default=os.path.join(os.environ["PG_DIR"], "data") if os.environ.get("PG_DIR")
                        else None, help="data directory of that server, for pg_ctl restart (default: $PG_DIR/data)")
    parser.add_argument("--seconds", type=float, default=15, help="load per fault (default 15)")
    parser.add_argument("--concurrency", type=int, default=12, help="concurrent voters (default 12)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()
    if not args.admin_url or not args.pg_data:
        parser.error("needs TEST_DATABASE_ADMIN_URL and PG_DIR (source scripts/pg.sh && pg_start) "
                     "or --admin-url and --pg-data")
    if shutil.which("redis-server") is None:
        parser.error("redis-server is not installed")
    pg_data = Path(args.pg_data)

    admin = libpq(args.admin_url)
    name = f"bb_faults_{os.getpid()}"
    db_url = with_database(args.admin_url, name)
    dsn = libpq(db_url)
    stop = threading.Event()
    server: Server | None = None
    redis_server: RedisServer | None = None
    workdir = Path(tempfile.mkdtemp(prefix="bb_faults_"))
    log = workdir / "gunicorn.log"
    signal.signal(signal.SIGTERM, interrupted)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    results: dict[str, bool] = {}
    try:
        print(f"database {name}; migrating …", flush=True)
        subprocess.run([str(VENV_BIN / "flask"), "--app", "burgerbegroting.app", "db", "upgrade"], cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": db_url}, check=True, capture_output=True)
        per_part = max(200, int(args.seconds * 40))
        setup = build_round(db_url, {"pg": per_part, "redis": per_part, "kill": per_part})
        redis_server = RedisServer().start()
        server = Server(db_url, args.workers, args.threads, log, env={
            "RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": redis_server.url, "PROXY_FIX_X_FOR": "1"})
        print(f"gunicorn on 127.0.0.1:{server.port} ({args.workers} workers × {args.threads} threads), Redis on "
              f"127.0.0.1:{redis_server.port}; {args.concurrency} voters; load {os.getloadavg()[0]:.2f}", flush=True)

        # a) PostgreSQL restarted.
        print(f"\n== a) pg_ctl restart -m fast during {args.seconds:g} s of voting", flush=True)
        times: dict[str, float] = {}

        def restart_postgres() -> None:
            time.sleep(args.seconds / 3)
            times["restart"] = time.monotonic()
            pg_restart(pg_data)
            times["back"] = time.monotonic()

        with Prober(server.port) as prober:
            fault = run_load(server.port, setup.codes["pg"], args.seconds, args.concurrency, stop,
                             during=restart_postgres)
            time.sleep(1)
        first_failure, served_again, failures = prober.outage(times["restart"])
        tracebacks = sum(p.traceback for p in prober.samples)
        errors_500 = sum(n for s, n in [*fault.errors.items()] if s.endswith("→ 500"))
        failures_500 = failures.get(500, 0)
        unhandled = log_count(log, "Unhandled error")
        print(f"  PostgreSQL restart took {times['back'] - times['restart']:.2f} s")
        if first_failure is None:
            print("  the prober saw no failed request")
            recovery = 0.0
        else:
            recovery = (served_again - times["back"]) if served_again else float("inf")
            unavailable = (served_again - first_failure) if served_again else float("inf")
            print(f"  prober: failed requests {dict(failures)}; not served for {unavailable:.2f} s; served again "
                  f"{max(recovery, 0):.2f} s after PostgreSQL accepted connections (target < 5 s)")
        print(f"  voters: errors {dict(fault.errors) or 'none'}")
        print(f"  500 responses {errors_500 + failures_500}, stack traces in pages {tracebacks}, "
              f"'Unhandled error' in the app log {unhandled} (all must be 0)")
        line, ok = integrity_line(fault, stored(dsn, setup.districts["pg"]), lost(dsn, fault.receipts))
        print(line)
        results["a) PostgreSQL restart"] = (ok and recovery < 5 and errors_500 + failures_500 == 0
                                            and tracebacks == 0 and unhandled == 0)

        # b) Redis stopped and started again.
        print(f"\n== b) Redis stopped during {args.seconds:g} s of voting, started again after "
              f"{args.seconds / 3:.0f} s", flush=True)
        marks: dict[str, float] = {}
        before_degraded = log_count(log, "Rate-limit storage unreachable")
        before_recovered = log_count(log, "Rate-limit storage reachable again")

        def redis_down_and_up() -> None:
            assert redis_server is not None
            time.sleep(args.seconds / 3)
            redis_server.stop()
            marks["down"] = time.monotonic()
            time.sleep(args.seconds / 3)
            redis_server.start()
            marks["up"] = time.monotonic()

        with Prober(server.port) as prober:
            fault = run_load(server.port, setup.codes["redis"], args.seconds, args.concurrency, stop,
                             during=redis_down_and_up)
        ready = Browser(server.port)
        status, _, body = ready.request("GET", "/readyz")
        ready.close()
        # Counters reach Redis again once a worker has checked it (Flask-Limiter backs off, up to 32 s):
        # refused codes, each from another address so that nobody is locked out, until a key appears.
        back_at = None
        deadline = time.monotonic() + 70
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            browser = Browser(server.port, headers={"X-Forwarded-For": f"10.9.{attempt // 250}.{attempt % 250}"})
            with contextlib.suppress(OSError, http.client.HTTPException):
                _s, _l, page = browser.request("GET", f"/stemmen/{SLUG}")
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
                if token:
                    browser.request("POST", f"/stemmen/{SLUG}", [("csrf_token", token.group(1)),
                                                                 ("code", "ACDE-FGHJ-KMNP-Q")])
            browser.close()
            went_down = log_count(log, "Rate-limit storage unreachable") - before_degraded
            came_back = log_count(log, "Rate-limit storage reachable again") - before_recovered
            if redis_server.keys() > 0 and came_back >= went_down:
                back_at = time.monotonic()
                break
            time.sleep(0.2)
        degraded = log_count(log, "Rate-limit storage unreachable") - before_degraded
        recovered = log_count(log, "Rate-limit storage reachable again") - before_recovered
        bad = sum(1 for p in prober.samples if p.status != 200)
        print(f"  casts completed {fault.cast_ok} (while Redis was down and after); voter errors "
              f"{dict(fault.errors) or 'none'}; prober failures {bad} (must be 0)")
        print(f"  /readyz after the restart: {status} {body.strip()}")
        print(f"  app log: 'storage unreachable' {degraded}× and 'reachable again' {recovered}× "
              f"(once per worker process that served a request)")
        if back_at is not None:
            print(f"  all workers count in Redis again {back_at - marks['up']:.1f} s after Redis was back "
                  f"(Flask-Limiter checks with back-off 1, 2, 4 … 32 s)")
        else:
            print("  rate limits did NOT switch back to Redis within 70 s")
        line, ok = integrity_line(fault, stored(dsn, setup.districts["redis"]), lost(dsn, fault.receipts))
        print(line)
        results["b) Redis down"] = (ok and not fault.errors and bad == 0 and degraded >= 1 and back_at is not None)

        # c) kill -9 of a worker.
        print(f"\n== c) kill -9 of one gunicorn worker during {args.seconds:g} s of voting", flush=True)
        killed: list[int] = []

        def kill_one() -> None:
            time.sleep(args.seconds / 3)
            victims = server.workers() if server else []
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                killed.append(victims[0])

        fault = run_load(server.port, setup.codes["kill"], args.seconds, args.concurrency, stop, during=kill_one)
        print(f"  killed worker {killed or 'none'}; workers now {server.workers()}; voter errors "
              f"{dict(fault.errors) or 'none'} (requests cut off with the worker)")
        line, ok = integrity_line(fault, stored(dsn, setup.districts["kill"]), lost(dsn, fault.receipts))
        print(line)
        results["c) kill -9"] = ok and bool(killed)

        print("\n== summary")
        for name_, ok in results.items():
            print(f"  {name_}: {verdict(ok)}")
        print(f"  load average now {os.getloadavg()[0]:.2f}")
        return 0 if all(results.values()) else 1
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if server is not None:
            server.stop()
        if redis_server is not None:
            redis_server.close()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        print(f"dropped database {name}; gunicorn log kept in {log}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
