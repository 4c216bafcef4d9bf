"""The Pabulib export of a district's anonymous ballots, and its SHA-256.

``build_election`` is pure: it turns plain rows into a counting ``Election``. ``load_election``
reads them from the database. The file is deterministic: projects by proposal id, ballots by
ballot id, so the same ballots always give the same bytes and the same hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot as StoredBallot
from burgerbegroting.ballots.models import BallotChoice
from burgerbegroting.counting import Ballot, BallotKind, Election, Project, write_pb
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.proposals.models import Proposal

# Proposals that were on the ballot: feasible while voting, decided afterwards.
COUNTED_STATUSES = ("feasible", "selected", "not_selected", "in_progress", "done")

VOTE_TYPES = {"approval": BallotKind.APPROVAL, "knapsack": BallotKind.APPROVAL,
              "cumulative": BallotKind.CUMULATIVE, "ranking": BallotKind.ORDINAL}


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
    kind = VOTE_TYPES[ballot_type]
    known = {o.id for o in options}
    projects = tuple(Project(id=str(o.id), cost=o.cost_cents, name=o.title)
                     for o in sorted(options, key=lambda o: o.id))
    out: list[Ballot] = []
    for row in sorted(ballots, key=lambda b: b.id):
        choices = [(pid, value) for pid, value in row.choices if pid in known]
        if not choices:
            continue  # a ballot without a choice on this district's list carries no vote
        if kind is BallotKind.ORDINAL:
            choices.sort(key=lambda c: (c[1], c[0]))  # rank 1 (best) first
            out.append(Ballot(voter_id=row.id, projects=tuple(str(p) for p, _ in choices)))
        elif kind is BallotKind.CUMULATIVE:
            choices.sort()
            out.append(Ballot(voter_id=row.id, projects=tuple(str(p) for p, _ in choices),
                              points=tuple(v for _, v in choices)))
        else:
            choices.sort()
            out.append(Ballot(voter_id=row.id, projects=tuple(str(p) for p, _ in choices)))
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
    ]
    min_length = max_length = max_sum_points = None
    if kind is BallotKind.CUMULATIVE:
        max_sum_points = points_total
        min_length = min_choices or None
    else:
        min_length = min_choices or None
        max_length = max_choices
    return Election(projects=projects, budget=budget_cents, ballots=tuple(out), kind=kind, decimals=2,
                    min_length=min_length, max_length=max_length, max_sum_points=max_sum_points,
                    meta=tuple(meta))


def counted_options(district: District) -> list[Option]:
    rows = db.session.execute(
        sa.select(Proposal.id, Proposal.cost_cents, Proposal.reviewed_cost_cents, Proposal.title)
        .where(Proposal.district_id == district.id, Proposal.status.in_(COUNTED_STATUSES),
               Proposal.hidden_at.is_(None))
        .order_by(Proposal.id)
    ).all()
    return [Option(r.id, r.reviewed_cost_cents if r.reviewed_cost_cents is not None else r.cost_cents, r.title)
            for r in rows]


def stored_ballots(round_: Round, district: District) -> list[BallotRow]:
    """The district's ballots, by ballot id, choices by proposal id (sorted here: a database
    sort on the text ids follows the locale's collation and is slow)."""
    result = db.session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.proposal_id, BallotChoice.value)
        .join(StoredBallot, StoredBallot.id == BallotChoice.ballot_id)
        .where(StoredBallot.round_id == round_.id, StoredBallot.district_id == district.id)
    )
    grouped: dict[str, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, value in result:
        grouped.setdefault(ballot_id, []).append((proposal_id, value))
    return [BallotRow(k, tuple(sorted(grouped[k]))) for k in sorted(grouped)]


def load_election(round_: Round, district: District) -> Election:
    return build_election(
        round_name=round_.name, round_slug=round_.slug, district_name=district.name,
        budget_cents=district.budget_cents, ballot_type=round_.ballot_type, counting_rule=round_.counting_rule,
        min_choices=round_.min_choices, max_choices=round_.max_choices, points_total=round_.points_total,
        options=counted_options(district), ballots=stored_ballots(round_, district),
    )


def export_text(election: Election) -> tuple[str, str]:
    """The Pabulib text and the SHA-256 of its UTF-8 bytes."""
    text = write_pb(election)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()
