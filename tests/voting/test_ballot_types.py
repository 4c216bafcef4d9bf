"""Ballot types: parsing posted forms and validating choices, unhappy paths first."""

from __future__ import annotations

import pytest

from burgerbegroting.ballots.types import BALLOT_TYPES, MAX_FIELDS, Limits, Option, Problem, Ranking

OPTIONS = [Option(1, 10_000_00), Option(2, 25_000_00), Option(3, 40_000_00), Option(4, 5_000_00)]


def problems(result):
    return {p for p, _ in result.problems}


class TestApproval:
    kind = BALLOT_TYPES["approval"]

    def test_valid(self):
        result = self.kind.read({"choice": ["1", "3"]}, OPTIONS, Limits(min_choices=1, max_choices=2))
        assert result.valid
        assert result.choices == {1: 1, 3: 1}

    @pytest.mark.parametrize(("form", "limits", "expected"), [
        ({"choice": []}, Limits(min_choices=1), Problem.TOO_FEW),
        ({"choice": ["1", "2", "3"]}, Limits(max_choices=2), Problem.TOO_MANY),
        ({"choice": ["99"]}, Limits(), Problem.UNKNOWN_OPTION),
        ({"choice": ["1", "1"]}, Limits(), Problem.UNKNOWN_OPTION),
        ({"choice": ["abc"]}, Limits(), Problem.UNKNOWN_OPTION),
        ({"choice": ["-1"]}, Limits(), Problem.UNKNOWN_OPTION),
        ({"choice": ["1" * 40]}, Limits(), Problem.UNKNOWN_OPTION),
    ])
    def test_invalid(self, form, limits, expected):
        result = self.kind.read(form, OPTIONS, limits)
        assert not result.valid
        assert expected in problems(result)

    def test_huge_tampered_form_is_refused_without_reading_it_all(self):
        result = self.kind.read({"choice": [str(i) for i in range(MAX_FIELDS * 10)]}, OPTIONS, Limits())
        assert Problem.TOO_MANY in problems(result)


class TestKnapsack:
    kind = BALLOT_TYPES["knapsack"]

    def test_fits_exactly(self):
        result = self.kind.read({"choice": ["2", "3"]}, OPTIONS, Limits(budget_cents=65_000_00))
        assert result.valid

    def test_over_budget_by_one_cent(self):
        result = self.kind.read({"choice": ["2", "3"]}, OPTIONS, Limits(budget_cents=65_000_00 - 1))
        assert problems(result) == {Problem.OVER_BUDGET}


class TestCumulative:
    kind = BALLOT_TYPES["cumulative"]

    def test_valid_and_zeros_dropped(self):
        form = {"points-1": ["3"], "points-2": ["0"], "points-3": [""], "points-4": ["7"]}
        result = self.kind.read(form, OPTIONS, Limits(points_total=10, min_choices=1))
        assert result.valid
        assert result.choices == {1: 3, 4: 7}

    @pytest.mark.parametrize(("form", "expected"), [
        ({"points-1": ["-2"]}, Problem.NEGATIVE),
        ({"points-1": ["1.5"]}, Problem.NOT_A_NUMBER),
        ({"points-1": ["twee"]}, Problem.NOT_A_NUMBER),
        ({"points-1": ["6"], "points-2": ["5"]}, Problem.TOO_MANY_POINTS),
        ({"points-99": ["1"]}, Problem.UNKNOWN_OPTION),
        ({"points-x": ["1"]}, Problem.UNKNOWN_OPTION),
        ({"points-1": ["9" * 20]}, Problem.NOT_A_NUMBER),
    ])
    def test_invalid(self, form, expected):
        result = self.kind.read(form, OPTIONS, Limits(points_total=10))
        assert expected in problems(result)

    def test_negative_points_are_refused_in_validate_too(self):
        result = self.kind.validate({1: -3, 2: 5}, OPTIONS, Limits(points_total=10))
        assert (Problem.NEGATIVE, 1) in result.problems


class TestRanking:
    kind = BALLOT_TYPES["ranking"]

    def test_valid_order(self):
        form = {"rank-3": ["1"], "rank-1": ["2"], "rank-2": [""], "rank-4": ["3"]}
        result = self.kind.read(form, OPTIONS, Limits(max_choices=3, min_choices=1))
        assert result.valid
        assert Ranking.ordered(result.choices) == [3, 1, 4]

    @pytest.mark.parametrize(("form", "expected"), [
        ({"rank-1": ["1"], "rank-2": ["1"]}, Problem.DUPLICATE_RANK),
        ({"rank-1": ["1"], "rank-2": ["3"]}, Problem.RANK_GAP),
        ({"rank-1": ["0"]}, Problem.RANK_OUT_OF_RANGE),
        ({"rank-1": ["4"]}, Problem.RANK_OUT_OF_RANGE),
        ({"rank-1": ["een"]}, Problem.NOT_A_NUMBER),
        ({"rank-77": ["1"]}, Problem.UNKNOWN_OPTION),
    ])
    def test_invalid(self, form, expected):
        result = self.kind.read(form, OPTIONS, Limits(max_choices=3))
        assert expected in problems(result)


def test_registry_names_and_pabulib_types():
    assert set(BALLOT_TYPES) == {"approval", "knapsack", "cumulative", "ranking"}
    assert {t.pabulib_vote_type for t in BALLOT_TYPES.values()} == {"approval", "cumulative", "ordinal"}
