"""One ballot per voter under concurrent requests, on a real PostgreSQL server.

These tests commit for real (separate connections in separate threads), so they clean up
after themselves. SQLite serialises all writers, so the race cannot happen there; the
database constraint that wins the race is the same one the sequential tests exercise.
"""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import Ballot
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters.models import Participation, VotingCode
from tests.voting.conftest import make_voting_round

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL (scripts/test.sh starts one); SQLite serialises writers",
)


@pytest.fixture
def real_session(app):
    """Swap the rolled-back test session for real, committing sessions (one per thread)."""
    fixture_session = db.session
    db.session = db._make_scoped_session({})  # type: ignore[method-assign]
    created: list[int] = []
    with db.engine.connect() as conn:
        last_audit = conn.execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_event")).scalar_one()
    try:
        yield created
    finally:
        db.session.remove()
        with db.engine.begin() as conn:
            # The rule lock triggers refuse deleting a round in its voting phase; this is test
            # clean-up, so switch triggers off for this connection only.
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for round_id in created:
                conn.execute(sa.text(
                    "DELETE FROM ballot_choice WHERE ballot_id IN (SELECT id FROM ballot WHERE round_id = :r)"),
                    {"r": round_id})
                # replica mode also switches off the ON DELETE CASCADE triggers: delete every child.
                conn.execute(sa.text("DELETE FROM proposal_event WHERE proposal_id IN "
                                     "(SELECT id FROM proposal WHERE round_id = :r)"), {"r": round_id})
                for table in ("ballot", "participation", "paper_entry", "voting_code", "register_entry",
                              "proposal", "round_phase", "district"):
                    conn.execute(sa.text(f"DELETE FROM {table} WHERE round_id = :r"), {"r": round_id})
                conn.execute(sa.text("DELETE FROM budget_round WHERE id = :r"), {"r": round_id})
            # Staff actions in the set-up (codes generated) were audited for real.
            conn.execute(sa.text("DELETE FROM audit_event WHERE seq > :s"), {"s": last_audit})
        db.session = fixture_session  # type: ignore[method-assign]


def _run_in_threads(app, n: int, target) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                result = target(i)
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                result = type(exc).__name__
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_fifty_concurrent_ballots_with_one_code_store_exactly_one(app, real_session):
    with app.app_context():
        round_, district, proposals, _ = make_voting_round()
        real_session.append(round_.id)
        [(plain, _row)] = voters.generate_codes(round_, district, 1, actor_id=None)
        db.session.commit()
        round_id, district_id, first = round_.id, district.id, proposals[0].id
        db.session.remove()

    def cast(i: int) -> str:
        r = db.session.get(Round, round_id)
        d = next(x for x in r.districts if x.id == district_id)
        try:
            code = voters.find_code(r, plain)
        except voters.CodeRefused as exc:
            return f"refused:{exc.reason}"
        ballots.cast_ballot(r, d, f"code:{code.id}", {first: 1}, "online", code=code)
        return "cast"

    outcomes = _run_in_threads(app, 50, cast)
    assert len(outcomes) == 50
    assert outcomes.count("cast") == 1, outcomes
    assert all(o in {"cast", "AlreadyVoted", "refused:used"} for o in outcomes), outcomes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == round_id)) == 1
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Participation).where(Participation.round_id == round_id)) == 1
        code_row = db.session.scalars(sa.select(VotingCode).where(VotingCode.round_id == round_id)).one()
        assert code_row.state == "used"
        db.session.remove()


def test_concurrent_ballots_of_different_voters_all_count(app, real_session):
    with app.app_context():
        round_, district, proposals, _ = make_voting_round()
        real_session.append(round_.id)
        round_id, district_id, first = round_.id, district.id, proposals[0].id
        db.session.remove()

    def cast(i: int) -> str:
        r = db.session.get(Round, round_id)
        d = next(x for x in r.districts if x.id == district_id)
        ballots.cast_ballot(r, d, f"user:{1000 + i}", {first: 1}, "online")
        return "cast"

    outcomes = _run_in_threads(app, 20, cast)
    assert outcomes.count("cast") == 20, outcomes
    with app.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Ballot).where(Ballot.round_id == round_id)) == 20
        db.session.remove()
