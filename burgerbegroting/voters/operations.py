"""Voting codes: generate, look up, revoke and reissue. Operations flush; callers commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from burgerbegroting.core import signals
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.voters import codes
from burgerbegroting.voters.codes import CodeError
from burgerbegroting.voters.models import RegisterEntry, VotingCode

# Letters made as a PDF in the request (about 0.1 s a page): keep such a batch within a
# request's time. Bigger batches run as a background job (burgerbegroting.jobs).
MAX_BATCH = 1_000


class CodeRefused(Exception):
    """The code cannot be used; ``reason`` is one of: unknown, used, revoked, other_round,
    or a CodeProblem value (empty, wrong_length, bad_character, check_failed)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hmac(code: str) -> str:
    return codes.code_hmac(code, current_app.config["HMAC_KEY"])


def _next_batch(round_: Round) -> int:
    last = db.session.scalar(sa.select(sa.func.max(VotingCode.batch_no)).where(VotingCode.round_id == round_.id))
    return (last or 0) + 1


def generate_codes(round_: Round, district: District, count: int, actor_id: int | None,
                   entries: list[RegisterEntry] | None = None, plains: list[str] | None = None,
                   limit: int = MAX_BATCH) -> list[tuple[str, VotingCode]]:
    """Make ``count`` new codes (or one per register entry). Returns the plain codes, which
    exist only in this return value: print them now, they cannot be shown again.

    ``plains``: codes made beforehand with ``codes.generate()`` (a background job prints the
    letters first and stores the codes only when the whole PDF is made)."""
    if district.round_id != round_.id:
        raise ValueError("district of another round")
    if entries is not None:
        count = len(entries)
    if plains is not None:
        count = len(plains)
    if not 1 <= count <= limit:
        raise ValueError(f"between 1 and {limit} codes at a time")
    batch = _next_batch(round_)
    made: list[tuple[str, VotingCode]] = []
    for i in range(count):
        plain = plains[i] if plains is not None else codes.generate()
        row = VotingCode(round_id=round_.id, district_id=district.id, code_hmac=_hmac(plain), batch_no=batch,
                         register_entry_id=entries[i].id if entries is not None else None)
        made.append((plain, row))
    db.session.add_all([row for _plain, row in made])
    db.session.flush()
    signals.codes_generated.send(round_, actor_id=actor_id, district_id=district.id, count=count, batch_no=batch)
    return made


def find_code(round_: Round, typed: str, *, for_update: bool = False) -> VotingCode:
    """The active code the resident typed, or CodeRefused saying why not."""
    try:
        plain = codes.normalise(typed)
    except CodeError as exc:
        raise CodeRefused(exc.problem.value) from exc
    query = sa.select(VotingCode).where(VotingCode.code_hmac == _hmac(plain))
    if for_update:
        query = query.with_for_update()
    row = db.session.scalars(query).first()
    if row is None:
        raise CodeRefused("unknown")
    if row.round_id != round_.id:
        raise CodeRefused("other_round")
    if row.state == "used":
        raise CodeRefused("used")
    if row.state == "revoked":
        raise CodeRefused("revoked")
    return row


def revoke_and_reissue(code: VotingCode, actor_id: int | None) -> str:
    """A lost letter: the old code stops working and a new one is made for the same person.
    Refused when the old code has been used (that person has voted)."""
    if code.state == "used":
        raise CodeRefused("used")
    if code.state == "revoked":
        raise CodeRefused("revoked")
    plain = codes.generate()
    new = VotingCode(round_id=code.round_id, district_id=code.district_id, code_hmac=_hmac(plain),
                     batch_no=code.batch_no, register_entry_id=code.register_entry_id)
    db.session.add(new)
    db.session.flush()
    code.state = "revoked"
    code.replaced_by_id = new.id
    db.session.flush()
    signals.code_reissued.send(code, actor_id=actor_id, new_id=new.id)
    return plain


def add_register_entries(round_: Round, district: District, rows: list) -> list[RegisterEntry]:  # type: ignore[type-arg]
    """Store the rows of an uploaded register (``register_csv.RegisterRow``) for letters."""
    entries = [RegisterEntry(round_id=round_.id, district_id=district.id, name=r.name, street=r.street,
                             postcode=r.postcode, city=r.city) for r in rows]
    db.session.add_all(entries)
    db.session.flush()
    return entries


def code_by_typed(round_: Round, typed: str) -> VotingCode | None:
    """The code row for what was typed, in any state (for staff: reissue, paper entry)."""
    try:
        plain = codes.normalise(typed)
    except CodeError:
        return None
    row = db.session.scalars(sa.select(VotingCode).where(VotingCode.code_hmac == _hmac(plain))).first()
    return row if row is not None and row.round_id == round_.id else None


def search_register(round_: Round, query: str, limit: int = 50) -> list[tuple[RegisterEntry, VotingCode | None]]:
    """Register entries whose name or postcode contains ``query``, with their current code
    (the newest that is not revoked). Says nothing about whether the person voted."""
    text = query.strip()
    if len(text) < 2:
        return []
    like = "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"
    postcode = text.replace(" ", "").upper()
    entries = db.session.scalars(
        sa.select(RegisterEntry)
        .where(RegisterEntry.round_id == round_.id,
               sa.or_(RegisterEntry.name.ilike(like), RegisterEntry.postcode.like("%" + postcode + "%")))
        .order_by(RegisterEntry.postcode, RegisterEntry.name).limit(limit)
    ).all()
    out: list[tuple[RegisterEntry, VotingCode | None]] = []
    for entry in entries:
        code = db.session.scalars(
            sa.select(VotingCode).where(VotingCode.register_entry_id == entry.id, VotingCode.state != "revoked")
            .order_by(VotingCode.id.desc())
        ).first()
        out.append((entry, code))
    return out


def code_counts(round_: Round) -> dict[int, dict[str, int]]:
    """Per district: codes made, used online, used on paper, revoked (numbers only)."""
    rows = db.session.execute(
        sa.select(VotingCode.district_id, VotingCode.state, VotingCode.channel, sa.func.count())
        .where(VotingCode.round_id == round_.id)
        .group_by(VotingCode.district_id, VotingCode.state, VotingCode.channel)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for district_id, state, channel, number in rows:
        counts = out.setdefault(district_id, {"made": 0, "online": 0, "paper": 0, "revoked": 0, "active": 0})
        counts["made"] += number
        if state == "used":
            counts["paper" if channel == "paper" else "online"] += number
        elif state == "revoked":
            counts["revoked"] += number
        else:
            counts["active"] += number
    return out
