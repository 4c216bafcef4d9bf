"""The demo's published rounds: ballots, counts (equal shares and greedy) that recount to the
statuses the site shows, implementation updates; idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from burgerbegroting import demo
from burgerbegroting.ballots.models import Ballot
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.results.models import ImplementationUpdate, TallyRun
from burgerbegroting.results.operations import tally


def _round(slug: str) -> Round:
    return db.session.scalars(sa.select(Round).where(Round.slug == slug)).one()


def test_demo_results_recount_and_are_idempotent(app, client):
    demo.seed()
    db.session.commit()
    runs_before = db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun))
    ballots_before = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
    demo.seed()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun)) == runs_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == ballots_before
    rules = set()
    for slug in ("kernenbudget-2025", "burgerbegroting-2026"):
        round_ = _round(slug)
        runs = db.session.scalars(sa.select(TallyRun).where(TallyRun.round_id == round_.id)).all()
        assert runs
        for run in runs:
            rules.add(run.rule)
            assert tally(run.pb_text, run.rule).selected == run.outcome["selected"]
            counted = [int(i) for i in run.outcome["explanations"]]
            for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(counted))):
                funded = p.status in ("selected", "in_progress", "done")
                assert funded == (p.id in run.selected_ids), (slug, p.id, p.status)
            page = client.get(f"/rondes/{slug}/uitslag/{run.district_id}.pb")
            assert page.status_code == 200 and page.get_data(as_text=True) == run.pb_text
        assert client.get(f"/rondes/{slug}/uitslag").status_code == 200
    assert rules == {"equal-shares", "greedy"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImplementationUpdate)) > 0
