"""Casting ballots: one per voter, all or nothing, secret, with codes spent."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import Ballot, BallotChoice
from burgerbegroting.ballots.types import Problem
from burgerbegroting.extensions import db
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters.models import Participation, VotingCode
from tests.conftest import count
from tests.voting.conftest import make_voting_round


def test_cast_with_code_stores_anonymous_ballot_and_spends_code(app, voting_round):
    round_, district, proposals, _ = voting_round
    [(plain, _row)] = voters.generate_codes(round_, district, 1, actor_id=None)
    db.session.commit()
    code = voters.find_code(round_, plain)
    receipt = ballots.cast_ballot(round_, district, f"code:{code.id}", {proposals[0].id: 1, proposals[2].id: 1},
                                  "online", code=code)
    db.session.commit()
    assert receipt and len(receipt) == ballots.RECEIPT_LENGTH
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert {c.proposal_id for c in ballot.choices} == {proposals[0].id, proposals[2].id}
    assert ballot.receipt_hmac != receipt and receipt not in ballot.receipt_hmac
    assert ballots.find_by_receipt(round_, receipt).id == ballot.id
    assert ballots.find_by_receipt(round_, "X" * 10) is None
    db.session.refresh(code)
    assert code.state == "used" and code.used_on is not None and code.channel == "online"
    with pytest.raises(voters.CodeRefused) as info:
        voters.find_code(round_, plain)
    assert info.value.reason == "used"


def test_second_ballot_same_voter_refused_and_nothing_stored(app, voting_round):
    round_, district, proposals, _ = voting_round
    ballots.cast_ballot(round_, district, "user:1", {proposals[0].id: 1}, "online")
    db.session.commit()
    with pytest.raises(ballots.AlreadyVoted):
        ballots.cast_ballot(round_, district, "user:1", {proposals[1].id: 1}, "online")
    db.session.commit()
    assert count(Ballot) == 1 and count(Participation) == 1 and count(BallotChoice) == 1


def test_same_voter_other_district_refused(app, voting_round):
    round_, district, proposals, elsewhere = voting_round
    ballots.cast_ballot(round_, district, "user:7", {proposals[0].id: 1}, "online")
    db.session.commit()
    other = elsewhere.district
    with pytest.raises(ballots.AlreadyVoted):
        ballots.cast_ballot(round_, other, "user:7", {elsewhere.id: 1}, "online")


@pytest.mark.parametrize(("choices", "problem"), [
    ({}, Problem.TOO_FEW),
    ({"many": 4}, Problem.TOO_MANY),
    ({"foreign": 1}, Problem.UNKNOWN_OPTION),
    ({999_999: 1}, Problem.UNKNOWN_OPTION),
])
def test_invalid_ballots_are_refused_and_nothing_is_stored(app, voting_round, choices, problem):
    round_, district, proposals, elsewhere = voting_round
    if "many" in choices:
        choices = {p.id: 1 for p in proposals}
    elif "foreign" in choices:
        choices = {elsewhere.id: 1}
    with pytest.raises(ballots.BallotInvalid) as info:
        ballots.cast_ballot(round_, district, "user:2", choices, "online")
    assert problem in {p for p, _ in info.value.result.problems}
    db.session.commit()
    assert count(Ballot) == 0 and count(Participation) == 0


def test_outside_voting_phase_refused(app):
    round_, district, proposals, _ = make_voting_round()
    round_.phases[2].ends_at = round_.phases[2].starts_at + __import__("datetime").timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(ballots.VotingClosed):
        ballots.cast_ballot(round_, district, "user:3", {proposals[0].id: 1}, "online")


def test_knapsack_over_budget_refused(app):
    round_, district, proposals, _ = make_voting_round("knapsack", max_choices=None, budget_cents=50_000_00)
    with pytest.raises(ballots.BallotInvalid) as info:
        ballots.cast_ballot(round_, district, "user:4", {proposals[1].id: 1, proposals[2].id: 1}, "online")
    assert (Problem.OVER_BUDGET, None) in info.value.result.problems
    ballots.cast_ballot(round_, district, "user:4", {proposals[0].id: 1, proposals[2].id: 1}, "online")


def test_revoked_code_refused_and_reissued_code_works(app, voting_round):
    round_, district, proposals, _ = voting_round
    [(plain, row)] = voters.generate_codes(round_, district, 1, actor_id=None)
    new_plain = voters.revoke_and_reissue(row, actor_id=None)
    db.session.commit()
    with pytest.raises(voters.CodeRefused) as info:
        voters.find_code(round_, plain)
    assert info.value.reason == "revoked"
    code = voters.find_code(round_, new_plain)
    ballots.cast_ballot(round_, district, f"code:{code.id}", {proposals[0].id: 1}, "online", code=code)
    db.session.commit()
    with pytest.raises(voters.CodeRefused):
        voters.revoke_and_reissue(code, actor_id=None)


def test_codes_are_stored_only_as_hmac(app, voting_round):
    round_, district, _, _ = voting_round
    made = voters.generate_codes(round_, district, 25, actor_id=None)
    db.session.commit()
    stored = set(db.session.scalars(sa.select(VotingCode.code_hmac)))
    for plain, _row in made:
        assert plain not in stored and all(plain not in h for h in stored)
    assert len(stored) == 25


@pytest.mark.parametrize(("typed", "reason"), [("", "empty"), ("ABCD", "wrong_length"),
                                                ("0000-0000-0000-0", "bad_character")])
def test_code_problems(app, voting_round, typed, reason):
    round_, *_ = voting_round
    with pytest.raises(voters.CodeRefused) as info:
        voters.find_code(round_, typed)
    assert info.value.reason == reason


def test_typo_gives_check_failed_not_unknown(app, voting_round):
    from burgerbegroting.voters import codes

    round_, district, _, _ = voting_round
    [(plain, _row)] = voters.generate_codes(round_, district, 1, actor_id=None)
    wrong = next(c for c in codes.ALPHABET if c != plain[3])
    with pytest.raises(voters.CodeRefused) as info:
        voters.find_code(round_, plain[:3] + wrong + plain[4:])
    assert info.value.reason == "check_failed"
    other = codes.generate()
    with pytest.raises(voters.CodeRefused) as info:
        voters.find_code(round_, other)
    assert info.value.reason == "unknown"



def test_option_costs_match_the_proposals_on_the_ballot(app):
    """The cast reads only ids and effective costs; they are exactly the ballot's proposals."""
    import datetime as dt

    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.processes.models import District, Round, RoundPhase
    from burgerbegroting.proposals.models import Proposal

    now = utcnow()
    round_ = Round(slug="kosten-op-stembiljet", name="Kosten", ballot_type="knapsack", min_choices=0,
                   counting_rule="equal-shares-add1", eligibility="postcode")
    round_.phases = [RoundPhase(phase="voting", starts_at=now + dt.timedelta(days=1),
                                ends_at=now + dt.timedelta(days=8))]  # not open: the ballot may change
    district = District(name="Wijk K", kind="wijk", budget_cents=1_000_00, postcodes="9997")
    round_.districts = [district]
    db.session.add(round_)
    db.session.flush()

    def plan(title: str, **kw):  # type: ignore[no-untyped-def]
        return Proposal(round_id=round_.id, district_id=district.id, title=title, summary="s", body="b",
                        **{"cost_cents": 100, "status": "feasible", **kw})

    reviewed, hidden, rejected, plain = (plan("Herzien", reviewed_cost_cents=250), plan("Verborgen", hidden_at=now),
                                         plan("Afgewezen", status="not_feasible"), plan("Gewoon", cost_cents=300))
    db.session.add_all([reviewed, hidden, rejected, plain])
    db.session.flush()
    options = ballots.ballot_option_costs(district)
    assert options == ballots.options_for(ballots.ballot_options(district))
    assert [(o.id, o.cost_cents) for o in options] == [(reviewed.id, 250), (plain.id, 300)]
