"""Retention (AVG): the uploaded register is deleted some time after voting has closed.

The register (``RegisterEntry``: names and addresses) exists only to address the voting-code
letters. Once a round's voting phase has ended more than the retention period ago, its entries
are deleted. What the count needs stays: anonymous ballots, participation rows (turnout, one
ballot per voter) and the voting codes (spent or not); a code only loses its pointer to the
deleted entry. Operations flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

import sqlalchemy as sa

from burgerbegroting.core import audit
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from burgerbegroting.voters.models import RegisterEntry, VotingCode


@dataclass(frozen=True)
class Purgeable:
    round_id: int
    slug: str
    voting_ended: dt.datetime
    entries: int


def purgeable(days: int, now: dt.datetime | None = None) -> list[Purgeable]:
    """Rounds whose voting phase ended more than ``days`` days before ``now`` and that still
    hold register entries, oldest first."""
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    rows = db.session.execute(
        sa.select(Round.id, Round.slug, RoundPhase.ends_at, sa.func.count(RegisterEntry.id))
        .join(RoundPhase, sa.and_(RoundPhase.round_id == Round.id, RoundPhase.phase == Phase.VOTING.value))
        .join(RegisterEntry, RegisterEntry.round_id == Round.id)
        .where(RoundPhase.ends_at < cutoff)
        .group_by(Round.id, Round.slug, RoundPhase.ends_at)
        .order_by(RoundPhase.ends_at, Round.id)
    ).all()
    return [Purgeable(round_id, slug, ended, entries) for round_id, slug, ended, entries in rows]


def purge_register(days: int, actor_id: int | None = None, now: dt.datetime | None = None) -> list[Purgeable]:
    """Delete the register entries of every round in ``purgeable(days)``; one audit event per
    round (how many entries, never who). Returns what was deleted."""
    done = []
    for item in purgeable(days, now):
        entry_ids = sa.select(RegisterEntry.id).where(RegisterEntry.round_id == item.round_id)
        # The foreign key says ON DELETE SET NULL; do it explicitly so SQLite without
        # foreign-key enforcement ends in the same state.
        db.session.execute(sa.update(VotingCode).where(VotingCode.register_entry_id.in_(entry_ids))
                           .values(register_entry_id=None).execution_options(synchronize_session=False))
        deleted = db.session.execute(sa.delete(RegisterEntry).where(RegisterEntry.round_id == item.round_id)
                                     .execution_options(synchronize_session=False))
        count = int(cast(sa.CursorResult[Any], deleted).rowcount)
        audit.record(actor_id, "register_purged", f"round:{item.round_id}",
                     {"entries": count, "retention_days": days,
                      "voting_ended": item.voting_ended.isoformat(timespec="seconds")})
        done.append(replace(item, entries=count))
    db.session.flush()
    return done
