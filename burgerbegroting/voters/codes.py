"""Voting codes (stemcodes). Pure: no Flask, no database.

A code is 12 random characters plus one check character, from an alphabet without
look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V), printed in groups of four:
``K7PC-4XWM-TH9Q-R``. The check character (Luhn mod N) catches every single mistyped character and nearly every
swap of two neighbouring characters, so a typo gives "check the code" instead of
"unknown code". Guessing is hopeless within the rate limit on code entry (24^12, about
55 bits).

Only an HMAC-SHA256 of the normalised code is stored, with a key from configuration, so a
copy of the database does not reveal any code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

# 24 symbols: the letters and digits that are hard to confuse in print or handwriting
# (V is left out too, it looks like U when written by hand). Luhn mod N needs an even N.
ALPHABET = "ACDEFGHJKMNPQRTUWXY34679"
N = len(ALPHABET)
assert N % 2 == 0, "Luhn mod N needs an even alphabet size"
BODY_LENGTH = 12
GROUP = 4
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


class CodeProblem(StrEnum):
    EMPTY = "empty"
    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTER = "bad_character"
    CHECK_FAILED = "check_failed"


class CodeError(ValueError):
    def __init__(self, problem: CodeProblem):
        super().__init__(problem.value)
        self.problem = problem


def check_character(body: str) -> str:
    """Luhn mod N over ``body``."""
    factor = 2
    total = 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        addend = addend // N + addend % N
        total += addend
    return ALPHABET[(N - total % N) % N]


def generate() -> str:
    """A new random code, normalised (no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def format_code(code: str) -> str:
    """``K7PC4XWMTH9QR`` → ``K7PC-4XWM-TH9Q-R`` for letters and screens."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str:
    """What the resident typed → the canonical code, or CodeError saying what is wrong."""
    cleaned = "".join(ch for ch in typed.upper() if not ch.isspace() and ch not in "-–—._/")
    if not cleaned:
        raise CodeError(CodeProblem.EMPTY)
    if len(cleaned) != BODY_LENGTH + 1:
        raise CodeError(CodeProblem.WRONG_LENGTH)
    if any(ch not in _INDEX for ch in cleaned):
        raise CodeError(CodeProblem.BAD_CHARACTER)
    if check_character(cleaned[:-1]) != cleaned[-1]:
        raise CodeError(CodeProblem.CHECK_FAILED)
    return cleaned


def code_hmac(code: str, key: str) -> str:
    """The value stored for a code: HMAC-SHA256 with the configured key."""
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()
