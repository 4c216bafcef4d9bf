"""Feasibility reviews (haalbaarheidstoets)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in
from burgerbegroting.proposals.models import MAX_COST_CENTS, Proposal

VERDICTS = ("feasible", "not_feasible", "feasible_with_changes")


class Review(db.Model):  # type: ignore[name-defined,misc]
    """One reviewer's verdict. With four-eyes review, stage 2 is a second reviewer's check."""

    __tablename__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "stage"),
        sa.CheckConstraint(_in("verdict", VERDICTS), name="known_verdict"),
        sa.CheckConstraint("stage IN (1, 2)", name="known_stage"),
        sa.CheckConstraint(f"reviewed_cost_cents > 0 AND reviewed_cost_cents <= {MAX_COST_CENTS}", name="cost_range"),
        sa.CheckConstraint("verdict != 'not_feasible' OR length(public_reason) > 0", name="reason_when_not_feasible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    stage: Mapped[int] = mapped_column(sa.Integer, default=1)
    verdict: Mapped[str] = mapped_column(sa.String(30))
    reviewed_cost_cents: Mapped[int] = mapped_column(sa.BigInteger)
    public_reason: Mapped[str] = mapped_column(sa.Text, default="")
    internal_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship()
