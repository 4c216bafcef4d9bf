"""Voting under load: a benchmark and fault test (not a test of the test suite).

    TEST_DATABASE_ADMIN_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load_vote.py [--seconds 60] [--ballots 3000] [--concurrency 24]

(``scripts/pg.sh`` starts a throw-away server and exports TEST_DATABASE_ADMIN_URL; ``--admin-url`` works
too.) The script creates a fresh database ``bb_load_<pid>``, runs ``flask db upgrade``, builds a round in
its voting phase with feasible proposals and voting codes, starts the app under gunicorn (production
configuration and the repository's gunicorn.conf.py, plain HTTP on 127.0.0.1, rate limits off; workers,
threads and worker class from gunicorn.conf.py unless ``--workers``/``--threads`` are given) and runs:

1. **Full flow.** Each voter does the whole browser flow, with its own cookie jar and keep-alive
   connection: GET code page → POST code → GET ballot → POST choices (review) → POST cast → GET receipt.
   "Full-flow ballots/s" = casts completed per second while every voter also does the other five
   requests.
2. **Cast step.** Clients that have already done code → ballot → review ("warm sessions") only POST the
   cast. Their sessions are the state those steps leave (the signed session cookie with the voter, the
   CSRF token and the review form's fields), made by the benchmark with the app's own session and CSRF
   code and signing key; a sample of them is first checked through the real ballot and review pages.
   "Cast-step ballots/s" = casts completed per second. This is the target's figure: the rate at which
   ballots can be cast.
3. The raw psycopg rate of storing the same rows without the web layer (participation + ballot + choices +
   code update, one transaction per ballot, same concurrency) and the ratio cast-step/raw.
4. 50 concurrent casts with the same code: ballots stored (must be 1), refusals (49), 5xx (0).
5. kill -9 of one gunicorn worker during full-flow load: ballots acknowledged to clients (receipt pages
   received) against ballots in the database: missing (must be 0) and duplicates (must be 0).

For the load phases it prints p50/p95/p99 latency, errors by status, and the CPU time used by the
client (this process), the gunicorn processes and the PostgreSQL backends of the benchmark database,
per ballot: on a 2-core machine the client competes with the server. Report ``uptime`` with the figures.

Targets on the 2-core reference machine: ≥ 200 ballots/s with p95 < 300 ms for 60 s, and a web rate of
≥ 25% of the raw insert rate. The gunicorn server and the database are removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
SECRET_KEY = "bench-" + secrets.token_hex(16)
HMAC_KEY = "bench-hmac-" + secrets.token_hex(16)
SLUG = "stemronde-belasting"
SAME_CODE_VOTERS = 50

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHOICE_RE = re.compile(r'name="choice" value="(\d+)"')
CAST_FORM_RE = re.compile(r'<form method="post" action="[^"]*/uitbrengen">(.*?)</form>', re.S)
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
RECEIPT_RE = re.compile(r'id="receipt">([A-Z0-9]{5}-[A-Z0-9]{5})<')


# ----------------------------------------------------------------------------------------------
# A small browser: one keep-alive connection and a cookie jar per voter.

class Browser:
    def __init__(self, port: int, timeout: float = 30.0, headers: dict[str, str] | None = None):
        self.port = port
        self.timeout = timeout
        self.headers = dict(headers or {})  # sent with every request (e.g. X-Forwarded-For)
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body). Raises OSError/HTTPException when the connection breaks."""
        headers = {"Accept-Language": "nl", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Location", ""), text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class FlowError(Exception):
    def __init__(self, step: str, status: int | str):
        super().__init__(f"{step}: {status}")
        self.step = step
        self.status = status


def expect(step: str, got: int, wanted: int) -> None:
    if got != wanted:
        raise FlowError(step, got)


def prepare(browser: Browser, code: str) -> list[tuple[str, str]]:
    """Code page → code → ballot → review. Returns the cast form (hidden fields and CSRF token)."""
    base = f"/stemmen/{SLUG}"
    status, _, page = browser.request("GET", base)
    expect("code page", status, 200)
    token = CSRF_RE.search(page)
    if token is None:
        raise FlowError("code page", "no csrf token")
    status, location, _ = browser.request("POST", base, [("csrf_token", token.group(1)), ("code", code)])
    expect("code", status, 303)
    status, _, page = browser.request("GET", urllib.parse.urlsplit(location).path or f"{base}/stembiljet")
    expect("ballot", status, 200)
    token = CSRF_RE.search(page)
    options = CHOICE_RE.findall(page)
    if token is None or len(options) < 2:
        raise FlowError("ballot", "unexpected page")
    picked = secrets.SystemRandom().sample(options, 2)
    status, _, page = browser.request("POST", f"{base}/stembiljet", [
        ("csrf_token", token.group(1)), *[("choice", pid) for pid in picked], ("review", "1")])
    expect("review", status, 200)
    cast_form = CAST_FORM_RE.search(page)
    if cast_form is None:
        raise FlowError("review", "no cast form")
    token = CSRF_RE.search(cast_form.group(1))
    if token is None:
        raise FlowError("review", "no csrf token")
    return [("csrf_token", token.group(1)), *HIDDEN_RE.findall(cast_form.group(1))]


def cast(browser: Browser, form: list[tuple[str, str]]) -> tuple[int, str]:
    status, location, _ = browser.request("POST", f"/stemmen/{SLUG}/uitbrengen", form)
    return status, location


def fetch_receipt(browser: Browser) -> str:
    status, _, page = browser.request("GET", f"/stemmen/{SLUG}/bewijs")
    expect("receipt", status, 200)
    found = RECEIPT_RE.search(page)
    if found is None:
        raise FlowError("receipt", "no receipt code")
    return found.group(1).replace("-", "")


# ----------------------------------------------------------------------------------------------
# Load: N voter threads, bounded by the number of codes and by time.

@dataclass
class LoadResult:
    elapsed: float = 0.0
    cast_ok: int = 0
    cast_latency: list[float] = field(default_factory=list)
    flow_latency: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    receipts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_threads(target: Callable[[], None], count: int, during: Callable[[], None] | None = None) -> float:
    """Run ``target`` in ``count`` daemon threads (``during`` meanwhile in this one) and return the
    seconds until all have ended; joined in short waits, so Ctrl-C still stops the run."""
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)
    return time.monotonic() - started


