"""Formatting money and times for people. Pure functions; the templates use them as filters."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency

from burgerbegroting.core.timeutil import AMSTERDAM


def euro(cents: int, locale: str = "nl", whole: bool = False) -> str:
    """€ 1.234,50 in Dutch, €1,234.50 in English; ``whole`` drops zero cents."""
    if not isinstance(cents, int):
        raise TypeError("money is an int number of cents")
    amount = cents / 100
    if whole and cents % 100 == 0:
        return format_currency(amount, "EUR", locale=locale, format="¤ #,##0" if locale == "nl" else "¤#,##0",
                               currency_digits=False)
    return format_currency(amount, "EUR", locale=locale)


def local_datetime(value: dt.datetime, locale: str = "nl", fmt: str = "medium") -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return _babel_datetime(value.astimezone(AMSTERDAM), format=fmt, tzinfo=AMSTERDAM, locale=locale)
