"""Feasibility review: verdicts (with an optional second reviewer), the supporters' threshold
at the end of the ideas phase, and merging duplicates.

Operations flush, never commit, and send signals (the audit log and mail listen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import history
from burgerbegroting.proposals.models import MAX_COST_CENTS, Proposal, Support
from burgerbegroting.proposals.status import Status
from burgerbegroting.reviews.models import VERDICTS, Review

# Proposals a reviewer can (still) give a verdict on.
REVIEWABLE = frozenset({Status.PUBLISHED, Status.IN_REVIEW, Status.FEASIBLE, Status.NOT_FEASIBLE})
# Waiting for a (final) verdict.
WAITING = frozenset({Status.PUBLISHED, Status.IN_REVIEW})
# Finished by the review.
REVIEWED = frozenset({Status.FEASIBLE, Status.NOT_FEASIBLE, Status.NOT_ENOUGH_SUPPORT, Status.MERGED})
# Proposals that can be merged into another one, and ones that can receive a merge.
MERGEABLE = frozenset({Status.PUBLISHED, Status.IN_REVIEW})
MERGE_TARGETS = frozenset({Status.PUBLISHED, Status.IN_REVIEW, Status.FEASIBLE})


class ReviewRefused(Exception):
    """The review cannot be saved; ``code`` says why (the view turns it into a message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class VersionConflict(Exception):
    """Someone else saved the proposal after the form was loaded."""

    def __init__(self, proposal: Proposal):
        super().__init__(f"proposal {proposal.id} changed")
        self.proposal = proposal


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reviewed_cost_cents: int
    public_reason: str = ""
    internal_note: str = ""

    def check(self) -> None:
        if self.verdict not in VERDICTS:
            raise ReviewRefused("unknown_verdict")
        if not isinstance(self.reviewed_cost_cents, int) or not 0 < self.reviewed_cost_cents <= MAX_COST_CENTS:
            raise ReviewRefused("cost_range")
        if self.verdict != "feasible" and not self.public_reason.strip():
            raise ReviewRefused("reason_required")

    @property
    def status(self) -> Status:
        return Status.NOT_FEASIBLE if self.verdict == "not_feasible" else Status.FEASIBLE


def reviews_of(proposal: Proposal) -> dict[int, Review]:
    """The proposal's reviews by stage (1, and 2 for the four-eyes check)."""
    rows = db.session.scalars(sa.select(Review).where(Review.proposal_id == proposal.id))
    return {r.stage: r for r in rows}


def latest_review(proposal: Proposal) -> Review | None:
    reviews = reviews_of(proposal)
    return reviews.get(2) or reviews.get(1)


def _bump(proposal: Proposal, expected_version: int) -> None:
    """Check the version the reviewer saw, then write the proposal at once so that a second
    reviewer saving at the same moment waits for us and then finds a newer version."""
    if proposal.version != expected_version:
        raise VersionConflict(proposal)
    proposal.updated_at = utcnow()
    db.session.flush()  # StaleDataError here when a concurrent save won the race


def save_review(proposal: Proposal, reviewer_id: int, verdict: Verdict, expected_version: int,
                now: dt.datetime | None = None) -> Review:
    """Record ``reviewer_id``'s verdict on ``proposal``.

    Without four-eyes review the verdict is final at once. With it, the first verdict puts
    the proposal ``in_review`` (stage 1) and a different reviewer's verdict (stage 2) makes
    it final. Raises ReviewRefused or VersionConflict; nothing is changed then.
    """
    now = now or utcnow()
    round_ = proposal.round
    verdict.check()
    if round_.phase_at(now) != Phase.REVIEW:
        raise ReviewRefused("not_review_phase")
    if round_.rule_locked(now):
        raise ReviewRefused("rule_locked")
    status = Status(proposal.status)
    if status not in REVIEWABLE:
        raise ReviewRefused("not_reviewable")
    existing = reviews_of(proposal)

    stage = 1
    final = True
    if round_.four_eyes:
        first = existing.get(1)
        if status == Status.IN_REVIEW and first is not None and 2 not in existing:
            if first.reviewer_id == reviewer_id:
                raise ReviewRefused("same_reviewer")
            stage = 2
        else:
            final = False
    _bump(proposal, expected_version)

    if stage == 1 and round_.four_eyes and 2 in existing:
        # A correction after a confirmed verdict starts the four-eyes check again.
        db.session.delete(existing.pop(2))
        db.session.flush()
    review = existing.get(stage)
    if review is None:
        review = Review(proposal_id=proposal.id, stage=stage)
        db.session.add(review)
    review.reviewer_id = reviewer_id
    review.verdict = verdict.verdict
    review.reviewed_cost_cents = verdict.reviewed_cost_cents
    review.public_reason = verdict.public_reason.strip()
    review.internal_note = verdict.internal_note.strip()
    review.updated_at = now

    if final:
        note = verdict.public_reason.strip()
        history.change_cost(proposal, verdict.reviewed_cost_cents, "review", reviewer_id, note)
        if status != verdict.status:
            history.change_status(proposal, verdict.status, reviewer_id, note)
    elif status != Status.IN_REVIEW:
        history.change_status(proposal, Status.IN_REVIEW, reviewer_id, "")
    db.session.flush()
    signals.review_saved.send(review, actor_id=reviewer_id, proposal=proposal, final=final)
    return review


# -- Supporters' threshold ------------------------------------------------------------------

def support_counts(proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        sa.select(Support.proposal_id, sa.func.count()).where(Support.proposal_id.in_(proposal_ids))
        .group_by(Support.proposal_id)
    )
    counts = dict.fromkeys(proposal_ids, 0)
    counts.update({pid: n for pid, n in rows.all()})  # noqa: C416
    return counts


def ideas_phase_over(round_: Round, now: dt.datetime | None = None) -> bool:
    window = round_.window(Phase.IDEAS)
    return window is not None and (now or utcnow()) >= window.ends_at


def mark_low_support(round_: Round, actor_id: int | None, now: dt.datetime | None = None) -> list[Proposal]:
    """After the ideas phase: proposals with fewer supporters than the round's minimum go to
    ``not_enough_support``. Running it again changes nothing more."""
    now = now or utcnow()
    if round_.min_supporters <= 0:
        raise ReviewRefused("no_minimum")
    if not ideas_phase_over(round_, now):
        raise ReviewRefused("ideas_not_over")
    if round_.rule_locked(now):
        raise ReviewRefused("rule_locked")
    published = list(db.session.scalars(
        sa.select(Proposal).where(Proposal.round_id == round_.id, Proposal.status == Status.PUBLISHED.value)
        .order_by(Proposal.id)
    ))
    counts = support_counts([p.id for p in published])
    marked = [p for p in published if counts[p.id] < round_.min_supporters]
    for proposal in marked:
        history.change_status(proposal, Status.NOT_ENOUGH_SUPPORT, actor_id,
                              f"{counts[proposal.id]} < {round_.min_supporters}")
    db.session.flush()
    signals.low_support_marked.send(round_, actor_id=actor_id, minimum=round_.min_supporters,
                                    proposal_ids=[p.id for p in marked])
    return marked


# -- Duplicates -----------------------------------------------------------------------------

def merge_candidates(proposal: Proposal) -> list[Proposal]:
    """Proposals in the same round and district that ``proposal`` could be merged into."""
    return list(db.session.scalars(
        sa.select(Proposal).where(
            Proposal.round_id == proposal.round_id, Proposal.district_id == proposal.district_id,
            Proposal.id != proposal.id, Proposal.status.in_([s.value for s in MERGE_TARGETS]),
        ).order_by(Proposal.title)
    ))


def merge(duplicate: Proposal, original: Proposal, actor_id: int | None, now: dt.datetime | None = None) -> int:
    """Merge ``duplicate`` into ``original``: the duplicate becomes ``merged``, its supporters
    support the original (once). Returns how many supporters were carried over."""
    now = now or utcnow()
    if duplicate.id == original.id:
        raise ReviewRefused("merge_same")
    if duplicate.round_id != original.round_id or duplicate.district_id != original.district_id:
        raise ReviewRefused("merge_other_district")
    if original.round.phase_at(now) not in (Phase.IDEAS, Phase.REVIEW) or original.round.rule_locked(now):
        raise ReviewRefused("merge_phase")
    if Status(duplicate.status) not in MERGEABLE:
        raise ReviewRefused("merge_status")
    if Status(original.status) not in MERGE_TARGETS:
        raise ReviewRefused("merge_target_status")
    already = set(db.session.scalars(sa.select(Support.user_id).where(Support.proposal_id == original.id)))
    moved = 0
    for support in db.session.scalars(sa.select(Support).where(Support.proposal_id == duplicate.id)):
        if support.user_id in already:
            continue
        db.session.add(Support(proposal_id=original.id, user_id=support.user_id, created_at=support.created_at))
        already.add(support.user_id)
        moved += 1
    duplicate.duplicate_of_id = original.id
    history.change_status(duplicate, Status.MERGED, actor_id, f"#{original.id} {original.title}")
    db.session.flush()
    signals.proposals_merged.send(duplicate, actor_id=actor_id, original=original, supporters_moved=moved)
    return moved
