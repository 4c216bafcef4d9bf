"""Factories for the proposal tests: rounds in a phase, images made with Pillow, proposals."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from PIL import Image

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import operations as ops

ORDER = [Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.COUNTING, Phase.RESULTS]
_n = itertools.count(1)


def make_round(
    phase: Phase = Phase.IDEAS,
    comments_enabled: bool = True,
    districts: tuple[tuple[str, int], ...] = (("Noord", 5_000_000), ("Zuid", 2_000_000)),
) -> Round:
    """A round whose current phase is ``phase``; every window is 10 days."""
    now = utcnow()
    index = ORDER.index(phase)
    base = now - dt.timedelta(days=index * 10 + 1)
    n = next(_n)
    round_ = Round(slug=f"voorstellenronde-{n}", name=f"Voorstellenronde {n}", comments_enabled=comments_enabled)
    for k, p in enumerate(ORDER):
        round_.phases.append(
            RoundPhase(
                phase=p.value,
                starts_at=base + dt.timedelta(days=10 * k),
                ends_at=base + dt.timedelta(days=10 * (k + 1)),
            )
        )
    for name, cents in districts:
        round_.districts.append(District(name=name, budget_cents=cents))
    db.session.add(round_)
    db.session.commit()
    assert round_.phase_at() == phase
    return round_


def move_to(round_: Round, phase: Phase) -> None:
    """Shift the schedule so that the round is now in ``phase``."""
    offset = round_.window(phase).starts_at - utcnow() + dt.timedelta(hours=1)
    for window in round_.phases:
        window.starts_at -= offset
        window.ends_at -= offset
    db.session.commit()
    assert round_.phase_at() == phase


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), mode: str = "RGB", exif: bool = False) -> bytes:
    picture = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    buffer = io.BytesIO()
    kwargs: dict = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "GeheimMerk"  # Make
        data[0x0131] = "Camera-software 1.0"  # Software
        data[0x8825] = {2: (52.0, 5.0, 30.0)}  # GPS info
        kwargs["exif"] = data
    picture.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def proposal_input(round_: Round, **overrides) -> ops.ProposalInput:  # type: ignore[no-untyped-def]
    values = {
        "title": f"Bankjes in het park {next(_n)}",
        "summary": "Meer bankjes bij de vijver.",
        "body": "Ouderen willen kunnen rusten.\nDrie bankjes.",
        "cost_cents": 750_000,
        "district_id": round_.districts[0].id,
        "theme": "green",
    }
    values.update(overrides)
    return ops.ProposalInput(**values)


def make_proposal(round_: Round, author_id: int, publish: bool = True, **overrides):  # type: ignore[no-untyped-def]
    proposal = ops.create_proposal(round_, author_id, proposal_input(round_, **overrides), publish=publish)
    db.session.commit()
    return proposal


def n_proposals(round_: Round) -> int:
    """Proposals of this round (the PostgreSQL test database is shared: count only our own)."""
    import sqlalchemy as sa

    from burgerbegroting.proposals.models import Proposal

    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(Proposal.round_id == round_.id)) or 0
    )


def n_rows(model, round_: Round) -> int:  # type: ignore[no-untyped-def]
    """Rows of ``model`` (images, supports, comments, events) that belong to this round's proposals."""
    import sqlalchemy as sa

    from burgerbegroting.proposals.models import Proposal

    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .join(Proposal, Proposal.id == model.proposal_id)
            .where(Proposal.round_id == round_.id)
        )
        or 0
    )


def only_proposal(round_: Round):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from burgerbegroting.proposals.models import Proposal

    return db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_.id)).one()
