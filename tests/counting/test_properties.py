"""Property tests: small random elections against slow, obviously-correct reference rules."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from burgerbegroting.counting import (
    Ballot,
    BallotKind,
    Election,
    Project,
    count,
    read_pb,
    write_pb,
)


# ------------------------------------------------------------ slow reference implementations
def utilities(e: Election) -> list[dict[str, int]]:
    """Per voter: project -> utility (cost for approval, points, or positional points)."""
    out = []
    cost = {p.id: p.cost for p in e.projects}
    for b in e.ballots:
        if e.kind is BallotKind.CUMULATIVE:
            out.append({p: x for p, x in zip(b.projects, b.points or (), strict=False) if x > 0})
        elif e.kind is BallotKind.ORDINAL:
            L = e.ordinal_length()
            out.append({p: L - i for i, p in enumerate(b.projects) if L - i > 0})
        else:
            out.append({p: cost[p] for p in b.projects})
    return out


def ref_score(e: Election) -> dict[str, int]:
    s = {p.id: 0 for p in e.projects}
    for u in utilities(e):
        for p, x in u.items():
            s[p] += 1 if e.kind in (BallotKind.APPROVAL, BallotKind.CHOOSE_1) else x
    return s


def ref_greedy(e: Election, threshold: int | None = None, skip: bool = True) -> list[str]:
    score = ref_score(e)
    order = sorted(e.projects, key=lambda p: (-score[p.id], p.cost, p.id))
    left, chosen = e.budget, []
    for p in order:
        if threshold is not None and score[p.id] < threshold:
            continue
        if p.cost <= left:
            chosen.append(p.id)
            left -= p.cost
        elif not skip:
            break
    return chosen


def ref_mes(e: Election, endowment: Fraction) -> list[str]:
    """MES exactly as defined: buy the affordable project with the least rho; ties by
    (cost, -supporters, id).  Everything in Fractions, recomputed from scratch each round."""
    util = utilities(e)
    budget = [Fraction(endowment)] * len(util)
    supporters = {p.id: sum(1 for u in util if p.id in u) for p in e.projects}
    # a free project that somebody supports is bought first, at no cost (documented choice;
    # with cost utilities pabutools would give it utility 0 and never buy it)
    chosen = [p.id for p in e.projects if p.cost == 0 and supporters[p.id] > 0]
    todo = [p for p in e.projects if p.cost > 0 and supporters[p.id] > 0]
    while True:
        best = None
        for p in todo:
            sup = [i for i, u in enumerate(util) if u.get(p.id, 0) > 0]
            if sum(budget[i] for i in sup) < p.cost:
                continue
            # rho is one of the values where the paid amount sum min(b, rho*u) reaches the cost:
            # try the breakpoints in increasing order
            sup.sort(key=lambda i: budget[i] / util[i][p.id])
            rho = None
            for k in range(len(sup) + 1):
                paid = sum(budget[i] for i in sup[:k])
                rest = sum(util[i][p.id] for i in sup[k:])
                if rest == 0:
                    continue
                r = Fraction(p.cost - paid) / rest
                if all(budget[i] < r * util[i][p.id] for i in sup[:k]) and all(
                    budget[i] >= r * util[i][p.id] for i in sup[k:]
                ):
                    rho = r
                    break
            assert rho is not None
            cand = (rho, p.cost, -supporters[p.id], p.id)
            if best is None or cand < best[0]:
                best = (cand, p, rho)
        if best is None:
            return chosen
        _, p, rho = best
        for i, u in enumerate(util):
            if u.get(p.id, 0) > 0:
                budget[i] -= min(budget[i], rho * u[p.id])
        chosen.append(p.id)
        todo.remove(p)


def ref_add1(e: Election) -> list[str]:
    n = len(e.ballots)
    cost = {p.id: p.cost for p in e.projects}
    supported = {p for u in utilities(e) for p in u}
    best = ref_mes(e, Fraction(e.budget, n))
    j = e.budget // n
    while True:
        j += 1
        nxt = ref_mes(e, Fraction(j))
        if sum(cost[p] for p in nxt) > e.budget:
            return best
        best = nxt
        if set(nxt) == supported:
            return best


# ------------------------------------------------------------ random small elections
@st.composite
def elections(draw: st.DrawFn, kinds: tuple[BallotKind, ...] = tuple(BallotKind)) -> Election:
    kind = draw(st.sampled_from(kinds))
    m = draw(st.integers(1, 5))
    ids = [f"p{i}" for i in range(m)]
    costs = draw(st.lists(st.integers(0, 12), min_size=m, max_size=m))
    projects = tuple(Project(id=pid, cost=c, name=f"Project {pid}") for pid, c in zip(ids, costs, strict=False))
    n = draw(st.integers(1, 7))
    ballots = []
    max_length = None
    for v in range(n):
        if kind is BallotKind.CHOOSE_1:
            chosen = draw(st.lists(st.sampled_from(ids), min_size=0, max_size=1))
        else:
            chosen = draw(st.lists(st.sampled_from(ids), unique=True, min_size=0, max_size=m))
        points = None
        if kind is BallotKind.CUMULATIVE:
            points = tuple(draw(st.lists(st.integers(1, 4), min_size=len(chosen), max_size=len(chosen))))
        ballots.append(Ballot(voter_id=str(v), projects=tuple(chosen), points=points))
    if kind is BallotKind.ORDINAL:
        max_length = m
    budget = draw(st.integers(1, 30))
    return Election(projects=projects, budget=budget, ballots=tuple(ballots), kind=kind, max_length=max_length)


@given(elections())
def test_greedy_matches_reference(e: Election) -> None:
    out = count(e, "greedy")
    assert out.selected == ref_greedy(e)
    assert out.total_cost <= e.budget
    # greedy skips only what does not fit
    for x in out.explanations.values():
        assert x.kind in ("selected", "did_not_fit")
        if x.kind == "did_not_fit":
            assert x.cost > x.budget_left


@given(elections(), st.integers(0, 6))
def test_greedy_threshold_and_no_skip(e: Election, thr: int) -> None:
    assert count(e, "greedy-threshold", threshold=thr).selected == ref_greedy(e, threshold=thr)
    assert count(e, "greedy-no-skip").selected == ref_greedy(e, skip=False)


@given(elections())
def test_equal_shares_matches_reference(e: Election) -> None:
    out = count(e, "equal-shares")
    assert out.selected == ref_mes(e, Fraction(e.budget, len(e.ballots)))
    check_payments(e, out, Fraction(e.budget, len(e.ballots)))


@given(elections())
def test_equal_shares_add1_matches_reference(e: Election) -> None:
    out = count(e, "equal-shares-add1")
    assert out.selected == ref_add1(e)
    assert out.total_cost <= e.budget
    check_payments(e, out, Fraction(out.details["endowment_per_voter"]))


def check_payments(e: Election, out, endowment: Fraction) -> None:
    """Replaying the exact prices from the explanations: every bought project is paid in full
    by its supporters and nobody pays more than their endowment."""
    util = utilities(e)
    budget = [endowment] * len(util)
    for pid in out.selected:
        x = out.explanations[pid]
        if x.cost == 0:
            continue
        paid = Fraction(0)
        all_in = 0  # supporters who pay all they have (or have nothing left)
        for i, u in enumerate(util):
            if u.get(pid, 0) > 0:
                all_in += budget[i] <= x.rho * u[pid]
                pay = min(budget[i], x.rho * u[pid])
                budget[i] -= pay
                paid += pay
        assert paid == x.cost
        assert x.paid_everything == all_in
        assert all(b >= 0 for b in budget)
    # what the supporters of each project left over still have, exactly
    for pid, x in out.explanations.items():
        if x.kind == "not_affordable":
            assert x.supporters_money == sum(b for b, u in zip(budget, util, strict=True) if u.get(pid, 0) > 0)


@given(elections())
def test_write_then_read_gives_same_election(e: Election) -> None:
    again = read_pb(write_pb(e))
    assert again.projects == e.projects
    assert again.ballots == tuple(
        b if e.kind is BallotKind.CUMULATIVE else Ballot(b.voter_id, b.projects, None, b.fields) for b in e.ballots
    )
    assert (again.budget, again.kind, again.max_length) == (e.budget, e.kind, e.max_length)
    assert read_pb(write_pb(again)) == again


@given(elections(kinds=(BallotKind.APPROVAL,)))
def test_outcome_is_deterministic(e: Election) -> None:
    a = count(e, "equal-shares-add1").to_dict()
    b = count(e, "equal-shares-add1").to_dict()
    assert a == b
    assert math.isfinite(float(a["total_cost"]))


@given(elections(kinds=(BallotKind.APPROVAL, BallotKind.CUMULATIVE, BallotKind.ORDINAL)),
       st.integers(1, 40), st.sampled_from([1, 37, 1000]))
def test_add1_jumps_equal_stepping_by_one(e: Election, budget_factor: int, cost_factor: int) -> None:
    """The add1 sweep that skips endowments (jump_horizon) ends exactly where the sweep that
    steps by 1 ends: same outcome, same order, same final endowment."""
    from burgerbegroting.counting.mes import add1_sweep
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    if not e.ballots:
        return
    projects = tuple(Project(id=p.id, cost=p.cost * cost_factor) for p in e.projects)
    e = Election(projects=projects, budget=e.budget * budget_factor * cost_factor, ballots=e.ballots,
                 kind=e.kind, max_length=e.max_length)
    prof = Profile(e)
    fast = add1_sweep(prof, e.budget, e.scale, mes_key(prof))
    slow = add1_sweep(prof, e.budget, e.scale, mes_key(prof), jump=False)
    assert fast.run.selected == slow.run.selected
    assert fast.endowment == slow.endowment
    assert fast.stop == slow.stop
    assert fast.steps <= slow.steps + 1


# ------------------------------------------------------------ tie-heavy elections for the add1 shortcuts
@st.composite
def tied_elections(draw: st.DrawFn) -> Election:
    """Approval or points elections with few distinct costs and repeated ballots, so prices tie
    (equal numbers of supporters), purchases swap places as the endowment grows, and the
    outcome is often not monotone in the endowment."""
    kind = draw(st.sampled_from((BallotKind.APPROVAL, BallotKind.CUMULATIVE)))
    m = draw(st.integers(2, 7))
    ids = [f"p{i}" for i in range(m)]
    unit = draw(st.sampled_from([1, 7, 100]))
    costs = draw(st.lists(st.sampled_from([2, 3, 4, 6, 12]), min_size=m, max_size=m))
    projects = tuple(Project(id=pid, cost=c * unit) for pid, c in zip(ids, costs, strict=False))
    pool = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=m),
                         min_size=1, max_size=4))
    ballots = []
    for v, k in enumerate(draw(st.lists(st.integers(0, len(pool) - 1), min_size=2, max_size=14))):
        chosen = tuple(pool[k])
        points = tuple(1 + (i % 2) for i in range(len(chosen))) if kind is BallotKind.CUMULATIVE else None
        ballots.append(Ballot(voter_id=str(v), projects=chosen, points=points))
    budget = draw(st.integers(1, 3 * sum(costs))) * unit
    return Election(projects=projects, budget=budget, ballots=tuple(ballots), kind=kind)


@given(tied_elections())
def test_equal_shares_with_ties_matches_reference(e: Election) -> None:
    """Near-ties settled without replaying the run (and with the replay) agree with Fractions."""
    out = count(e, "equal-shares")
    assert out.selected == ref_mes(e, Fraction(e.budget, len(e.ballots)))


@given(tied_elections())
def test_add1_jumps_equal_stepping_by_one_with_ties(e: Election) -> None:
    from burgerbegroting.counting.mes import add1_sweep
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    prof = Profile(e)
    fast = add1_sweep(prof, e.budget, e.scale, mes_key(prof))
    slow = add1_sweep(prof, e.budget, e.scale, mes_key(prof), jump=False)
    assert (fast.run.selected, fast.endowment, fast.stop) == (slow.run.selected, slow.endowment, slow.stop)
    assert [prof.ids[j] for j in fast.run.selected] == ref_add1(e)


@st.composite
def crossing_elections(draw: st.DrawFn) -> Election:
    """Overlapping groups of voters with uneven costs, so some supporters pay all they have
    and prices fall at different speeds as the endowment grows: neighbouring purchases swap."""
    kind = draw(st.sampled_from((BallotKind.APPROVAL, BallotKind.CUMULATIVE)))
    m = draw(st.integers(3, 8))
    ids = [f"p{i}" for i in range(m)]
    costs = draw(st.lists(st.integers(5, 60), min_size=m, max_size=m))
    projects = tuple(Project(id=pid, cost=c) for pid, c in zip(ids, costs, strict=False))
    pool = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=3),
                         min_size=2, max_size=8))
    ballots = []
    for v, k in enumerate(draw(st.lists(st.integers(0, len(pool) - 1), min_size=5, max_size=30))):
        chosen = tuple(pool[k])
        points = None
        if kind is BallotKind.CUMULATIVE:
            points = tuple(draw(st.lists(st.integers(1, 3), min_size=len(chosen), max_size=len(chosen))))
        ballots.append(Ballot(voter_id=str(v), projects=chosen, points=points))
    budget = draw(st.integers(sum(costs) // 4, sum(costs)))
    return Election(projects=projects, budget=budget, ballots=tuple(ballots), kind=kind)


@given(crossing_elections(), st.integers(0, 40), st.lists(st.fractions(0, 1), min_size=1, max_size=8))
def test_jump_horizon_with_crossing_prices(e: Election, extra: int, where: list[Fraction]) -> None:
    """Inside the horizon the same projects are bought (their order may differ only by the
    swaps jump_horizon allows), at integer and non-integer endowments; and the jumped add1
    sweep ends where the sweep by +1 ends."""
    from burgerbegroting.counting.mes import add1_sweep, jump_horizon, mes_run
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    prof = Profile(e)
    key = mes_key(prof)
    e0 = Fraction(e.budget, len(e.ballots)) + extra
    run = mes_run(prof, e0, key)
    h = jump_horizon(prof, run)
    if 0 < h < 1e18:
        for f in where:
            other = mes_run(prof, e0 + Fraction(h) * f * Fraction(9999, 10000), key)
            assert set(other.selected) == set(run.selected)
    fast = add1_sweep(prof, e.budget, e.scale, key)
    slow = add1_sweep(prof, e.budget, e.scale, key, jump=False)
    assert (fast.run.selected, fast.endowment, fast.stop) == (slow.run.selected, slow.endowment, slow.stop)


@given(tied_elections(), st.lists(st.fractions(0, 1), min_size=1, max_size=6))
def test_jump_horizon_keeps_the_selected_set(e: Election, where: list[Fraction]) -> None:
    """Inside the horizon MES buys the same projects (swaps of non-interacting neighbours
    allowed), at integer and non-integer endowments."""
    from burgerbegroting.counting.mes import jump_horizon, mes_run
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    prof = Profile(e)
    key = mes_key(prof)
    e0 = Fraction(e.budget, len(e.ballots))
    run = mes_run(prof, e0, key)
    h = jump_horizon(prof, run)
    if h <= 0:
        return
    span = Fraction(min(h, 10.0 * e.budget)) * Fraction(999, 1000)
    for f in where:
        other = mes_run(prof, e0 + f * span, key)
        assert set(other.selected) == set(run.selected)


# ------------------------------------------------------------ batches of MES runs (add1)
def check_batch(e: Election, factors: list[Fraction]) -> None:
    from burgerbegroting.counting.mes import mes_batch, mes_run
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    if not e.ballots:
        return
    prof = Profile(e)
    key = mes_key(prof)
    base = Fraction(e.budget, len(e.ballots))
    ends = [base * f for f in factors]
    got = mes_batch(prof, ends, key)
    for end, (sel, cost, n_sel) in zip(ends, got, strict=True):
        run = mes_run(prof, end, key)
        assert (sel, cost, n_sel) == (run.selected, run.cost, len(run.selected))
    # asked for one run's purchases only: the same costs and counts
    last = len(ends) - 1
    some = mes_batch(prof, ends, key, {last})
    assert [(c, n) for _, c, n in some] == [(c, n) for _, c, n in got]
    assert some[last][0] == got[last][0]


@given(elections(kinds=(BallotKind.APPROVAL, BallotKind.CUMULATIVE, BallotKind.ORDINAL)),
       st.lists(st.fractions(Fraction(1, 2), 4), min_size=1, max_size=12))
def test_mes_batch_equals_single_runs(e: Election, factors: list[Fraction]) -> None:
    """Runs computed together (as columns of one array, splitting and merging groups) buy
    exactly what each run alone buys, in the same order."""
    check_batch(e, factors)


@given(tied_elections(), st.lists(st.fractions(Fraction(1, 2), 4), min_size=1, max_size=12))
def test_mes_batch_equals_single_runs_with_ties(e: Election, factors: list[Fraction]) -> None:
    """Near-ties and close affordability calls inside a batch (settled per run, or the run
    handed over to the single-run path) give the single run's purchases."""
    check_batch(e, factors)


