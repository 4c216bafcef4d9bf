"""What residents do with proposals: submit, edit, withdraw, support, comment; and the list.

Operations check the phase and ownership themselves (the views check permissions too, but a
hidden button is no protection), flush, never commit, and send signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import history
from burgerbegroting.proposals.images import ProcessedImage
from burgerbegroting.proposals.models import (
    MAX_COST_CENTS,
    MAX_IMAGES,
    THEMES,
    Comment,
    Proposal,
    ProposalImage,
    Support,
)
from burgerbegroting.proposals.status import EDITABLE, PUBLIC, Status

PAGE_SIZE = 20
SORTS = ("newest", "support", "cost_asc", "cost_desc", "title")


class ProposalRefused(Exception):
    """A resident's action that the rules do not allow; ``code`` says why (views show a message)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class ProposalInput:
    title: str
    summary: str
    body: str
    cost_cents: int
    district_id: int
    theme: str | None = None
    address: str = ""
    location: tuple[float, float] | None = None


def _phase(round_: Round, now: dt.datetime | None) -> Phase:
    return round_.phase_at(now or utcnow())


def _check_input(round_: Round, data: ProposalInput) -> District:
    district = db.session.get(District, data.district_id)
    if district is None or district.round_id != round_.id:
        raise ProposalRefused("unknown_district")
    if not isinstance(data.cost_cents, int) or not 0 < data.cost_cents <= MAX_COST_CENTS:
        raise ProposalRefused("bad_cost")
    if 0 < district.budget_cents < data.cost_cents:
        raise ProposalRefused("over_budget")
    if data.theme is not None and data.theme not in THEMES:
        raise ProposalRefused("unknown_theme")
    if not data.title.strip() or not data.summary.strip() or not data.body.strip():
        raise ProposalRefused("missing_text")
    return district


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    proposal.title = data.title
    proposal.summary = data.summary
    proposal.body = data.body
    proposal.district_id = data.district_id
    proposal.theme = data.theme or None
    proposal.address = data.address or ""
    proposal.latitude, proposal.longitude = data.location if data.location else (None, None)


def _add_images(proposal: Proposal, images: Sequence[tuple[ProcessedImage, str]]) -> None:
    used = {i.position for i in proposal.images}
    free = [p for p in range(MAX_IMAGES) if p not in used]
    if len(images) > len(free):
        raise ProposalRefused("too_many_images")
    for position, (image, alt) in zip(free, images, strict=False):
        proposal.images.append(ProposalImage(
            position=position, content_type=image.content_type, data=image.data, width=image.width,
            height=image.height, alt_text=alt[:200], sha256=image.sha256))


def _publish(proposal: Proposal, actor_id: int) -> None:
    history.change_status(proposal, Status.PUBLISHED, actor_id)
    db.session.flush()
    signals.proposal_published.send(proposal, actor_id=actor_id)


def create_proposal(round_: Round, author_id: int, data: ProposalInput,
                    images: Sequence[tuple[ProcessedImage, str]] = (), publish: bool = True,
                    now: dt.datetime | None = None) -> Proposal:
    """A new proposal with its images, as a draft or published at once."""
    if _phase(round_, now) != Phase.IDEAS:
        raise ProposalRefused("not_ideas_phase")
    _check_input(round_, data)
    proposal = Proposal(round_id=round_.id, author_id=author_id, cost_cents=data.cost_cents,
                        status=Status.DRAFT.value)
    _apply(proposal, data)
    _add_images(proposal, images)
    db.session.add(proposal)
    history.change_cost(proposal, data.cost_cents, source="author", actor_id=author_id)
    db.session.flush()
    if publish:
        _publish(proposal, author_id)
    return proposal


def _check_author(proposal: Proposal, user_id: int) -> None:
    if proposal.author_id is None or proposal.author_id != user_id:
        raise ProposalRefused("not_author")


