"""Shared form pieces: the e-mail address check and the strip filter."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from wtforms.validators import ValidationError

from burgerbegroting.core import forms
from burgerbegroting.core.forms import EMAIL_MAX, EmailAddress, strip


def check(value: object) -> None:
    EmailAddress()(None, SimpleNamespace(data=value))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["bea@example.org", "b.de.vries+budget@gemeente.example.nl", "", None,
                                   "a@" + "b" * 63 + ".nl"])
def test_good_or_empty_addresses_pass(value: object) -> None:
    check(value)  # empty values are DataRequired's business


@pytest.mark.parametrize("value", ["bea", "bea@", "@example.org", "bea@example", "bea example@x.nl", "bea@@x.nl"])
def test_bad_addresses_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        check(value)


def test_overlong_values_never_reach_the_slow_validator(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """email_validator needs seconds for a few hundred kilobytes; Length(max=254) reports those."""
    calls: list[str] = []
    monkeypatch.setattr(forms, "validate_email", lambda value, **kwargs: calls.append(value))
    longest = "a" * (EMAIL_MAX - len("@example.nl")) + "@example.nl"
    check("x" * 600_000)
    check(longest + "x")
    check(longest)
    assert calls == [longest]


def test_strip() -> None:
    assert strip("  bea  ") == "bea"
    assert strip("\tbea\n") == "bea"
    assert strip(None) is None
    assert strip(["a "]) == ["a "]
