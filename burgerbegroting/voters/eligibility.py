"""Voting with an account plus a declaration: which district, and old enough? Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from burgerbegroting.processes.postcodes import PostcodeError, parse_ranges

_PC6 = re.compile(r"^[1-9]\d{3}[A-Z]{2}$")


def normalise_postcode(text: str) -> str | None:
    code = re.sub(r"\s+", "", text or "").upper()
    return code if _PC6.match(code) else None


def district_for_postcode(districts: Sequence[Any], postcode: str) -> Any | None:
    """The district whose postcode ranges hold ``postcode`` (PC6); None when none does.
    A district whose ranges cannot be read is skipped."""
    for district in districts:
        try:
            ranges = parse_ranges(district.postcodes or "")
        except PostcodeError:
            continue
        if any(r.contains(postcode) for r in ranges):
            return district
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years
