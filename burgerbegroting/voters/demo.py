"""Demo voting codes with fixed, known values, so anyone can try voting in the demo.

For every round that is in its voting phase (and decided by a vote), ``CODES_PER_DISTRICT``
codes per district, derived from a fixed seed (valid, with their check character). Never use
this outside the demo: the codes are public (they are printed in the README).
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from flask import current_app

from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.voters import codes
from burgerbegroting.voters.models import VotingCode

CODES_PER_DISTRICT = 3


def demo_code(round_slug: str, district_name: str, number: int) -> str:
    """A fixed code for the demo (normalised, with its check character)."""
    rng = random.Random(f"burgerbegroting-demo:{round_slug}:{district_name}:{number}")
    body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
    return body + codes.check_character(body)


def seed_demo(now: dt.datetime, echo: bool = True) -> list[tuple[str, str, str, str]]:
    """Create the demo codes (idempotent). Returns (round, ballot type, district, code) rows."""
    rows: list[tuple[str, str, str, str]] = []
    key = current_app.config["HMAC_KEY"]
    rounds = db.session.scalars(sa.select(Round).where(Round.decision == "vote").order_by(Round.slug)).all()
    for round_ in rounds:
        if round_.phase_at(now) != Phase.VOTING:
            continue
        for district in round_.districts:
            for number in range(1, CODES_PER_DISTRICT + 1):
                plain = demo_code(round_.slug, district.name, number)
                digest = codes.code_hmac(plain, key)
                exists = db.session.scalar(sa.select(VotingCode.id).where(VotingCode.code_hmac == digest))
                if exists is None:
                    db.session.add(VotingCode(round_id=round_.id, district_id=district.id, code_hmac=digest,
                                              batch_no=0))
                rows.append((round_.slug, round_.ballot_type, district.name, codes.format_code(plain)))
    db.session.flush()
    if echo and rows:
        print("Demo voting codes (round | ballot type | district | code):")
        for row in rows:
            print(" | ".join(row))
    return rows
