"""Reports by residents and the actions moderators take. Nothing is deleted, only hidden."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in

TARGETS = ("proposal", "comment")
REASONS = ("offensive", "personal_data", "spam", "incorrect", "other")
REPORT_STATES = ("open", "dismissed", "actioned")
ACTIONS = ("hide", "restore", "dismiss")


class Report(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "report"
    __table_args__ = (
        sa.CheckConstraint(_in("target_type", TARGETS), name="known_target"),
        sa.CheckConstraint(_in("reason", REASONS), name="known_reason"),
        sa.CheckConstraint(_in("state", REPORT_STATES), name="known_state"),
        # One open report per person per item is enough.
        sa.UniqueConstraint("target_type", "target_id", "reporter_id"),
        sa.Index("ix_report_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int] = mapped_column(sa.Integer)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    explanation: Mapped[str] = mapped_column(sa.String(1000), default="")
    state: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ModerationAction(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "moderation_action"
    __table_args__ = (
        sa.CheckConstraint(_in("target_type", TARGETS), name="known_target"),
        sa.CheckConstraint(_in("action", ACTIONS), name="known_action"),
        sa.Index("ix_moderation_action_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int] = mapped_column(sa.Integer)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    public_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
