"""UTCDateTime on the real database: the instant survives the round trip, naive datetimes are
refused before they reach the database."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from burgerbegroting.core.timeutil import AMSTERDAM
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round, RoundPhase


def new_round(starts_at: dt.datetime, ends_at: dt.datetime) -> Round:
    round_ = Round(slug="tijd", name="Tijd", description="")
    round_.phases.append(RoundPhase(phase="ideas", starts_at=starts_at, ends_at=ends_at))
    db.session.add(round_)
    return round_


def test_an_amsterdam_time_comes_back_as_the_same_instant_in_utc(app) -> None:  # type: ignore[no-untyped-def]
    # The last hour of summer time and the first hour after it: the same wall clock, twice.
    summer = dt.datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=0)
    winter = dt.datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=1)
    new_round(summer, winter)
    db.session.commit()
    db.session.expire_all()
    phase = db.session.scalars(sa.select(RoundPhase)).one()
    # (Compared as timestamps: Python never calls an ambiguous wall time equal across zones.)
    assert phase.starts_at.timestamp() == summer.timestamp()
    assert phase.ends_at.timestamp() == winter.timestamp()
    assert phase.starts_at.utcoffset() == dt.timedelta(0)
    assert (phase.ends_at - phase.starts_at) == dt.timedelta(hours=1)
    assert phase.starts_at.hour == 0 and phase.ends_at.hour == 1  # 00:30 and 01:30 UTC


def test_a_naive_datetime_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    naive = dt.datetime(2026, 7, 1, 12, 0)
    with pytest.raises(sa.exc.StatementError) as info, db.session.begin_nested():
        new_round(naive, naive + dt.timedelta(days=1))
        db.session.flush()
    assert isinstance(info.value.orig, ValueError)
    assert db.session.scalars(sa.select(RoundPhase)).all() == []


def test_times_compare_in_queries(app) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)  # 10:00 UTC
    new_round(start, start + dt.timedelta(days=1))
    db.session.commit()
    just_before = dt.datetime(2026, 7, 1, 9, 59, tzinfo=dt.UTC)
    just_at = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    started = sa.select(sa.func.count()).select_from(RoundPhase).where(RoundPhase.starts_at <= sa.bindparam("t"))
    assert db.session.scalar(started, {"t": just_before}) == 0
    assert db.session.scalar(started, {"t": just_at}) == 1