def check_editable(proposal: Proposal, user_id: int, now: dt.datetime | None = None) -> None:
    """Refuse unless ``user_id`` wrote the proposal and may still change it now."""
    _check_author(proposal, user_id)
    if _phase(proposal.round, now) != Phase.IDEAS:
        raise ProposalRefused("not_ideas_phase")
    if Status(proposal.status) not in EDITABLE:
        raise ProposalRefused("not_editable")
    if proposal.is_hidden:
        raise ProposalRefused("hidden")


def update_proposal(proposal: Proposal, user_id: int, data: ProposalInput,
                    new_images: Sequence[tuple[ProcessedImage, str]] = (), remove_image_ids: Sequence[int] = (),
                    publish: bool = False, now: dt.datetime | None = None) -> None:
    """The author changes a draft or published proposal in the ideas phase. A changed cost
    goes into the public cost history."""
    check_editable(proposal, user_id, now)
    _check_input(proposal.round, data)
    removing = {int(i) for i in remove_image_ids}
    for image in list(proposal.images):
        if image.id in removing:
            proposal.images.remove(image)
    db.session.flush()  # free the positions before new images take them
    _add_images(proposal, new_images)
    _apply(proposal, data)
    history.change_cost(proposal, data.cost_cents, source="author", actor_id=user_id)
    db.session.flush()
    if publish and proposal.status == Status.DRAFT.value:
        _publish(proposal, user_id)


def withdraw_proposal(proposal: Proposal, user_id: int, now: dt.datetime | None = None) -> None:
    """The author takes the proposal back (ideas or review phase, before a verdict)."""
    _check_author(proposal, user_id)
    if _phase(proposal.round, now) not in (Phase.IDEAS, Phase.REVIEW):
        raise ProposalRefused("withdraw_phase")
    if Status(proposal.status) not in (Status.DRAFT, Status.PUBLISHED, Status.IN_REVIEW):
        raise ProposalRefused("not_withdrawable")
    history.change_status(proposal, Status.WITHDRAWN, user_id)
    db.session.flush()


# Supporting ---------------------------------------------------------------------------------

def support_count(proposal_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Support)
                             .where(Support.proposal_id == proposal_id)) or 0


def has_supported(proposal_id: int, user_id: int | None) -> bool:
    if user_id is None:
        return False
    return db.session.scalar(sa.select(Support.id).where(
        Support.proposal_id == proposal_id, Support.user_id == user_id)) is not None


def _check_support_allowed(proposal: Proposal, now: dt.datetime | None) -> None:
    if _phase(proposal.round, now) != Phase.IDEAS:
        raise ProposalRefused("support_phase")
    if proposal.status != Status.PUBLISHED.value or proposal.is_hidden:
        raise ProposalRefused("support_status")


def add_support(proposal: Proposal, user_id: int, now: dt.datetime | None = None) -> Support:
    """A resident supports a proposal, once. Authors cannot support their own proposal (their
    support is a given; counting it would let every proposal start at one)."""
    _check_support_allowed(proposal, now)
    if proposal.author_id == user_id:
        raise ProposalRefused("own_proposal")
    if has_supported(proposal.id, user_id):
        raise ProposalRefused("already_supported")
    support = Support(proposal_id=proposal.id, user_id=user_id)
    # Two clicks at once both pass the check above; the unique constraint stops the second.
    # The savepoint keeps the rest of the transaction usable.
    try:
        with db.session.begin_nested():
            db.session.add(support)
    except IntegrityError as exc:
        raise ProposalRefused("already_supported") from exc
    return support


def remove_support(proposal: Proposal, user_id: int, now: dt.datetime | None = None) -> None:
    """A resident takes their support back (ideas phase only)."""
    if _phase(proposal.round, now) != Phase.IDEAS:
        raise ProposalRefused("support_phase")
    deleted = db.session.execute(sa.delete(Support).where(
        Support.proposal_id == proposal.id, Support.user_id == user_id))
    if not deleted.rowcount:  # type: ignore[attr-defined]
        raise ProposalRefused("not_supported")


