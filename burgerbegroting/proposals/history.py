"""Changing a proposal's status or cost, always with a public history entry.

Every status or cost change goes through these two functions so the public history is
complete and the transition table in ``status.py`` is always checked.
"""

from __future__ import annotations

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.proposals.models import Proposal, ProposalEvent
from burgerbegroting.proposals.status import Status, check_transition


def change_status(proposal: Proposal, wanted: Status, actor_id: int | None, public_note: str = "") -> None:
    """Move ``proposal`` to ``wanted`` (raises TransitionError when not allowed)."""
    current = Status(proposal.status)
    check_transition(current, wanted)
    proposal.status = wanted.value
    if wanted == Status.PUBLISHED and proposal.published_at is None:
        proposal.published_at = utcnow()
    proposal.history.append(ProposalEvent(kind="status", from_status=current.value, to_status=wanted.value,
                                          public_note=public_note))
    signals.proposal_status_changed.send(proposal, actor_id=actor_id, old=current, new=wanted, note=public_note)


def change_cost(proposal: Proposal, cost_cents: int, source: str, actor_id: int | None, public_note: str = "") -> None:
    """Record a new cost: ``source`` is "author" (the estimate) or "review" (the reviewed cost)."""
    if not isinstance(cost_cents, int) or cost_cents <= 0:
        raise ValueError("cost must be a positive number of cents")
    if source == "author":
        if proposal.cost_cents == cost_cents and proposal.history:
            return
        proposal.cost_cents = cost_cents
    elif source == "review":
        if proposal.reviewed_cost_cents == cost_cents:
            return
        proposal.reviewed_cost_cents = cost_cents
    else:
        raise ValueError(f"unknown cost source {source!r}")
    proposal.history.append(ProposalEvent(kind="cost", cost_cents=cost_cents, source=source, public_note=public_note))
    signals.proposal_cost_changed.send(proposal, actor_id=actor_id, cost_cents=cost_cents, source=source)