@given(tied_elections(), st.sampled_from([2, 3, 8]))
def test_add1_batched_sweep_equals_stepping_by_one(e: Election, batch: int) -> None:
    from burgerbegroting.counting.mes import add1_sweep
    from burgerbegroting.counting.profile import Profile
    from burgerbegroting.counting.rules import mes_key

    prof = Profile(e)
    fast = add1_sweep(prof, e.budget, e.scale, mes_key(prof), batch=batch)
    slow = add1_sweep(prof, e.budget, e.scale, mes_key(prof), jump=False)
    assert (fast.run.selected, fast.endowment, fast.stop) == (slow.run.selected, slow.endowment, slow.stop)
    assert fast.run.rounds == slow.run.rounds


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 4), st.integers(1, 3)), min_size=1, max_size=30),
       st.fractions(0, 1), st.fractions(0, 1))
def test_price_solver_started_at_a_lower_bound(voters: list[tuple[int, int, int]], frac: Fraction,
                                               where: Fraction) -> None:
    """Starting the price iteration at any lower bound on the price (an earlier price of the
    project in the same run) gives the exact price, as starting from nobody paying all does."""
    import numpy as np

    from burgerbegroting.counting.mes import _solve_float

    b = [Fraction(x) for x, _, _ in voters]
    u = [Fraction(y) for _, y, _ in voters]
    w = [Fraction(z) for _, _, z in voters]
    c = frac * sum(wi * bi for wi, bi in zip(w, b, strict=True))
    if c == 0:
        return
    # the exact price: least rho with sum w * min(b, rho * u) = c
    poor_set: set[int] = set()
    while True:
        rich = sum(w[i] * u[i] for i in range(len(b)) if i not in poor_set)
        rho = (c - sum(w[i] * b[i] for i in poor_set)) / rich
        more = {i for i in range(len(b)) if b[i] < rho * u[i]} - poor_set
        if not more:
            break
        poor_set |= more
    exact = rho
    arr = [np.array([float(x) for x in v]) for v in (b, u, w)]
    lower = float(exact * where)
    for lo in (0.0, lower, float(exact)):
        got = _solve_float(arr[0], arr[1], arr[2], float(c), lower=lo)
        assert abs(got - float(exact)) <= 1e-12 * float(exact)
