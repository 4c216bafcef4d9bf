"""Data model of the counter: elections, ballots, outcomes and explanations.

Money is always an exact integer in *minor units*.  For a Pabulib file the minor unit is
``10**-decimals`` of the file's own unit, where ``decimals`` is the largest number of digits
written after the decimal point in the budget or any cost (``2372571.24`` -> 2 decimals, so
amounts are counted in hundredths).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

Number = int | Fraction


class BallotKind(str, enum.Enum):  # noqa: UP042  (str() and JSON give the Pabulib name)
    """The kinds of ballot a round can use (Pabulib ``vote_type``)."""

    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


@dataclass(frozen=True)
class Project:
    """A proposal.  ``cost`` is an exact integer in minor units; ``id`` is text."""

    id: str
    cost: int
    name: str = ""
    categories: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # other columns of the PROJECTS section, in order

    def field(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return default


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot.

    ``projects`` lists project ids (for ordinal ballots best first).  ``points`` is only used
    for cumulative ballots and runs parallel to ``projects``.
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    fields: tuple[tuple[str, str], ...] = ()  # other columns of the VOTES section, in order


@dataclass(frozen=True)
class Election:
    """An election: projects (in file order), a budget, ballots and ballot constraints."""

    projects: tuple[Project, ...]
    budget: int
    ballots: tuple[Ballot, ...]
    kind: BallotKind = BallotKind.APPROVAL
    decimals: int = 0  # minor units per file unit = 10**decimals
    min_length: int | None = None
    max_length: int | None = None
    max_sum_points: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    threshold: Fraction | None = None  # min_project_score_threshold (score units)
    meta: tuple[tuple[str, str], ...] = ()  # the META section, in order

    @property
    def scale(self) -> int:
        """Minor units per unit of the file (``10**decimals``)."""
        return 10**self.decimals

    def meta_dict(self) -> dict[str, str]:
        return dict(self.meta)

    def project(self, project_id: str) -> Project:
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(project_id)

    @property
    def rule_in_file(self) -> str | None:
        return self.meta_dict().get("rule")

    def ordinal_length(self) -> int:
        """Positional points of an ordinal ballot: ``max_length - position`` (best = max_length)."""
        return self.max_length if self.max_length else len(self.projects)

    def to_units(self, minor: Number) -> Number:
        """Convert minor units to the file's own unit (exact)."""
        if self.decimals == 0:
            return minor
        value = Fraction(minor) / self.scale
        return value.numerator if value.denominator == 1 else value


@dataclass
class Explanation:
    """Why a project was or was not selected.  All money in minor units, exact.

    ``kind`` is one of: ``selected``, ``not_affordable`` (equal shares: its supporters did not
    have enough money left), ``no_supporters``, ``did_not_fit`` (greedy: cost above the
    money left), ``below_threshold``, ``stopped`` (greedy-no-skip: counting had stopped),
    ``replaced_by_comparison`` is never used for a project; the comparison result is in
    ``Outcome.details``.
    """

    project_id: str
    kind: str
    cost: int
    supporters: int = 0
    score: Number | None = None
    step: int | None = None  # 1-based: the n-th project bought / the n-th in score order
    rank: int | None = None  # position in the score order (greedy)
    budget_left: Number | None = None  # money left in the budget after this decision
    payment_per_voter: Number | None = None  # equal shares: what a (full-paying) supporter paid
    rho: Number | None = None  # equal shares: price per unit of utility
    paid_everything: int | None = None  # supporters who paid all they had left
    supporters_money: Number | None = None  # equal shares: what the supporters still had
    needed: Number | None = None  # money that was needed (cost, or money left vs cost)
    threshold: Number | None = None
    stopped_by: str | None = None
    exact: bool = True  # False: money values rounded to whole minor units

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = _json_number(value)
        return out


@dataclass
class Outcome:
    """The result of a rule: selected projects in selection order, and explanations."""

    rule: str
    rule_version: str
    selected: list[str]
    total_cost: int  # minor units
    budget: int  # minor units
    explanations: dict[str, Explanation] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    decimals: int = 0

    def total_cost_units(self) -> Number:
        if self.decimals == 0:
            return self.total_cost
        v = Fraction(self.total_cost, 10**self.decimals)
        return v.numerator if v.denominator == 1 else v

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "rule_version": self.rule_version,
            "selected": list(self.selected),
            "total_cost": _units_number(self.total_cost, self.decimals),
            "budget": _units_number(self.budget, self.decimals),
            "total_cost_minor_units": self.total_cost,
            "minor_units_per_unit": 10**self.decimals,
            "details": {k: _json_number(v) for k, v in self.details.items()},
            "explanations": {k: e.to_dict() for k, e in self.explanations.items()},
        }


def _units_number(minor: int, decimals: int) -> int | float:
    """An amount in file units as a JSON number: an int when integral, else the decimal."""
    if decimals == 0 or minor % 10**decimals == 0:
        return minor // 10**decimals
    return float(Decimal(minor).scaleb(-decimals))


def _json_number(value: Any) -> Any:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return str(value)
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_number(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
