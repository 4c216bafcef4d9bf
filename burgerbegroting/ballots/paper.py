"""Paper ballots, entered twice by two different staff members (double entry).

    entry 1 (staff A) → stored, waiting
    entry 2 (staff B) → equal: the ballot is cast, both entries deleted (one transaction)
                      → different: both marked as a mismatch, listed for a third person
    entry 3 (staff C, for a mismatch) → equal to one of the two: that one wins, cast, deleted
                                      → equal to neither: refused, nothing changes

The code printed on the paper is spent by casting, so it cannot vote online afterwards; a
code that already voted online makes the paper invalid (refused at entry, nothing stored).

A paper that cannot be read as a valid ballot (too many crosses, ...) is entered as
*invalid*: when both entries agree, the code is spent and the participation counted (it
counts for turnout, like a spoilt paper at an election), but no ballot is stored.
Operations flush; the caller commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum

import sqlalchemy as sa

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import PaperEntry
from burgerbegroting.core import signals
from burgerbegroting.core.permissions import RULES, Action
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters.models import Participation, VotingCode

INVALID = "invalid"


class Outcome(StrEnum):
    FIRST = "first"          # stored; a second person must enter this paper
    CAST = "cast"            # both entries agree: counted
    MISMATCH = "mismatch"    # entries differ: a third person must enter it
    RESOLVED = "resolved"    # a third entry matched one of the two: counted


class PaperRefused(Exception):
    """``reason``: closed, unknown_code, other_district, voted_online, used, revoked,
    same_person, no_match, busy."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def encode(choices: Mapping[int, int] | None) -> str:
    """The comparable form of what was entered (None = an invalid paper)."""
    if choices is None:
        return INVALID
    return json.dumps({str(k): v for k, v in sorted(choices.items())}, separators=(",", ":"))


def _decode(text: str) -> dict[int, int] | None:
    if text == INVALID:
        return None
    return {int(k): int(v) for k, v in json.loads(text).items()}


def _code(round_: Round, district: District, typed: str) -> VotingCode:
    row = voters.code_by_typed(round_, typed)
    if row is None:
        raise PaperRefused("unknown_code")
    if row.district_id != district.id:
        raise PaperRefused("other_district")
    if row.state == "used":
        raise PaperRefused("voted_online" if row.channel == "online" else "used")
    if row.state == "revoked":
        raise PaperRefused("revoked")
    return row


def open_mismatches(round_: Round) -> list[tuple[int, int]]:
    """(district id, number of papers) waiting for a third person."""
    rows = db.session.execute(
        sa.select(PaperEntry.district_id, sa.func.count(sa.distinct(PaperEntry.code_hmac)))
        .where(PaperEntry.round_id == round_.id, PaperEntry.mismatch.is_(True))
        .group_by(PaperEntry.district_id)
    ).all()
    return [(d, n) for d, n in rows]


def waiting_counts(round_: Round) -> dict[int, dict[str, int]]:
    """Per district: papers entered once (waiting for a second entry) and mismatches."""
    rows = db.session.execute(
        sa.select(PaperEntry.district_id, PaperEntry.mismatch, sa.func.count(sa.distinct(PaperEntry.code_hmac)))
        .where(PaperEntry.round_id == round_.id)
        .group_by(PaperEntry.district_id, PaperEntry.mismatch)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for district_id, mismatch, number in rows:
        out.setdefault(district_id, {"once": 0, "mismatch": 0})["mismatch" if mismatch else "once"] += number
    return out


def _finish(round_: Round, district: District, code: VotingCode, entered: str) -> None:
    choices = _decode(entered)
    if choices is None:
        # A spoilt paper: the code is spent and the turnout counts it; no ballot.
        with db.session.begin_nested():
            db.session.add(Participation(round_id=round_.id, district_id=district.id,
                                         voter_ref=f"code:{code.id}", channel="paper"))
            db.session.flush()
            spent = db.session.execute(
                sa.update(VotingCode).where(VotingCode.id == code.id, VotingCode.state == "active")
                .values(state="used", used_on=ballots.today_in_amsterdam(), channel="paper")
                .execution_options(synchronize_session=False))
            if spent.rowcount != 1:  # type: ignore[attr-defined]
                raise ballots.AlreadyVoted()
        signals.ballot_cast.send(round_, district_id=district.id, channel="paper")
        return
    ballots.cast_ballot(round_, district, f"code:{code.id}", choices, "paper", code=code)


def _entered(round_: Round, district: District, actor_id: int, outcome: Outcome) -> Outcome:
    signals.paper_entered.send(round_, actor_id=actor_id, district_id=district.id, outcome=outcome.value)
    return outcome


def enter_paper(round_: Round, district: District, typed_code: str, choices: Mapping[int, int] | None,
                actor_id: int) -> Outcome:
    """Record one staff member's entry of one paper. ``choices`` None = an invalid paper.

    Raises PaperRefused (nothing stored), ballots.BallotInvalid (choices that are not a valid
    ballot: enter the paper as invalid instead) or ballots.AlreadyVoted."""
    phases = RULES[Action.ENTER_PAPER_BALLOT].phases or frozenset()
    if round_.decision != "vote" or round_.phase_at() not in phases or district.round_id != round_.id:
        raise PaperRefused("closed")
    if choices is not None:
        checked = ballots.check_choices(round_, district, choices)
        if not checked.valid:
            raise ballots.BallotInvalid(checked)
    code = _code(round_, district, typed_code)
    entered = encode(choices)
    entries = list(db.session.scalars(
        sa.select(PaperEntry).where(PaperEntry.round_id == round_.id, PaperEntry.code_hmac == code.code_hmac)
        .order_by(PaperEntry.entry_no).with_for_update()
    ))
    if any(e.entered_by_id == actor_id for e in entries):
        raise PaperRefused("same_person")

    def add(entry_no: int, mismatch: bool = False) -> None:
        try:
            with db.session.begin_nested():
                db.session.add(PaperEntry(round_id=round_.id, district_id=district.id, code_hmac=code.code_hmac,
                                          entered_by_id=actor_id, entry_no=entry_no, choices_json=entered,
                                          mismatch=mismatch))
                db.session.flush()
        except sa.exc.IntegrityError as exc:  # someone else entered the same paper at the same moment
            raise PaperRefused("busy") from exc

    if not entries:
        add(1)
        return _entered(round_, district, actor_id, Outcome.FIRST)
    if len(entries) == 1 and not entries[0].mismatch:
        first = entries[0]
        if first.choices_json == entered:
            _finish(round_, district, code, entered)
            db.session.delete(first)
            db.session.flush()
            return _entered(round_, district, actor_id, Outcome.CAST)
        first.mismatch = True
        add(2, mismatch=True)
        return _entered(round_, district, actor_id, Outcome.MISMATCH)
    # A mismatch: the third entry decides between the two.
    if not any(e.choices_json == entered for e in entries):
        raise PaperRefused("no_match")
    _finish(round_, district, code, entered)
    for entry in entries:
        db.session.delete(entry)
    db.session.flush()
    return _entered(round_, district, actor_id, Outcome.RESOLVED)
