"""Demo reviews: verdicts on the demo proposals that exist (other areas create them).

Idempotent: proposals that already have a review are left alone. Flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from burgerbegroting.auth.models import User
from burgerbegroting.extensions import db
from burgerbegroting.proposals import history
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.proposals.status import Status
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.models import Review

REVIEWER_EMAIL = "ambtenaar@example.org"

NOT_FEASIBLE_REASONS = [
    "De grond is niet van de gemeente maar van de provincie. De gemeente mag hier niets bouwen.",
    "Dit past niet binnen het budget van de kern: de kosten zijn volgens de afdeling Openbare Ruimte "
    "veel hoger dan het hele budget.",
    "Dit is al gepland in het onderhoudsprogramma van volgend jaar en wordt dus al betaald.",
    "Op deze plek liggen kabels en leidingen. Bomen planten kan hier niet veilig.",
]
CHANGES_REASONS = [
    "Haalbaar, maar duurder: er is ook verlichting en een verharde ondergrond nodig.",
    "Haalbaar in een kleinere versie; de kosten zijn aangepast aan de offerte van de aannemer.",
    "Haalbaar. De toegankelijkheid voor rolstoelen en kinderwagens is toegevoegd aan de kosten.",
]


def _has_review(proposal: Proposal) -> bool:
    return db.session.scalar(sa.select(Review.id).where(Review.proposal_id == proposal.id).limit(1)) is not None


def seed_demo(now: dt.datetime) -> int:
    """Add reviews to demo proposals; returns how many were added."""
    reviewer = db.session.scalar(sa.select(User).where(User.email == REVIEWER_EMAIL))
    if reviewer is None:
        return 0
    proposals = list(db.session.scalars(sa.select(Proposal).where(
        Proposal.status.in_([Status.PUBLISHED.value, Status.IN_REVIEW.value, Status.FEASIBLE.value,
                             Status.NOT_FEASIBLE.value, Status.SELECTED.value, Status.NOT_SELECTED.value])
    ).order_by(Proposal.id)))
    added = 0
    for n, proposal in enumerate(proposals):
        if _has_review(proposal):
            continue
        round_ = proposal.round
        status = Status(proposal.status)
        if status in (Status.PUBLISHED, Status.IN_REVIEW):
            # Only rounds whose ideas phase is over get verdicts; the rule lock is respected.
            if not ops.ideas_phase_over(round_, now) or round_.rule_locked(now):
                continue
            if n % 4 == 3:
                continue  # some stay in the queue for the reviewers to do
            kind = ("feasible", "feasible_with_changes", "not_feasible")[n % 3]
        elif status == Status.NOT_FEASIBLE:
            kind = "not_feasible"
        else:
            kind = "feasible_with_changes" if n % 3 == 1 else "feasible"
        cost = proposal.effective_cost_cents
        reason = ""
        if kind == "feasible_with_changes":
            reason = CHANGES_REASONS[n % len(CHANGES_REASONS)]
            if status in (Status.PUBLISHED, Status.IN_REVIEW):
                cost = min(round(cost * 1.2 / 100) * 100 or 100, 10_000_000_000)
        elif kind == "not_feasible":
            reason = NOT_FEASIBLE_REASONS[n % len(NOT_FEASIBLE_REASONS)]
        db.session.add(Review(proposal_id=proposal.id, reviewer_id=reviewer.id, stage=1, verdict=kind,
                              reviewed_cost_cents=cost, public_reason=reason,
                              internal_note="Afgestemd met de wijkbeheerder.", created_at=now, updated_at=now))
        if status in (Status.PUBLISHED, Status.IN_REVIEW):
            history.change_cost(proposal, cost, "review", reviewer.id, reason)
            target = Status.NOT_FEASIBLE if kind == "not_feasible" else Status.FEASIBLE
            history.change_status(proposal, target, reviewer.id, reason)
        added += 1
    db.session.flush()
    return added
