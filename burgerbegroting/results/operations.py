"""Counting, publishing and implementation updates. Operations flush, never commit.

Counting stores a ``TallyRun`` and changes nothing else; publishing applies the newest tally
of every district to the proposals' statuses and opens the results phase (see the package
docstring).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from burgerbegroting.core import signals
from burgerbegroting.counting import RULES, Election, Outcome, count, read_pb
from burgerbegroting.extensions import db
from burgerbegroting.processes import operations as round_ops
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.history import change_status
from burgerbegroting.proposals.models import MAX_COST_CENTS, Proposal
from burgerbegroting.proposals.status import Status
from burgerbegroting.results.export import export_text, load_election
from burgerbegroting.results.models import IMPLEMENTATION_STATUSES, ImplementationUpdate, TallyRun


class NotCounting(Exception):
    """The round is not in its counting phase."""


class NotCounted(Exception):
    """Publishing needs a tally of every district."""

    def __init__(self, districts: list[str]):
        super().__init__(", ".join(districts))
        self.districts = districts


class NotFunded(Exception):
    """Implementation updates are for selected proposals only."""


# Rules shown side by side in the "what if" table.
WHAT_IF_RULES = ("greedy", "equal-shares-add1")


def tally(pb_text: str, rule: str) -> Outcome:
    """Count the exact text of a Pabulib file with ``rule``: what the stored tally and a
    resident's recount of the downloaded file both do."""
    return count(read_pb(pb_text), rule)


@dataclass(frozen=True)
class Counted:
    """A district's count, worked out but not stored yet (see ``count_district``)."""

    district_id: int
    text: str
    digest: str
    outcome: Outcome
    outcome_json: str


def count_district(round_: Round, district: District) -> Counted:
    """Count a district without writing anything. Storing a tally appends to the audit log,
    whose lock is held until the transaction ends: counting every district first and storing
    them after keeps that lock for milliseconds, not for the whole (possibly long) count."""
    if round_.phase_at() != Phase.COUNTING:
        raise NotCounting()
    # The count runs on the election the export was written from: reading that text back gives
    # the same election (tests/results hold this), so parsing it again would only cost time.
    election = load_election(round_, district)
    text, digest = export_text(election)
    outcome = count(election, round_.counting_rule)
    return Counted(district.id, text, digest, outcome, outcome_json(outcome, election))


def store_count(round_: Round, counted: Counted, actor_id: int | None) -> TallyRun:
    outcome = counted.outcome
    run = TallyRun(round_id=round_.id, district_id=counted.district_id, rule=outcome.rule,
                   rule_version=outcome.rule_version, input_sha256=counted.digest, pb_text=counted.text,
                   outcome_json=counted.outcome_json, created_by_id=actor_id)
    db.session.add(run)
    db.session.flush()
    signals.tally_stored.send(round_, actor_id=actor_id, district_id=counted.district_id, tally_id=run.id,
                              rule=run.rule, input_sha256=counted.digest, selected=outcome.selected)
    return run


def run_count(round_: Round, district: District, actor_id: int | None) -> TallyRun:
    return store_count(round_, count_district(round_, district), actor_id)


def outcome_json(outcome: Outcome, election: Election) -> str:
    """The counter's outcome, plus what the other rules would have chosen on the same file
    (``what_if``: rule -> selected ids), computed once when counting."""
    data = outcome.to_dict()
    data["what_if"] = {rule: (list(outcome.selected) if rule == outcome.rule else count(election, rule).selected)
                       for rule in WHAT_IF_RULES if rule in RULES}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def run_all(round_: Round, actor_id: int | None) -> list[TallyRun]:
    counted = [count_district(round_, d) for d in sorted(round_.districts, key=lambda d: d.id)]
    return [store_count(round_, c, actor_id) for c in counted]


def latest_tallies(round_: Round) -> dict[int, TallyRun]:
    """The newest tally per district id."""
    newest = (sa.select(sa.func.max(TallyRun.id)).where(TallyRun.round_id == round_.id)
              .group_by(TallyRun.district_id))
    runs = db.session.scalars(sa.select(TallyRun).where(TallyRun.id.in_(newest))).all()
    return {run.district_id: run for run in runs}


