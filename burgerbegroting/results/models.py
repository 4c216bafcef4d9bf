"""Stored counts and implementation updates."""

from __future__ import annotations

import datetime as dt
import json
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in
from burgerbegroting.proposals.models import MAX_COST_CENTS

IMPLEMENTATION_STATUSES = ("planned", "in_progress", "done")


class TallyRun(db.Model):  # type: ignore[name-defined,misc]
    """One count of one district: the exact Pabulib input, its SHA-256 and the outcome."""

    __tablename__ = "tally_run"
    __table_args__ = (sa.Index("ix_tally_run_round_district", "round_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(sa.String(40))
    rule_version: Mapped[str] = mapped_column(sa.String(40))
    input_sha256: Mapped[str] = mapped_column(sa.String(64))
    pb_text: Mapped[str] = mapped_column(sa.Text, deferred=True)  # loaded only when used
    outcome_json: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    @cached_property
    def outcome(self) -> dict[str, Any]:
        return json.loads(self.outcome_json)

    @property
    def selected_ids(self) -> list[int]:
        return [int(pid) for pid in self.outcome["selected"]]


class ImplementationUpdate(db.Model):  # type: ignore[name-defined,misc]
    """A public progress note on a funded proposal, optionally with a photo and the actual cost."""

    __tablename__ = "implementation_update"
    __table_args__ = (
        sa.CheckConstraint(_in("status", IMPLEMENTATION_STATUSES), name="known_status"),
        sa.CheckConstraint("photo_type IS NULL OR photo_type IN ('image/jpeg', 'image/png')", name="known_photo_type"),
        sa.CheckConstraint("actual_cost_cents IS NULL OR "
                           f"(actual_cost_cents >= 0 AND actual_cost_cents <= {MAX_COST_CENTS})",
                           name="actual_cost_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    photo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(sa.String(20))
    # What the plan has actually cost so far, as staff knew it with this update (None: not
    # given). The plan's actual cost is that of its newest update that gives one.
    actual_cost_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
