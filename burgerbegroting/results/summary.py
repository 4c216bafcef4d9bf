"""Figures for the results page, the council dashboard and the evaluation page (read only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.results.models import TallyRun
from burgerbegroting.results.operations import latest_tallies
from burgerbegroting.voters.models import VotingCode


@dataclass
class Turnout:
    ballots: int = 0
    online: int = 0
    paper: int = 0
    eligible: int | None = None  # voting codes issued (not revoked); None when unknown

    @property
    def percent(self) -> float | None:
        if not self.eligible:
            return None
        return 100.0 * self.ballots / self.eligible


@dataclass
class DistrictResult:
    district: District
    turnout: Turnout
    tally: TallyRun | None
    proposals: list[Proposal] = field(default_factory=list)  # those on the ballot, by id
    selected: list[Proposal] = field(default_factory=list)  # in selection order

    @property
    def used_cents(self) -> int:
        return sum(p.effective_cost_cents for p in self.selected)

    @property
    def left_cents(self) -> int:
        return self.district.budget_cents - self.used_cents


def turnout(round_: Round) -> dict[int, Turnout]:
    out = {d.id: Turnout() for d in round_.districts}
    rows = db.session.execute(
        sa.select(Ballot.district_id, Ballot.channel, sa.func.count())
        .where(Ballot.round_id == round_.id).group_by(Ballot.district_id, Ballot.channel)
    ).all()
    for district_id, channel, n in rows:
        t = out.setdefault(district_id, Turnout())
        t.ballots += n
        if channel == "paper":
            t.paper += n
        else:
            t.online += n
    codes = db.session.execute(
        sa.select(VotingCode.district_id, sa.func.count())
        .where(VotingCode.round_id == round_.id, VotingCode.state != "revoked").group_by(VotingCode.district_id)
    ).all()
    for district_id, n in codes:
        if district_id in out and n:
            out[district_id].eligible = n
    return out


def district_results(round_: Round) -> list[DistrictResult]:
    """Per district (by name): turnout, newest tally, the counted proposals and those chosen.
    A fixed number of queries, whatever the number of districts."""
    tallies = latest_tallies(round_)
    turnouts = turnout(round_)
    counted = {run.district_id: [int(pid) for pid in run.outcome["explanations"]] for run in tallies.values()}
    wanted = sorted({pid for ids in counted.values() for pid in ids})
    by_id = {p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(wanted)))} \
        if wanted else {}
    out: list[DistrictResult] = []
    for district in sorted(round_.districts, key=lambda d: d.name):
        run = tallies.get(district.id)
        proposals = [by_id[i] for i in sorted(counted.get(district.id, [])) if i in by_id]
        selected = [by_id[i] for i in (run.selected_ids if run else []) if i in by_id]
        out.append(DistrictResult(district, turnouts.get(district.id, Turnout()), run, proposals, selected))
    return out


@dataclass
class ProposalRow:
    """One counted proposal on the results page: its sentence and the "what if" marks."""

    proposal: Proposal
    explanation: str
    chosen: list[bool]  # per rule of the "what if" table, in its order
    differs: bool


def proposal_rows(result: DistrictResult, sentences: dict[str, str], rules: tuple[str, ...],
                  chosen: dict[str, set[str]]) -> list[ProposalRow]:
    """Rows for the explanation and "what if" tables, worked out here rather than in the
    template (a results page has thousands of cells)."""
    rows = []
    for p in result.proposals:
        pid = str(p.id)
        marks = [pid in chosen[rule] for rule in rules]
        rows.append(ProposalRow(p, sentences.get(pid, ""), marks, len(set(marks)) > 1))
    return rows


def status_counts(round_: Round) -> dict[str, int]:
    rows = db.session.execute(sa.select(Proposal.status, sa.func.count()).where(Proposal.round_id == round_.id)
                              .group_by(Proposal.status)).all()
    return dict(sorted(rows))


def verdict_counts(round_: Round) -> dict[str, int]:
    from burgerbegroting.reviews.models import Review

    column = getattr(Review, "verdict", None)
    if column is None:
        return {}
    rows = db.session.execute(sa.select(column, sa.func.count()).join(Proposal, Proposal.id == Review.proposal_id)
                              .where(Proposal.round_id == round_.id).group_by(column)).all()
    return {str(v): n for v, n in sorted(rows, key=lambda r: str(r[0]))}


def participants(round_: Round) -> dict[str, int]:
    """Distinct people per phase: authors of ideas, supporters, voters (ballots)."""
    from burgerbegroting.proposals.models import Support

    authors = db.session.scalar(sa.select(sa.func.count(sa.distinct(Proposal.author_id)))
                                .where(Proposal.round_id == round_.id, Proposal.status != "draft")) or 0
    supporters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Support.user_id)))
                                   .join(Proposal, Proposal.id == Support.proposal_id)
                                   .where(Proposal.round_id == round_.id)) or 0
    voters = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == round_.id)) or 0
    return {"ideas": authors, "support": supporters, "voting": voters}


def chart_rows(results: list[DistrictResult]) -> list[dict[str, Any]]:
    """Rows for the bar charts: money used/left and turnout per district, with widths in %."""
    top_budget = max([r.district.budget_cents for r in results] + [1])
    top_ballots = max([r.turnout.ballots for r in results] + [1])
    rows = []
    for i, r in enumerate(results):
        rows.append({
            "i": i, "name": r.district.name, "budget": r.district.budget_cents, "used": r.used_cents,
            "left": r.left_cents, "used_w": round(100 * r.used_cents / top_budget, 2),
            "budget_w": round(100 * r.district.budget_cents / top_budget, 2),
            "ballots": r.turnout.ballots, "ballots_w": round(100 * r.turnout.ballots / top_ballots, 2),
            "percent": r.turnout.percent,
        })
    return rows
