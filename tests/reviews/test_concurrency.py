"""Two reviewers saving the same proposal at the same moment (PostgreSQL: real concurrent
transactions on two connections). The second one gets StaleDataError, which the view turns
into a 409 conflict page (tested on both databases in test_web.py)."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from burgerbegroting.auth.models import User
from burgerbegroting.core import audit
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.proposals.models import Proposal
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.models import Review
from tests.conftest import _is_postgres

if _is_postgres():  # the in-memory SQLite database has one connection: nothing runs concurrently

    def test_two_reviewers_at_once_one_wins_the_other_gets_stale_data(app):  # type: ignore[no-untyped-def]
        from tests.conftest import make_user
        from tests.reviews.helpers import make_proposal, make_round

        # Real commits on their own connections, outside the test's rolled-back transaction.
        threaded = scoped_session(sessionmaker(bind=db.engine), scopefunc=threading.get_ident)
        test_session = db.session
        db.session = threaded  # type: ignore[assignment]
        ids: dict[str, int] = {}
        max_seq = threaded.scalar(sa.select(sa.func.max(audit.AuditEvent.seq))) or 0
        threaded.commit()
        try:
            r1 = make_user("conc1@example.org", ("reviewer",))
            r2 = make_user("conc2@example.org", ("reviewer",))
            round_ = make_round()
            proposal = make_proposal(round_)
            ids.update(round=round_.id, proposal=proposal.id, r1=r1.id, r2=r2.id)
            threaded.remove()

            barrier = threading.Barrier(2, timeout=10)
            results: dict[int, str] = {}

            def work(reviewer_id: int, verdict: ops.Verdict) -> None:
                with app.app_context():
                    try:
                        p = db.session.get(Proposal, ids["proposal"])
                        seen = p.version
                        barrier.wait()
                        ops.save_review(p, reviewer_id, verdict, expected_version=seen)
                        db.session.commit()
                        results[reviewer_id] = "saved"
                    except (StaleDataError, ops.VersionConflict) as exc:
                        db.session.rollback()
                        results[reviewer_id] = type(exc).__name__
                    finally:
                        db.session.remove()

            threads = [
                threading.Thread(target=work, args=(ids["r1"], ops.Verdict("feasible", 400_000))),
                threading.Thread(target=work, args=(ids["r2"], ops.Verdict("not_feasible", 400_000, "Nee."))),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            assert sorted(results.values()) == ["StaleDataError", "saved"], results
            winner = next(rid for rid, outcome in results.items() if outcome == "saved")
            reviews = threaded.scalars(sa.select(Review).where(Review.proposal_id == ids["proposal"])).all()
            assert [(r.reviewer_id, r.stage) for r in reviews] == [(winner, 1)]
            p = threaded.get(Proposal, ids["proposal"])
            assert p.status == ("feasible" if winner == ids["r1"] else "not_feasible")
            assert audit.verify()[0]
        finally:
            threaded.rollback()
            if ids:
                threaded.execute(sa.delete(audit.AuditEvent).where(audit.AuditEvent.seq > max_seq))
                threaded.execute(sa.delete(Round).where(Round.id == ids["round"]))
                threaded.execute(sa.delete(User).where(User.id.in_([ids["r1"], ids["r2"]])))
                threaded.commit()
            threaded.remove()
            db.session = test_session  # type: ignore[assignment]