def run_load(port: int, codes: list[str], seconds: float, concurrency: int, stop: threading.Event,
             during=None) -> LoadResult:  # type: ignore[no-untyped-def]
    """Every thread votes with the next unused code until the codes run out or time is up."""
    result = LoadResult()
    todo = iter(codes)
    todo_lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def next_code() -> str | None:
        with todo_lock:
            return next(todo, None)

    def voter_loop() -> None:
        browser = Browser(port)
        while not stop.is_set() and time.monotonic() < deadline:
            code = next_code()
            if code is None:
                break
            browser.cookies.clear()
            started = time.monotonic()
            try:
                form = prepare(browser, code)
                cast_started = time.monotonic()
                status, _location = cast(browser, form)
                cast_done = time.monotonic()
                expect("cast", status, 303)
                with result.lock:
                    result.cast_ok += 1
                    result.cast_latency.append(cast_done - cast_started)
                receipt = fetch_receipt(browser)
                with result.lock:
                    result.receipts.append(receipt)
                    result.flow_latency.append(time.monotonic() - started)
            except FlowError as exc:
                with result.lock:
                    result.errors[f"{exc.step} → {exc.status}"] += 1
            except (OSError, http.client.HTTPException) as exc:
                with result.lock:
                    result.errors[f"connection: {type(exc).__name__}"] += 1
        browser.close()

    result.elapsed = run_threads(voter_loop, concurrency, during)
    return result


