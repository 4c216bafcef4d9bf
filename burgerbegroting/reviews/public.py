"""What the public may see of a review: the final verdict, the reviewed cost and the public
reason. Never the internal note, never an unconfirmed (four-eyes stage 1) verdict."""

from __future__ import annotations

from dataclasses import dataclass

from burgerbegroting.proposals.models import Proposal
from burgerbegroting.proposals.status import Status
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.labels import VERDICTS

FINAL = frozenset({Status.FEASIBLE, Status.NOT_FEASIBLE, Status.SELECTED, Status.NOT_SELECTED,
                   Status.IN_PROGRESS, Status.DONE})


@dataclass(frozen=True)
class PublicReview:
    verdict: str
    verdict_label: object  # lazy: translated when shown
    reviewed_cost_cents: int
    public_reason: str


def public_review(proposal: Proposal) -> PublicReview | None:
    """The review outcome to show on the proposal's public page, or None."""
    if Status(proposal.status) not in FINAL:
        return None
    latest = ops.latest_review(proposal)
    if latest is None:
        return None
    return PublicReview(latest.verdict, VERDICTS.get(latest.verdict, latest.verdict),
                        latest.reviewed_cost_cents, latest.public_reason)

