"""The demo seeds for reviews and moderation: realistic, idempotent, and quiet without content."""

from __future__ import annotations

import sqlalchemy as sa

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.moderation import demo as moderation_demo
from burgerbegroting.moderation.models import ModerationAction, Report
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Comment
from burgerbegroting.reviews import demo as review_demo
from burgerbegroting.reviews.models import Review
from tests.conftest import count
from tests.reviews.helpers import make_comment, make_proposal, make_round


def test_demo_seeds_skip_quietly_without_the_demo_accounts(app):
    round_ = make_round(Phase.REVIEW)
    proposal = make_proposal(round_)
    make_comment(proposal, None)
    assert review_demo.seed_demo(utcnow()) == 0
    moderation_demo.seed_demo(utcnow())
    db.session.commit()
    assert count(Review) == 0 and count(Report) == 0
    assert proposal.status == "published"


def test_demo_seeds_add_reviews_and_moderation_once(app):
    from burgerbegroting import demo
    from burgerbegroting.auth.models import User

    demo.seed_accounts()
    db.session.commit()
    author = db.session.scalar(sa.select(User).where(User.email == "raadslid@example.org"))
    round_ = make_round(Phase.REVIEW)
    proposals = [make_proposal(round_, author.id, cost_cents=1_000_000) for _ in range(6)]
    for p in proposals[:3]:
        make_comment(p, author.id, "Wat een goed plan")
    now = utcnow()
    for _ in range(2):
        review_demo.seed_demo(now)
        moderation_demo.seed_demo(now)
        db.session.commit()
    mine = [p.id for p in proposals]
    reviews = list(db.session.scalars(sa.select(Review).where(Review.proposal_id.in_(mine))))
    assert 3 <= len(reviews) < 6
    assert any(r.verdict == "not_feasible" and r.public_reason for r in reviews)
    changed = [p for p in proposals if p.reviewed_cost_cents and p.reviewed_cost_cents != p.cost_cents]
    assert changed
    comment_ids = list(db.session.scalars(sa.select(Comment.id).where(Comment.proposal_id.in_(mine))))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction).where(
        ModerationAction.target_type == "comment", ModerationAction.target_id.in_(comment_ids))) == 1
    states = set(db.session.scalars(sa.select(Report.state).where(
        Report.target_type == "comment", Report.target_id.in_(comment_ids))))
    assert states == {"open", "actioned"}
    assert sum(1 for p in proposals if p.status in ("feasible", "not_feasible")) == len(reviews)