def same_code(port: int, code: str) -> Counter:
    """SAME_CODE_VOTERS browsers enter the same code, then all cast at the same moment."""
    barrier = threading.Barrier(SAME_CODE_VOTERS)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def voter() -> None:
        browser = Browser(port)
        try:
            form = prepare(browser, code)
        except (FlowError, OSError, http.client.HTTPException) as exc:
            with lock:
                statuses[f"before cast: {exc}"] += 1
            barrier.abort()
            return
        try:
            barrier.wait(timeout=120)
            status, _ = cast(browser, form)
        except threading.BrokenBarrierError:
            status = "barrier broken"  # type: ignore[assignment]
        except (OSError, http.client.HTTPException) as exc:
            status = f"connection: {type(exc).__name__}"  # type: ignore[assignment]
        with lock:
            statuses[status] += 1
        browser.close()

    threads = [threading.Thread(target=voter, daemon=True) for _ in range(SAME_CODE_VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# ----------------------------------------------------------------------------------------------
# The cast step alone: warm sessions that have done code → ballot → review.

@dataclass
class WarmSession:
    cookie: str  # the Cookie header
    form: list[tuple[str, str]]  # the review page's cast form: CSRF token and the choices


def warm_sessions(setup: Setup, part: str, count: int) -> list[WarmSession]:
    """The state code → ballot → review leaves in a browser, made with the app's own code: the
    signed session cookie (voter, CSRF token) and the cast form of the review page."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from burgerbegroting.app import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY=SECRET_KEY, HMAC_KEY=HMAC_KEY)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    name = app.config["SESSION_COOKIE_NAME"]
    rng = secrets.SystemRandom()
    district = setup.districts[part]
    made = []
    with app.test_request_context():
        for code_id in setup.code_ids[part][:count]:
            session.clear()
            g.pop("csrf_token", None)  # generate_csrf keeps the request's token in g
            token = generate_csrf()
            session["vote"] = {"round": setup.round_id, "district": district, "ref": f"code:{code_id}"}
            picked = sorted(rng.sample(setup.proposals[part], 2))
            made.append(WarmSession(f"{name}={serializer.dumps(dict(session))}",
                                    [("csrf_token", token), *[("choice", str(pid)) for pid in picked]]))
    return made


def check_warm(port: int, warm: WarmSession) -> None:
    """A warm session gets the ballot and the review page like a browser that went through the
    steps (so the cast step is measured on real state), without casting."""
    browser = Browser(port)
    browser.cookies.update(dict([warm.cookie.split("=", 1)]))
    status, _, page = browser.request("GET", f"/stemmen/{SLUG}/stembiljet")
    expect("warm ballot", status, 200)
    token = CSRF_RE.search(page)
    if token is None:
        raise FlowError("warm ballot", "no csrf token")
    choices = [(k, v) for k, v in warm.form if k == "choice"]
    status, _, page = browser.request("POST", f"/stemmen/{SLUG}/stembiljet",
                                      [("csrf_token", token.group(1)), *choices, ("review", "1")])
    expect("warm review", status, 200)
    if CAST_FORM_RE.search(page) is None:
        raise FlowError("warm review", "no cast form")
    browser.close()


def run_casts(port: int, warm: list[WarmSession], seconds: float, concurrency: int,
              stop: threading.Event) -> LoadResult:
    """Every thread casts with the next warm session (one POST each) until they run out or time is up."""
    result = LoadResult()
    todo = iter(warm)
    todo_lock = threading.Lock()
    deadline = time.monotonic() + seconds
    path = f"/stemmen/{SLUG}/uitbrengen"

    def caster() -> None:
        conn: http.client.HTTPConnection | None = None
        while not stop.is_set() and time.monotonic() < deadline:
            with todo_lock:
                session = next(todo, None)
            if session is None:
                break
            body = urllib.parse.urlencode(session.form)
            headers = {"Cookie": session.cookie, "Content-Type": "application/x-www-form-urlencoded",
                       "Accept-Language": "nl"}
            started = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                done = time.monotonic()
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as exc:
                if conn is not None:
                    conn.close()
                    conn = None
                with result.lock:
                    result.errors[f"connection: {type(exc).__name__}"] += 1
                continue
            with result.lock:
                if response.status == 303:
                    result.cast_ok += 1
                    result.cast_latency.append(done - started)
                else:
                    result.errors[f"cast → {response.status}"] += 1
        if conn is not None:
            conn.close()

    result.elapsed = run_threads(caster, concurrency)
    return result


# ----------------------------------------------------------------------------------------------
# CPU time: the client (this process), the gunicorn processes, the database's backends.

TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _postgres_backends(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres: ") and f" {database} ".encode() in cmdline:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds used between start() and stop() by the client, the server and the database.
    Backends that disconnect in between are not counted (the load keeps its connections)."""

    def __init__(self, server: Server, database: str):
        self.server = server
        self.database = database

    def _server_pids(self) -> list[int]:
        return [self.server.proc.pid, *self.server.workers()]

    def start(self) -> None:
        self.client0 = time.process_time()
        self.server0 = {pid: _proc_cpu(pid) for pid in self._server_pids()}
        self.db0 = {pid: _proc_cpu(pid) for pid in _postgres_backends(self.database)}
        self.wall0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        server = sum(_proc_cpu(pid) - self.server0.get(pid, 0.0) for pid in self._server_pids())
        database = sum(_proc_cpu(pid) - self.db0.get(pid, 0.0) for pid in _postgres_backends(self.database))
        return {"client": time.process_time() - self.client0, "server": server, "database": database,
                "wall": time.monotonic() - self.wall0}


def cpu_line(cpu: dict[str, float], ballots: int) -> str:
    per = (lambda seconds: seconds / ballots * 1000) if ballots else (lambda seconds: float("nan"))
    wall = cpu["wall"] or 1.0
    total = cpu["client"] + cpu["server"] + cpu["database"]
    return (f"  CPU per ballot: gunicorn {per(cpu['server']):.1f} ms, PostgreSQL {per(cpu['database']):.1f} ms, "
            f"client {per(cpu['client']):.1f} ms; cores busy: gunicorn {cpu['server'] / wall:.2f}, "
            f"PostgreSQL {cpu['database'] / wall:.2f}, client {cpu['client'] / wall:.2f} "
            f"(total {total / wall:.2f} of 2)")


# ----------------------------------------------------------------------------------------------
# The raw rate: the same rows through psycopg, without the web layer.

def run_raw(dsn: str, round_id: int, district_id: int, code_ids: list[int], proposal_ids: list[int],
            seconds: float, concurrency: int, stop: threading.Event) -> tuple[int, float]:
    todo = iter(code_ids)
    todo_lock = threading.Lock()
    done = Counter()
    deadline = time.monotonic() + seconds
    today = dt.date.today()

    def worker() -> None:
        rng = secrets.SystemRandom()
        with psycopg.connect(dsn) as conn:
            while not stop.is_set() and time.monotonic() < deadline:
                with todo_lock:
                    code_id = next(todo, None)
                if code_id is None:
                    break
                ballot_id = secrets.token_hex(16)
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute("INSERT INTO participation (round_id, district_id, voter_ref, channel) "
                                "VALUES (%s, %s, %s, 'online')", (round_id, district_id, f"code:{code_id}"))
                    cur.execute("UPDATE voting_code SET state = 'used', used_on = %s, channel = 'online' "
                                "WHERE id = %s AND state = 'active'", (today, code_id))
                    cur.execute("INSERT INTO ballot (id, round_id, district_id, channel, cast_on, receipt_hmac, "
                                "shuffle_key) VALUES (%s, %s, %s, 'online', %s, %s, %s)",
                                (ballot_id, round_id, district_id, today, secrets.token_hex(32),
                                 secrets.randbelow(2**62)))
                    cur.executemany("INSERT INTO ballot_choice (ballot_id, proposal_id, value) VALUES (%s, %s, 1)",
                                    [(ballot_id, pid) for pid in sorted(rng.sample(proposal_ids, 2))])
                done[threading.get_ident()] += 1

    elapsed = run_threads(worker, concurrency)
    return sum(done.values()), elapsed


# ----------------------------------------------------------------------------------------------
# Database, round and server.

def libpq(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://) as a libpq one."""
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url)


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@dataclass
class Setup:
    round_id: int
    districts: dict[str, int]
    proposals: dict[str, list[int]]
    codes: dict[str, list[str]]
    code_ids: dict[str, list[int]]


def build_round(db_url: str, counts: dict[str, int]) -> Setup:
    """A round in its voting phase, one district per part of the benchmark, with codes.

    As in tests/voting/conftest.py: the proposals are made feasible while voting has not started
    (the rule lock refuses ballot changes after), then the start of voting moves into the past."""
    sys.path.insert(0, str(ROOT))
    from burgerbegroting.app import create_app
    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.extensions import db
    from burgerbegroting.processes.models import District, Round, RoundPhase
    from burgerbegroting.proposals.models import Proposal
    from burgerbegroting.voters.operations import MAX_BATCH, generate_codes

    app = create_app("development", SQLALCHEMY_DATABASE_URI=db_url, MAIL_BACKEND="memory", HMAC_KEY=HMAC_KEY)
    with app.app_context():
        now = utcnow()
        round_ = Round(slug=SLUG, name="Stemronde onder belasting", ballot_type="approval", min_choices=1,
                       max_choices=3, counting_rule="equal-shares-add1", eligibility="postcode")
        round_.phases = [
            RoundPhase(phase="ideas", starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=20)),
            RoundPhase(phase="review", starts_at=now - dt.timedelta(days=20), ends_at=now + dt.timedelta(hours=1)),
            RoundPhase(phase="voting", starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=7)),
        ]
        districts = {part: District(name=f"Wijk {part}", kind="wijk", budget_cents=100_000_00,
                                    postcodes=str(9990 + i)) for i, part in enumerate(counts)}
        round_.districts = list(districts.values())
        db.session.add(round_)
        db.session.flush()
        proposals = {part: [Proposal(round_id=round_.id, district_id=d.id, title=f"Plan {i} in {d.name}",
                                     summary="Samenvatting", body="Beschrijving", cost_cents=10_000_00 * i,
                                     status="feasible") for i in range(1, 7)]
                     for part, d in districts.items()}
        db.session.add_all([p for ps in proposals.values() for p in ps])
        db.session.flush()
        made: dict[str, list] = {}
        for part, count in counts.items():
            made[part] = []
            while len(made[part]) < count:
                made[part] += generate_codes(round_, districts[part], min(MAX_BATCH, count - len(made[part])),
                                             actor_id=None)
        start = now - dt.timedelta(minutes=5)
        round_.phases[1].ends_at = start
        round_.phases[2].starts_at = start
        db.session.commit()
        return Setup(round_id=round_.id, districts={part: d.id for part, d in districts.items()},
                     proposals={part: [p.id for p in ps] for part, ps in proposals.items()},
                     codes={part: [plain for plain, _row in rows] for part, rows in made.items()},
                     code_ids={part: [row.id for _plain, row in rows] for part, rows in made.items()})


