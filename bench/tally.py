"""Benchmark of counting and the results page (not a test).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/SCRATCH_DB \
        /work/main/.venv/bin/python bench/tally.py [--ballots 100000] [--districts 50]

Uses a scratch database (the schema is created with the migrations; the bench rows are left
there). Prints: seconds to count N stored ballots of one district from the database to a stored
TallyRun (load + Pabulib export + SHA-256 + count with the "what if" rules + store; median of 3),
split in parts; and milliseconds to render the public results page of a round with D districts
(median of 5). Targets (issue 7): < 3 s and < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--proposals", type=int, default=30)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a scratch database.")

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from burgerbegroting.app import create_app
    from burgerbegroting.ballots.models import Ballot, BallotChoice
    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.counting import count, read_pb
    from burgerbegroting.extensions import db
    from burgerbegroting.processes.models import District, Round, RoundPhase
    from burgerbegroting.proposals.models import Proposal
    from burgerbegroting.results import operations
    from burgerbegroting.results.export import export_text, load_election

    app = create_app("development")
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        now = utcnow()
        tag = secrets.token_hex(3)

        def make_round(n_districts: int) -> tuple[Round, list[District], dict[int, list[int]]]:
            round_ = Round(slug=f"bench-{tag}-{n_districts}", name=f"Bench {n_districts}", ballot_type="approval",
                           min_choices=1, max_choices=None, counting_rule="equal-shares-add1")
            round_.phases = [
                RoundPhase(phase="review", starts_at=now - dt.timedelta(days=20), ends_at=now + dt.timedelta(hours=1)),
                RoundPhase(phase="voting", starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=7)),
                RoundPhase(phase="counting", starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=8)),
                RoundPhase(phase="results", starts_at=now + dt.timedelta(days=8), ends_at=now + dt.timedelta(days=90)),
            ]
            round_.districts = [District(name=f"Wijk {i:02d}", kind="wijk", budget_cents=500_000_00, postcodes="")
                                for i in range(n_districts)]
            db.session.add(round_)
            db.session.flush()
            ids: dict[int, list[int]] = {}
            for d in round_.districts:
                ps = [Proposal(round_id=round_.id, district_id=d.id, title=f"Plan {k}", summary="s", body="b",
                               cost_cents=rng.randrange(5_000_00, 120_000_00), status="feasible")
                      for k in range(args.proposals)]
                db.session.add_all(ps)
                db.session.flush()
                ids[d.id] = [p.id for p in ps]
            review, voting, counting, _results = round_.phases
            review.ends_at = voting.starts_at = now - dt.timedelta(days=10)
            voting.ends_at = counting.starts_at = now - dt.timedelta(hours=1)
            db.session.flush()
            return round_, round_.districts, ids

        def add_ballots(round_: Round, district: District, proposal_ids: list[int], n: int) -> None:
            weights = [1.0 / (k + 1) for k in range(len(proposal_ids))]
            today = now.date()
            for start in range(0, n, 10_000):
                ballots, choices = [], []
                for _ in range(min(10_000, n - start)):
                    bid = secrets.token_hex(16)
                    ballots.append({"id": bid, "round_id": round_.id, "district_id": district.id, "channel": "online",
                                    "cast_on": today, "receipt_hmac": None, "shuffle_key": rng.randrange(2**62)})
                    picked = set(rng.choices(proposal_ids, weights, k=rng.randint(1, 5)))
                    choices.extend({"ballot_id": bid, "proposal_id": pid, "value": 1} for pid in picked)
                db.session.execute(sa.insert(Ballot), ballots)
                db.session.execute(sa.insert(BallotChoice), choices)

        def settle() -> None:
            """VACUUM ANALYZE the fresh rows, as autovacuum will have done long before a count
            (otherwise the first read pays for setting hint bits on every new row)."""
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE ballot, ballot_choice")

        # 1. One district with N ballots: database -> stored result.
        round_, (district,), ids = make_round(1)
        add_ballots(round_, district, ids[district.id], args.ballots)
        db.session.commit()
        settle()
        t0 = time.perf_counter()
        election = load_election(round_, district)
        t1 = time.perf_counter()
        text, _digest = export_text(election)
        t2 = time.perf_counter()
        outcome = count(election, round_.counting_rule)
        operations.outcome_json(outcome, election)  # with the "what if" rules
        t3 = time.perf_counter()
        db.session.rollback()
        # Not timed: the count ran on the election the export was written from; reading the
        # export back must give that same election (what a resident's recount does).
        t_parse = time.perf_counter()
        assert read_pb(text) == election
        t_parse = time.perf_counter() - t_parse
        runs = []
        for _ in range(3):  # each stores a TallyRun (the newest counts), as an admin counting again would
            t4 = time.perf_counter()
            operations.run_count(round_, district, actor_id=None)
            db.session.commit()
            runs.append(time.perf_counter() - t4)
        print(f"count of {args.ballots:,} ballots, database -> stored TallyRun: median of 3 "
              f"{statistics.median(runs):.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)}; "
              f"parts: load {t1 - t0:.2f} s, export+sha256 {t2 - t1:.2f} s, count+what-if {t3 - t2:.2f} s; "
              f"not part of it: re-parsing the .pb as a recount does {t_parse:.2f} s)")

        # 2. Results page of a round with D districts (a few hundred ballots each), published.
        big, districts, ids = make_round(args.districts)
        for d in districts:
            add_ballots(big, d, ids[d.id], 300)
        db.session.flush()
        operations.run_all(big, actor_id=None)
        operations.publish(big, "bench", actor_id=None)
        db.session.commit()
        settle()
        client = app.test_client()
        times = []
        for _ in range(6):
            s = time.perf_counter()
            response = client.get(f"/rondes/{big.slug}/uitslag")
            times.append(time.perf_counter() - s)
            assert response.status_code == 200, response.status_code
        print(f"results page with {args.districts} districts x {args.proposals} proposals: "
              f"median {statistics.median(times[1:]) * 1000:.0f} ms (first {times[0] * 1000:.0f} ms), "
              f"{len(response.data):,} bytes")


if __name__ == "__main__":
    main()
