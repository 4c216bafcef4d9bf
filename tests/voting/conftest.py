"""A round in its voting phase with feasible proposals on the ballot."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.proposals.models import Proposal

_counter = itertools.count()


def make_voting_round(ballot_type: str = "approval", min_choices: int = 1, max_choices: int | None = 3,
                      points_total: int | None = None, budget_cents: int = 100_000_00,
                      costs: tuple[int, ...] = (10_000_00, 25_000_00, 40_000_00, 60_000_00),
                      eligibility: str = "postcode", min_age: int | None = None):
    """Build the round before voting starts (the rule lock refuses ballot changes after), then
    move the start of voting into the past."""
    n = next(_counter)
    now = utcnow()
    round_ = Round(slug=f"stemronde-{n}", name=f"Stemronde {n}", ballot_type=ballot_type, min_choices=min_choices,
                   max_choices=max_choices, points_total=points_total, counting_rule="equal-shares-add1",
                   eligibility=eligibility, min_age=min_age)
    round_.phases = [
        RoundPhase(phase="ideas", starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=20)),
        RoundPhase(phase="review", starts_at=now - dt.timedelta(days=20), ends_at=now + dt.timedelta(hours=1)),
        RoundPhase(phase="voting", starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=7)),
    ]
    district = District(name=f"Wijk {n}", kind="wijk", budget_cents=budget_cents, postcodes="9999")
    other = District(name=f"Andere wijk {n}", kind="wijk", budget_cents=budget_cents, postcodes="9998")
    round_.districts = [district, other]
    db.session.add(round_)
    db.session.flush()
    proposals = [
        Proposal(round_id=round_.id, district_id=district.id, title=f"Plan {i}", summary="s", body="b",
                 cost_cents=cost, status="feasible")
        for i, cost in enumerate(costs, start=1)
    ]
    elsewhere = Proposal(round_id=round_.id, district_id=other.id, title="Elders", summary="s", body="b",
                         cost_cents=1000, status="feasible")
    db.session.add_all([*proposals, elsewhere])
    db.session.flush()
    review, voting = round_.phases[1], round_.phases[2]
    start = now - dt.timedelta(minutes=5)
    review.ends_at = start
    voting.starts_at = start
    db.session.commit()
    return round_, district, proposals, elsewhere


@pytest.fixture
def voting_round(app):
    return make_voting_round()


def in_round(model, round_) -> int:  # type: ignore[no-untyped-def]
    """Rows of ``model`` in this round (PostgreSQL test databases may hold other rows)."""
    import sqlalchemy as sa

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.round_id == round_.id)) or 0


def cast_some(n: int) -> Round:
    """A voting round with ``n`` online ballots, each committed on its own (as voters do)."""
    from burgerbegroting.ballots import operations as ballots

    round_, district, proposals, _ = make_voting_round()
    for i in range(n):
        ballots.cast_ballot(round_, district, f"user:{500 + i}", {proposals[i % 3].id: 1}, "online")
        db.session.commit()
    return round_
