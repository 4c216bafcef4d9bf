"""Ballot types: what a resident may choose, and whether a filled-in ballot is valid. Pure.

Each type is a class in ``BALLOT_TYPES``; it reads the posted form into *choices* (proposal id
→ value) and checks them against the options on the ballot and the round's limits. The value
is 1 for approval and knapsack ballots, the points for cumulative ballots and the rank (1 is
best) for ranking ballots. A ballot that is not valid is never stored; the problems say why,
per proposal where they can, so the page can show them next to the right field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Problem(StrEnum):
    UNKNOWN_OPTION = "unknown_option"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    OVER_BUDGET = "over_budget"
    TOO_MANY_POINTS = "too_many_points"
    DUPLICATE_RANK = "duplicate_rank"
    RANK_OUT_OF_RANGE = "rank_out_of_range"
    RANK_GAP = "rank_gap"


@dataclass(frozen=True)
class Option:
    id: int
    cost_cents: int


@dataclass(frozen=True)
class Limits:
    min_choices: int = 0
    max_choices: int | None = None
    points_total: int | None = None
    budget_cents: int | None = None


@dataclass
class Result:
    choices: dict[int, int] = field(default_factory=dict)
    # (problem, proposal id or None for the whole ballot)
    problems: list[tuple[Problem, int | None]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, problem: Problem, option_id: int | None = None) -> None:
        self.problems.append((problem, option_id))


# Forms are bounded: a tampered form with thousands of fields is refused early.
MAX_FIELDS = 500


class BallotType:
    name: str = ""
    # The Pabulib vote type of the exported ballots.
    pabulib_vote_type: str = "approval"

    def read(self, form: Mapping[str, Sequence[str]], options: Sequence[Option], limits: Limits) -> Result:
        """Parse the posted form (name → list of values) and validate it."""
        raise NotImplementedError

    def validate(self, choices: Mapping[int, int], options: Sequence[Option], limits: Limits) -> Result:
        """Check already-parsed choices (used for paper ballots and for re-checks)."""
        raise NotImplementedError

    @staticmethod
    def _ids(values: Sequence[str], result: Result) -> list[int]:
        ids: list[int] = []
        for value in values[:MAX_FIELDS]:
            if not value.isdigit() or len(value) > 12:
                result.add(Problem.UNKNOWN_OPTION)
                continue
            ids.append(int(value))
        if len(values) > MAX_FIELDS:
            result.add(Problem.TOO_MANY)
        return ids

    @staticmethod
    def _numbered(form: Mapping[str, Sequence[str]], prefix: str, result: Result) -> dict[int, str]:
        """The non-empty values of fields named ``<prefix><proposal id>``, by proposal id."""
        fields = [(k, v) for k, v in form.items() if k.startswith(prefix)]
        if len(fields) > MAX_FIELDS:
            result.add(Problem.TOO_MANY)
            return {}
        values_by_id: dict[int, str] = {}
        for key, values in fields:
            suffix = key.removeprefix(prefix)
            if not suffix.isdigit() or len(suffix) > 12:
                result.add(Problem.UNKNOWN_OPTION)
                continue
            text = (values[-1] if values else "").strip()
            if text:
                values_by_id[int(suffix)] = text
        return values_by_id

    @staticmethod
    def _check_known(choices: Mapping[int, int], options: Sequence[Option], result: Result) -> None:
        known = {o.id for o in options}
        for option_id in choices:
            if option_id not in known:
                result.add(Problem.UNKNOWN_OPTION, option_id)

    @staticmethod
    def _check_count(count: int, limits: Limits, result: Result) -> None:
        if count < limits.min_choices:
            result.add(Problem.TOO_FEW)
        if limits.max_choices is not None and count > limits.max_choices:
            result.add(Problem.TOO_MANY)


class Approval(BallotType):
    """Choose at least ``min_choices`` and at most ``max_choices`` plans."""

    name = "approval"
    pabulib_vote_type = "approval"

    def read(self, form: Mapping[str, Sequence[str]], options: Sequence[Option], limits: Limits) -> Result:
        result = Result()
        ids = self._ids(form.get("choice", []), result)
        if len(set(ids)) != len(ids):
            result.add(Problem.UNKNOWN_OPTION)
        checked = self.validate(dict.fromkeys(ids, 1), options, limits)
        result.choices = checked.choices
        result.problems.extend(checked.problems)
        return result

    def validate(self, choices: Mapping[int, int], options: Sequence[Option], limits: Limits) -> Result:
        result = Result(choices=dict(choices))
        self._check_known(choices, options, result)
        if any(v != 1 for v in choices.values()):
            result.add(Problem.NOT_A_NUMBER)
        self._check_count(len(choices), limits, result)
        return result


class Knapsack(Approval):
    """Choose plans whose costs together fit within the district's budget."""

    name = "knapsack"

    def validate(self, choices: Mapping[int, int], options: Sequence[Option], limits: Limits) -> Result:
        result = super().validate(choices, options, limits)
        costs = {o.id: o.cost_cents for o in options}
        total = sum(costs.get(i, 0) for i in choices)
        if limits.budget_cents is not None and total > limits.budget_cents:
            result.add(Problem.OVER_BUDGET)
        return result


