"""A round in its counting phase with stored anonymous ballots."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from burgerbegroting.ballots.models import Ballot, BallotChoice
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.proposals.models import Proposal

_counter = itertools.count()

# Ballots per district: lists of (proposal index, value).
DEFAULT_BALLOTS = (
    [[(0, 1), (1, 1)]] * 6 + [[(2, 1)]] * 3 + [[(3, 1), (0, 1)]] * 2
)


def make_counting_round(ballot_type: str = "approval", counting_rule: str = "equal-shares-add1",
                        costs: tuple[int, ...] = (10_000_00, 25_000_00, 40_000_00, 60_000_00),
                        budget_cents: int = 100_000_00, ballots=DEFAULT_BALLOTS, points_total: int | None = None,
                        max_choices: int | None = 3, paper: int = 2, extra_districts: int = 0):
    """Build the round before voting, move voting into the past and counting to now, then
    store ballots (as the voting code does). ``extra_districts``: more districts, each with
    one plan ("Plan extra K") and one ballot for it."""
    n = next(_counter)
    now = utcnow()
    round_ = Round(slug=f"telronde-{n}", name=f"Telronde {n}", ballot_type=ballot_type, min_choices=1,
                   max_choices=max_choices, points_total=points_total, counting_rule=counting_rule)
    round_.phases = [
        RoundPhase(phase="ideas", starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=20)),
        RoundPhase(phase="review", starts_at=now - dt.timedelta(days=20), ends_at=now + dt.timedelta(hours=1)),
        RoundPhase(phase="voting", starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=7)),
        RoundPhase(phase="counting", starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=8)),
        RoundPhase(phase="results", starts_at=now + dt.timedelta(days=8), ends_at=now + dt.timedelta(days=60)),
        RoundPhase(phase="implementation", starts_at=now + dt.timedelta(days=60),
                   ends_at=now + dt.timedelta(days=400)),
    ]
    district = District(name=f"Wijk {n}", kind="wijk", budget_cents=budget_cents, postcodes="9999")
    other = District(name=f"Dorp {n}", kind="dorp", budget_cents=5_000_00, postcodes="9998")
    extras = [District(name=f"Extra {k} {n}", kind="wijk", budget_cents=2_000_00, postcodes="")
              for k in range(extra_districts)]
    round_.districts = [district, other, *extras]
    db.session.add(round_)
    db.session.flush()
    proposals = [Proposal(round_id=round_.id, district_id=district.id, title=f"Plan {i}", summary="s", body="b",
                          cost_cents=cost, status="feasible") for i, cost in enumerate(costs, start=1)]
    elsewhere = Proposal(round_id=round_.id, district_id=other.id, title="Bankje bij de kerk", summary="s", body="b",
                         cost_cents=1_000_00, status="feasible")
    extra_plans = [Proposal(round_id=round_.id, district_id=d.id, title=f"Plan extra {k}", summary="s", body="b",
                            cost_cents=1_000_00, status="feasible") for k, d in enumerate(extras)]
    db.session.add_all([*proposals, elsewhere, *extra_plans])
    db.session.flush()
    _ideas, review, voting, counting, _results, _impl = round_.phases
    review.ends_at = now - dt.timedelta(days=10)
    voting.starts_at = now - dt.timedelta(days=10)
    voting.ends_at = now - dt.timedelta(hours=1)
    counting.starts_at = now - dt.timedelta(hours=1)
    db.session.flush()
    for i, choices in enumerate(ballots):
        b = Ballot(round_id=round_.id, district_id=district.id, channel="paper" if i < paper else "online",
                   cast_on=(now - dt.timedelta(days=5)).date())
        b.choices = [BallotChoice(proposal_id=proposals[idx].id, value=value) for idx, value in choices]
        db.session.add(b)
    b = Ballot(round_id=round_.id, district_id=other.id, channel="online", cast_on=(now - dt.timedelta(days=5)).date())
    b.choices = [BallotChoice(proposal_id=elsewhere.id, value=1 if ballot_type != "cumulative" else 3)]
    db.session.add(b)
    for plan in extra_plans:
        b = Ballot(round_id=round_.id, district_id=plan.district_id, channel="online",
                   cast_on=(now - dt.timedelta(days=5)).date())
        b.choices = [BallotChoice(proposal_id=plan.id, value=1 if ballot_type != "cumulative" else 3)]
        db.session.add(b)
    db.session.commit()
    return round_, district, proposals, elsewhere


@pytest.fixture
def counting_round(app):
    return make_counting_round()
