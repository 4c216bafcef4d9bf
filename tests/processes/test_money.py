"""parse_euro: the strict euro-input parser shared by every money field."""

import pytest

from burgerbegroting.core.money import MAX_CENTS, parse_euro


@pytest.mark.parametrize(("text", "cents"), [
    ("1.234,50", 123450),
    ("1234,5", 123450),
    ("1234,50", 123450),
    ("€ 1.234", 123400),
    ("€1.234,-", 123400),
    ("1.234.567,89", 123456789),
    ("1,234.50", 123450),
    ("1234.50", 123450),
    ("1234.5", 123450),
    ("1,234,567", 123456700),
    ("  25  ", 2500),
    ("0", 0),
    ("0,01", 1),
    (",5", 50),
    ("EUR 10", 1000),
    ("1\u00a0234,00", 123400),
    ("+5", 500),
    ("1.234", 123400),  # Dutch thousands
])
def test_reads_dutch_and_english_amounts(text, cents):
    assert parse_euro(text) == cents


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("   ", "empty"),
    ("€", "empty"),
    ("-5", "negative"),
    ("- 5", "negative"),
    ("€ -1.234,50", "negative"),
    ("1,234", "too_many_decimals"),  # ambiguous: refused, not guessed
    ("12,345", "too_many_decimals"),
    ("1.2345", "too_many_decimals"),
    ("1,001", "too_many_decimals"),
    ("abc", "not_a_number"),
    ("12a", "not_a_number"),
    ("1e5", "not_a_number"),
    ("1.2.3", "not_a_number"),
    ("1,2,3", "not_a_number"),
    ("12.34,5.6", "not_a_number"),
    ("1,23.4,5", "not_a_number"),
    ("<b>5</b>", "not_a_number"),
    ("9" * 16, "too_large"),
    ("9" * 60, "too_large"),
    ("x" * 60, "not_a_number"),
    ("1.000.000.001", "too_large"),
])
def test_refuses_what_it_cannot_read_with_a_reason(text, reason):
    with pytest.raises(ValueError) as info:
        parse_euro(text)
    assert info.value.args[0] == reason


def test_limit_is_inclusive():
    assert parse_euro("1.000.000.000") == MAX_CENTS
    with pytest.raises(ValueError, match="too_large"):
        parse_euro("1.000.000.000,01")
