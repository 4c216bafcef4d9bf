"""Demo results: anonymous ballots, stored counts and implementation updates for the demo
rounds whose results are published (``kernenbudget-2025``, counted with equal shares, and
``burgerbegroting-2026``, counted with greedy).

The proposals demo already decided which proposals were chosen. The ballots made here favour
those, the real counter then counts them, and the proposals' statuses follow the count: where
the count disagrees, the count wins (so the published .pb file always recounts to what the
site shows). Runs with the shifted demo clock, before the schedules are moved back.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot, BallotChoice
from burgerbegroting.counting import count
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Proposal, ProposalEvent
from burgerbegroting.results.export import export_text, load_election
from burgerbegroting.results.models import ImplementationUpdate, TallyRun
from burgerbegroting.results.operations import outcome_json

ROUNDS = {"kernenbudget-2025": (140, 260), "burgerbegroting-2026": (700, 900)}
WON = ("selected", "in_progress", "done")
UPDATES = {
    "in_progress": [("planned", "De gemeente heeft de opdracht gegeven. De uitvoering start na de zomer."),
                    ("in_progress", "De werkzaamheden zijn begonnen. Er kan wat overlast zijn in de straat.")],
    "done": [("planned", "Het plan is uitgewerkt met de bewoners die het indienden."),
             ("in_progress", "De aannemer is aan het werk."),
             ("done", "Klaar! Dank aan iedereen die meedacht en stemde.")],
    "selected": [("planned", "We plannen de uitvoering samen met de indieners.")],
}


def _ballots_for(round_: Round, proposals: list[Proposal], rng: random.Random, voters: int) -> list[dict[int, int]]:
    winners = [p for p in proposals if p.status in WON]
    losers = [p for p in proposals if p.status == "not_selected"]
    out: list[dict[int, int]] = []
    for v in range(voters):
        if round_.ballot_type == "cumulative":
            total = round_.points_total or 10
            choice: dict[int, int] = {}
            if losers and v % 25 == 0:  # a few residents back a plan that was not chosen
                choice[rng.choice(losers).id] = 2
            left = total - sum(choice.values())
            picks = winners or losers
            for k, p in enumerate(picks):
                share = left // len(picks) + (1 if k < left % len(picks) else 0)
                if share:
                    choice[p.id] = choice.get(p.id, 0) + share
            out.append(choice)
        else:
            # Approval: most voters choose the winners; fewer choose the others.
            choice = {p.id: 1 for p in winners if rng.random() < 0.8 - 0.05 * (p.id % 4)}
            for p in losers:
                if rng.random() < 0.2:
                    choice[p.id] = 1
            if not choice:
                choice[(winners or losers)[0].id] = 1
            limit = round_.max_choices or len(choice)
            out.append(dict(sorted(choice.items())[:limit]))
    return out


def _follow_count(proposal: Proposal, chosen: bool, at: dt.datetime) -> None:
    """Set a demo proposal's status from the count where the proposals demo guessed otherwise."""
    won = proposal.status in WON
    if won == chosen:
        return
    new = "selected" if chosen else "not_selected"
    proposal.history.append(ProposalEvent(kind="status", from_status=proposal.status, to_status=new, at=at,
                                          public_note="Uitslag van de telling."))
    proposal.status = new


def seed_demo(now: dt.datetime) -> int:
    """Ballots, counts and updates for the published demo rounds; returns the number of counts stored."""
    from burgerbegroting.demo import SEED_SHIFT

    stored = 0
    for slug, (low, high) in ROUNDS.items():
        round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug))
        if round_ is None or db.session.scalar(sa.select(TallyRun.id).where(TallyRun.round_id == round_.id).limit(1)):
            continue
        voting, counting = round_.window(Phase.VOTING), round_.window(Phase.COUNTING)
        if voting is None or counting is None:
            continue
        rng = random.Random(slug)
        for district in sorted(round_.districts, key=lambda d: d.id):
            proposals = list(db.session.scalars(
                sa.select(Proposal).where(Proposal.district_id == district.id,
                                          Proposal.status.in_([*WON, "not_selected"])).order_by(Proposal.id)))
            if not proposals:
                continue
            for k, choice in enumerate(_ballots_for(round_, proposals, rng, rng.randint(low, high))):
                day = voting.starts_at + dt.timedelta(hours=rng.randrange(
                    max(1, int((voting.ends_at - voting.starts_at).total_seconds() // 3600))))
                ballot = Ballot(round_id=round_.id, district_id=district.id,
                                channel="paper" if k % 7 == 0 else "online", cast_on=(day - SEED_SHIFT).date())
                ballot.choices = [BallotChoice(proposal_id=pid, value=value) for pid, value in choice.items()]
                db.session.add(ballot)
            db.session.flush()
            election = load_election(round_, district)
            text, digest = export_text(election)
            outcome = count(election, round_.counting_rule)
            at = counting.starts_at + dt.timedelta(hours=2)
            db.session.add(TallyRun(round_id=round_.id, district_id=district.id, rule=outcome.rule,
                                    rule_version=outcome.rule_version, input_sha256=digest, pb_text=text,
                                    outcome_json=outcome_json(outcome, election),
                                    created_at=at))
            stored += 1
            chosen = {int(pid) for pid in outcome.selected}
            for p in proposals:
                _follow_count(p, p.id in chosen, at)
                for n, (status, note) in enumerate(UPDATES.get(p.status, [])):
                    # Finished plans get a final bill, a little over or under the plan (not
                    # drawn from rng: the ballots after this stay as they were).
                    actual = (p.effective_cost_cents * (88 + p.id * 7 % 25) // 100 // 100 * 100
                              if status == "done" else None)
                    db.session.add(ImplementationUpdate(proposal_id=p.id, status=status, text=note,
                                                        created_at=at + dt.timedelta(days=20 + 40 * n),
                                                        actual_cost_cents=actual))
    db.session.flush()
    return stored
