"""Rounds, their phase schedule and their districts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase, Window, current_phase, voting_has_started

DISTRICT_KINDS = ("wijk", "dorp", "kern", "gemeente")
BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranking")
COUNTING_RULES = ("greedy", "greedy-threshold", "greedy-no-skip", "equal-shares", "equal-shares-add1",
                  "equal-shares-add1-comparison")
ELIGIBILITY = ("postcode", "register", "account")
DECISIONS = ("vote", "panel")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Round(db.Model):  # type: ignore[name-defined,misc]
    """A begrotingsronde: its schedule, districts and the rules of the game (spelregels)."""

    __tablename__ = "budget_round"
    __table_args__ = (
        sa.CheckConstraint(_in("ballot_type", BALLOT_TYPES), name="known_ballot_type"),
        sa.CheckConstraint(_in("counting_rule", COUNTING_RULES), name="known_counting_rule"),
        sa.CheckConstraint(_in("eligibility", ELIGIBILITY), name="known_eligibility"),
        sa.CheckConstraint(_in("decision", DECISIONS), name="known_decision"),
        sa.CheckConstraint("min_choices >= 0", name="min_choices_not_negative"),
        sa.CheckConstraint("max_choices IS NULL OR max_choices >= min_choices", name="max_at_least_min"),
        sa.CheckConstraint("points_total IS NULL OR points_total > 0", name="points_positive"),
        sa.CheckConstraint("min_age IS NULL OR (min_age >= 0 AND min_age <= 120)", name="min_age_range"),
        sa.CheckConstraint("min_supporters >= 0", name="min_supporters_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # How residents vote and how the votes are counted. Frozen once voting opens.
    decision: Mapped[str] = mapped_column(sa.String(10), default="vote")
    ballot_type: Mapped[str] = mapped_column(sa.String(20), default="approval")
    counting_rule: Mapped[str] = mapped_column(sa.String(40), default="equal-shares-add1")
    min_choices: Mapped[int] = mapped_column(sa.Integer, default=1)
    max_choices: Mapped[int | None] = mapped_column(sa.Integer)
    points_total: Mapped[int | None] = mapped_column(sa.Integer)
    # Who may vote: postcodes of the district, an uploaded register, or an account + declaration.
    eligibility: Mapped[str] = mapped_column(sa.String(20), default="postcode")
    min_age: Mapped[int | None] = mapped_column(sa.Integer)
    # Supporters a proposal needs in the ideas phase to go on to the review (0 = none).
    min_supporters: Mapped[int] = mapped_column(sa.Integer, default=0)
    # A second reviewer must agree before a verdict counts.
    four_eyes: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    comments_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)

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

    def rule_locked(self, now: dt.datetime | None = None) -> bool:
        """True once voting has started: ballot settings, budgets and the ballot are frozen
        (the database refuses changes too, see migration 0002)."""
        return voting_has_started(self.windows(), now or utcnow())

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
