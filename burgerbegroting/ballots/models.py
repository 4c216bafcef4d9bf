"""Anonymous ballots. No column or key here links a ballot to a code, account or participation.

A ballot has a random id, its round and district, the channel (online/paper), the date (no
time) and an HMAC of the receipt code that the voter saw once, so that the voter, and nobody
else, can find their own ballot in the published file. ``shuffle_key`` lets the operator
re-order the table physically (``flask ballots shuffle``) so that insertion order and
PostgreSQL's transaction ids cannot be matched with the participation table.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in
from burgerbegroting.voters.models import CHANNELS


def new_ballot_id() -> str:
    return secrets.token_hex(16)


def new_shuffle_key() -> int:
    return secrets.randbelow(2**62)


class Ballot(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "ballot"
    __table_args__ = (
        sa.CheckConstraint(_in("channel", CHANNELS), name="known_channel"),
        sa.Index("ix_ballot_round_district", "round_id", "district_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_ballot_id)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="RESTRICT"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(sa.String(10))
    cast_on: Mapped[dt.date] = mapped_column(sa.Date)
    receipt_hmac: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    shuffle_key: Mapped[int] = mapped_column(sa.BigInteger, default=new_shuffle_key, index=True)

    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", order_by="BallotChoice.proposal_id"
    )


class BallotChoice(db.Model):  # type: ignore[name-defined,misc]
    """One choice on a ballot: 1 (approval, knapsack), the points (cumulative) or the rank (ranking)."""

    __tablename__ = "ballot_choice"
    __table_args__ = (sa.CheckConstraint("value > 0", name="value_positive"),)

    ballot_id: Mapped[str] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="RESTRICT"), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class PaperEntry(db.Model):  # type: ignore[name-defined,misc]
    """One staff member's typing of one paper ballot (double entry).

    The paper carries the voting code, so while two entries are being compared this row links
    a code to choices, as the paper itself does. When both entries agree, the ballot is cast
    and the entries are deleted in the same transaction; a mismatch waits for a third staff
    member. Papers stay in the municipality's sealed archive.
    """

    __tablename__ = "paper_entry"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "code_hmac", "entry_no"),
        sa.UniqueConstraint("round_id", "code_hmac", "entered_by_id"),
        sa.CheckConstraint("entry_no IN (1, 2)", name="known_entry_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"))
    code_hmac: Mapped[str] = mapped_column(sa.String(64))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    entry_no: Mapped[int] = mapped_column(sa.Integer)
    # JSON: {"proposal id": value}; "invalid" for a paper that cannot be read as a valid ballot.
    choices_json: Mapped[str] = mapped_column(sa.Text)
    mismatch: Mapped[bool] = mapped_column(sa.Boolean, default=False)
