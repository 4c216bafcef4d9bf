"""A panel decides instead of a vote (rounds with ``decision == "panel"``, an initiatievenpotje).

Staff record the panel's decision per feasible proposal: selected or not, with the panel's
reason, which becomes the public note in the proposal's history. The permission table
(``Action.RECORD_PANEL_DECISION``) limits this to administrators in the voting and counting
phases; the view checks that.

Decisions are final once recorded: the status table allows feasible → selected and
feasible → not_selected, but not selected → not_selected (or back), so a recorded decision
cannot be changed here. Operations flush nothing themselves; the caller commits.
"""

from __future__ import annotations

from burgerbegroting.core import signals
from burgerbegroting.processes.models import Round
from burgerbegroting.proposals.history import change_status
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.proposals.status import Status

REASON_MAX = 1000
# The proposals a panel decides on, and the outcomes.
UNDECIDED = frozenset({Status.FEASIBLE})
DECIDED = frozenset({Status.SELECTED, Status.NOT_SELECTED})


class PanelError(ValueError):
    """The decision cannot be recorded; ``code`` says why (for the view's message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def record_panel_decision(round_: Round, proposal: Proposal, selected: bool, reason: str,
                          actor_id: int | None) -> None:
    """Record the panel's decision on ``proposal`` (raises PanelError, a ValueError, when not allowed)."""
    if round_.decision != "panel":
        raise PanelError("not_panel", "only a round decided by a panel takes panel decisions")
    if proposal.round_id != round_.id:
        raise PanelError("other_round", "the proposal is not part of this round")
    reason = (reason or "").strip()
    if not reason:
        raise PanelError("reason_missing", "a panel decision needs a reason")
    if len(reason) > REASON_MAX:
        raise PanelError("reason_too_long", f"a reason has at most {REASON_MAX} characters")
    status = Status(proposal.status)
    if status in DECIDED:
        raise PanelError("already_decided", "the panel has already decided on this proposal")
    if status not in UNDECIDED:
        raise PanelError("not_feasible", "the panel only decides on feasible proposals")
    wanted = Status.SELECTED if selected else Status.NOT_SELECTED
    change_status(proposal, wanted, actor_id, public_note=reason)
    signals.panel_decision_recorded.send(round_, actor_id=actor_id, proposal_id=proposal.id,
                                         selected=selected, reason=reason)
