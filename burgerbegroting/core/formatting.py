"""Formatting money and times for people. Pure functions; the templates use them as filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency

from burgerbegroting.core.timeutil import AMSTERDAM


def euro(cents: int, locale: str = "nl", whole: bool = False) -> str:
    """€ 1.234,50 in Dutch, €1,234.50 in English; ``whole`` drops zero cents."""
    if not isinstance(cents, int):
        raise TypeError("money is an int number of cents")
    amount = Decimal(cents).scaleb(-2)  # exact; a float loses cents on large amounts
    if whole and cents % 100 == 0:
        # The same no-break space and sign place as the full Dutch format: "€ -5,00".
        pattern = "¤\u00a0#,##0;¤\u00a0-#,##0" if locale == "nl" else "¤#,##0"
        return format_currency(amount, "EUR", locale=locale, format=pattern, currency_digits=False)
    return format_currency(amount, "EUR", locale=locale)


def local_datetime(value: dt.datetime, locale: str = "nl", fmt: str = "medium") -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return _babel_datetime(value.astimezone(AMSTERDAM), format=fmt, tzinfo=AMSTERDAM, locale=locale)
