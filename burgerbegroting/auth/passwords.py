"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    config = current_app.config
    key = (config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_COST", 65536))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1])
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# A fixed hash to verify against when the account does not exist, so that a login attempt
# for an unknown e-mail address takes as long as one for a known address.
_dummy: dict[tuple[int, int], str] = {}


def burn_time(password: str) -> None:
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _dummy:
        _dummy[key] = hasher.hash("not-a-real-password")
    verify_password(_dummy[key], password)
