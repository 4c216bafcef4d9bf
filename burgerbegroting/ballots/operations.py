"""Casting a ballot: one transaction, one ballot per voter, secret.

    check the phase and the ballot → insert the participation row (unique per round and
    voter: a second attempt, concurrent or later, fails here) → spend the code → insert the
    anonymous ballot.

The caller commits. If anything fails, the caller rolls back and nothing is stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from burgerbegroting.ballots.models import Ballot, BallotChoice, new_ballot_id, new_shuffle_key
from burgerbegroting.ballots.types import BALLOT_TYPES, Limits, Option, Result
from burgerbegroting.core import signals
from burgerbegroting.core.permissions import RULES, Action
from burgerbegroting.core.timeutil import AMSTERDAM, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.proposals.status import ON_BALLOT
from burgerbegroting.voters import codes
from burgerbegroting.voters.models import Participation, VotingCode

RECEIPT_LENGTH = 10


class AlreadyVoted(Exception):
    """This voter has a ballot in this round already."""


class VotingClosed(Exception):
    """The round is not in its voting phase (or decides by panel)."""


class BallotInvalid(Exception):
    def __init__(self, result: Result):
        super().__init__(", ".join(p for p, _ in result.problems))
        self.result = result


def ballot_options(district: District) -> list[Proposal]:
    """The proposals on the ballot of a district, in a fixed, published order (by id)."""
    return list(db.session.scalars(sa.select(Proposal).where(*_on_ballot(district)).order_by(Proposal.id)))


def ballot_option_costs(district: District) -> list[Option]:
    """What validating and storing a ballot needs of the district's ballot (ids and costs), the same
    rows as ``ballot_options`` without loading whole proposals."""
    cost = sa.func.coalesce(Proposal.reviewed_cost_cents, Proposal.cost_cents)
    return [Option(pid, value) for pid, value in db.session.execute(
        sa.select(Proposal.id, cost).where(*_on_ballot(district)).order_by(Proposal.id))]


def _on_ballot(district: District) -> tuple[sa.ColumnElement[bool], ...]:
    return (Proposal.district_id == district.id, Proposal.status.in_([s.value for s in ON_BALLOT]),
            Proposal.hidden_at.is_(None))


def limits_for(round_: Round, district: District) -> Limits:
    return Limits(min_choices=round_.min_choices, max_choices=round_.max_choices,
                  points_total=round_.points_total, budget_cents=district.budget_cents)


def options_for(proposals: list[Proposal]) -> list[Option]:
    return [Option(p.id, p.effective_cost_cents) for p in proposals]


def read_ballot(round_: Round, district: District, form: Mapping[str, list[str]],
                options: list[Option] | None = None) -> Result:
    """Parse and validate a posted ballot form (does not store anything). ``options``: the
    district's ballot options when the caller has loaded them already in this transaction."""
    kind = BALLOT_TYPES[round_.ballot_type]
    if options is None:
        options = options_for(ballot_options(district))
    return kind.read(form, options, limits_for(round_, district))


def check_choices(round_: Round, district: District, choices: Mapping[int, int]) -> Result:
    """Validate already-parsed choices (paper ballots, the review step)."""
    kind = BALLOT_TYPES[round_.ballot_type]
    return kind.validate(choices, options_for(ballot_options(district)), limits_for(round_, district))


def today_in_amsterdam() -> dt.date:
    return utcnow().astimezone(AMSTERDAM).date()


def receipt_hmac(receipt: str) -> str:
    return codes.code_hmac("receipt:" + receipt.upper(), current_app.config["HMAC_KEY"])


def new_receipt() -> str:
    return "".join(secrets.choice(codes.ALPHABET) for _ in range(RECEIPT_LENGTH))


