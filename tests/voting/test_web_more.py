"""Rate limit on code entry, the receipt check after publication, voting with an account."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db, limiter
from burgerbegroting.processes.models import RoundPhase
from burgerbegroting.voters.models import Participation
from tests.conftest import csrf_from, login, make_user
from tests.voting.conftest import make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start
from tests.web.conftest import html, translated


@pytest.fixture
def limited(app: Flask) -> Iterator[Flask]:
    from burgerbegroting.app import create_app

    was_enabled = limiter.enabled
    limited = create_app("testing", RATELIMIT_ENABLED=True, VOTE_CODE_RATE_LIMIT="3 per 10 minutes",
                         SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    limited.test_client_class = app.test_client_class
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = was_enabled


def test_wrong_codes_are_rate_limited_per_ip_good_codes_do_not_count(limited):
    round_, district, _p, _ = make_voting_round()
    good = [new_code(round_, district) for _ in range(5)]
    client = limited.test_client()
    for code in good[:4]:  # accepted codes do not count
        assert start(client, round_, code).status_code == 303
    for _ in range(3):
        assert start(client, round_, "ACDE-FGHJ-KMNP-Q").status_code == 422
    blocked = start(client, round_, good[4])
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers and int(blocked.headers["Retry-After"]) > 0
    assert "<h1" in html(blocked)
    # Another address is not locked out.
    neighbour = limited.test_client()
    page = neighbour.get(f"/stemmen/{round_.slug}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    response = neighbour.post(f"/stemmen/{round_.slug}", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                              data={"code": good[4], "csrf_token": csrf_from(html(page))})
    assert response.status_code == 303


def _publish(round_) -> None:  # type: ignore[no-untyped-def]
    """Voting over, results published (the start of voting stays as it was: rule lock)."""
    now = utcnow()
    voting = round_.window(__import__("burgerbegroting.processes.phases", fromlist=["Phase"]).Phase.VOTING)
    voting.ends_at = now - dt.timedelta(minutes=2)
    round_.phases.append(RoundPhase(phase="counting", starts_at=now - dt.timedelta(minutes=2),
                                    ends_at=now - dt.timedelta(minutes=1)))
    round_.phases.append(RoundPhase(phase="results", starts_at=now - dt.timedelta(minutes=1),
                                    ends_at=now + dt.timedelta(days=30)))
    db.session.commit()


def test_receipt_lookup_only_after_publication(app, client):
    round_, district, proposals, _ = make_voting_round()
    assert start(client, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(client, round_)
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen",
                       data={"choice": [str(proposals[1].id)], "csrf_token": token}).status_code == 303
    receipt = re.search(r'id="receipt">([A-Z0-9-]+)<', html(client.get(f"/stemmen/{round_.slug}/bewijs"))).group(1)
    before = client.get(f"/stemmen/{round_.slug}/controle")
    assert before.status_code == 200
    assert translated(app, "You can check your ballot with your receipt code after the results are published. "
                      "That is not the case yet.", "nl") in html(before)
    assert client.post(f"/stemmen/{round_.slug}/controle",
                       data={"receipt": receipt, "csrf_token": csrf_from(html(before))}).status_code == 409
    _publish(round_)
    page = client.get(f"/stemmen/{round_.slug}/controle")
    token = csrf_from(html(page))
    found = client.post(f"/stemmen/{round_.slug}/controle", data={"receipt": receipt.lower(), "csrf_token": token})
    assert found.status_code == 200
    assert proposals[1].title in html(found) and proposals[0].title not in html(found)
    wrong = client.post(f"/stemmen/{round_.slug}/controle", data={"receipt": "ACDEF-GHJKM", "csrf_token": token})
    assert wrong.status_code == 422


def test_account_voting_with_declaration(app, client):
    round_, _district, proposals, _elsewhere = make_voting_round(eligibility="account", min_age=16)
    url = f"/stemmen/{round_.slug}"
    assert client.get(url).status_code == 302  # log in first
    user = make_user("kiezer@example.org")
    login(client, "kiezer@example.org")
    page = client.get(url)
    assert page.status_code == 200
    token = csrf_from(html(page))
    too_young = (dt.date.today() - dt.timedelta(days=365 * 10)).strftime("%d-%m-%Y")
    bad = client.post(url, data={"postcode": "1000 AA", "birth_date": too_young, "declaration": "y",
                                 "csrf_token": token})
    assert bad.status_code == 422
    assert translated(app, "You must be %(age)d years or older to vote in this round.", "nl", age=16) in html(bad)
    no_tick = client.post(url, data={"postcode": "9999 AB", "birth_date": "01-01-1980", "csrf_token": token})
    assert no_tick.status_code == 422
    ok = client.post(url, data={"postcode": "9999ab", "birth_date": "01-01-1980", "declaration": "y",
                                "csrf_token": token})
    assert ok.status_code == 303
    token = ballot_token(client, round_)
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen",
                       data={"choice": str(proposals[0].id), "csrf_token": token}).status_code == 303
    refs = db.session.scalars(sa.select(Participation.voter_ref).where(Participation.round_id == round_.id)).all()
    assert refs == [f"user:{user.id}"]
    assert client.get(url).status_code == 409  # voted already
    assert ballots.find_by_receipt(round_, "X") is None
