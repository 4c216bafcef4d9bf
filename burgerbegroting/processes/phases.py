"""The phases of a round. Pure: no Flask, no database.

A round enables the phases it needs, each with a start and an end (timezone-aware). The
current phase is the latest enabled phase that has started; before the first start the round
is in ``DRAFT`` (not yet public) and after the last end it is ``CLOSED``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class Phase(StrEnum):
    DRAFT = "draft"
    IDEAS = "ideas"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"
    CLOSED = "closed"


ORDER: tuple[Phase, ...] = tuple(Phase)
SCHEDULABLE: tuple[Phase, ...] = ORDER[1:-1]


@dataclass(frozen=True)
class Window:
    phase: Phase
    starts_at: dt.datetime
    ends_at: dt.datetime


class ScheduleError(ValueError):
    """A schedule that cannot work; ``problems`` maps a phase to what is wrong with it."""

    def __init__(self, problems: dict[Phase, str]):
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems.items()))
        self.problems = problems


def validate_schedule(windows: Sequence[Window]) -> None:
    """Phases must be in the fixed order, each end after its start, without overlap."""
    problems: dict[Phase, str] = {}
    for window in windows:
        if window.starts_at.tzinfo is None or window.ends_at.tzinfo is None:
            problems[window.phase] = "naive datetime"
        elif window.ends_at <= window.starts_at:
            problems[window.phase] = "ends_before_start"
    ordered = sorted(windows, key=lambda w: ORDER.index(w.phase))
    if len({w.phase for w in windows}) != len(windows):
        problems[Phase.DRAFT] = "duplicate_phase"
    for before, after in pairwise(ordered):
        if before.phase in problems or after.phase in problems:
            continue
        if after.starts_at < before.ends_at:
            problems[after.phase] = "overlaps_previous"
    if problems:
        raise ScheduleError(problems)


def current_phase(windows: Sequence[Window], now: dt.datetime) -> Phase:
    """The phase a round is in at ``now``."""
    if now.tzinfo is None:
        raise ValueError("naive datetime")
    if not windows:
        return Phase.DRAFT
    ordered = sorted(windows, key=lambda w: ORDER.index(w.phase))
    if now >= ordered[-1].ends_at:
        return Phase.CLOSED
    started = [w for w in ordered if w.starts_at <= now]
    if not started:
        return Phase.DRAFT
    return started[-1].phase


def voting_has_started(windows: Sequence[Window], now: dt.datetime) -> bool:
    """The rule lock: once voting has started, what the vote depends on is frozen."""
    return any(w.phase == Phase.VOTING and w.starts_at <= now for w in windows)