def receipt_hmacs(receipts: list[str]) -> list[str]:
    from burgerbegroting.voters import codes

    return [codes.code_hmac("receipt:" + r.upper(), HMAC_KEY) for r in receipts]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, db_url: str, workers: int | None, threads: int | None, log: Path,
                 env: dict[str, str] | None = None, ready_timeout: float = 60,
                 worker_class: str | None = None):
        """gunicorn with the app in production configuration; ``env`` adds or overrides settings."""
        self.port = free_port()
        env = {**os.environ, "BURGERBEGROTING_CONFIG": "production", "SECRET_KEY": SECRET_KEY, "HMAC_KEY": HMAC_KEY,
               "DATABASE_URL": db_url, "RATELIMIT_ENABLED": "0", "SESSION_COOKIE_SECURE": "0",
               "MAIL_BACKEND": "log", **(env or {})}
        self.log = log.open("w")
        # The repository's gunicorn.conf.py (access log, time-outs), as in production, when there is
        # one; the options given here override it.
        config = ["-c", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").exists() else []
        options = [*config]
        if workers is not None:
            options += ["-w", str(workers)]
        if threads is not None:
            options += ["--threads", str(threads)]
        if worker_class is not None:
            options += ["-k", worker_class]
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), *options, "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5",
             "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        expected = workers if workers is not None else 2
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError(f"gunicorn stopped; see {log}")
            probe = Browser(self.port, timeout=5)
            try:
                status, _, _ = probe.request("GET", f"/stemmen/{SLUG}")
                if status == 200 and len(self.workers()) >= expected:
                    break
            except (OSError, http.client.HTTPException):
                pass
            finally:
                probe.close()
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not answer in {ready_timeout:g} s; see {log}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            workers = self.workers()
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for pid in workers:  # gunicorn's own workers, if any outlived their master
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.log.close()


