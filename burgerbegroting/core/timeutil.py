"""Time: stored in UTC, shown in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.types import DateTime, TypeDecorator

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC on every database.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so values are normalised to
    UTC on the way in and marked as UTC on the way out. Naive datetimes are refused: they are
    always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Alembic hook: write UTCDateTime as a plain ``sa.DateTime(timezone=True)`` in migrations,
    so revisions do not import application code that may change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