class Cumulative(BallotType):
    """Spread ``points_total`` points over the plans (whole numbers, 0 or more each)."""

    name = "cumulative"
    pabulib_vote_type = "cumulative"

    def read(self, form: Mapping[str, Sequence[str]], options: Sequence[Option], limits: Limits) -> Result:
        result = Result()
        raw: dict[int, int] = {}
        for option_id, text in self._numbered(form, "points-", result).items():
            if text.startswith("-") and text[1:].isdigit():
                result.add(Problem.NEGATIVE, option_id)
                continue
            if not text.isdigit() or len(text) > 9:
                result.add(Problem.NOT_A_NUMBER, option_id)
                continue
            if int(text) > 0:
                raw[option_id] = int(text)
        checked = self.validate(raw, options, limits)
        result.choices = checked.choices
        result.problems.extend(checked.problems)
        return result

    def validate(self, choices: Mapping[int, int], options: Sequence[Option], limits: Limits) -> Result:
        result = Result(choices={k: v for k, v in choices.items() if v != 0})
        self._check_known(choices, options, result)
        for option_id, points in choices.items():
            if points < 0:
                result.add(Problem.NEGATIVE, option_id)
        if limits.points_total is not None and sum(p for p in choices.values() if p > 0) > limits.points_total:
            result.add(Problem.TOO_MANY_POINTS)
        self._check_count(len(result.choices), limits, result)
        return result


class Ranking(BallotType):
    """Put up to ``max_choices`` plans in order: 1 is your favourite, no gaps, no ties."""

    name = "ranking"
    pabulib_vote_type = "ordinal"

    def read(self, form: Mapping[str, Sequence[str]], options: Sequence[Option], limits: Limits) -> Result:
        result = Result()
        raw: dict[int, int] = {}
        for option_id, text in self._numbered(form, "rank-", result).items():
            if not text.isdigit() or len(text) > 4:
                result.add(Problem.NOT_A_NUMBER, option_id)
                continue
            raw[option_id] = int(text)
        checked = self.validate(raw, options, limits)
        result.choices = checked.choices
        result.problems.extend(checked.problems)
        return result

    def validate(self, choices: Mapping[int, int], options: Sequence[Option], limits: Limits) -> Result:
        result = Result(choices=dict(choices))
        self._check_known(choices, options, result)
        max_rank = limits.max_choices if limits.max_choices is not None else len(options)
        seen: dict[int, int] = {}
        for option_id, rank in sorted(choices.items()):
            if rank < 1 or rank > max_rank:
                result.add(Problem.RANK_OUT_OF_RANGE, option_id)
            elif rank in seen:
                result.add(Problem.DUPLICATE_RANK, option_id)
            else:
                seen[rank] = option_id
        if seen and sorted(seen) != list(range(1, len(seen) + 1)):
            result.add(Problem.RANK_GAP)
        self._check_count(len(choices), limits, result)
        return result

    @staticmethod
    def ordered(choices: Mapping[int, int]) -> list[int]:
        """Proposal ids best first."""
        return [option_id for option_id, _rank in sorted(choices.items(), key=lambda item: item[1])]


BALLOT_TYPES: dict[str, BallotType] = {t.name: t for t in (Approval(), Knapsack(), Cumulative(), Ranking())}
