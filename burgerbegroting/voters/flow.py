"""Who is voting, between the steps of the voting flow (code → ballot → review → cast).

The signed session cookie holds only the round id, the district id and the voter reference
(``code:<id>`` or ``user:<id>``), never the plain code; the cookie is not stored on the
server. Every step checks it again: the code must still be active (not used meanwhile,
e.g. on paper or in another tab) and an account must still be the one logged in.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import session
from flask_login import current_user

from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from burgerbegroting.voters.models import Participation, VotingCode

KEY = "vote"
RECEIPT_KEY = "receipt"


@dataclass
class Voter:
    district: District
    voter_ref: str
    code: VotingCode | None


class NotStarted(Exception):
    """No voter for this round in the session: enter a code first."""


class HasVoted(Exception):
    """The code or account in the session has voted meanwhile."""


def start(round_: Round, district_id: int, voter_ref: str) -> None:
    session[KEY] = {"round": round_.id, "district": district_id, "ref": voter_ref}


def forget() -> None:
    session.pop(KEY, None)


def _refuse(error: type[Exception]) -> Exception:
    forget()
    return error()


def current(round_: Round) -> Voter:
    """The voter of this session, checked again (one query for a code and its district)."""
    state = session.get(KEY)
    if not isinstance(state, dict) or state.get("round") != round_.id:
        raise NotStarted()
    district_id = state.get("district")
    ref = str(state.get("ref", ""))
    kind, _, ident = ref.partition(":")
    if not isinstance(district_id, int) or not ident.isdigit():
        raise _refuse(NotStarted)
    if kind == "code":
        row = db.session.execute(
            sa.select(VotingCode, District).join(District, District.id == VotingCode.district_id)
            .where(VotingCode.id == int(ident))
        ).first()
        if row is None:
            raise _refuse(NotStarted)
        code, district = row
        if (code.round_id != round_.id or code.district_id != district_id or district.round_id != round_.id
                or code.state == "revoked"):
            raise _refuse(NotStarted)
        if code.state == "used":
            raise _refuse(HasVoted)
        return Voter(district, ref, code)
    if kind != "user":
        raise _refuse(NotStarted)
    found = db.session.get(District, district_id)
    if found is None or found.round_id != round_.id:
        raise _refuse(NotStarted)
    if not current_user.is_authenticated or current_user.id != int(ident):
        raise _refuse(NotStarted)
    voted = db.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
        Participation.round_id == round_.id, Participation.voter_ref == ref))
    if voted:
        raise _refuse(HasVoted)
    return Voter(found, ref, None)


def keep_receipt(round_id: int, receipt: str) -> None:
    session[RECEIPT_KEY] = {"round": round_id, "receipt": receipt}


def take_receipt(round_: Round) -> str | None:
    """The receipt, once: it is removed from the session when shown."""
    state = session.get(RECEIPT_KEY)
    if isinstance(state, dict) and state.get("round") == round_.id:
        session.pop(RECEIPT_KEY, None)
        return str(state.get("receipt"))
    return None
