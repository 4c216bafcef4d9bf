"""Rounds, their phase schedule and their districts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase, Window, current_phase

DISTRICT_KINDS = ("wijk", "dorp", "kern", "gemeente")


class Round(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "budget_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    phases: Mapped[list[RoundPhase]] = relationship(
        back_populates="round", cascade="all, delete-orphan", lazy="selectin",
        order_by="RoundPhase.starts_at",
    )
    districts: Mapped[list[District]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="District.name",
    )

    def windows(self) -> list[Window]:
        return [Window(Phase(p.phase), p.starts_at, p.ends_at) for p in self.phases]

    def phase_at(self, now: dt.datetime | None = None) -> Phase:
        return current_phase(self.windows(), now or utcnow())

    def window(self, phase: Phase) -> RoundPhase | None:
        return next((p for p in self.phases if p.phase == phase.value), None)

    @property
    def total_budget_cents(self) -> int:
        return sum(d.budget_cents for d in self.districts)


class RoundPhase(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "round_phase"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "phase"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(
            "phase IN ('ideas', 'review', 'voting', 'counting', 'results', 'implementation')",
            name="known_phase",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(sa.String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship(back_populates="phases")


class District(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "district"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "name"),
        sa.CheckConstraint("budget_cents >= 0", name="budget_not_negative"),
        sa.CheckConstraint("kind IN ('wijk', 'dorp', 'kern', 'gemeente')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20), default="wijk")
    budget_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Postcode ranges, e.g. "1234-1236, 1240AB-1240ZZ"; parsed by the eligibility rules.
    postcodes: Mapped[str] = mapped_column(sa.Text, default="")

    round: Mapped[Round] = relationship(back_populates="districts")