def cast_ballot(round_: Round, district: District, voter_ref: str, choices: Mapping[int, int], channel: str,
                code: VotingCode | None = None, now: dt.datetime | None = None, *,
                options: list[Option] | None = None, savepoint: bool = True) -> str | None:
    """Store one ballot. Returns the receipt code (online) or None (paper).

    Raises VotingClosed, BallotInvalid or AlreadyVoted; in every case nothing is stored:
    the savepoint is rolled back, or, with ``savepoint=False`` (a caller that rolls back the
    whole transaction on any of these errors, like the voting view), the caller's rollback
    undoes it. ``options``: the district's ballot options, loaded in this transaction."""
    now = now or utcnow()
    action = Action.CAST_BALLOT if channel == "online" else Action.ENTER_PAPER_BALLOT
    phases = RULES[action].phases or frozenset()
    if round_.decision != "vote" or round_.phase_at(now) not in phases:
        raise VotingClosed()
    if district.round_id != round_.id:
        raise BallotInvalid(Result(problems=[]))
    kind = BALLOT_TYPES[round_.ballot_type]
    if options is None:
        options = options_for(ballot_options(district))
    checked = kind.validate(choices, options, limits_for(round_, district))
    if not checked.valid:
        raise BallotInvalid(checked)

    receipt = new_receipt() if channel == "online" else None
    today = today_in_amsterdam()
    try:
        with db.session.begin_nested() if savepoint else contextlib.nullcontext():
            _store(round_.id, district.id, voter_ref, channel, code, today, checked.choices,
                   receipt_hmac(receipt) if receipt else None)
    except sa.exc.IntegrityError as exc:
        raise AlreadyVoted() from exc
    if code is not None:
        # What the UPDATE wrote, without reading the row back.
        for name, value in (("state", "used"), ("used_on", today), ("channel", channel)):
            set_committed_value(code, name, value)
    # No details: a listener must not be able to log choices next to a voter.
    signals.ballot_cast.send(round_, district_id=district.id, channel=channel)
    return receipt


def _store(round_id: int, district_id: int, voter_ref: str, channel: str, code: VotingCode | None, today: dt.date,
           choices: Mapping[int, int], receipt_digest: str | None) -> None:
    """The writes of a cast, as plain INSERT/UPDATE statements (no unit of work, no reading
    back): the participation row first, so a second cast by the same voter fails on its
    unique constraint, then the code (only if still active), then the ballot."""
    # Core statements on the session's connection: no ORM bulk machinery for four plain writes.
    conn = db.session.connection()
    conn.execute(sa.insert(Participation.__table__).values(round_id=round_id, district_id=district_id,
                                                           voter_ref=voter_ref, channel=channel))
    if code is not None:
        table = VotingCode.__table__
        spent = conn.execute(table.update().where(table.c.id == code.id, table.c.state == "active")
                             .values(state="used", used_on=today, channel=channel))
        if spent.rowcount != 1:
            raise AlreadyVoted()
    ballot_id = new_ballot_id()
    conn.execute(sa.insert(Ballot.__table__).values(id=ballot_id, round_id=round_id, district_id=district_id,
                                                    channel=channel, cast_on=today, receipt_hmac=receipt_digest,
                                                    shuffle_key=new_shuffle_key()))
    if choices:  # a blank ballot (min_choices 0) has none; one INSERT with a row per choice
        conn.execute(sa.insert(BallotChoice.__table__).values(
            [{"ballot_id": ballot_id, "proposal_id": pid, "value": value} for pid, value in sorted(choices.items())]))


def find_by_receipt(round_: Round, receipt: str) -> Ballot | None:
    cleaned = "".join(ch for ch in receipt.upper() if ch.isalnum())
    if len(cleaned) != RECEIPT_LENGTH:
        return None
    return db.session.scalars(
        sa.select(Ballot).where(Ballot.round_id == round_.id, Ballot.receipt_hmac == receipt_hmac(cleaned))
    ).first()


def shuffle_ballots() -> int:
    """Break any link between the order in which ballots and participation rows were written.

    PostgreSQL keeps, per row, the id of the transaction that wrote it and stores rows in
    insertion order; a ballot and its voter's participation row were written by the same
    transaction. Giving every ballot a new random key in one UPDATE makes all ballots share
    this transaction's id, and CLUSTER on the random key rewrites the table in random order.
    Run it during voting (e.g. hourly) and once when voting closes. Returns the number of
    ballots. On SQLite (the demo) only the keys change.
    """
    bind = db.session.get_bind()
    result = db.session.execute(sa.update(Ballot).values(
        shuffle_key=sa.func.abs(sa.func.random()) % (2**62) if bind.dialect.name == "sqlite"
        else sa.cast(sa.func.floor(sa.func.random() * (2**62)), sa.BigInteger)
    ).execution_options(synchronize_session=False))
    if bind.dialect.name == "postgresql":
        db.session.execute(sa.text("CLUSTER ballot USING ix_ballot_shuffle_key"))
    return int(cast(sa.CursorResult[Any], result).rowcount)