# ----------------------------------------------------------------------------------------------
# Report.

def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def latency_line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"  {name:<14} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms   "
            f"p99 {percentile(ms, 99):7.1f} ms   (n={len(ms)})")


def verdict(ok: bool) -> str:
    return "OK" if ok else "BELOW TARGET"


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_ADMIN_URL"),
                        help="PostgreSQL URL of a database to connect to for CREATE/DROP DATABASE "
                             "(default: $TEST_DATABASE_ADMIN_URL)")
    parser.add_argument("--seconds", type=float, default=60, help="duration of each load phase (default 60)")
    parser.add_argument("--ballots", type=int, default=6000, help="at most this many ballots in the full-flow load")
    parser.add_argument("--cast-ballots", type=int, default=30000,
                        help="at most this many ballots in the cast-step load (warm sessions)")
    parser.add_argument("--concurrency", type=int, default=24, help="concurrent full-flow voters (default 24)")
    parser.add_argument("--cast-concurrency", type=int, default=16,
                        help="concurrent casting clients in the cast-step load (default 16)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--worker-class", default=None, help="gunicorn worker class (default: gunicorn.conf.py)")
    parser.add_argument("--kill-seconds", type=float, default=15, help="duration of the kill -9 run (default 15)")
    parser.add_argument("--only", choices=["flow", "cast"], help="run only this load phase (quick comparisons)")
    args = parser.parse_args()
    if not args.admin_url:
        parser.error("set TEST_DATABASE_ADMIN_URL or pass --admin-url "
                     "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)")

    admin = libpq(args.admin_url)
    name = f"bb_load_{os.getpid()}"
    db_url = with_database(re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", args.admin_url), name)
    stop = threading.Event()
    server: Server | None = None
    workdir = Path(tempfile.mkdtemp(prefix="bb_load_"))
    signal.signal(signal.SIGTERM, interrupted)  # clean up on kill as on Ctrl-C
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        print(f"database {name}; migrating …", flush=True)
        subprocess.run([str(VENV_BIN / "flask"), "--app", "burgerbegroting.app", "db", "upgrade"], cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": db_url}, check=True, capture_output=True)
        flow_ballots = 0 if args.only == "cast" else args.ballots
        cast_ballots = 0 if args.only == "flow" else args.cast_ballots
        kill_ballots = 0 if args.only else max(100, int(args.ballots * args.kill_seconds / max(args.seconds, 1)))
        counts = {"load": max(flow_ballots, 1), "cast": max(cast_ballots, 1), "same": 1, "kill": max(kill_ballots, 1),
                  "raw": max(cast_ballots, 1)}
        print(f"making the round and {sum(counts.values())} voting codes …", flush=True)
        setup = build_round(db_url, counts)
        server = Server(db_url, args.workers, args.threads, workdir / "gunicorn.log", worker_class=args.worker_class)
        time.sleep(1)  # let every worker finish booting
        print(f"gunicorn on 127.0.0.1:{server.port}: workers {server.workers()}, "
              f"threads {args.threads or 'from gunicorn.conf.py'}, class {args.worker_class or 'from gunicorn.conf.py'}"
              f"; load average {os.getloadavg()[0]:.2f}", flush=True)
        dsn = libpq(db_url)
        meter = CpuMeter(server, name)

        def stored(part: str) -> tuple[int, int, int]:
            with psycopg.connect(dsn) as conn:
                ballots = conn.execute("SELECT count(*) FROM ballot WHERE district_id = %s",
                                       (setup.districts[part],)).fetchone()
                used = conn.execute("SELECT count(*) FROM voting_code WHERE district_id = %s AND state = 'used'",
                                    (setup.districts[part],)).fetchone()
                joined = conn.execute("SELECT count(*) FROM participation WHERE district_id = %s",
                                      (setup.districts[part],)).fetchone()
            return (ballots[0] if ballots else 0, used[0] if used else 0, joined[0] if joined else 0)

        summary: list[str] = []
        flow_rate = cast_rate = 0.0
        cast_p95 = flow_p95 = float("nan")

        # 1. The full flow.
        if flow_ballots:
            print(f"\n== full flow: {args.concurrency} voters, 6 requests each, at most {args.ballots} ballots "
                  f"or {args.seconds:g} s", flush=True)
            meter.start()
            web = run_load(server.port, setup.codes["load"], args.seconds, args.concurrency, stop)
            cpu = meter.stop()
            flow_rate = web.cast_ok / web.elapsed if web.elapsed else 0.0
            flow_p95 = percentile([v * 1000 for v in web.cast_latency], 95)
            print(f"  full-flow ballots/s: {web.cast_ok} casts completed in {web.elapsed:.1f} s = "
                  f"{flow_rate:.1f} ballots/s ({flow_rate * 6:.0f} requests/s)")
            print(latency_line("cast step", web.cast_latency))
            print(latency_line("whole flow", web.flow_latency))
            print(f"  errors: {dict(web.errors) or 'none'}")
            print(cpu_line(cpu, web.cast_ok))
            in_db = stored("load")
            print(f"  in the database: ballots {in_db[0]}, codes used {in_db[1]}, participation rows {in_db[2]}")

        # 2. The cast step alone.
        if cast_ballots:
            print(f"\n== cast step: {args.cast_concurrency} clients with warm sessions, one POST per ballot, "
                  f"at most {cast_ballots} ballots or {args.seconds:g} s", flush=True)
            warm = warm_sessions(setup, "cast", cast_ballots)
            for sample in warm[-3:]:
                check_warm(server.port, sample)
            print(f"  {len(warm)} warm sessions; 3 checked through the ballot and review pages", flush=True)
            meter.start()
            casts = run_casts(server.port, warm, args.seconds, args.cast_concurrency, stop)
            cpu = meter.stop()
            cast_rate = casts.cast_ok / casts.elapsed if casts.elapsed else 0.0
            cast_p95 = percentile([v * 1000 for v in casts.cast_latency], 95)
            print(f"  cast-step ballots/s: {casts.cast_ok} casts completed in {casts.elapsed:.1f} s = "
                  f"{cast_rate:.1f} ballots/s")
            print(latency_line("cast", casts.cast_latency))
            print(f"  errors: {dict(casts.errors) or 'none'}")
            print(cpu_line(cpu, casts.cast_ok))
            in_db = stored("cast")
            print(f"  in the database: ballots {in_db[0]}, codes used {in_db[1]}, participation rows {in_db[2]}")

            # 3. The raw insert rate.
            print(f"\n== raw psycopg: same rows, {args.cast_concurrency} connections, one transaction per ballot",
                  flush=True)
            raw_count, raw_elapsed = run_raw(dsn, setup.round_id, setup.districts["raw"], setup.code_ids["raw"],
                                             setup.proposals["raw"], args.seconds, args.cast_concurrency, stop)
            raw_rate = raw_count / raw_elapsed if raw_elapsed else 0.0
            ratio = cast_rate / raw_rate if raw_rate else 0.0
            print(f"  {raw_count} ballots in {raw_elapsed:.1f} s = {raw_rate:.1f} ballots/s; "
                  f"cast step/raw = {ratio:.1%}; full flow/raw = {flow_rate / raw_rate if raw_rate else 0:.1%}")
            summary.append(f"  web/raw {ratio:.1%} (cast step): {verdict(ratio >= 0.25)} (target ≥ 25%)")

        if not args.only:
            # 4. The same code, 50 times at once.
            print(f"\n== {SAME_CODE_VOTERS} concurrent casts with the same code", flush=True)
            statuses = same_code(server.port, setup.codes["same"][0])
            same_ballots = stored("same")[0]
            fivexx = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
            refusals = statuses.get(409, 0)
            print(f"  statuses {dict(statuses)}")
            print(f"  ballots stored {same_ballots} (must be 1), refusals {refusals} (must be "
                  f"{SAME_CODE_VOTERS - 1}), 5xx {fivexx} (must be 0)")
            same_ok = same_ballots == 1 and refusals == SAME_CODE_VOTERS - 1 and fivexx == 0
            summary.append(f"  same code: {verdict(same_ok)}")

            # 5. kill -9 of one worker during load.
            print(f"\n== kill -9 of one gunicorn worker during {args.kill_seconds:g} s of full-flow load", flush=True)
            killed: list[int] = []

            def kill_one() -> None:
                time.sleep(args.kill_seconds / 3)
                victims = server.workers() if server else []
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    killed.append(victims[0])

            fault = run_load(server.port, setup.codes["kill"], args.kill_seconds, args.concurrency, stop,
                             during=kill_one)
            acknowledged = fault.receipts
            hmacs = receipt_hmacs(acknowledged)
            with psycopg.connect(dsn) as conn:
                found = {row[0] for row in conn.execute(
                    "SELECT receipt_hmac FROM ballot WHERE receipt_hmac = ANY(%s)", (hmacs,))}
                duplicates_row = conn.execute(
                    "SELECT (SELECT count(*) FROM ballot WHERE district_id = %(d)s) - "
                    "(SELECT count(DISTINCT receipt_hmac) FROM ballot WHERE district_id = %(d)s)",
                    {"d": setup.districts["kill"]}).fetchone()
            kill_db = stored("kill")
            missing = len(set(hmacs) - found)
            duplicates = (duplicates_row[0] if duplicates_row else 0) + (len(hmacs) - len(set(hmacs)))
            print(f"  killed worker {killed or 'none (no worker found)'}; workers now {server.workers()}")
            print(f"  casts completed {fault.cast_ok} in {fault.elapsed:.1f} s; errors: {dict(fault.errors) or 'none'}")
            print(f"  acknowledged {len(acknowledged)}, stored {kill_db[0]} (codes used {kill_db[1]}, participation "
                  f"{kill_db[2]}), missing {missing} (must be 0), duplicates {duplicates} (must be 0)")
            print("  (stored − acknowledged = casts committed whose receipt page never reached the client)")
            summary.append(f"  kill -9: {verdict(missing == 0 and duplicates == 0 and bool(killed))}")

        print(f"\n== summary (load average now {os.getloadavg()[0]:.2f})")
        if cast_ballots:
            print(f"  cast-step {cast_rate:.1f} ballots/s, p95 {cast_p95:.0f} ms: "
                  f"{verdict(cast_rate >= 200 and cast_p95 < 300)} (target ≥ 200/s, p95 < 300 ms, 60 s)")
        if flow_ballots:
            print(f"  full-flow {flow_rate:.1f} ballots/s (6 requests each), cast p95 {flow_p95:.0f} ms: "
                  f"{verdict(flow_rate >= 200 and flow_p95 < 300)} against the same target")
        for line in summary:
            print(line)
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        stop.set()
        if server is not None:
            server.stop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped database {name}; gunicorn log kept in {workdir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
