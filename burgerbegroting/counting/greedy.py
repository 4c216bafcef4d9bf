"""Greedy rules: ``greedy``, ``greedy-threshold`` and ``greedy-no-skip``."""

from __future__ import annotations

from fractions import Fraction

from .model import Election, Explanation
from .profile import Profile

TIE_BREAKS = ("cost", "file", "id")


def greedy_order(prof: Profile, tie_break: str) -> list[int]:
    """Projects by score high to low.  Ties: ``cost`` = cheaper first, then project id
    (product default); ``file`` = order of the PROJECTS section (reproduces Pabulib's
    ``selected`` columns); ``id`` = project id compared as text (as pabutools does)."""
    js = range(prof.m)
    if tie_break == "cost":
        return sorted(js, key=lambda j: (-prof.score[j], prof.cost[j], prof.ids[j]))
    if tie_break == "file":
        return sorted(js, key=lambda j: -prof.score[j])
    if tie_break == "id":
        return sorted(js, key=lambda j: (-prof.score[j], prof.ids[j]))
    raise ValueError(f"unknown tie-break {tie_break!r}; expected one of {', '.join(TIE_BREAKS)}")


def run_greedy(
    election: Election,
    prof: Profile,
    *,
    threshold: Fraction | None = None,
    skip: bool = True,
    tie_break: str = "cost",
) -> tuple[list[str], int, dict[str, Explanation]]:
    left = election.budget
    selected: list[str] = []
    expl: dict[str, Explanation] = {}
    stopped_by: str | None = None
    for rank, j in enumerate(greedy_order(prof, tie_break), start=1):
        pid, cost, score = prof.ids[j], prof.cost[j], prof.score[j]
        e = Explanation(project_id=pid, kind="", cost=cost, supporters=prof.supporters[j], score=score, rank=rank)
        expl[pid] = e
        if threshold is not None and score < threshold:
            e.kind, e.threshold = "below_threshold", threshold
            continue
        if stopped_by is not None:
            e.kind, e.stopped_by, e.budget_left = "stopped", stopped_by, left
            continue
        if cost <= left:
            left -= cost
            selected.append(pid)
            e.kind, e.step, e.budget_left = "selected", len(selected), left
        else:
            e.kind, e.budget_left, e.needed = "did_not_fit", left, cost
            if not skip:
                stopped_by = pid
    return selected, election.budget - left, expl