# Comments -----------------------------------------------------------------------------------

def add_comment(proposal: Proposal, user_id: int, body: str, parent_id: int | None = None,
                now: dt.datetime | None = None) -> Comment:
    """A reaction, or a reply to one. Replies are one level deep: a reply to a reply is
    attached to the reaction that started the thread."""
    if not proposal.round.comments_enabled:
        raise ProposalRefused("comments_disabled")
    if _phase(proposal.round, now) not in (Phase.IDEAS, Phase.REVIEW):
        raise ProposalRefused("comment_phase")
    if Status(proposal.status) not in PUBLIC or proposal.is_hidden:
        raise ProposalRefused("comment_status")
    body = (body or "").strip()
    if not body:
        raise ProposalRefused("comment_empty")
    if len(body) > 2000:
        raise ProposalRefused("comment_too_long")
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            raise ProposalRefused("unknown_parent")
        if parent.parent_id is not None:
            parent_id = parent.parent_id
    comment = Comment(proposal_id=proposal.id, author_id=user_id, body=body, parent_id=parent_id)
    db.session.add(comment)
    db.session.flush()
    return comment


def comment_threads(proposal_id: int) -> list[Comment]:
    """Top-level comments, oldest first; their ``replies`` are loaded with them."""
    return list(db.session.scalars(
        sa.select(Comment).where(Comment.proposal_id == proposal_id, Comment.parent_id.is_(None))
        .options(selectinload(Comment.replies)).order_by(Comment.created_at, Comment.id)))


# Browsing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    items: list[tuple[Proposal, int]]  # (proposal, support count)
    total: int
    page: int
    pages: int


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_proposals(round_: Round, *, district_id: int | None = None, theme: str | None = None,
                     status: str | None = None, query: str = "", sort: str = "newest", page: int = 1,
                     per_page: int = PAGE_SIZE) -> Page:
    """Public proposals of a round (never drafts, never hidden ones), filtered and sorted."""
    supports = (sa.select(Support.proposal_id, sa.func.count().label("n"))
                .group_by(Support.proposal_id).subquery())
    n_support = sa.func.coalesce(supports.c.n, 0)
    where = [Proposal.round_id == round_.id, Proposal.status != Status.DRAFT.value, Proposal.hidden_at.is_(None)]
    if district_id is not None:
        where.append(Proposal.district_id == district_id)
    if theme:
        where.append(Proposal.theme == theme)
    if status:
        where.append(Proposal.status == status)
    query = (query or "").strip().lower()
    if query:
        pattern = f"%{_like_escape(query)}%"
        where.append(sa.or_(sa.func.lower(Proposal.title).like(pattern, escape="\\"),
                            sa.func.lower(Proposal.summary).like(pattern, escape="\\")))
    cost = sa.func.coalesce(Proposal.reviewed_cost_cents, Proposal.cost_cents)
    orders: dict[str, list[Any]] = {
        "newest": [Proposal.published_at.desc(), Proposal.id.desc()],
        "support": [n_support.desc(), Proposal.id.desc()],
        "cost_asc": [cost.asc(), Proposal.id.asc()],
        "cost_desc": [cost.desc(), Proposal.id.desc()],
        "title": [sa.func.lower(Proposal.title).asc(), Proposal.id.asc()],
    }
    order = orders.get(sort) or orders["newest"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        sa.select(Proposal, n_support).outerjoin(supports, supports.c.proposal_id == Proposal.id)
        .where(*where).order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[(p, int(n)) for p, n in rows], total=total, page=page, pages=pages)


def proposals_of(user_id: int) -> list[Proposal]:
    """Everything a resident wrote, drafts included, newest first."""
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.author_id == user_id)
                                   .order_by(Proposal.created_at.desc(), Proposal.id.desc())))
