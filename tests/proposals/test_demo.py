"""The demo proposals: made for the demo rounds that exist, safe to seed twice."""

from __future__ import annotations

import sqlalchemy as sa

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.proposals import demo
from burgerbegroting.proposals.models import Proposal, ProposalImage, Support


def _demo_rounds() -> list[int]:
    return list(db.session.scalars(sa.select(Round.id).where(Round.slug.in_(demo.PER_ROUND))))


def _count(model, round_ids) -> int:  # type: ignore[no-untyped-def]
    query = sa.select(sa.func.count()).select_from(model)
    if model is not Proposal:
        query = query.join(Proposal, Proposal.id == model.proposal_id)
    return db.session.scalar(query.where(Proposal.round_id.in_(round_ids))) or 0


def test_seed_demo_is_idempotent_and_fits_the_phases(client) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting import demo as base

    now = utcnow()
    base.seed(now)  # the whole demo, proposals included
    db.session.commit()
    ids = _demo_rounds()
    added = _count(Proposal, ids)
    assert added >= 30
    assert _count(ProposalImage, ids) >= 5 and _count(Support, ids) >= 20
    assert demo.seed_demo(now) == 0  # twice: nothing more
    base.seed(now)
    db.session.commit()
    assert _count(Proposal, ids) == added
    ideas = db.session.scalar(sa.select(Round).where(Round.slug == "wijkbudgetten-2027"))
    statuses = set(db.session.scalars(sa.select(Proposal.status).where(Proposal.round_id == ideas.id)))
    assert "published" in statuses and "draft" in statuses and "feasible" not in statuses
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.round_id.in_(ids))):
        assert proposal.cost_cents <= proposal.district.budget_cents
    # The pages of a demo proposal render.
    some = db.session.scalar(sa.select(Proposal).where(Proposal.round_id == ideas.id, Proposal.status == "published"))
    assert client.get(f"/voorstellen/{some.id}").status_code == 200
    assert client.get("/rondes/wijkbudgetten-2027/voorstellen").status_code == 200


def test_seed_demo_skips_missing_rounds() -> None:
    assert _demo_rounds() == []
    assert demo.seed_demo(utcnow()) == 0
