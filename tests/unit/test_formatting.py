"""Money and time for people: euro amounts in Dutch and English, times in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from burgerbegroting.core.formatting import euro, local_datetime

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("cents", "locale", "expected"),
    [
        (123450, "nl", f"€{NBSP}1.234,50"),
        (123450, "en", "€1,234.50"),
        (0, "nl", f"€{NBSP}0,00"),
        (5, "nl", f"€{NBSP}0,05"),
        (99, "en", "€0.99"),
        (100, "nl", f"€{NBSP}1,00"),
        (-500, "nl", f"€{NBSP}-5,00"),
        (-500, "en", "-€5.00"),
        (50_000_000, "nl", f"€{NBSP}500.000,00"),
    ],
)
def test_euro(cents: int, locale: str, expected: str) -> None:
    assert euro(cents, locale) == expected


def test_euro_defaults_to_dutch() -> None:
    assert euro(123450) == euro(123450, "nl")


@pytest.mark.parametrize(
    ("cents", "locale", "expected"),
    [
        (12_345_600, "nl", f"€{NBSP}123.456"),
        (12_345_600, "en", "€123,456"),
        (0, "nl", f"€{NBSP}0"),
        (-500, "nl", f"€{NBSP}-5"),
        (-500, "en", "-€5"),
        # Cents are never dropped when there are any.
        (12_345_650, "nl", f"€{NBSP}123.456,50"),
        (12_345_601, "en", "€123,456.01"),
    ],
)
def test_euro_whole(cents: int, locale: str, expected: str) -> None:
    assert euro(cents, locale, whole=True) == expected


def test_whole_and_full_amounts_share_the_no_break_space() -> None:
    # "€" must never end up alone at the end of a line.
    assert euro(100, "nl", whole=True).startswith(f"€{NBSP}")
    assert euro(150, "nl", whole=True).startswith(f"€{NBSP}")
    assert " " not in euro(100_000_00, "nl", whole=True)


def test_euro_is_exact_for_every_cent() -> None:
    for cents in range(-1_000, 100_000, 7):
        sign = "-" if cents < 0 else ""
        assert euro(cents, "en") == f"{sign}€{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def test_euro_is_exact_for_large_amounts() -> None:
    # Beyond 2**53 a float cannot hold every cent.
    assert euro(10**17 + 1, "en") == "€1,000,000,000,000,000.01"
    assert euro(9_007_199_254_740_993, "nl") == f"€{NBSP}90.071.992.547.409,93"


@pytest.mark.parametrize("bad", [12.5, 100.0, Decimal("1.00"), "100", None])
def test_euro_refuses_anything_but_int_cents(bad: object) -> None:
    with pytest.raises(TypeError):
        euro(bad)  # type: ignore[arg-type]


UTC = dt.UTC


@pytest.mark.parametrize(
    ("utc", "nl", "en"),
    [
        # Summer time (CEST, UTC+2).
        (dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "1 juli 2026, 12:00", "1 July 2026, 12:00"),
        # Winter time (CET, UTC+1).
        (dt.datetime(2026, 1, 15, 10, 0, tzinfo=UTC), "15 januari 2026, 11:00", "15 January 2026, 11:00"),
        # The night the clocks go forward: 02:00 CET becomes 03:00 CEST.
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 maart 2026, 01:59", "29 March 2026, 01:59"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 maart 2026, 03:00", "29 March 2026, 03:00"),
        # The night the clocks go back: 03:00 CEST becomes 02:00 CET.
        (dt.datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25 oktober 2026, 02:59", "25 October 2026, 02:59"),
        (dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25 oktober 2026, 02:00", "25 October 2026, 02:00"),
        # New Year's Eve in UTC is already New Year in Amsterdam.
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "1 januari 2027, 00:30", "1 January 2027, 00:30"),
    ],
)
def test_local_datetime_shows_amsterdam_time(utc: dt.datetime, nl: str, en: str) -> None:
    fmt = "d MMMM yyyy, HH:mm"
    assert local_datetime(utc, "nl", fmt) == nl
    assert local_datetime(utc, "en", fmt) == en


def test_local_datetime_default_format_and_locale() -> None:
    value = dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert local_datetime(value) == "1 jul 2026, 12:00:00"


def test_local_datetime_accepts_any_time_zone() -> None:
    from zoneinfo import ZoneInfo

    new_york = dt.datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("America/New_York"))  # 10:00 UTC
    assert local_datetime(new_york, "nl", "HH:mm") == "12:00"


def test_local_datetime_names_summer_and_winter_time() -> None:
    summer = local_datetime(dt.datetime(2026, 7, 1, 10, tzinfo=UTC), "en", "zzzz")
    winter = local_datetime(dt.datetime(2026, 1, 1, 10, tzinfo=UTC), "en", "zzzz")
    assert summer == "Central European Summer Time"
    assert winter == "Central European Standard Time"


def test_local_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        local_datetime(dt.datetime(2026, 7, 1, 10, 0))
