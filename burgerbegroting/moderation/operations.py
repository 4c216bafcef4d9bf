"""Reports by residents and what moderators do with them. Nothing is deleted: content is
hidden with a public reason and can be restored.

Operations flush, never commit, and send signals (the audit log and mail listen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.moderation.models import REASONS, TARGETS, ModerationAction, Report
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import Comment, Proposal
from burgerbegroting.proposals.status import Status

# While votes are cast and counted the ballot must stay exactly as voters saw it.
BALLOT_FROZEN_PHASES = frozenset({Phase.VOTING, Phase.COUNTING})


class ModerationRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class AlreadyReported(ModerationRefused):
    def __init__(self) -> None:
        super().__init__("already_reported")


@dataclass(frozen=True)
class Target:
    """A proposal or a comment, with the proposal it belongs to."""

    type: str
    obj: Proposal | Comment

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def key(self) -> str:
        return f"{self.type}:{self.obj.id}"

    @property
    def proposal(self) -> Proposal:
        return self.obj if isinstance(self.obj, Proposal) else self.obj.proposal

    @property
    def author_id(self) -> int | None:
        return self.obj.author_id


def load_target(target_type: str, target_id: int) -> Target | None:
    """The public item behind a report, or None (unknown type or id, or not public)."""
    if target_type not in TARGETS:
        return None
    model = Proposal if target_type == "proposal" else Comment
    obj = db.session.get(model, target_id)
    if obj is None:
        return None
    target = Target(target_type, obj)  # type: ignore[arg-type]
    if target.proposal.status == Status.DRAFT.value:
        return None
    return target


def file_report(target: Target, reporter_id: int, reason: str, explanation: str = "",
                now: dt.datetime | None = None) -> Report:
    """A resident reports an item; once per person per item."""
    if reason not in REASONS:
        raise ModerationRefused("unknown_reason")
    explanation = explanation.strip()
    if len(explanation) > 1000:
        raise ModerationRefused("explanation_too_long")
    exists = db.session.scalar(sa.select(Report.id).where(
        Report.target_type == target.type, Report.target_id == target.id, Report.reporter_id == reporter_id))
    if exists is not None:
        raise AlreadyReported()
    report = Report(target_type=target.type, target_id=target.id, reporter_id=reporter_id, reason=reason,
                    explanation=explanation, state="open", created_at=now or utcnow())
    db.session.add(report)
    db.session.flush()
    signals.report_filed.send(report, actor_id=reporter_id)
    return report


def open_reports(target: Target) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).where(
        Report.target_type == target.type, Report.target_id == target.id, Report.state == "open"
    ).order_by(Report.id)))


def _close_reports(target: Target, state: str, moderator_id: int, now: dt.datetime) -> int:
    reports = open_reports(target)
    for report in reports:
        report.state = state
        report.handled_by_id = moderator_id
        report.handled_at = now
    return len(reports)


def hide(target: Target, moderator_id: int, public_reason: str, now: dt.datetime | None = None) -> ModerationAction:
    """Hide an item with a public reason; its open reports are done."""
    now = now or utcnow()
    public_reason = public_reason.strip()
    if not public_reason:
        raise ModerationRefused("reason_required")
    if len(public_reason) > 500:
        raise ModerationRefused("reason_too_long")
    if target.obj.hidden_at is not None:
        raise ModerationRefused("already_hidden")
    if target.type == "proposal":
        proposal = target.proposal
        if proposal.status == Status.FEASIBLE.value and proposal.round.phase_at(now) in BALLOT_FROZEN_PHASES:
            raise ModerationRefused("on_ballot")
    target.obj.hidden_at = now
    target.obj.hidden_reason = public_reason
    closed = _close_reports(target, "actioned", moderator_id, now)
    action = ModerationAction(target_type=target.type, target_id=target.id, moderator_id=moderator_id,
                              action="hide", public_reason=public_reason, created_at=now)
    db.session.add(action)
    db.session.flush()
    signals.content_hidden.send(target, actor_id=moderator_id, reason=public_reason, reports_closed=closed)
    return action


def restore(target: Target, moderator_id: int, note: str = "", now: dt.datetime | None = None) -> ModerationAction:
    """Show a hidden item again."""
    now = now or utcnow()
    if target.obj.hidden_at is None:
        raise ModerationRefused("not_hidden")
    target.obj.hidden_at = None
    target.obj.hidden_reason = None
    action = ModerationAction(target_type=target.type, target_id=target.id, moderator_id=moderator_id,
                              action="restore", public_reason=note.strip()[:500], created_at=now)
    db.session.add(action)
    db.session.flush()
    signals.content_restored.send(target, actor_id=moderator_id)
    return action


def dismiss(target: Target, moderator_id: int, now: dt.datetime | None = None) -> ModerationAction:
    """The reports on an item need no action: the item stays visible."""
    now = now or utcnow()
    closed = _close_reports(target, "dismissed", moderator_id, now)
    if closed == 0:
        raise ModerationRefused("no_open_reports")
    action = ModerationAction(target_type=target.type, target_id=target.id, moderator_id=moderator_id,
                              action="dismiss", created_at=now)
    db.session.add(action)
    db.session.flush()
    signals.report_dismissed.send(target, actor_id=moderator_id, reports_closed=closed)
    return action


@dataclass
class QueueItem:
    target: Target
    reports: list[Report]

    @property
    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for report in self.reports:
            out[report.reason] = out.get(report.reason, 0) + 1
        return out


def queue() -> list[QueueItem]:
    """Open reports grouped per item, the most reported first."""
    grouped: dict[tuple[str, int], list[Report]] = {}
    for report in db.session.scalars(sa.select(Report).where(Report.state == "open").order_by(Report.id)):
        grouped.setdefault((report.target_type, report.target_id), []).append(report)
    items = []
    for (target_type, target_id), reports in grouped.items():
        target = load_target(target_type, target_id)
        if target is not None:
            items.append(QueueItem(target, reports))
    items.sort(key=lambda item: (-len(item.reports), item.reports[0].id))
    return items


def hidden_items() -> list[Target]:
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.hidden_at.is_not(None))
                                   .order_by(Proposal.hidden_at.desc()))
    comments = db.session.scalars(sa.select(Comment).where(Comment.hidden_at.is_not(None))
                                  .order_by(Comment.hidden_at.desc()))
    items = [Target("proposal", p) for p in proposals] + [Target("comment", c) for c in comments]
    items.sort(key=lambda t: t.obj.hidden_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return items
