"""The Pabulib export of a district's anonymous ballots, and its SHA-256.

``build_election`` is pure: it turns plain rows into a counting ``Election``. ``load_election``
reads them from the database. The file is deterministic: projects by proposal id, ballots by
ballot id, so the same ballots always give the same bytes and the same hash.

The election built here is exactly what reading its own export gives back
(``read_pb(write_pb(e)) == e``: META already holds every key ``write_pb`` would add), so the
count can run on the in-memory election while the stored SHA-256 is that of the published
file; a test holds this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot as StoredBallot
from burgerbegroting.ballots.models import BallotChoice
from burgerbegroting.counting import Ballot, BallotKind, Election, Project, write_pb
from burgerbegroting.counting._gcpause import gc_paused
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.proposals.models import Proposal

# Proposals that were on the ballot: feasible while voting, decided afterwards.
COUNTED_STATUSES = ("feasible", "selected", "not_selected", "in_progress", "done")

VOTE_TYPES = {"approval": BallotKind.APPROVAL, "knapsack": BallotKind.APPROVAL,
              "cumulative": BallotKind.CUMULATIVE, "ranking": BallotKind.ORDINAL}

Choices = Sequence[tuple[int, int]]  # (proposal id, value) of one ballot


@dataclass(frozen=True)
class Option:
    id: int
    cost_cents: int
    title: str


@dataclass(frozen=True)
class BallotRow:
    id: str
    choices: tuple[tuple[int, int], ...]  # (proposal id, value)


def build_election(*, round_name: str, round_slug: str, district_name: str, budget_cents: int, ballot_type: str,
                   counting_rule: str, min_choices: int | None, max_choices: int | None, points_total: int | None,
                   options: Sequence[Option], ballots: Iterable[BallotRow]) -> Election:
    return _election(round_name=round_name, round_slug=round_slug, district_name=district_name,
                     budget_cents=budget_cents, ballot_type=ballot_type, counting_rule=counting_rule,
                     min_choices=min_choices, max_choices=max_choices, points_total=points_total, options=options,
                     ballots=sorted(((row.id, row.choices) for row in ballots), key=lambda item: item[0]))


def _election(*, round_name: str, round_slug: str, district_name: str, budget_cents: int, ballot_type: str,
              counting_rule: str, min_choices: int | None, max_choices: int | None, points_total: int | None,
              options: Sequence[Option], ballots: Iterable[tuple[str, Choices]]) -> Election:
    """``ballots``: (ballot id, choices), already in ballot id order."""
    kind = VOTE_TYPES[ballot_type]
    options = sorted(options, key=lambda o: o.id)
    projects = tuple(Project(id=str(o.id), cost=o.cost_cents, name=o.title) for o in options)
    names = {o.id: p.id for o, p in zip(options, projects, strict=True)}  # proposal id -> project id text
    out = _ballots(kind, names, ballots)
    min_length = max_length = max_sum_points = None
    if kind is BallotKind.CUMULATIVE:
        max_sum_points = points_total
        min_length = min_choices or None
    else:
        min_length = min_choices or None
        max_length = max_choices
    meta: list[tuple[str, str]] = [
        ("description", f"{round_name} - {district_name}"),
        ("country", "Netherlands"),
        ("unit", round_name),
        ("instance", round_slug),
        ("subunit", district_name),
        ("num_projects", str(len(projects))),
        ("num_votes", str(len(out))),
        ("vote_type", kind.value),
        ("rule", counting_rule),
        ("currency", "EUR"),
        # What write_pb adds after the keys above, in its order: with them here, reading the
        # file back gives this very election.
        ("budget", f"{budget_cents // 100}.{budget_cents % 100:02d}"),
    ]
    for key, value in (("min_length", min_length), ("max_length", max_length), ("max_sum_points", max_sum_points)):
        if value is not None:
            meta.append((key, str(value)))
    return Election(projects=projects, budget=budget_cents, ballots=tuple(out), kind=kind, decimals=2,
                    min_length=min_length, max_length=max_length, max_sum_points=max_sum_points,
                    meta=tuple(meta))


def _ballots(kind: BallotKind, names: dict[int, str], ballots: Iterable[tuple[str, Choices]]) -> list[Ballot]:
    """Counting ballots: choices on this district's list only (a ballot without one carries no
    vote); approval and cumulative by proposal id, ranking best (rank 1) first."""
    out: list[Ballot] = []
    append = out.append
    for ballot_id, row in ballots:
        choices = [c for c in row if c[0] in names]
        if not choices:
            continue
        if kind is BallotKind.ORDINAL:
            choices.sort(key=lambda c: (c[1], c[0]))
            append(Ballot(voter_id=ballot_id, projects=tuple([names[p] for p, _ in choices])))
        elif kind is BallotKind.CUMULATIVE:
            choices.sort()
            append(Ballot(voter_id=ballot_id, projects=tuple([names[p] for p, _ in choices]),
                          points=tuple([v for _, v in choices])))
        else:
            choices.sort()
            append(Ballot(voter_id=ballot_id, projects=tuple([names[p] for p, _ in choices])))
    return out


def counted_options(district: District) -> list[Option]:
    rows = db.session.execute(
        sa.select(Proposal.id, Proposal.cost_cents, Proposal.reviewed_cost_cents, Proposal.title)
        .where(Proposal.district_id == district.id, Proposal.status.in_(COUNTED_STATUSES),
               Proposal.hidden_at.is_(None))
        .order_by(Proposal.id)
    ).all()
    return [Option(r.id, r.reviewed_cost_cents if r.reviewed_cost_cents is not None else r.cost_cents, r.title)
            for r in rows]


def _choice_rows(round_: Round, district: District) -> Sequence[sa.Row[str, int, int]]:
    """(ballot id, proposal id, value) of the district's ballots, in no order: one lean Core
    query, no ORM objects. (A database sort on the text ids follows the locale's collation and
    is slow; the rows are grouped and sorted here.)"""
    return db.session.connection().execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.proposal_id, BallotChoice.value)
        .join(StoredBallot, StoredBallot.id == BallotChoice.ballot_id)
        .where(StoredBallot.round_id == round_.id, StoredBallot.district_id == district.id)
    ).all()  # fetching all at once: row by row is several times slower with psycopg


def _grouped(round_: Round, district: District) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, value in _choice_rows(round_, district):
        choices = grouped.get(ballot_id)
        if choices is None:
            grouped[ballot_id] = [(proposal_id, value)]
        else:
            choices.append((proposal_id, value))
    return grouped


def load_election(round_: Round, district: District) -> Election:
    with gc_paused():
        grouped = _grouped(round_, district)
        return _election(
            round_name=round_.name, round_slug=round_.slug, district_name=district.name,
            budget_cents=district.budget_cents, ballot_type=round_.ballot_type, counting_rule=round_.counting_rule,
            min_choices=round_.min_choices, max_choices=round_.max_choices, points_total=round_.points_total,
            options=counted_options(district), ballots=sorted(grouped.items()),
        )


def export_text(election: Election) -> tuple[str, str]:
    """The Pabulib text and the SHA-256 of its UTF-8 bytes."""
    text = write_pb(election)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()
