"""UTCDateTime: aware datetimes in, UTC out, naive datetimes refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from burgerbegroting.core.timeutil import AMSTERDAM, UTCDateTime, render_migration_item, utcnow

SQLITE = sqlite.dialect()
POSTGRES = postgresql.dialect()
UTC = dt.UTC


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_naive_datetimes_are_refused(dialect) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(dt.datetime(2026, 7, 1, 12, 0), dialect)


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_none_passes_through(dialect) -> None:  # type: ignore[no-untyped-def]
    assert UTCDateTime().process_bind_param(None, dialect) is None
    assert UTCDateTime().process_result_value(None, dialect) is None


def test_sqlite_stores_naive_utc() -> None:
    local = dt.datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)
    stored = UTCDateTime().process_bind_param(local, SQLITE)
    assert stored == dt.datetime(2026, 7, 1, 10, 0)
    assert stored.tzinfo is None


def test_postgres_stores_aware_utc() -> None:
    local = dt.datetime(2026, 1, 1, 12, 0, tzinfo=AMSTERDAM)
    stored = UTCDateTime().process_bind_param(local, POSTGRES)
    assert stored == dt.datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
    assert stored.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_values_read_back_are_aware_utc(dialect) -> None:  # type: ignore[no-untyped-def]
    naive_from_sqlite = dt.datetime(2026, 7, 1, 10, 0)
    value = UTCDateTime().process_result_value(naive_from_sqlite, dialect)
    assert value == dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert value.tzinfo is UTC
    from_postgres = dt.datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("America/New_York"))
    value = UTCDateTime().process_result_value(from_postgres, dialect)
    assert value.tzinfo is UTC
    assert value.hour == 10


def test_round_trip_keeps_the_instant() -> None:
    original = dt.datetime(2026, 3, 29, 3, 30, tzinfo=AMSTERDAM)
    for dialect in (SQLITE, POSTGRES):
        kind = UTCDateTime()
        back = kind.process_result_value(kind.process_bind_param(original, dialect), dialect)
        assert back == original


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is UTC


def test_migrations_get_a_plain_column_type() -> None:
    assert render_migration_item("type", UTCDateTime(), None) == "sa.DateTime(timezone=True)"
    assert render_migration_item("type", object(), None) is False
