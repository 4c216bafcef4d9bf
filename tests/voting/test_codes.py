"""Voting codes: format, check character, normalisation, HMAC."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burgerbegroting.voters import codes
from burgerbegroting.voters.codes import CodeError, CodeProblem

LOOKALIKES = set("0O1IL2Z5S8BV")


def test_alphabet_has_no_lookalikes_and_no_duplicates():
    assert not LOOKALIKES & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == codes.N


def test_generated_codes_are_valid_and_different():
    generated = {codes.generate() for _ in range(2000)}
    assert len(generated) == 2000
    for code in itertools.islice(generated, 200):
        assert len(code) == codes.BODY_LENGTH + 1
        assert codes.normalise(code) == code


def test_format_groups_of_four_and_back():
    code = codes.generate()
    printed = codes.format_code(code)
    assert printed.count("-") == 3
    assert codes.normalise(printed) == code
    assert codes.normalise(" " + printed.lower().replace("-", " ") + "\n") == code


@given(st.text(alphabet=codes.ALPHABET, min_size=codes.BODY_LENGTH, max_size=codes.BODY_LENGTH),
       st.integers(min_value=0, max_value=codes.BODY_LENGTH), st.data())
@settings(max_examples=300, derandomize=True)
def test_every_single_substitution_is_caught(body, position, data):
    code = body + codes.check_character(body)
    original = code[position]
    replacement = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != original]))
    typo = code[:position] + replacement + code[position + 1:]
    with pytest.raises(CodeError) as info:
        codes.normalise(typo)
    assert info.value.problem == CodeProblem.CHECK_FAILED


def test_neighbour_swaps_are_nearly_always_caught():
    caught = total = 0
    for _ in range(300):
        code = codes.generate()
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            total += 1
            try:
                codes.normalise(swapped)
            except CodeError:
                caught += 1
    assert caught / total > 0.99


@pytest.mark.parametrize(("typed", "problem"), [
    ("", CodeProblem.EMPTY),
    ("   - ", CodeProblem.EMPTY),
    ("ACDE-FGHJ", CodeProblem.WRONG_LENGTH),
    ("ACDE-FGHJ-KMNP-QR", CodeProblem.WRONG_LENGTH),
    ("0CDE-FGHJ-KMNP-Q", CodeProblem.BAD_CHARACTER),
    ("ACDE-FGHJ-KMNP-€", CodeProblem.BAD_CHARACTER),
])
def test_clear_problems(typed, problem):
    with pytest.raises(CodeError) as info:
        codes.normalise(typed)
    assert info.value.problem == problem


def test_hmac_depends_on_key_and_code_and_hides_the_code():
    code = codes.generate()
    digest = codes.code_hmac(code, "key-1")
    assert len(digest) == 64
    assert code not in digest
    assert digest == codes.code_hmac(code, "key-1")
    assert digest != codes.code_hmac(code, "key-2")
    assert digest != codes.code_hmac(codes.generate(), "key-1")
