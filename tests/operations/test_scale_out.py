"""Scale-out: two separate gunicorn instances (different ports, own processes, own connection
pools) on one fresh PostgreSQL database and one Redis. The invariants hold across them:

* the same voting code cast at the same moment through both → exactly one ballot, every other
  attempt a clear refusal (409), no 5xx;
* the rate limit on refused voting codes is shared: wrong codes at A and B add up to the limit.

Real processes, random ports; bounded by time-outs and cleaned up (servers, database) also on
failure. PostgreSQL only: SQLite is the single-process demo.
"""

from __future__ import annotations

import http.client
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from bench.load_vote import CSRF_RE, SLUG, Browser, FlowError, Server, Setup, cast, libpq, prepare
from tests.operations.servers import build_round, fresh_database, requires_postgres

pytestmark = [requires_postgres, pytest.mark.postgres]

LIMIT = 5  # refused codes per address per 10 minutes, for this test
SAME_CODE_VOTERS = 8
WRONG = "ACDE-FGHJ-KMNP-Q"


@dataclass
class Cluster:
    db_url: str
    setup: Setup
    a: Server
    b: Server

    def count(self, sql: str, part: str) -> int:
        with psycopg.connect(libpq(self.db_url)) as conn:
            row = conn.execute(sql, (self.setup.districts[part],)).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0


@pytest.fixture(scope="module")
def cluster(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    # The Redis may be shared with other tests: nothing is flushed, the addresses are random instead.
    shared = redis_url
    with redis.Redis.from_url(shared) as client:
        assert client.ping()
    logs = tmp_path_factory.mktemp("gunicorn")
    with fresh_database("bb_scale") as db_url:
        setup = build_round(db_url, {"same": 1, "limit": 2})
        env = {"RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": shared, "PROXY_FIX_X_FOR": "1",
               "VOTE_CODE_RATE_LIMIT": f"{LIMIT} per 10 minutes", "GUNICORN_LOGLEVEL": "warning"}
        servers: list[Server] = []
        try:
            with ThreadPoolExecutor(2) as pool:  # start both at once: half the waiting
                started = [pool.submit(Server, db_url, 2, 4, Path(logs) / f"{name}.log", env, 45) for name in "ab"]
                for future in started:
                    servers.append(future.result())
            yield Cluster(db_url, setup, servers[0], servers[1])
        finally:
            for future in started:
                if future.exception() is None:
                    future.result().stop()


def test_two_separate_instances(cluster: Cluster) -> None:
    assert cluster.a.port != cluster.b.port
    assert cluster.a.proc.pid != cluster.b.proc.pid
    assert len(cluster.a.workers()) == 2 and len(cluster.b.workers()) == 2
    assert not set(cluster.a.workers()) & set(cluster.b.workers())


def test_same_code_at_the_same_moment_through_both_instances_gives_one_ballot(cluster: Cluster) -> None:
    code = cluster.setup.codes["same"][0]
    barrier = threading.Barrier(SAME_CODE_VOTERS)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def voter(i: int) -> None:
        server = cluster.a if i % 2 == 0 else cluster.b
        browser = Browser(server.port, timeout=30, headers={"X-Forwarded-For": f"10.1.0.{i}"})
        try:
            form = prepare(browser, code)  # everyone has entered the code and reviewed a ballot ...
            barrier.wait(timeout=30)  # ... then all cast at once
            status, _ = cast(browser, form)
        except (FlowError, OSError, http.client.HTTPException, threading.BrokenBarrierError) as exc:
            barrier.abort()
            status = f"{type(exc).__name__}: {exc}"  # type: ignore[assignment]
        finally:
            browser.close()
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=voter, args=(i,)) for i in range(SAME_CODE_VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert dict(statuses) == {303: 1, 409: SAME_CODE_VOTERS - 1}
    assert cluster.count("SELECT count(*) FROM ballot WHERE district_id = %s", "same") == 1
    assert cluster.count("SELECT count(*) FROM participation WHERE district_id = %s", "same") == 1
    assert cluster.count("SELECT count(*) FROM voting_code WHERE district_id = %s AND state = 'used'", "same") == 1


def enter(server: Server, code: str, address: str) -> tuple[int, str]:
    """Open the code page and send ``code`` from ``address``; the status and Retry-After."""
    browser = Browser(server.port, timeout=30, headers={"X-Forwarded-For": address})
    try:
        status, _, page = browser.request("GET", f"/stemmen/{SLUG}")
        token = CSRF_RE.search(page)
        assert status == 200 and token, status
        response_status, _, _ = browser.request("POST", f"/stemmen/{SLUG}", [("csrf_token", token.group(1)),
                                                                            ("code", code)])
        return response_status, ""
    finally:
        browser.close()


def test_the_code_rate_limit_is_shared_by_both_instances(cluster: Cluster) -> None:
    address, neighbour = (f"10.{net}.{secrets.randbelow(250)}.{secrets.randbelow(250)}" for net in (2, 3))
    servers = [cluster.a, cluster.b]
    refused = [enter(servers[i % 2], WRONG, address)[0] for i in range(LIMIT)]
    assert refused == [422] * LIMIT  # A, B, A, B, A: five refusals in all, none blocked yet
    # Either instance now blocks the address, whatever code it sends ...
    assert enter(cluster.b, WRONG, address)[0] == 429
    assert enter(cluster.a, cluster.setup.codes["limit"][0], address)[0] == 429
    # ... and another address is not affected.
    assert enter(cluster.b, cluster.setup.codes["limit"][1], neighbour)[0] == 303
