"""Money input: euro amounts as people type them, to integer cents. Pure.

``parse_euro`` accepts Dutch ("1.234,50", "1234,5", "€ 1.234") and English ("1,234.50",
"1234.50") notation. It is strict: anything it cannot read with certainty is refused with
a short reason code (``ValueError.args[0]``), which forms turn into a field message.
"""

from __future__ import annotations

import re

# No budget or cost in this platform comes near this: a typo, not an amount (€ 1 billion).
MAX_CENTS = 100_000_000_000

# Reason codes (stable: callers map them to messages).
EMPTY = "empty"
NEGATIVE = "negative"
TOO_MANY_DECIMALS = "too_many_decimals"
NOT_A_NUMBER = "not_a_number"
TOO_LARGE = "too_large"

_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 1.234 or 1.234.567 (Dutch thousands)
_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")  # 1,234 (English thousands)
_DIGITS = re.compile(r"^\d+$")


def _split(text: str) -> tuple[str, str]:
    """(whole part, decimals) from a number without sign or currency."""
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        # The separator that comes last is the decimal one.
        if text.rfind(",") > text.rfind("."):
            whole, _, decimals = text.rpartition(",")
            if not _GROUPED_DOT.match(whole) and not _DIGITS.match(whole):
                raise ValueError(NOT_A_NUMBER)
            return whole.replace(".", ""), decimals
        whole, _, decimals = text.rpartition(".")
        if not _GROUPED_COMMA.match(whole) and not _DIGITS.match(whole):
            raise ValueError(NOT_A_NUMBER)
        return whole.replace(",", ""), decimals
    if has_comma:
        if _GROUPED_COMMA.match(text) and text.count(",") > 1:
            return text.replace(",", ""), ""
        whole, _, decimals = text.rpartition(",")
        # "1,234" is ambiguous; in a Dutch platform a comma is the decimal sign, so
        # three decimals are refused rather than silently read as thousands.
        return whole, decimals
    if has_dot:
        if _GROUPED_DOT.match(text) and (text.count(".") > 1 or len(text.rpartition(".")[2]) == 3):
            # "1.234" is Dutch for one thousand two hundred thirty-four.
            return text.replace(".", ""), ""
        whole, _, decimals = text.rpartition(".")
        return whole, decimals
    return text, ""


def parse_euro(text: str) -> int:
    """The amount in ``text`` as integer cents; ``ValueError(reason)`` when it is not a
    clear, non-negative amount of at most two decimals and at most ``MAX_CENTS``."""
    if text is None:
        raise ValueError(EMPTY)
    cleaned = str(text).strip()
    if len(cleaned) > 40:
        raise ValueError(TOO_LARGE if re.fullmatch(r"[\d\s.,€]+", cleaned) else NOT_A_NUMBER)
    cleaned = cleaned.replace("€", "").replace("EUR", "").replace("eur", "")
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "").strip()
    if cleaned.endswith((",-", ".-")):  # "€ 25,-"
        cleaned = cleaned[:-2]
    if not cleaned:
        raise ValueError(EMPTY)
    if cleaned.startswith("-") or cleaned.endswith("-") or cleaned.startswith("−"):
        raise ValueError(NEGATIVE)
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not re.fullmatch(r"[\d.,]+", cleaned) or (not cleaned[0].isdigit() and cleaned[0] not in ".,"):
        raise ValueError(NOT_A_NUMBER)
    whole, decimals = _split(cleaned)
    if whole == "":
        whole = "0"
    if not _DIGITS.match(whole) or (decimals and not _DIGITS.match(decimals)):
        raise ValueError(NOT_A_NUMBER)
    if len(decimals) > 2:
        raise ValueError(TOO_MANY_DECIMALS)
    if len(whole) > 15:
        raise ValueError(TOO_LARGE)
    cents = int(whole) * 100 + int((decimals or "0").ljust(2, "0"))
    if cents > MAX_CENTS:
        raise ValueError(TOO_LARGE)
    return cents
