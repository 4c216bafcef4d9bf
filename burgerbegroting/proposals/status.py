"""The life of a proposal: statuses and the allowed transitions. Pure.

    draft ─► published ─► in_review ─► feasible ─► selected ─► in_progress ─► done
                │            │   └────► not_feasible    └─► not_selected
                │            └────────► not_feasible
                ├─► not_enough_support       (ideas phase ended below the round's minimum)
                └─► merged                   (a reviewer merged it into a duplicate)
    withdrawn: by the author, from draft, published or in_review.

Hiding by a moderator is not a status: it is a separate flag that can be lifted again, so
nothing a moderator does changes where a proposal is in this process.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    NOT_ENOUGH_SUPPORT = "not_enough_support"
    IN_REVIEW = "in_review"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    IN_PROGRESS = "in_progress"
    DONE = "done"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.WITHDRAWN}),
    Status.PUBLISHED: frozenset({Status.IN_REVIEW, Status.FEASIBLE, Status.NOT_FEASIBLE, Status.NOT_ENOUGH_SUPPORT,
                                 Status.MERGED, Status.WITHDRAWN}),
    Status.IN_REVIEW: frozenset({Status.FEASIBLE, Status.NOT_FEASIBLE, Status.MERGED, Status.WITHDRAWN}),
    # A review can be corrected until voting opens (the rule lock stops it after that).
    Status.FEASIBLE: frozenset({Status.NOT_FEASIBLE, Status.IN_REVIEW, Status.SELECTED, Status.NOT_SELECTED}),
    Status.NOT_FEASIBLE: frozenset({Status.FEASIBLE, Status.IN_REVIEW}),
    Status.NOT_ENOUGH_SUPPORT: frozenset(),
    Status.MERGED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.SELECTED: frozenset({Status.IN_PROGRESS, Status.DONE}),
    Status.NOT_SELECTED: frozenset(),
    Status.IN_PROGRESS: frozenset({Status.DONE}),
    Status.DONE: frozenset(),
}

# Statuses in which the proposal shows on public lists.
PUBLIC = frozenset(Status) - {Status.DRAFT}
# Statuses in which the author may still change the text and cost.
EDITABLE = frozenset({Status.DRAFT, Status.PUBLISHED})
# Statuses that put a proposal on the ballot when voting opens.
ON_BALLOT = frozenset({Status.FEASIBLE})


class TransitionError(ValueError):
    def __init__(self, current: Status, wanted: Status):
        super().__init__(f"a proposal cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def can_transition(current: Status, wanted: Status) -> bool:
    return wanted in TRANSITIONS[current]


def check_transition(current: Status, wanted: Status) -> None:
    if not can_transition(current, wanted):
        raise TransitionError(current, wanted)
