"""Who may vote: voting codes, the optional register, and who has voted (participation).

Secrecy by schema: ``Participation`` says *that* a voter took part, ``Ballot`` (in
``ballots/models.py``) says *what* was voted; the two share no key, no code, no user and no
time finer than the date. ``tests/voting/test_secrecy_schema.py`` fails if a link appears.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in

CODE_STATES = ("active", "used", "revoked")
CHANNELS = ("online", "paper")


class RegisterEntry(db.Model):  # type: ignore[name-defined,misc]
    """One eligible resident from an uploaded register, to address a voting-code letter.

    Personal data: deleted with ``flask voters purge-register`` after the round (retention in
    configuration). It never says whether or how this person voted.
    """

    __tablename__ = "register_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(7))
    city: Mapped[str] = mapped_column(sa.String(100))


class VotingCode(db.Model):  # type: ignore[name-defined,misc]
    """A stemcode: only its HMAC is stored, never the code itself."""

    __tablename__ = "voting_code"
    __table_args__ = (
        sa.CheckConstraint(_in("state", CODE_STATES), name="known_state"),
        sa.CheckConstraint("channel IS NULL OR " + _in("channel", CHANNELS), name="known_channel"),
        sa.CheckConstraint("(state = 'used') = (used_on IS NOT NULL)", name="used_has_date"),
        sa.Index("ix_voting_code_round_district", "round_id", "district_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"))
    code_hmac: Mapped[str] = mapped_column(sa.String(64), unique=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="active")
    # Only the date: a time would let someone match the code to a ballot's insertion.
    used_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    channel: Mapped[str | None] = mapped_column(sa.String(10))
    register_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("register_entry.id", ondelete="SET NULL"), index=True
    )
    # Codes are made in batches (one letter run); a batch's PDF can be made again only
    # while its codes are known, i.e. in the same request that made them.
    batch_no: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When a lost letter is replaced, the old code points to its successor.
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voting_code.id", ondelete="SET NULL"))


class Participation(db.Model):  # type: ignore[name-defined,misc]
    """That someone voted in a round: one row per voter per round, enforced by the database.

    ``voter_ref`` is ``code:<voting code id>`` or ``user:<account id>`` (account voting). A
    resident lives in one district, so the key is (round, voter), which also makes it one
    ballot per round and district.
    """

    __tablename__ = "participation"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "voter_ref"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="known_channel"),
        sa.Index("ix_participation_round_district", "round_id", "district_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"))
    voter_ref: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(10))
