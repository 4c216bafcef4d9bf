"""Redis (the shared rate-limit counters) goes down and comes back: the app keeps serving and
voting, rate limits are counted in the process meanwhile (logged once), and the shared counters
are used again when Redis is back. Also: the time-outs that make outages fail fast."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from burgerbegroting.core import outages
from burgerbegroting.core.outages import engine_options, storage_options
from tests.operations.servers import RedisServer
from tests.voting.conftest import make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start

WRONG = "ACDE-FGHJ-KMNP-Q"
DEGRADED = "Rate-limit storage unreachable"
RECOVERED = "Rate-limit storage reachable again"


@pytest.fixture
def limited(app: Flask, own_redis: RedisServer, limiter_state: None) -> Iterator[Flask]:
    from burgerbegroting.app import create_app

    limited = create_app("testing", RATELIMIT_ENABLED=True, VOTE_CODE_RATE_LIMIT="3 per 10 minutes",
                         RATELIMIT_STORAGE_URI=own_redis.url,
                         SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    limited.test_client_class = app.test_client_class
    yield limited


def wrong_codes_until_blocked(app: Flask, round_, address: str) -> list[int]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return [start(client, round_, WRONG).status_code for _ in range(4)]


def keys(server: RedisServer) -> list[bytes]:
    with redis.Redis.from_url(server.url) as r:
        return list(r.keys("*"))


def test_rate_limits_fall_back_to_the_process_and_recover(limited: Flask, own_redis: RedisServer, caplog) -> None:  # type: ignore[no-untyped-def]
    round_, district, proposals, _ = make_voting_round()
    caplog.set_level(logging.WARNING)

    # Redis up: the counters live in Redis.
    assert wrong_codes_until_blocked(limited, round_, "10.0.0.1") == [422, 422, 422, 429]
    assert keys(own_redis), "no rate-limit counter in Redis"

    # Redis down: still serving and voting; the limit still holds, counted in this process.
    own_redis.stop()
    started = time.monotonic()
    voter = limited.test_client()
    voter.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert start(voter, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(voter, round_)
    assert voter.post(f"/stemmen/{round_.slug}/uitbrengen",
                      data={"choice": [str(proposals[0].id)], "csrf_token": token}).status_code == 303
    assert wrong_codes_until_blocked(limited, round_, "10.0.0.3") == [422, 422, 422, 429]
    assert time.monotonic() - started < 10  # no long waits for the dead Redis
    assert outages.rate_limits_degraded()
    assert caplog.text.count(DEGRADED) == 1  # logged once, not per request

    # Redis back: Flask-Limiter checks it again after a back-off and uses it again.
    own_redis.start()
    deadline = time.monotonic() + 45
    client = limited.test_client()
    while outages.rate_limits_degraded() and time.monotonic() < deadline:
        assert client.get(f"/stemmen/{round_.slug}").status_code == 200
        time.sleep(0.5)
    assert not outages.rate_limits_degraded(), "rate limiting did not switch back to Redis"
    assert caplog.text.count(RECOVERED) == 1
    assert not keys(own_redis)  # a new, empty Redis ...
    assert wrong_codes_until_blocked(limited, round_, "10.0.0.4") == [422, 422, 422, 429]
    assert keys(own_redis)  # ... that holds the counters again


def test_redis_down_from_the_start(app: Flask, limiter_state: None, caplog) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.app import create_app
    from tests.operations.servers import free_port

    dead = create_app("testing", RATELIMIT_ENABLED=True, VOTE_CODE_RATE_LIMIT="3 per 10 minutes",
                      RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
                      SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    dead.test_client_class = app.test_client_class
    round_, _district, _p, _ = make_voting_round()
    caplog.set_level(logging.WARNING)
    assert wrong_codes_until_blocked(dead, round_, "10.0.1.1") == [422, 422, 422, 429]
    assert dead.test_client().get("/readyz").status_code == 200
    assert caplog.text.count(DEGRADED) == 1


def test_postgresql_gets_connect_and_pool_timeouts_and_pool_size() -> None:
    config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@db/x", "DATABASE_CONNECT_TIMEOUT": 3,
              "DATABASE_POOL_TIMEOUT": 10, "DB_POOL_SIZE": 8, "SQLALCHEMY_ENGINE_OPTIONS": {"echo": False}}
    options = engine_options(config)
    assert options == {"echo": False, "connect_args": {"connect_timeout": 3}, "pool_timeout": 10, "pool_size": 8}
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"echo": False}  # not changed in place
    # No pool_pre_ping (a round trip per request): core/dbpool.py checks the socket instead.
    assert "pool_pre_ping" not in options
    explicit = {**config, "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}, "pool_size": 2}}
    assert engine_options(explicit)["connect_args"] == {"connect_timeout": 1}
    assert engine_options(explicit)["pool_size"] == 2
    sqlite = {**config, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    # sqlite3.connect knows no connect_timeout, and the in-memory StaticPool refuses pool_size.
    assert engine_options(sqlite) == {"echo": False}


def test_the_app_uses_the_postgresql_timeouts(app: Flask) -> None:
    from burgerbegroting.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    with app.app_context():
        assert db.engine.pool.timeout() == app.config["DATABASE_POOL_TIMEOUT"]
        with db.engine.connect() as conn:
            timeout = conn.connection.dbapi_connection.info.get_parameters().get("connect_timeout")  # type: ignore[union-attr]
    assert timeout == str(app.config["DATABASE_CONNECT_TIMEOUT"])


def test_redis_storage_fails_fast() -> None:
    options = storage_options({"RATELIMIT_STORAGE_URI": "redis://r:6379/0", "RATELIMIT_STORAGE_TIMEOUT": 0.5})
    assert options["socket_connect_timeout"] == 0.5 and options["socket_timeout"] == 0.5
    assert options["retry"].get_retries() == 0
    assert storage_options({"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STORAGE_TIMEOUT": 0.5}) == {}
