"""The ``flask`` commands: seed-demo, create-admin, audit verify."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.core import audit
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import Phase
from tests.conftest import DEMO_PASSWORD, count

DEMO_ROLES = {
    "bewoner@example.org": {"resident"},
    "ambtenaar@example.org": {"reviewer"},
    "moderator@example.org": {"moderator"},
    "beheerder@example.org": {"admin"},
    "raadslid@example.org": {"council"},
}


def run(app, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args), input=input)


def counts() -> tuple[int, ...]:
    return tuple(count(model) for model in (User, UserRole, Round, RoundPhase, District, AuditEvent))


# seed-demo ---------------------------------------------------------------------------------

def test_seed_demo_creates_the_demo_municipality(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "Voorbeeldland" in result.output
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    assert set(DEMO_ROLES) <= set(users)  # plus the demo residents who wrote the proposals
    for email, roles in DEMO_ROLES.items():
        assert users[email].role_names == roles, email
        assert users[email].email_confirmed
        assert ops.authenticate(email, DEMO_PASSWORD) is users[email]


def test_seed_demo_districts_have_budgets(app) -> None:  # type: ignore[no-untyped-def]
    assert run(app, "seed-demo").exit_code == 0
    rounds = {r.slug: r for r in db.session.scalars(sa.select(Round))}
    kernen = rounds["wijkbudgetten-2027"]
    assert len(kernen.districts) >= 12
    assert len({d.name for d in kernen.districts}) == len(kernen.districts)
    for round_ in rounds.values():
        assert round_.districts
        for district in round_.districts:
            assert district.budget_cents > 0, district.name
            assert district.kind in {"wijk", "dorp", "kern", "gemeente"}
    assert kernen.total_budget_cents == sum(d.budget_cents for d in kernen.districts)


def test_seed_demo_rounds_are_public_and_valid(app) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.processes.phases import validate_schedule

    assert run(app, "seed-demo").exit_code == 0
    rounds = {r.slug: r for r in db.session.scalars(sa.select(Round))}
    assert rounds["wijkbudgetten-2027"].phase_at() == Phase.IDEAS
    assert rounds["burgerbegroting-2026"].phase_at() == Phase.IMPLEMENTATION
    for round_ in rounds.values():
        validate_schedule(round_.windows())


def test_seed_demo_twice_changes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    assert run(app, "seed-demo").exit_code == 0
    before = counts()
    hashes = {u.email: u.password_hash for u in db.session.scalars(sa.select(User))}
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts() == before
    assert {u.email: u.password_hash for u in db.session.scalars(sa.select(User))} == hashes


def test_seed_demo_keeps_existing_accounts(app) -> None:  # type: ignore[no-untyped-def]
    """A demo account whose password was changed keeps it (and keeps working)."""
    assert run(app, "seed-demo").exit_code == 0
    user = ops.find_user_by_email("bewoner@example.org")
    ops.set_password(user, "my own password now")
    db.session.commit()
    assert run(app, "seed-demo").exit_code == 0
    assert ops.authenticate("bewoner@example.org", "my own password now") is not None


# create-admin ------------------------------------------------------------------------------

def test_create_admin(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "create-admin", "--email", " Chief@Example.org ", "--name", "Chief Admin",
                 "--password", "a long admin password")
    assert result.exit_code == 0, result.output
    user = ops.find_user_by_email("chief@example.org")
    assert user is not None
    assert user.email == "chief@example.org"
    assert user.role_names == {"admin"}
    assert user.email_confirmed
    assert ops.authenticate("chief@example.org", "a long admin password") is user
    [event] = db.session.scalars(sa.select(AuditEvent)).all()
    assert (event.action, event.actor_id, event.target) == ("staff_created", None, f"user:{user.id}")
    assert audit.verify() == (True, 1, "ok")


def test_create_admin_asks_for_what_is_missing(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "create-admin", input="ask@example.org\nAsked Admin\nsecret password 1\nsecret password 1\n")
    assert result.exit_code == 0, result.output
    assert ops.find_user_by_email("ask@example.org").role_names == {"admin"}
    assert "secret password 1" not in result.output  # the password is not echoed


@pytest.mark.parametrize("email", ["not-an-address", "chief@", "a b@example.org", ""])
def test_create_admin_refuses_an_invalid_email(app, email: str) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "create-admin", "--email", email, "--name", "Chief", "--password", "a long admin password")
    assert result.exit_code == 2
    assert "email" in result.output
    assert count(User) == 0


def test_create_admin_refuses_an_empty_name(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "create-admin", "--email", "chief@example.org", "--name", "  ", "--password",
                 "a long admin password")
    assert result.exit_code == 2
    assert count(User) == 0


def test_create_admin_refuses_what_the_web_forms_would_refuse(app) -> None:  # type: ignore[no-untyped-def]
    # A name longer than the column (PostgreSQL: a traceback) or a password longer than the
    # login form accepts (an account nobody can log in to).
    too_long_name = run(app, "create-admin", "--email", "chief@example.org", "--name", "N" * 101, "--password",
                        "a long admin password")
    too_long_password = run(app, "create-admin", "--email", "chief@example.org", "--name", "Chief", "--password",
                            "p" * 201)
    assert (too_long_name.exit_code, too_long_password.exit_code) == (2, 2)
    assert "name" in too_long_name.output and "password" in too_long_password.output
    assert count(User) == 0


def test_create_admin_twice_fails(app) -> None:  # type: ignore[no-untyped-def]
    args = ("create-admin", "--email", "chief@example.org", "--name", "Chief", "--password", "a long admin password")
    assert run(app, *args).exit_code == 0
    before = counts()
    result = run(app, "create-admin", "--email", "CHIEF@example.org", "--name", "Other", "--password",
                 "another long password")
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert counts() == before


def test_create_admin_refuses_a_short_password(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "create-admin", "--email", "chief@example.org", "--name", "Chief", "--password", "short")
    assert result.exit_code == 2
    assert "at least 10 characters" in result.output
    assert ops.find_user_by_email("chief@example.org") is None


# audit verify ------------------------------------------------------------------------------

def test_audit_verify_on_an_empty_log(app) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "audit", "verify")
    assert result.exit_code == 0
    assert "intact: 0 events" in result.output


def test_audit_verify_an_intact_log(app) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        audit.record(1, "roles_changed", f"user:{i}", {"roles": ["admin"]})
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 0
    assert "Audit log intact: 3 events." in result.output


def test_audit_verify_a_tampered_log(app) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        audit.record(1, "roles_changed", f"user:{i}", {"roles": ["admin"]})
    db.session.commit()
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 2).values(payload='{"roles": ["council"]}'))
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN after 1 events" in result.stderr
    assert "event 2 was changed" in result.stderr


def test_audit_verify_a_log_with_a_gap(app) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        audit.record(1, "roles_changed", f"user:{i}")
    db.session.commit()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 2))
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert "event 2 is missing" in result.stderr


def test_audit_verify_prints_the_newest_hash_to_note_elsewhere(app) -> None:  # type: ignore[no-untyped-def]
    events = [audit.record(1, "roles_changed", f"user:{i}") for i in range(2)]
    db.session.commit()
    result = run(app, "audit", "verify")
    assert result.exit_code == 0
    assert f"Newest: 2:{events[1].hash}" in result.output


def test_audit_verify_catches_a_rebuilt_chain_with_an_anchor(app) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        audit.record(1, "roles_changed", f"user:{i}", {"roles": ["admin"]})
    db.session.commit()
    noted = f"3:{audit.head()[1]}"  # e.g. in the council's minutes
    assert run(app, "audit", "verify", "--anchor", noted).exit_code == 0
    # Someone with database access changes event 2 and recomputes every hash after it: the
    # chain itself is consistent again, only the noted hash tells.
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    events[1].payload = '{"roles": ["council"]}'
    for before, event in itertools.pairwise(events):
        event.prev_hash = before.hash
        event.hash = event.compute_hash()
    db.session.commit()
    assert run(app, "audit", "verify").exit_code == 0
    result = run(app, "audit", "verify", "--anchor", noted)
    assert result.exit_code == 1
    assert "REWRITTEN: event 3" in result.stderr


@pytest.mark.parametrize("anchor", ["3", "x:" + "a" * 64, "3:abc"])
def test_audit_verify_refuses_a_malformed_anchor(app, anchor: str) -> None:  # type: ignore[no-untyped-def]
    result = run(app, "audit", "verify", "--anchor", anchor)
    assert result.exit_code == 2
    assert "SEQ:HASH" in result.output


def test_audit_verify_an_anchor_on_a_missing_event(app) -> None:  # type: ignore[no-untyped-def]
    audit.record(1, "roles_changed", "user:1")
    db.session.commit()
    result = run(app, "audit", "verify", "--anchor", "5:" + "a" * 64)
    assert result.exit_code == 1
    assert "missing" in result.stderr
