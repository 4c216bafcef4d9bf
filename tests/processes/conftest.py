"""Fixtures for the rounds tests: demo data, a round factory and the rule-lock triggers."""

from __future__ import annotations

import datetime as dt

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from tests.web.conftest import seeded  # noqa: F401  (fixture)

DAY = dt.timedelta(days=1)


def make_round(slug: str = "testronde", *, voting_in_days: float = 10, districts: int = 2, **settings) -> Round:
    """A round in the ideas phase whose voting starts in ``voting_in_days`` (negative: started)."""
    now = utcnow()
    voting = now + voting_in_days * DAY
    round_ = Round(slug=slug, name=f"Ronde {slug}", description="", **settings)
    round_.phases = [
        RoundPhase(phase="ideas", starts_at=voting - 20 * DAY, ends_at=voting - 10 * DAY),
        RoundPhase(phase="review", starts_at=voting - 10 * DAY, ends_at=voting),
        RoundPhase(phase="voting", starts_at=voting, ends_at=voting + 7 * DAY),
        RoundPhase(phase="counting", starts_at=voting + 7 * DAY, ends_at=voting + 8 * DAY),
        RoundPhase(phase="results", starts_at=voting + 8 * DAY, ends_at=voting + 100 * DAY),
    ]
    for i in range(districts):
        round_.districts.append(District(name=f"Wijk {i + 1}", kind="wijk", budget_cents=10_000_00 * (i + 1),
                                         postcodes=f"99{i + 10}"))
    db.session.add(round_)
    db.session.commit()
    return round_


def phase_of(round_: Round) -> Phase:
    db.session.expire(round_)
    return round_.phase_at()
