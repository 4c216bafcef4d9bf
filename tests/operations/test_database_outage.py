"""The database is unreachable or drops the connection mid-request: a friendly 503 page (Dutch
and English, Retry-After, never a stack trace), nothing half-written, and the next request
works again once the database is back."""

from __future__ import annotations

import logging
import time

import pytest
import sqlalchemy as sa
from flask import Flask

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import Ballot
from burgerbegroting.core.errors import database_unavailable
from burgerbegroting.extensions import db
from burgerbegroting.voters.models import Participation, VotingCode
from tests.conftest import login, make_user
from tests.health.test_health import unreachable_app  # noqa: F401  (fixture: an app whose database is gone)
from tests.voting.conftest import in_round, make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start
from tests.web.conftest import html, set_language, translated

HEADING = "The website is temporarily unavailable"


def lost_connection() -> sa.exc.OperationalError:
    """What SQLAlchemy raises when PostgreSQL goes away in the middle of a statement."""
    return sa.exc.OperationalError("INSERT INTO ballot ...", {},
                                   Exception("server closed the connection unexpectedly"),
                                   connection_invalidated=True)


def assert_friendly_503(app: Flask, response, locale: str = "nl") -> None:  # type: ignore[no-untyped-def]
    body = html(response)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["DATABASE_RETRY_AFTER"])
    assert response.headers["Cache-Control"] == "no-store"
    assert translated(app, HEADING, locale) in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    assert "<h1" in body


def test_unreachable_database_gives_the_503_page(unreachable_app: Flask, caplog) -> None:  # noqa: F811
    client = unreachable_app.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.get("/")
    assert_friendly_503(unreachable_app, response, "nl")
    assert translated(unreachable_app, HEADING, "nl") != HEADING  # really Dutch
    assert "Database unavailable on GET /" in caplog.text
    assert "Traceback" not in caplog.text  # a known fault, logged without a stack trace


def test_the_503_page_in_english(unreachable_app: Flask) -> None:  # noqa: F811
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get("/stemmen/some-round")
    assert_friendly_503(unreachable_app, response, "en")
    assert HEADING in html(response)


def test_cast_interrupted_by_a_lost_connection_stores_nothing_and_can_be_retried(
        app: Flask, client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    round_, district, proposals, _ = make_voting_round()
    code = new_code(round_, district)
    assert start(client, round_, code).status_code == 303
    token = ballot_token(client, round_)
    real_cast = ballots.cast_ballot

    def cast_then_lose_the_connection(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_cast(*args, **kwargs)  # participation, code and ballot written (not committed) ...
        raise lost_connection()  # ... then the server goes away

    monkeypatch.setattr(ballots, "cast_ballot", cast_then_lose_the_connection)
    response = client.post(f"/stemmen/{round_.slug}/uitbrengen",
                           data={"choice": [str(proposals[0].id)], "csrf_token": token})
    assert_friendly_503(app, response)
    # Rolled back as a whole: no participation without a ballot, no ballot, the code unspent.
    assert in_round(Participation, round_) == 0
    assert in_round(Ballot, round_) == 0
    assert db.session.scalar(sa.select(VotingCode.state).where(VotingCode.district_id == district.id)) == "active"

    # The database is back: the same voter, same session, casts again and it counts once.
    monkeypatch.setattr(ballots, "cast_ballot", real_cast)
    response = client.post(f"/stemmen/{round_.slug}/uitbrengen",
                           data={"choice": [str(proposals[0].id)], "csrf_token": token})
    assert response.status_code == 303
    assert in_round(Ballot, round_) == 1 and in_round(Participation, round_) == 1


def test_503_page_for_a_logged_in_user_does_not_need_the_database(
        app: Flask, client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Loading the user is the first query of a request: when that fails, the error page must
    not try again (it shows the page as to a visitor)."""
    from burgerbegroting.auth import loading

    make_user("staff-outage@example.org", roles=("admin",))
    assert login(client, "staff-outage@example.org").status_code == 303
    set_language(client, "en")

    def broken_loader(user_id: str):  # type: ignore[no-untyped-def]
        raise lost_connection()

    monkeypatch.setattr(app.login_manager, "_user_callback", broken_loader)
    assert loading.load_user  # the real loader, put back by monkeypatch afterwards
    response = client.get("/beheer/rondes")
    assert response.status_code == 503
    assert "Traceback" not in html(response)


def test_pool_timeout_and_other_errors() -> None:
    """Which database errors are an outage (503, try again) and which are a bug (500)."""
    assert database_unavailable(lost_connection())
    assert database_unavailable(sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"))
    assert database_unavailable(sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")))
    assert not database_unavailable(sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not database_unavailable(sa.exc.ProgrammingError("SELECT", {}, Exception("syntax error")))
    assert not database_unavailable(ValueError("a bug"))


def test_a_bug_is_still_a_500(app: Flask, client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.voters import views as voter_views

    def broken(slug: str):  # type: ignore[no-untyped-def]
        raise sa.exc.ProgrammingError("SELECT", {}, Exception("column does not exist"))

    monkeypatch.setattr(voter_views, "load_round_by_slug", broken)
    response = client.get("/stemmen/some-round")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Traceback" not in html(response)


def test_the_app_recovers_by_itself_when_its_connections_were_cut(app: Flask, ordinary_session: None,
                                                                   limiter_state: None) -> None:
    """PostgreSQL restarted: every pooled connection is dead. core/dbpool.py notices on
    checkout and connects again, so the next request works without restarting the app."""
    import psycopg

    from burgerbegroting.app import create_app
    from tests.operations.servers import ADMIN_URL, libpq

    if not ADMIN_URL.startswith("postgresql") or not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL and TEST_DATABASE_ADMIN_URL from scripts/pg.sh)")
    name = "bb-recovery-test"
    restarted = create_app("testing", SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": name}})
    restarted.test_client_class = app.test_client_class
    client = restarted.test_client()
    try:
        assert client.get("/readyz").status_code == 200  # the pool now holds a connection
        with psycopg.connect(libpq(ADMIN_URL), autocommit=True) as admin:
            cut = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE application_name = %s", (name,)).fetchone()
            # pg_terminate_backend only signals the backend; as after a restart, wait until it has
            # exited (it has then sent its FATAL message, so the pooled socket reads as closed).
            deadline = time.monotonic() + 10
            while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                (name,)).fetchone() != (0,) and time.monotonic() < deadline:
                time.sleep(0.01)
        assert cut and cut[0] >= 1
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 200
    finally:
        with restarted.app_context():
            db.engine.dispose()
