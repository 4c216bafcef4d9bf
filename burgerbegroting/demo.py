"""The demo municipality "Gemeente Voorbeeldland": safe to seed twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.auth.passwords import hash_password
from burgerbegroting.core.permissions import Role
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105  (public demo accounts, see README)

DEMO_ACCOUNTS = [
    ("bewoner@example.org", "Bea Bewoner", [Role.RESIDENT]),
    ("ambtenaar@example.org", "Arjen Ambtenaar", [Role.REVIEWER]),
    ("moderator@example.org", "Mira Moderator", [Role.MODERATOR]),
    ("beheerder@example.org", "Bert Beheerder", [Role.ADMIN]),
    ("raadslid@example.org", "Roos Raadslid", [Role.COUNCIL]),
]

# (name, kind, budget in euro, postcodes)
KERNEN = [
    ("Aldeburen", "dorp", 40_000, "9901"),
    ("Bovenwijk", "wijk", 120_000, "9902"),
    ("De Hoeve", "kern", 55_000, "9903"),
    ("Eikendaal", "dorp", 35_000, "9904"),
    ("Havenkwartier", "wijk", 150_000, "9905"),
    ("Kerkbuurt", "wijk", 90_000, "9906"),
    ("Lindenhorst", "dorp", 30_000, "9907"),
    ("Molenbroek", "kern", 60_000, "9908"),
    ("Nieuw-Zuid", "wijk", 140_000, "9909"),
    ("Oosterveld", "wijk", 100_000, "9910"),
    ("Ruigeweide", "dorp", 25_000, "9911"),
    ("Stationsbuurt", "wijk", 110_000, "9912"),
    ("Veldhuizen", "kern", 45_000, "9913"),
    ("Westerpolder", "dorp", 30_000, "9914"),
]


def _round(slug: str, name: str, description: str, schedule: list[tuple[Phase, dt.datetime, dt.datetime]],
           districts: list[tuple[str, str, int, str]]) -> Round:
    existing = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if existing is not None:
        return existing
    round_ = Round(slug=slug, name=name, description=description)
    for phase, start, end in schedule:
        round_.phases.append(RoundPhase(phase=phase.value, starts_at=start, ends_at=end))
    for dname, kind, euros, postcodes in districts:
        round_.districts.append(District(name=dname, kind=kind, budget_cents=euros * 100, postcodes=postcodes))
    db.session.add(round_)
    return round_


def seed(now: dt.datetime | None = None) -> None:
    """Create the demo accounts and rounds that are not there yet (flushes; caller commits)."""
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    hashed = hash_password(DEMO_PASSWORD)
    for email, name, roles in DEMO_ACCOUNTS:
        if db.session.scalars(sa.select(User).where(User.email == email)).first():
            continue
        user = User(email=email, name=name, password_hash=hashed, locale="nl", email_confirmed_at=now)
        user.roles.extend(UserRole(role=r.value) for r in roles)
        db.session.add(user)

    day = dt.timedelta(days=1)
    _round(
        "wijkbudgetten-2027",
        "Wijk- en dorpsbudgetten 2027",
        "Bedenk wat uw wijk of dorp beter maakt. Elke kern heeft een eigen budget.",
        [
            (Phase.IDEAS, now - 10 * day, now + 20 * day),
            (Phase.REVIEW, now + 20 * day, now + 40 * day),
            (Phase.VOTING, now + 40 * day, now + 54 * day),
            (Phase.COUNTING, now + 54 * day, now + 56 * day),
            (Phase.RESULTS, now + 56 * day, now + 120 * day),
        ],
        KERNEN,
    )
    _round(
        "burgerbegroting-2026",
        "Burgerbegroting 2026",
        "De eerste burgerbegroting van Voorbeeldland. De uitslag is bekend.",
        [
            (Phase.IDEAS, now - 300 * day, now - 250 * day),
            (Phase.REVIEW, now - 250 * day, now - 220 * day),
            (Phase.VOTING, now - 220 * day, now - 200 * day),
            (Phase.COUNTING, now - 200 * day, now - 198 * day),
            (Phase.RESULTS, now - 198 * day, now - 100 * day),
            (Phase.IMPLEMENTATION, now - 100 * day, now + 200 * day),
        ],
        [("Heel Voorbeeldland", "gemeente", 500_000, "9901-9914")],
    )
    db.session.flush()
