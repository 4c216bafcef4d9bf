"""Benchmark of the ballot counter (not a test).

    /work/main/.venv/bin/python bench/counting.py [--quick] [--no-scaling]

For every .pb file in ../shared/pabulib (or $PABULIB_DIR): the seconds to parse the file and to
build the internal profile (voter types with multiplicities, kept with the election; pabutools'
recorded times likewise exclude parsing and its multiprofile), then seconds per rule, peak memory
(tracemalloc, MB), the pabutools seconds recorded in reference_outcomes.json and the speed-up.
If pabutools is installed (dev only), it is also run side by side on equal shares.  Then a synthetic scaling run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from burgerbegroting.counting import (  # noqa: E402  (after the sys.path line above)
    Ballot,
    BallotKind,
    Election,
    Project,
    count,
    read_pb,
)
from burgerbegroting.counting.profile import Profile  # noqa: E402

PAB = Path(os.environ.get("PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))
RULE_KEYS = {  # our rule -> reference key (approval, other)
    "greedy": ("greedy_cost", "greedy_score"),
    "equal-shares": ("mes_cost", "mes_points"),
    "equal-shares-add1": ("mes_cost_add1_pabulib", "mes_points_add1_pabulib"),
}


def measure(election: Election, rule: str, repeat: int = 1) -> tuple[float, float, object]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = count(election, rule)
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    count(election, rule)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak, out


def synthetic(n_voters: int, n_projects: int, seed: int = 1) -> Election:
    rng = random.Random(seed)
    projects = tuple(Project(id=str(j), cost=rng.randrange(10_000, 500_000, 100)) for j in range(n_projects))
    pop = [rng.random() ** 2 for _ in range(n_projects)]
    ids = [p.id for p in projects]
    ballots = []
    for v in range(n_voters):
        k = rng.randint(1, 5)
        chosen = set(rng.choices(ids, weights=pop, k=k))
        ballots.append(Ballot(voter_id=str(v), projects=tuple(sorted(chosen))))
    budget = sum(p.cost for p in projects) // 4
    return Election(projects=projects, budget=budget, ballots=tuple(ballots), kind=BallotKind.APPROVAL)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the slowest rows and the big scaling runs")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    ref = json.loads((PAB / "reference_outcomes.json").read_text())["files"]
    try:
        import pabutools  # noqa: F401  (GPL, dev-only oracle)

        have_pabutools = True
    except ImportError:
        have_pabutools = False
    print(f"pabutools side by side: {'yes' if have_pabutools else 'no (not installed)'}")
    print(f"{'file':42} {'rule':19} {'seconds':>8} {'peak MB':>8} {'pabutools s':>11} {'speed-up':>9}  ok")
    for path in sorted(PAB.glob("*.pb")):
        t0 = time.perf_counter()
        e = read_pb(path)
        t1 = time.perf_counter()
        Profile.of(e)
        t2 = time.perf_counter()
        print(f"{path.name[:42]:42} {'(parse / profile)':19} {t1 - t0:8.3f} {t2 - t1:8.3f}s", flush=True)
        approval = e.kind in (BallotKind.APPROVAL, BallotKind.CHOOSE_1)
        for rule, keys in RULE_KEYS.items():
            key = keys[0] if approval else keys[1]
            r = ref[path.name]["rules"].get(key, {})
            secs, peak, out = measure(e, rule, repeat=1 if args.quick else 3)
            ok = set(out.selected) == set(r.get("selected", [])) if r else None  # type: ignore[attr-defined]
            rs = r.get("seconds")
            speed = f"{rs / secs:8.0f}x" if rs else "-"
            print(f"{path.name[:42]:42} {rule:19} {secs:8.3f} {peak:8.1f} {rs if rs else '-':>11} {speed:>9}  {ok}",
                  flush=True)
    if args.no_scaling:
        return 0
    print("\nsynthetic scaling (approval, 1-5 approvals per voter, budget = 1/4 of all costs)")
    print(f"{'voters':>8} {'projects':>8} {'rule':19} {'seconds':>8} {'peak MB':>8} {'MES runs':>8}")
    sizes = [(25_000, 100), (50_000, 100), (100_000, 100), (100_000, 300)]
    if not args.quick:
        sizes.append((200_000, 300))
    for n, m in sizes:
        e = synthetic(n, m)
        for rule in ("greedy", "equal-shares", "equal-shares-add1"):
            secs, peak, out = measure(e, rule)
            runs = out.details.get("mes_runs", "")  # type: ignore[attr-defined]
            print(f"{n:8} {m:8} {rule:19} {secs:8.3f} {peak:8.1f} {runs!s:>8}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
