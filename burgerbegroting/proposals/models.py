"""Proposals (ideas), their images, history, supporters and comments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, _in
from burgerbegroting.proposals.status import Status

STATUSES = tuple(s.value for s in Status)
THEMES = ("green", "traffic", "play", "sport", "culture", "care", "safety", "sustainability", "other")
MAX_IMAGES = 3
# Costs above this are refused as absurd for a participatory budget (EUR 100 million).
MAX_COST_CENTS = 10_000_000_000


class Proposal(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "proposal"
    __table_args__ = (
        sa.CheckConstraint(_in("status", STATUSES), name="known_status"),
        sa.CheckConstraint(f"cost_cents > 0 AND cost_cents <= {MAX_COST_CENTS}", name="cost_range"),
        sa.CheckConstraint(
            f"reviewed_cost_cents IS NULL OR (reviewed_cost_cents > 0 AND reviewed_cost_cents <= {MAX_COST_CENTS})",
            name="reviewed_cost_range",
        ),
        sa.CheckConstraint("theme IS NULL OR " + _in("theme", THEMES), name="known_theme"),
        sa.Index("ix_proposal_round_district_status", "round_id", "district_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"))
    # Kept when the author deletes their account; the proposal stays, without a name.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # The author's estimate; the review may set a different cost, which then counts.
    cost_cents: Mapped[int] = mapped_column(sa.BigInteger)
    reviewed_cost_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    theme: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(20), default=Status.DRAFT.value)
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Moderation hides, never deletes; a moderator can lift it again.
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Optimistic locking: two people saving the same proposal cannot overwrite each other.
    version: Mapped[int] = mapped_column(sa.Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship()
    district: Mapped[District] = relationship()
    images: Mapped[list[ProposalImage]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalImage.position"
    )
    history: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )

    @property
    def effective_cost_cents(self) -> int:
        """The cost that counts: the reviewed cost when there is one."""
        return self.reviewed_cost_cents if self.reviewed_cost_cents is not None else self.cost_cents

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalImage(db.Model):  # type: ignore[name-defined,misc]
    """An image, re-encoded and stripped of metadata; stored in the database so that several
    app servers need no shared disk."""

    __tablename__ = "proposal_image"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "position"),
        sa.CheckConstraint(f"position >= 0 AND position < {MAX_IMAGES}", name="position_range"),
        sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name="known_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    alt_text: Mapped[str] = mapped_column(sa.String(200), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64))

    proposal: Mapped[Proposal] = relationship(back_populates="images")


class ProposalEvent(db.Model):  # type: ignore[name-defined,misc]
    """Public history of a proposal: status changes and cost changes, with a reason."""

    __tablename__ = "proposal_event"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('status', 'cost')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Status events: from → to. Cost events: the new cost and where it came from.
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    cost_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    source: Mapped[str | None] = mapped_column(sa.String(20))  # author | review | merge
    public_note: Mapped[str] = mapped_column(sa.Text, default="")

    proposal: Mapped[Proposal] = relationship(back_populates="history")


class Support(db.Model):  # type: ignore[name-defined,misc]
    """A resident's "steun" for a proposal in the ideas phase: once per resident."""

    __tablename__ = "support"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(db.Model):  # type: ignore[name-defined,misc]
    """A comment on a proposal, with one level of replies (a reply has a parent, a parent has none)."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))

    proposal: Mapped[Proposal] = relationship()
    replies: Mapped[list[Comment]] = relationship(order_by="Comment.id")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
