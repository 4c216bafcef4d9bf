"""Demo moderation: open reports for the queue and a hidden comment, on the demo content
that exists (other areas create proposals and comments). Idempotent. Flushes; the caller commits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from burgerbegroting.auth.models import User
from burgerbegroting.extensions import db
from burgerbegroting.moderation import operations as ops
from burgerbegroting.moderation.models import ModerationAction, Report
from burgerbegroting.proposals.models import Comment, Proposal
from burgerbegroting.proposals.status import Status

REPORTER_EMAIL = "bewoner@example.org"
MODERATOR_EMAIL = "moderator@example.org"


def _report(target: ops.Target, reporter: User, reason: str, explanation: str, now: dt.datetime) -> None:
    exists = db.session.scalar(sa.select(Report.id).where(
        Report.target_type == target.type, Report.target_id == target.id, Report.reporter_id == reporter.id))
    if exists is None:
        ops.file_report(target, reporter.id, reason, explanation, now)


def seed_demo(now: dt.datetime) -> None:
    reporter = db.session.scalar(sa.select(User).where(User.email == REPORTER_EMAIL))
    moderator = db.session.scalar(sa.select(User).where(User.email == MODERATOR_EMAIL))
    if reporter is None or moderator is None:
        return
    comments = list(db.session.scalars(
        sa.select(Comment).join(Proposal).where(Proposal.status != Status.DRAFT.value,
                                                Comment.author_id != reporter.id).order_by(Comment.id).limit(3)))
    if comments:
        # One comment hidden (once), with a public reason.
        hidden = ops.Target("comment", comments[0])
        done = db.session.scalar(sa.select(ModerationAction.id).where(
            ModerationAction.target_type == "comment", ModerationAction.target_id == hidden.id))
        if done is None and hidden.obj.hidden_at is None:
            _report(hidden, reporter, "personal_data", "Er staat een telefoonnummer van een buurman in.", now)
            ops.hide(hidden, moderator.id, "Deze reactie bevat persoonsgegevens van iemand anders.", now)
        if len(comments) > 1:
            _report(ops.Target("comment", comments[1]), reporter, "offensive",
                    "Deze reactie is kwetsend voor de mensen die het voorstel deden.", now)
    proposal = db.session.scalar(sa.select(Proposal).where(
        Proposal.status.in_([Status.PUBLISHED.value, Status.IN_REVIEW.value]), Proposal.hidden_at.is_(None),
        Proposal.author_id != reporter.id).order_by(Proposal.id.desc()).limit(1))
    if proposal is not None:
        _report(ops.Target("proposal", proposal), reporter, "spam",
                "Dit lijkt reclame voor een bedrijf in plaats van een idee voor de wijk.", now)
    db.session.flush()
