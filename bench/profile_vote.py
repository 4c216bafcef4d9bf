"""One voter's flow in-process: SQL statements and time per request, and a cProfile of the lot.

    TEST_DATABASE_ADMIN_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/profile_vote.py [--voters 200] [--profile out.prof] [--top 30]

Builds a fresh database and round as bench/load_vote.py does, then drives the same browser flow
(code page → code → ballot → review → cast → receipt) through Flask's test client, with the
production configuration's settings that matter for speed (engine options, no debug). Prints per
step: SQL statements per request (counted with a SQLAlchemy event) and mean wall-clock ms, then the
top functions by cumulative time. A tool to find waste, not a speed target.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_vote as lv


class TestBrowser:
    """The interface of load_vote.Browser on top of Flask's test client."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.client = app.test_client()
        self.cookies = _NoCookies(self.client)

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form) if form is not None else None
        response = self.client.open(path, method=method, data=data, headers={"Accept-Language": "nl"},
                                    content_type="application/x-www-form-urlencoded" if form is not None else None)
        return response.status_code, response.headers.get("Location", ""), response.get_data(as_text=True)

    def close(self) -> None:
        pass


class _NoCookies:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def clear(self) -> None:
        self.client._cookies.clear()


STEPS = ["code page", "code", "ballot", "review", "cast", "receipt"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_ADMIN_URL"))
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--profile", help="write the cProfile data here")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one voter's flow")
    parser.add_argument("--step", choices=STEPS, help="profile only this step of the flow")
    parser.add_argument("--no-profile", action="store_true", help="time only, without the profiler")
    args = parser.parse_args()
    if not args.admin_url:
        parser.error("set TEST_DATABASE_ADMIN_URL or pass --admin-url")
    admin = lv.libpq(args.admin_url)
    name = f"bb_prof_{os.getpid()}"
    db_url = lv.with_database(re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", args.admin_url), name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        import subprocess

        subprocess.run([str(lv.VENV_BIN / "flask"), "--app", "burgerbegroting.app", "db", "upgrade"], cwd=lv.ROOT,
                       env={**os.environ, "DATABASE_URL": db_url}, check=True, capture_output=True)
        setup = lv.build_round(db_url, {"load": args.voters + 1})
        from burgerbegroting.app import create_app
        from burgerbegroting.extensions import db

        os.environ.update({"SECRET_KEY": lv.SECRET_KEY, "HMAC_KEY": lv.HMAC_KEY, "DATABASE_URL": db_url})
        app = create_app("production", SQLALCHEMY_DATABASE_URI=db_url, RATELIMIT_ENABLED=False,
                         HMAC_KEY=lv.HMAC_KEY, SECRET_KEY=lv.SECRET_KEY,
                         SESSION_COOKIE_SECURE=False, MAIL_BACKEND="log")
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute",
                        lambda conn, cursor, statement, *a: statements.append(statement))

        profiler = cProfile.Profile()
        profiling = False
        per_step_sql: dict[str, Counter] = defaultdict(Counter)
        per_step_time: dict[str, float] = defaultdict(float)
        per_step_cpu: dict[str, float] = defaultdict(float)
        original = TestBrowser.request
        step_of = iter(())

        def timed(self, method, path, form=None):  # type: ignore[no-untyped-def]
            step = next(step_of)
            before = len(statements)
            started = time.perf_counter()
            cpu_started = time.process_time()
            if profiling and step == args.step:
                profiler.enable()
            result = original(self, method, path, form)
            if profiling and step == args.step:
                profiler.disable()
            per_step_time[step] += time.perf_counter() - started
            per_step_cpu[step] += time.process_time() - cpu_started
            per_step_sql[step][len(statements) - before] += 1
            return result

        TestBrowser.request = timed  # type: ignore[method-assign]

        def one(code: str) -> None:
            nonlocal step_of
            step_of = iter(STEPS)
            browser = TestBrowser(app)
            form = lv.prepare(browser, code)  # type: ignore[arg-type]
            status, _ = lv.cast(browser, form)  # type: ignore[arg-type]
            lv.expect("cast", status, 303)
            lv.fetch_receipt(browser)  # type: ignore[arg-type]

        codes = setup.codes["load"]
        if args.show_sql:
            statements.clear()
            one(codes.pop())
            for s in statements:
                print("  SQL:", " ".join(s.split())[:160])
            per_step_sql.clear()
            per_step_time.clear()
        one(codes.pop())  # warm-up: imports, template compilation, pool
        per_step_sql.clear()
        per_step_time.clear()
        per_step_cpu.clear()
        started = time.perf_counter()
        profiling = not args.no_profile
        if profiling and not args.step:
            profiler.enable()
        for code in codes[:args.voters]:
            one(code)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{args.voters} voters in {elapsed:.2f} s (with profiler) = {elapsed / args.voters * 1000:.1f} ms "
              f"per voter")
        for step in STEPS:
            sql = dict(sorted(per_step_sql[step].items()))
            print(f"  {step:<10} {per_step_time[step] / args.voters * 1000:6.2f} ms, CPU "
                  f"{per_step_cpu[step] / args.voters * 1000:6.2f} ms (test client included), SQL statements {sql}")
        if args.profile and profiling:
            profiler.dump_stats(args.profile)
        if profiling:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        return 0
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
