"""The demo voting codes: fixed, valid, idempotent, and they work on the voting page."""

from __future__ import annotations

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.voters import codes
from burgerbegroting.voters.demo import demo_code, seed_demo
from burgerbegroting.voters.models import VotingCode
from tests.voting.conftest import in_round, make_voting_round
from tests.voting.test_web_vote import start


def test_demo_codes_are_fixed_valid_and_idempotent(app, client, capsys):
    round_, district, _p, _ = make_voting_round()
    assert demo_code("a", "b", 1) == demo_code("a", "b", 1) != demo_code("a", "b", 2)
    assert codes.normalise(demo_code("a", "b", 1))  # check character is right
    rows = [r for r in seed_demo(utcnow()) if r[0] == round_.slug]
    made = in_round(VotingCode, round_)
    assert made == len(rows) == 3 * len(round_.districts)
    assert [r for r in seed_demo(utcnow(), echo=False) if r[0] == round_.slug] == rows
    assert in_round(VotingCode, round_) == made
    assert "Demo voting codes" in capsys.readouterr().out
    first = next(r for r in rows if r[2] == district.name)
    assert start(client, round_, first[3]).status_code == 303


def test_rounds_not_in_voting_get_no_codes(app):
    import datetime as dt

    from burgerbegroting.extensions import db
    from burgerbegroting.processes.models import District, Round, RoundPhase

    now = utcnow()
    later = Round(slug="demo-later", name="Later", ballot_type="approval")
    later.phases = [RoundPhase(phase="voting", starts_at=now + dt.timedelta(days=2),
                               ends_at=now + dt.timedelta(days=3))]
    later.districts = [District(name="Overal", kind="gemeente", budget_cents=1000_00)]
    db.session.add(later)
    db.session.flush()
    assert not [r for r in seed_demo(now, echo=False) if r[0] == "demo-later"]
    assert in_round(VotingCode, later) == 0
