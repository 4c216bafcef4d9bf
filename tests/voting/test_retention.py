"""``flask voters purge-register``: the register (names, addresses) of a round is deleted once
its voting ended more than the retention period ago; ballots, participation and codes stay."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot, BallotChoice
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters import retention
from burgerbegroting.voters.models import Participation, RegisterEntry, VotingCode
from tests.voting.conftest import in_round

_counter = itertools.count()


def _round_with_register(voting_ended_days_ago: float | None, people: int = 3) -> Round:
    """A round with ``people`` register entries and one code each; one of them voted. Voting
    ended ``voting_ended_days_ago`` days ago (None: voting is still open)."""
    n = next(_counter)
    now = utcnow()
    day = dt.timedelta(days=1)
    round_ = Round(slug=f"bewaartermijn-{n}", name=f"Bewaartermijn {n}", ballot_type="approval", min_choices=1,
                   max_choices=3, counting_rule="equal-shares-add1", eligibility="postcode")
    # Built before voting opens (the rule lock refuses districts and proposals after), then
    # the phases move into the past.
    round_.phases = [RoundPhase(phase="ideas", starts_at=now + day, ends_at=now + 2 * day),
                     RoundPhase(phase="review", starts_at=now + 2 * day, ends_at=now + 3 * day),
                     RoundPhase(phase="voting", starts_at=now + 3 * day, ends_at=now + 10 * day)]
    district = District(name=f"Wijk {n}", kind="wijk", budget_cents=100_000_00, postcodes="9999")
    round_.districts = [district]
    db.session.add(round_)
    db.session.flush()
    proposal = Proposal(round_id=round_.id, district_id=district.id, title="Plan", summary="s", body="b",
                        cost_cents=1000, status="feasible")
    db.session.add(proposal)
    db.session.flush()
    ideas, review, voting = round_.phases
    end = now - day * voting_ended_days_ago if voting_ended_days_ago is not None else now + 7 * day
    start = end - 10 * day if voting_ended_days_ago is not None else now - dt.timedelta(minutes=5)
    ideas.starts_at, ideas.ends_at = start - 20 * day, start - 10 * day
    review.starts_at, review.ends_at = start - 10 * day, start
    voting.starts_at, voting.ends_at = start, end
    db.session.flush()

    entries = [RegisterEntry(round_id=round_.id, district_id=district.id, name=f"Inwoner {i}",
                             street=f"Dorpsstraat {i}", postcode="9999 AA", city="Voorbeeld") for i in range(people)]
    db.session.add_all(entries)
    db.session.flush()
    made = voters.generate_codes(round_, district, people, actor_id=None, entries=entries)
    _plain, voted = made[0]
    voted.state, voted.used_on, voted.channel = "used", dt.date.today(), "online"
    db.session.add(Participation(round_id=round_.id, district_id=district.id, voter_ref=f"code:{voted.id}",
                                 channel="online"))
    ballot = Ballot(round_id=round_.id, district_id=district.id, channel="online", cast_on=dt.date.today())
    ballot.choices = [BallotChoice(proposal_id=proposal.id, value=1)]
    db.session.add(ballot)
    db.session.commit()
    return round_


def _state(round_: Round) -> dict[str, int]:
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == round_.id))
    linked = db.session.scalar(sa.select(sa.func.count()).select_from(VotingCode).where(
        VotingCode.round_id == round_.id, VotingCode.register_entry_id.is_not(None)))
    return {"entries": in_round(RegisterEntry, round_), "codes": in_round(VotingCode, round_),
            "participation": in_round(Participation, round_), "ballots": ballots or 0, "linked": linked or 0}


def _purge_events(round_: Round) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "register_purged", AuditEvent.target == f"round:{round_.id}")))


def test_purge_deletes_only_old_registers_and_keeps_what_the_count_needs(app):
    old = _round_with_register(voting_ended_days_ago=45)
    recent = _round_with_register(voting_ended_days_ago=10)
    open_ = _round_with_register(voting_ended_days_ago=None)
    before = {r.id: _state(r) for r in (old, recent, open_)}
    assert before[old.id]["entries"] == 3 and before[old.id]["linked"] == 3

    done = retention.purge_register(30)
    db.session.commit()

    assert [(d.round_id, d.entries) for d in done if d.round_id in before] == [(old.id, 3)]
    after = _state(old)
    assert after["entries"] == 0 and after["linked"] == 0
    # Codes (spent or not), participation and the anonymous ballot are untouched.
    assert {k: after[k] for k in ("codes", "participation", "ballots")} == \
        {k: before[old.id][k] for k in ("codes", "participation", "ballots")}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VotingCode).where(
        VotingCode.round_id == old.id, VotingCode.state == "used")) == 1
    assert _state(recent) == before[recent.id]
    assert _state(open_) == before[open_.id]
    [event] = _purge_events(old)
    payload = json.loads(event.payload)
    assert payload["entries"] == 3 and payload["retention_days"] == 30
    assert "Inwoner" not in event.payload and "Dorpsstraat" not in event.payload
    # A second run finds nothing more to do and records nothing.
    assert [d for d in retention.purge_register(30) if d.round_id in before] == []
    assert len(_purge_events(old)) == 1


def test_retention_period_is_configurable(app):
    recent = _round_with_register(voting_ended_days_ago=10)
    assert recent.id not in {p.round_id for p in retention.purgeable(30)}
    assert recent.id in {p.round_id for p in retention.purgeable(7)}
    assert recent.id in {p.round_id for p in retention.purgeable(0)}
    with pytest.raises(ValueError):
        retention.purgeable(-1)


def test_cli_dry_run_changes_nothing(app):
    old = _round_with_register(voting_ended_days_ago=45)
    before = _state(old)
    result = app.test_cli_runner().invoke(args=["voters", "purge-register", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{old.slug}: would delete 3 register entries" in result.output
    assert "Dry run" in result.output
    db.session.expire_all()
    assert _state(old) == before
    assert _purge_events(old) == []


def test_cli_purges_with_default_and_given_retention(app):
    old = _round_with_register(voting_ended_days_ago=45)
    recent = _round_with_register(voting_ended_days_ago=10)
    assert app.config["REGISTER_RETENTION_DAYS"] == 30
    result = app.test_cli_runner().invoke(args=["voters", "purge-register"])
    assert result.exit_code == 0, result.output
    assert f"{old.slug}: deleted 3 register entries" in result.output
    assert recent.slug not in result.output
    db.session.expire_all()
    assert _state(old)["entries"] == 0 and _state(recent)["entries"] == 3

    result = app.test_cli_runner().invoke(args=["voters", "purge-register", "--days", "5"])
    assert result.exit_code == 0, result.output
    assert f"{recent.slug}: deleted 3 register entries" in result.output
    db.session.expire_all()
    assert _state(recent)["entries"] == 0 and _state(recent)["ballots"] == 1


def test_cli_refuses_a_negative_period(app):
    result = app.test_cli_runner().invoke(args=["voters", "purge-register", "--days", "-3"])
    assert result.exit_code != 0
    assert "-3" in result.output


def test_cli_refuses_a_period_beyond_the_calendar(app):
    # Today minus a billion days is no date: a usage error, not a traceback.
    result = app.test_cli_runner().invoke(args=["voters", "purge-register", "--days", "1000000000"])
    assert result.exit_code == 2 and "--days" in result.output
