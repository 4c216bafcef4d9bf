"""Factories for review and moderation tests: a round in a given phase, proposals, comments."""

from __future__ import annotations

import datetime as dt
import itertools

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Comment, Proposal, Support

ORDER = [Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.COUNTING, Phase.RESULTS]
_n = itertools.count(1)


def make_round(phase: Phase = Phase.REVIEW, four_eyes: bool = False, min_supporters: int = 0,
               districts: tuple[str, ...] = ("Noord", "Zuid")) -> Round:
    """A round whose current phase is ``phase`` (one day into it); every window is 10 days."""
    now = utcnow()
    index = ORDER.index(phase) if phase in ORDER else -1
    base = now + dt.timedelta(days=1) if index < 0 else now - dt.timedelta(days=index * 10 + 1)
    n = next(_n)
    round_ = Round(slug=f"ronde-{n}", name=f"Ronde {n}", four_eyes=four_eyes, min_supporters=min_supporters)
    for k, p in enumerate(ORDER):
        round_.phases.append(RoundPhase(phase=p.value, starts_at=base + dt.timedelta(days=10 * k),
                                        ends_at=base + dt.timedelta(days=10 * (k + 1))))
    for name in districts:
        round_.districts.append(District(name=name, budget_cents=10_000_000))
    db.session.add(round_)
    db.session.commit()
    assert round_.phase_at() == phase
    return round_


def make_proposal(round_: Round, author_id: int | None = None, status: str = "published",
                  district: District | None = None, cost_cents: int = 500_000, title: str | None = None,
                  body: str = "Een bankje bij de speeltuin.") -> Proposal:
    proposal = Proposal(round_id=round_.id, district_id=(district or round_.districts[0]).id, author_id=author_id,
                        title=title or f"Voorstel {next(_n)}", summary="Korte samenvatting", body=body,
                        cost_cents=cost_cents, status=status, published_at=utcnow())
    db.session.add(proposal)
    db.session.commit()
    return proposal


def support(proposal: Proposal, *user_ids: int) -> None:
    for user_id in user_ids:
        db.session.add(Support(proposal_id=proposal.id, user_id=user_id))
    db.session.commit()


def make_comment(proposal: Proposal, author_id: int | None, body: str = "Goed idee!") -> Comment:
    comment = Comment(proposal_id=proposal.id, author_id=author_id, body=body)
    db.session.add(comment)
    db.session.commit()
    return comment


def shift_into_voting(round_: Round) -> None:
    """Move the schedule so that voting has started (after putting proposals on the ballot:
    the database refuses adding them once voting is open)."""
    offset = round_.window(Phase.VOTING).starts_at - utcnow() + dt.timedelta(hours=1)
    for window in sorted(round_.phases, key=lambda w: w.starts_at):
        window.starts_at -= offset
        window.ends_at -= offset
    db.session.commit()
    db.session.expire_all()
    assert round_.phase_at() == Phase.VOTING
