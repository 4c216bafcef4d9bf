"""Dutch postcode ranges of a district, e.g. "1234, 1236-1238, 1240AB-1240ZZ". Pure.

A range is a single postcode or ``from-to``; both ends are PC4 (four digits, not starting
with 0) or both PC6 (four digits and two letters). Parsing normalises "1234 ab" to "1234AB".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PC4 = re.compile(r"^[1-9]\d{3}$")
_PC6 = re.compile(r"^[1-9]\d{3}[A-Z]{2}$")

# Reason codes (stable; views turn them into messages).
EMPTY_PART = "empty_part"
BAD_POSTCODE = "bad_postcode"
MIXED_RANGE = "mixed_range"
REVERSED_RANGE = "reversed_range"
TOO_LONG = "too_long"

MAX_LENGTH = 5000


class PostcodeError(ValueError):
    def __init__(self, reason: str, part: str = ""):
        super().__init__(reason, part)
        self.reason = reason
        self.part = part


@dataclass(frozen=True)
class PostcodeRange:
    low: str
    high: str

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"

    def contains(self, postcode: str) -> bool:
        """Whether ``postcode`` (PC6, e.g. "1234AB") lies in this range."""
        code = _normalise(postcode)
        if len(self.low) == 4:
            return self.low <= code[:4] <= self.high
        return len(code) == 6 and self.low <= code <= self.high


def _normalise(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()


def parse_ranges(text: str) -> list[PostcodeRange]:
    """The ranges in ``text`` (comma or semicolon separated); ``PostcodeError`` with the
    offending part when one cannot be read. An empty text is an empty list."""
    if len(text or "") > MAX_LENGTH:
        raise PostcodeError(TOO_LONG)
    ranges: list[PostcodeRange] = []
    stripped = (text or "").strip()
    if not stripped:
        return ranges
    for raw in re.split(r"[,;\n]", stripped):
        part = raw.strip()
        if not part:
            raise PostcodeError(EMPTY_PART)
        ends = [_normalise(p) for p in re.split(r"\s*[-–]\s*", part)]
        if len(ends) == 1:
            ends = ends * 2
        if len(ends) != 2:
            raise PostcodeError(BAD_POSTCODE, part)
        low, high = ends
        for end in (low, high):
            if not (_PC4.match(end) or _PC6.match(end)):
                raise PostcodeError(BAD_POSTCODE, part)
        if len(low) != len(high):
            raise PostcodeError(MIXED_RANGE, part)
        if low > high:
            raise PostcodeError(REVERSED_RANGE, part)
        ranges.append(PostcodeRange(low, high))
    return ranges


def normalise_ranges(text: str) -> str:
    """The canonical text for ``text`` ("1234ab - 1234zz,1240" → "1234AB-1234ZZ, 1240")."""
    return ", ".join(str(r) for r in parse_ranges(text))