def publish(round_: Round, reason: str, actor_id: int | None) -> Phase:
    """Apply the newest tallies to the proposals and move the round to its next phase (results)."""
    if round_.phase_at() != Phase.COUNTING:
        raise NotCounting()
    tallies = latest_tallies(round_)
    missing = [d.name for d in round_.districts if d.id not in tallies]
    if missing:
        raise NotCounted(missing)
    apply_outcomes(round_, tallies, actor_id)
    return round_ops.change_phase_now(round_, reason, actor_id)


def apply_outcomes(round_: Round, tallies: dict[int, TallyRun], actor_id: int | None) -> None:
    for district in round_.districts:
        run = tallies[district.id]
        selected = set(run.selected_ids)
        counted = {int(pid) for pid in run.outcome["explanations"]}
        proposals = db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(counted)).order_by(Proposal.id))
        for proposal in proposals:
            if proposal.status != Status.FEASIBLE.value:
                continue
            wanted = Status.SELECTED if proposal.id in selected else Status.NOT_SELECTED
            change_status(proposal, wanted, actor_id)


@dataclass
class WhatIf:
    rules: tuple[str, ...]
    chosen: dict[str, set[str]]  # rule -> selected project ids


def what_if(run: TallyRun, rules: tuple[str, ...] = WHAT_IF_RULES) -> WhatIf:
    outcome = run.outcome
    stored = outcome.get("what_if", {})
    names = tuple(dict.fromkeys((run.rule, *rules)))
    chosen: dict[str, set[str]] = {run.rule: set(outcome["selected"])}
    election = None
    for rule in names:
        if rule in chosen or rule not in RULES:
            continue
        if rule in stored:
            chosen[rule] = set(stored[rule])
        else:
            election = election or read_pb(run.pb_text)
            chosen[rule] = set(count(election, rule).selected)
    return WhatIf(tuple(r for r in names if r in chosen), chosen)


def add_update(proposal: Proposal, status: str, text: str, actor_id: int | None,
               photo: bytes | None = None, photo_type: str | None = None,
               actual_cost_cents: int | None = None) -> ImplementationUpdate:
    """A progress note; moves the proposal along selected → in_progress → done with it.
    ``actual_cost_cents``: what the plan has actually cost so far, when staff give it."""
    if status not in IMPLEMENTATION_STATUSES:
        raise ValueError(status)
    if actual_cost_cents is not None and not 0 <= actual_cost_cents <= MAX_COST_CENTS:
        raise ValueError(actual_cost_cents)
    if proposal.status not in (Status.SELECTED.value, Status.IN_PROGRESS.value, Status.DONE.value):
        raise NotFunded()
    update = ImplementationUpdate(proposal_id=proposal.id, status=status, text=text, photo=photo,
                                  photo_type=photo_type, author_id=actor_id, actual_cost_cents=actual_cost_cents)
    db.session.add(update)
    current = Status(proposal.status)
    wanted = {"in_progress": Status.IN_PROGRESS, "done": Status.DONE}.get(status)
    if wanted is not None and wanted != current and (current, wanted) != (Status.DONE, Status.IN_PROGRESS):
        change_status(proposal, wanted, actor_id)
    db.session.flush()
    signals.implementation_updated.send(proposal, actor_id=actor_id, update_id=update.id, status=status,
                                        actual_cost_cents=actual_cost_cents,
                                        planned_cost_cents=proposal.effective_cost_cents)
    return update


def updates_for(proposal_ids: list[int]) -> dict[int, list[ImplementationUpdate]]:
    out: dict[int, list[ImplementationUpdate]] = {}
    if not proposal_ids:
        return out
    rows = db.session.scalars(sa.select(ImplementationUpdate).where(ImplementationUpdate.proposal_id.in_(proposal_ids))
                              .order_by(ImplementationUpdate.created_at.desc(), ImplementationUpdate.id.desc()))
    for row in rows:
        out.setdefault(row.proposal_id, []).append(row)
    return out


def actual_cost(updates: list[ImplementationUpdate]) -> int | None:
    """A plan's actual cost: that of its newest update that gives one (``updates`` newest
    first, as ``updates_for`` returns them); None while nobody has entered it."""
    return next((u.actual_cost_cents for u in updates if u.actual_cost_cents is not None), None)
