"""The demo municipality "Gemeente Voorbeeldland": safe to seed twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.auth.passwords import hash_password
from burgerbegroting.core.permissions import Role
from burgerbegroting.core.timeutil import UTCDateTime, utcnow
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


def seed_accounts(now: dt.datetime | None = None) -> None:
    """The five demo accounts (one per role), password DEMO_PASSWORD."""
    now = now or utcnow()
    hashed = hash_password(DEMO_PASSWORD)
    for email, name, roles in DEMO_ACCOUNTS:
        if db.session.scalars(sa.select(User).where(User.email == email)).first():
            continue
        user = User(email=email, name=name, password_hash=hashed, locale="nl", email_confirmed_at=now)
        user.roles.extend(UserRole(role=r.value) for r in roles)
        db.session.add(user)
    db.session.flush()


# Demo content is created as if it were this much later, while no round's voting has
# started yet (the rule lock refuses ballot changes after that, also in the database); the
# new rounds' schedules are then moved back to the present in one go.
SEED_SHIFT = dt.timedelta(days=20 * 365)


def seed(now: dt.datetime | None = None) -> None:
    """Create the demo accounts, rounds and content that are not there yet (flushes; caller commits)."""
    from burgerbegroting.moderation import demo as moderation_demo
    from burgerbegroting.processes import demo as processes_demo
    from burgerbegroting.proposals import demo as proposals_demo
    from burgerbegroting.results import demo as results_demo
    from burgerbegroting.reviews import demo as reviews_demo

    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    seed_accounts(now)
    later = now + SEED_SHIFT
    day = dt.timedelta(days=1)
    _round(
        "wijkbudgetten-2027",
        "Wijk- en dorpsbudgetten 2027",
        "Bedenk wat uw wijk of dorp beter maakt. Elke kern heeft een eigen budget.",
        [
            (Phase.IDEAS, later - 10 * day, later + 20 * day),
            (Phase.REVIEW, later + 20 * day, later + 40 * day),
            (Phase.VOTING, later + 40 * day, later + 54 * day),
            (Phase.COUNTING, later + 54 * day, later + 56 * day),
            (Phase.RESULTS, later + 56 * day, later + 120 * day),
        ],
        KERNEN,
    )
    _round(
        "burgerbegroting-2026",
        "Burgerbegroting 2026",
        "De eerste burgerbegroting van Voorbeeldland. De uitslag is bekend.",
        [
            (Phase.IDEAS, later - 300 * day, later - 250 * day),
            (Phase.REVIEW, later - 250 * day, later - 220 * day),
            (Phase.VOTING, later - 220 * day, later - 200 * day),
            (Phase.COUNTING, later - 200 * day, later - 198 * day),
            (Phase.RESULTS, later - 198 * day, later - 100 * day),
            (Phase.IMPLEMENTATION, later - 100 * day, later + 200 * day),
        ],
        [("Heel Voorbeeldland", "gemeente", 80_000, "9901-9914")],
    )
    db.session.flush()
    processes_demo.seed_demo(later)
    db.session.flush()
    proposals_demo.seed_demo(later)
    db.session.flush()
    reviews_demo.seed_demo(later)
    moderation_demo.seed_demo(later)
    db.session.flush()
    results_demo.seed_demo(later)
    db.session.flush()
    _bring_to_present(now)
    db.session.flush()
    # Voting codes with fixed, published values for the rounds that are now in voting.
    from burgerbegroting.voters import demo as voters_demo

    voters_demo.seed_demo(now)
    db.session.flush()


def _bring_to_present(now: dt.datetime) -> None:
    """Move every time made in this run (schedules, proposals, supports, comments, reviews...)
    back by SEED_SHIFT. Schedules go last, so the rule lock starts only when all is in place."""
    threshold = now + SEED_SHIFT / 2
    tables = [t for t in db.metadata.sorted_tables if t.name != "round_phase"]
    tables.append(db.metadata.tables["round_phase"])
    for table in tables:
        columns = [c for c in table.columns if isinstance(c.type, UTCDateTime)]
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        for column in columns:
            rows = db.session.execute(sa.select(*keys, column).where(column > threshold)).all()
            for row in rows:
                db.session.execute(
                    sa.update(table).where(*(k == row[i] for i, k in enumerate(keys)))
                    .values({column.name: row[-1] - SEED_SHIFT})
                )
    db.session.expire_all()
