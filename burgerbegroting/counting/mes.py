"""Method of Equal Shares: a float fast path whose close calls are settled exactly.

One MES run at a per-voter endowment ``e`` (exact Fraction, minor units):

* every voter starts with ``e``; a project ``p`` with cost ``c`` is *affordable* when its
  supporters together still have at least ``c``;
* its price ``rho`` is the least value with ``sum_i min(b_i, rho * u_ip) = c`` (supporters pay
  in proportion to their utility, those who cannot pay their share pay all they have);
* each round buys the affordable project with the smallest ``rho``; ties: the rule's key
  (lowest cost, then most supporters, then project id).

Fast path: budgets are numpy float64.  A decision is a *close call* when two candidates' prices
are within a relative 1e-9 or a project's money is within 1e-9 of its cost.  Close calls are
settled by the exact :class:`_Ledger`, which rebuilds every exact budget as
``e - sum_r rho_r * u_i,p_r`` (or 0 for voters who paid all they had) from the exact prices of
the earlier rounds, so no float ever decides a close call.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .profile import Profile

TOL = 1e-9


class _Ledger:
    """Exact replay of one MES run's rounds (prices as Fractions, exhausted voters exact)."""

    def __init__(self, prof: Profile, endowment: Fraction) -> None:
        self.prof = prof
        self.e = endowment
        self.ef = float(endowment)
        self.rho: list[Fraction] = []
        self.projects: list[int] = []
        self.poor_weight: list[int] = []
        self.exhausted = np.zeros(prof.n_distinct, dtype=bool)
        # voter types that supported a committed project (the others still hold exactly e)
        self.touched = np.zeros(prof.n_distinct, dtype=bool)
        self.calls = 0

    # -- exact budgets
    def _cols(self) -> list[int]:
        return self.projects

    def float_budgets(self, rows: np.ndarray) -> np.ndarray:
        prof = self.prof
        b = np.full(len(rows), self.ef)
        if self.projects:
            coef = np.array([float(r) * prof.kfac[p] for r, p in zip(self.rho, self.projects, strict=False)])
            b -= prof.M[rows][:, self.projects].astype(np.float64) @ coef
        b[self.exhausted[rows]] = 0.0
        return np.maximum(b, 0.0)

    def exact_sum(self, rows: np.ndarray) -> Fraction:
        """Exact sum of w_i * b_i over ``rows`` (exhausted voters count 0)."""
        prof = self.prof
        rows = rows[~self.exhausted[rows]]
        if len(rows) == 0:
            return Fraction(0)
        w = prof.weights[rows]
        total = self.e * int(w.sum())
        if self.projects:
            coef = w @ prof.M[rows][:, self.projects].astype(np.int64)
            for r, p, k in zip(self.rho, self.projects, coef.tolist(), strict=False):
                if k:
                    total -= r * (k * prof.kfac[p])
        return total

    def exact_sums(self, projects: list[int]) -> list[Fraction]:
        """:meth:`exact_sum` over the supporters of each of ``projects`` (each supported), in
        one pass: the same Fractions, e * W - sum_r rho_r * kfac_r * k_r, with the integer
        weights W and k_r of all projects gathered together."""
        prof = self.prof
        rows_l = [prof.sup[j] for j in projects]
        lens = [len(r) for r in rows_l]
        n_rounds = len(self.projects)
        if not projects or min(lens) == 0 or sum(lens) * max(n_rounds, 1) > 20_000:
            # (larger: one project at a time; the gathered matrix costs more than the calls save)
            return [self.exact_sum(r) for r in rows_l]
        allrows = np.concatenate(rows_l)
        starts = np.zeros(len(lens), dtype=np.int64)
        starts[1:] = np.cumsum(lens)[:-1]
        lw = np.where(self.exhausted, 0, prof.weights)[allrows]
        out = [self.e * x for x in np.add.reduceat(lw, starts).tolist()]
        if n_rounds:
            sub = prof.M[np.ix_(allrows, np.array(self.projects, dtype=np.int64))].astype(np.int64) * lw[:, None]
            k = np.add.reduceat(sub, starts, axis=0)
            nz_j, nz_r = np.nonzero(k)
            rk = [r * prof.kfac[p] for r, p in zip(self.rho, self.projects, strict=True)]
            for a, r, kk in zip(nz_j.tolist(), nz_r.tolist(), k[nz_j, nz_r].tolist(), strict=True):
                out[a] -= rk[r] * kk
        return out

    def exact_budget(self, i: int) -> Fraction:
        if self.exhausted[i]:
            return Fraction(0)
        prof = self.prof
        b = self.e
        for r, p in zip(self.rho, self.projects, strict=False):
            u = int(prof.M[i, p])
            if u:
                b -= r * (u * prof.kfac[p])
        return b

    # -- exact decisions
    def affordable(self, p: int) -> bool:
        return self.exact_sum(self.prof.sup[p]) >= self.prof.cost[p]

    def price(self, p: int) -> tuple[Fraction, np.ndarray]:
        """Exact rho of project p and the mask (over its supporters) of those who pay all."""
        self.calls += 1
        prof = self.prof
        rows = prof.sup[p]
        u = prof.units[p] * prof.kfac[p]
        w = prof.weights[rows]
        c = prof.cost[p]
        if len(rows) <= 64 and self.e > 0 and not self.touched[rows].any():
            return self._pristine_price(c, u, w)
        bf = self.float_budgets(rows)
        rho_f = _solve_float(bf, u.astype(np.float64), w.astype(np.float64), float(c))
        ratio = bf / u
        tol = TOL * (1.0 + rho_f)
        live = ~self.exhausted[rows]
        sure_poor = (ratio < rho_f - tol) | ~live
        sure_rich = (ratio > rho_f + tol) & live
        amb = np.flatnonzero(~sure_poor & ~sure_rich)
        if len(amb) > 200:  # the float guess is not sharp: decide every supporter exactly
            sure_poor = ~live
            sure_rich = np.zeros(len(rows), dtype=bool)
            amb = np.flatnonzero(live)
        fixed_paid = self.exact_sum(rows[sure_poor])
        rich_wu = int((w[sure_rich] * u[sure_rich]).sum())
        cand = [
            (self.exact_budget(int(rows[a])), int(u[a]), int(w[a]), int(a)) for a in amb.tolist()
        ]
        cand.sort(key=lambda t: t[0] / t[1])
        # all ambiguous voters start rich; the poorest become poor while they cannot pay
        amb_wu = sum(uu * ww for _, uu, ww, _ in cand)
        paid = fixed_paid
        k = 0
        while True:
            denom = rich_wu + amb_wu
            if denom == 0:
                raise AssertionError("price asked of a project that is not affordable")
            rho = (c - paid) / denom
            if k < len(cand) and cand[k][0] < rho * cand[k][1]:
                b_i, uu, ww, _ = cand[k]
                paid += b_i * ww
                amb_wu -= uu * ww
                k += 1
                continue
            break
        poor = sure_poor.copy()
        for b_i, uu, _, a in cand:
            if b_i <= rho * uu:
                poor[a] = True
        # sanity: the float guess must agree with the exact price
        if abs(float(rho) - rho_f) > 1e-6 * (1.0 + rho_f) and len(amb) <= 200:
            raise AssertionError("float and exact prices disagree")  # pragma: no cover
        return rho, poor

    def _pristine_price(self, c: int, u: np.ndarray, w: np.ndarray) -> tuple[Fraction, np.ndarray]:
        """:meth:`price` when no supporter has paid for anything yet (few supporter types): all
        hold exactly e, so supporters with the same utility are alike (they pay all together or
        share together); the poor/rich iteration runs exactly over the groups, largest utility
        (least e/u) first.  A group that cannot pay its share at rho makes rho rise when it
        pays all, so groups never split."""
        g: dict[int, int] = {}
        for uu, ww in zip(u.tolist(), w.tolist(), strict=True):
            g[uu] = g.get(uu, 0) + ww
        groups = sorted(g.items(), reverse=True)
        e = self.e
        rest_wu = sum(uu * ww for uu, ww in groups)
        paid = Fraction(0)
        k = 0
        while True:
            if rest_wu == 0:
                raise AssertionError("price asked of a project that is not affordable")
            rho = (c - paid) / rest_wu
            if k < len(groups) and e < rho * groups[k][0]:
                paid += e * groups[k][1]
                rest_wu -= groups[k][0] * groups[k][1]
                k += 1
                continue
            break
        poor_u = {uu: e <= rho * uu for uu, _ in groups}
        return rho, np.array([poor_u[uu] for uu in u.tolist()], dtype=bool)

    def commit(self, p: int) -> Fraction:
        rho, poor = self.price(p)
        rows = self.prof.sup[p]
        self.exhausted[rows[poor]] = True
        self.touched[rows] = True
        self.poor_weight.append(int(self.prof.weights[rows[poor]].sum()))
        self.rho.append(rho)
        self.projects.append(p)
        return rho


def _solve_float(bs: np.ndarray, u: np.ndarray, w: np.ndarray, c: float,
                 wu: np.ndarray | None = None, total_wu: float | None = None, lower: float = 0.0) -> float:
    """rho with sum w*min(b, rho*u) = c (poor/rich iteration, float).  ``lower``: a lower
    bound on rho (an earlier price of the project in this run; prices only rise), so every
    voter with b/u below it surely pays all and the iteration starts there."""
    if wu is None:
        wu = w * u
    ratio = bs / u
    total = float(wu.sum()) if total_wu is None else total_wu
    rho = c / total
    if ratio.min() >= rho:  # nobody pays all they have
        return float(rho)
    poor = ratio < max(rho, lower)
    add = np.flatnonzero(poor)
    n, n_poor = len(bs), 0
    paid = poor_wu = 0.0
    while True:
        # in exact arithmetic the set of voters who pay all only grows; keeping it growing in
        # floats too guarantees the loop ends (rounding could otherwise make it cycle)
        paid += float((w[add] * bs[add]).sum())
        poor_wu += float(wu[add].sum())
        n_poor += len(add)
        if n_poor == n:
            return math.inf
        # (the rich part directly when it is the smaller one: no cancellation)
        rich_wu = total - poor_wu if 2 * poor_wu < total else float(wu[~poor].sum())
        if rich_wu <= 0:
            return math.inf
        rho = (c - paid) / rich_wu
        new = np.flatnonzero(ratio < rho)
        add = new[~poor[new]]
        if len(add) == 0:
            return float(rho)
        poor[add] = True


@dataclass
class RoundInfo:
    project: int
    rho: float
    rho_exact: Fraction | None = None
    spent_after: int = 0
    paid_everything: int | None = None


@dataclass
class MesRun:
    endowment: Fraction
    selected: list[int]  # project indices in selection order (zero-cost ones first)
    cost: int
    rounds: list[RoundInfo] = field(default_factory=list)
    budgets: np.ndarray | None = None
    ledger: _Ledger | None = None
    close_calls: int = 0


class _Static:
    """Per-profile arrays that every MES run needs (built once, kept with the profile)."""

    def __init__(self, prof: Profile) -> None:
        w_all = prof.weights.astype(np.float64)
        self.zero = [j for j in range(prof.m) if prof.cost[j] == 0 and prof.supporters[j] > 0]
        self.active = [j for j in range(prof.m) if prof.cost[j] > 0 and prof.supporters[j] > 0]
        self.util = {j: (prof.units[j] * prof.kfac[j]).astype(np.float64) for j in self.active}
        self.wsup = {j: w_all[prof.sup[j]] for j in self.active}
        # exact integer sum of w*u over the supporters, and the first-round price c / sum(w*u)
        self.wu_int = {j: int((prof.weights[prof.sup[j]] * prof.units[j]).sum()) * prof.kfac[j]
                       for j in self.active}
        self.wu = {j: self.wsup[j] * self.util[j] for j in self.active}
        self.total_wu = {j: float(self.wu[j].sum()) for j in self.active}
        self.first = {j: prof.cost[j] / self.total_wu[j] for j in self.active}


def _static(prof: Profile) -> _Static:
    st = getattr(prof, "_mes_static", None)
    if st is None:
        st = _Static(prof)
        prof._mes_static = st  # type: ignore[attr-defined]
    return st


# exactness status of a voter type's budget during a float run
_PRISTINE, _PAID, _EXHAUSTED, _UNKNOWN = 0, 1, 2, 3


def _quick_exact_price(prof: Profile, st: _Static, j: int, b: np.ndarray, status: np.ndarray,
                       endowment: Fraction) -> Fraction | None:
    """The exact price of project j without replaying earlier rounds, when the float budgets
    leave no doubt who pays what: every supporter is exactly exhausted (pays 0), or surely
    rich (pays rho * u), or untouched (budget exactly the endowment) and surely poor (pays
    the endowment).  Then rho = (c - e * W_poor) / sum_{rich} w*u exactly.  None when in doubt."""
    sup = prof.sup[j]
    stt = status[sup]
    if (stt == _UNKNOWN).any():
        return None
    u = st.util[j]
    bs = b[sup]
    rho_f = _solve_float(bs, u, st.wsup[j], float(prof.cost[j]), st.wu[j], st.total_wu[j])
    if not math.isfinite(rho_f):
        return None
    live = stt != _EXHAUSTED
    ratio = bs / u
    tol = TOL * (1.0 + rho_f)
    rich = live & (ratio > rho_f + tol)
    poor = live & (ratio < rho_f - tol)
    if (live & ~rich & ~poor).any() or (poor & (stt != _PRISTINE)).any():
        return None
    w = prof.weights[sup]
    rich_wu = int((w[rich] * prof.units[j][rich]).sum()) * prof.kfac[j]
    if rich_wu == 0:
        return None
    rho = (prof.cost[j] - endowment * int(w[poor].sum())) / rich_wu
    # the classification must hold with a margin around the exact price too
    rf = float(rho)
    if (rich & ~(ratio > rf + tol)).any() or (poor & ~(ratio < rf - tol)).any():
        return None  # pragma: no cover
    return rho


def _mark(status: np.ndarray, sup: np.ndarray, ratio: np.ndarray, rho: float | np.ndarray) -> None:
    """Update the exactness status of the supporters ``sup`` of a purchase at price ``rho``
    (``ratio`` = b / u before paying; 2-D with one column per run in a batch): surely poor ->
    exhausted, surely rich -> paid, else unknown; codes only rise (PRISTINE < PAID < EXHAUSTED
    < UNKNOWN) and an exhausted voter stays exhausted."""
    tol = TOL * (1.0 + rho)
    code = (_PAID + (ratio < rho - tol) + 2 * (np.abs(ratio - rho) <= tol)).astype(np.int8)
    old = status[sup]
    status[sup] = np.where(old == _EXHAUSTED, old, np.maximum(old, code))


def mes_run(prof: Profile, endowment: Fraction, key: Callable[[int], tuple]) -> MesRun:
    """One run of MES at the given per-voter endowment (minor units)."""
    st = _static(prof)
    b = np.full(prof.n_distinct, float(endowment))
    # lazy lower bounds on each project's price (prices only rise during a run)
    heap = [(st.first[j], j) for j in st.active]
    heapq.heapify(heap)
    return _mes_loop(prof, st, endowment, key, b, list(st.zero), 0, heap, [], None, 0)


def _mes_loop(prof: Profile, st: _Static, endowment: Fraction, key: Callable[[int], tuple],
              b: np.ndarray, selected: list[int], spent: int, heap: list[tuple[float, int]],
              rounds: list[RoundInfo], status: np.ndarray | None, close: int) -> MesRun:
    """The purchase rounds of one MES run from a given state (a fresh run, or one that a batch
    hands over at a close call): float budgets ``b``, purchases so far, lazy price bounds."""
    # exactness status per voter type, built only once a near-tie needs it (from the ratios
    # b / u of every earlier purchase, kept meanwhile); then kept up to date
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    mark = _mark
    util, wsup, cost = st.util, st.wsup, prof.cost
    ledger: _Ledger | None = None

    def get_ledger() -> _Ledger:
        nonlocal ledger
        if ledger is None:
            ledger = _Ledger(prof, endowment)
        while len(ledger.projects) < len(rounds):
            r = rounds[len(ledger.projects)]
            r.rho_exact = ledger.commit(r.project)
        return ledger

    while heap:
        best = math.inf
        cands: list[tuple[float, int]] = []
        while heap and heap[0][0] <= best * (1 + 4 * TOL):
            lb, j = heapq.heappop(heap)
            sup = prof.sup[j]
            bs = b[sup]
            c = float(cost[j])
            # (multiply and sum, not a BLAS dot: threaded BLAS made this 2x slower on 2 cores)
            avail = float(np.multiply(bs, wsup[j]).sum())
            if avail < c * (1 - TOL):
                continue
            if avail <= c * (1 + TOL):
                close += 1
                if not get_ledger().affordable(j):
                    continue
            rho = _solve_float(bs, util[j], wsup[j], c, st.wu[j], st.total_wu[j], lb)
            cands.append((rho, j))
            best = min(best, rho)
        if not cands:
            break
        near = [j for rho, j in cands if rho <= best * (1 + 4 * TOL)]
        if len(near) == 1:
            pick, rho_pick = near[0], best
            rho_exact = None
        else:
            close += 1
            prices: dict[int, Fraction] = {}
            if ledger is None:
                if status is None:
                    status = np.zeros(prof.n_distinct, dtype=np.int8)  # all PRISTINE
                    for h_sup, h_ratio, h_rho in history:
                        mark(status, h_sup, h_ratio, h_rho)
                    history.clear()
                for j in near:
                    q = _quick_exact_price(prof, st, j, b, status, endowment)
                    if q is None:
                        break
                    prices[j] = q
            if len(prices) < len(near):
                led = get_ledger()
                prices = {j: led.price(j)[0] for j in near}
            low = min(prices.values())
            pick = min((j for j in near if prices[j] == low), key=key)
            rho_exact = low
            rho_pick = float(low)
        for rho, j in cands:
            if j != pick:
                heapq.heappush(heap, (rho, j))
        sup = prof.sup[pick]
        bs = b[sup]
        pay = rho_pick * util[pick]
        nb = bs - pay
        ratio = bs / util[pick]
        if status is None:
            history.append((sup, ratio, rho_pick))
        else:
            mark(status, sup, ratio, rho_pick)
        b[sup] = np.maximum(nb, 0.0)
        spent += cost[pick]
        selected.append(pick)
        rounds.append(RoundInfo(project=pick, rho=rho_pick, rho_exact=rho_exact, spent_after=spent))
        if rho_exact is not None and ledger is not None:
            # the ledger already knows this price; commit it so later rounds stay in step
            get_ledger()
    return MesRun(endowment, selected, spent + 0, rounds, b, ledger, close)


# ---------------------------------------------------------------- batches of runs for add1
def _solve_batch(bs: np.ndarray, u: np.ndarray, w: np.ndarray, c: float, wu: np.ndarray,
                 total_wu: float, lower: float = 0.0) -> np.ndarray:
    """:func:`_solve_float` for every column of ``bs`` (supporters x runs) at once; ``lower``
    is a lower bound on every column's price."""
    ratio = bs / u[:, None]
    rho = np.full(bs.shape[1], c / total_wu)
    todo = np.flatnonzero(ratio.min(axis=0) < rho)  # runs where somebody pays all they have
    if len(todo) == 0:
        return rho
    r = ratio[:, todo]
    wb = w[:, None] * bs[:, todo]
    wuc = wu[:, None]
    poor = r < max(c / total_wu, lower)
    out = np.empty(len(todo))
    live = np.arange(len(todo))
    while len(live):
        rich_wu = np.where(poor, 0.0, wuc).sum(axis=0)
        paid = np.where(poor, wb, 0.0).sum(axis=0)
        some = rich_wu > 0
        new_rho = np.where(some, (c - paid) / np.where(some, rich_wu, 1.0), math.inf)
        new_poor = poor | (r < new_rho)
        done = (rich_wu <= 0) | (new_poor == poor).all(axis=0)
        out[live[done]] = new_rho[done]
        keep = ~done
        live, poor, r, wb = live[keep], new_poor[:, keep], r[:, keep], wb[:, keep]
    rho[todo] = out
    return rho


def mes_batch(prof: Profile, endowments: list[Fraction], key: Callable[[int], tuple],
              want: set[int] | None = None) -> list[tuple[list[int] | None, int, int]]:
    """The purchases (in order) and the cost of MES at each of ``endowments``, the same as
    :func:`mes_run` at each one, computed together.  The runs are the columns of 2-D arrays
    (budgets and exactness status, voter types x runs) and each round is one set of array
    operations in which every run makes its own decision, with the same float margins as a
    single run: a project is evaluated for all runs at once (the runs that bought it already
    ignore it), each run picks its own cheapest, and the runs pay per project picked.  The
    lazy price bounds are shared: a project's key is the least of its last prices over the
    runs that have not bought it (prices only rise within a run).  A run whose round has a
    close call that :func:`_quick_exact_price` cannot settle continues alone on the single-run
    path with its full state (budgets, status, purchases, price bounds).

    Per run: its purchases in order (only for the positions in ``want``, all if None; else
    None), its cost and its number of purchases."""
    st = _static(prof)
    k = len(endowments)
    out: list[tuple[list[int] | None, int, int] | None] = [None] * k
    util, wsup, cost = st.util, st.wsup, prof.cost
    zero = list(st.zero)
    supc = {j: prof.sup[j][:, None] for j in st.active}  # (for 2-D gathers)
    heap = [(st.first[j], j) for j in st.active]
    heapq.heapify(heap)
    B = np.repeat(np.array([float(e) for e in endowments])[None, :], prof.n_distinct, axis=0)
    S = np.zeros((prof.n_distinct, k), dtype=np.int8)
    own = np.zeros((prof.m, k), dtype=bool)  # bought already, per run
    spent = [0] * k
    # per round: the columns running then (ascending), and per column the project and price
    hist: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def order(col: int) -> list[int]:
        sel = list(zero)
        for cols, picks, _ in hist:
            pos = int(np.searchsorted(cols, col))
            if pos < len(cols) and cols[pos] == col:
                sel.append(int(picks[pos]))
        return sel

    def hand_over(col: int, popped: list[tuple[float, int]]) -> None:
        """Column ``col`` continues alone on the single-run path from this round's start."""
        rounds = []
        sp = 0
        sel = list(zero)
        for cols, picks, rhos in hist:
            pos = int(np.searchsorted(cols, col))
            if pos < len(cols) and cols[pos] == col:
                p = int(picks[pos])
                sp += cost[p]
                sel.append(p)
                rounds.append(RoundInfo(project=p, rho=float(rhos[pos]), spent_after=sp))
        h = [(v, j) for v, j in heap + popped if not own[j, col]]
        heapq.heapify(h)
        run = _mes_loop(prof, st, endowments[col], key, B[:, col].copy(), sel, sp, h,
                        rounds, S[:, col].copy(), 0)
        out[col] = (run.selected, run.cost, len(run.selected))

    cols = np.arange(k)
    while len(cols):
        n = len(cols)
        whole = n == k
        best = np.full(n, math.inf)
        gone = np.zeros(n, dtype=bool)  # handed over (close call) during this round
        cands: list[tuple[int, np.ndarray]] = []
        popped: list[tuple[float, int]] = []
        thr = math.inf
        while heap and heap[0][0] <= thr:
            item = heapq.heappop(heap)
            j = item[1]
            bs = B[prof.sup[j]] if whole else B[supc[j], cols]
            c = float(cost[j])
            avail = np.multiply(bs, wsup[j][:, None]).sum(axis=0)
            mine = own[j] if whole else own[j, cols]
            unaff = (avail < c * (1 - TOL)) | mine
            if unaff.all():
                continue  # every run bought it or can never afford it again
            popped.append(item)
            edge = ~unaff & (avail <= c * (1 + TOL)) & ~gone
            if edge.any():
                for i in np.flatnonzero(edge).tolist():
                    hand_over(int(cols[i]), popped)
                gone |= edge
            rho = _solve_batch(bs, util[j], wsup[j], c, st.wu[j], st.total_wu[j], item[0])
            rho[unaff | gone] = math.inf
            cands.append((j, rho))
            np.minimum(best, rho, out=best)
            act = best[~gone]
            thr = float(act.max()) * (1 + 4 * TOL) if len(act) else -math.inf
        done = ~gone & ~np.isfinite(best)  # nothing affordable: the run has ended
        for i in np.flatnonzero(done).tolist():
            col = int(cols[i])
            sel = order(col) if want is None or col in want else None
            out[col] = (sel, spent[col], len(zero) + len(hist))  # (a running run is in every round)
        keep = ~gone & ~done
        if not keep.any():
            break
        cmat = np.array([rho for _, rho in cands])
        near = (cmat <= best * (1 + 4 * TOL)).sum(axis=0)
        pick_idx = cmat.argmin(axis=0)
        rho_pick = best.copy()
        for i in np.flatnonzero(keep & (near > 1)).tolist():
            # a near-tie: settle it with exact prices from this run's float budgets if they
            # leave no doubt (as the single run does), else hand the run over
            col = int(cols[i])
            prices: dict[int, Fraction] = {}
            tied = [t for t in range(len(cands)) if cmat[t, i] <= best[i] * (1 + 4 * TOL)]
            for t in tied:
                q = _quick_exact_price(prof, st, cands[t][0], B[:, col], S[:, col], endowments[col])
                if q is None:
                    break
                prices[t] = q
            if len(prices) < len(tied):
                hand_over(col, popped)
                keep[i] = False
                continue
            low = min(prices.values())
            pick_idx[i] = min((t for t in tied if prices[t] == low), key=lambda t: key(cands[t][0]))
            rho_pick[i] = float(low)
        kept = np.flatnonzero(keep)
        if len(kept) == 0:
            break
        picks = pick_idx[kept]
        for t, (j, rho) in enumerate(cands):
            r = rho[kept[picks != t]]
            r = r[np.isfinite(r)]
            if len(r):  # (else every run bought it now or can never afford it)
                heapq.heappush(heap, (float(r.min()), j))
        kcols = cols[kept]
        proj = np.array([cands[t][0] for t in range(len(cands))])[picks]
        rp_all = rho_pick[kept]
        for t in np.unique(picks).tolist():
            sel_i = picks == t
            scols = kcols[sel_i]
            rp = rp_all[sel_i]
            p = cands[t][0]
            sup = prof.sup[p]
            if len(scols) == k:
                bs = B[sup]
                S_sub = S[sup]
            else:
                ix = (supc[p], scols)
                bs = B[ix]
                S_sub = S[ix]
            u = util[p][:, None]
            ratio = bs / u
            tol = TOL * (1.0 + rp)
            code = (_PAID + (ratio < rp - tol) + 2 * (np.abs(ratio - rp) <= tol)).astype(np.int8)
            S_new = np.where(S_sub == _EXHAUSTED, S_sub, np.maximum(S_sub, code))
            b_new = np.maximum(bs - rp * u, 0.0)
            if len(scols) == k:
                B[sup] = b_new
                S[sup] = S_new
            else:
                B[ix] = b_new
                S[ix] = S_new
            own[p, scols] = True
            for col in scols.tolist():
                spent[col] += cost[p]
        hist.append((kcols, proj, rp_all))
        cols = kcols
    assert all(r is not None for r in out)
    return out  # type: ignore[return-value]


def exact_details(prof: Profile, run: MesRun) -> _Ledger:
    """Replay every round of a run exactly (for explanations); returns the full ledger."""
    ledger = run.ledger or _Ledger(prof, run.endowment)
    while len(ledger.projects) < len(run.rounds):
        r = run.rounds[len(ledger.projects)]
        r.rho_exact = ledger.commit(r.project)
    for r, pw in zip(run.rounds, ledger.poor_weight, strict=False):
        r.paid_everything = pw
    run.ledger = ledger
    return ledger


@dataclass
class SweepResult:
    run: MesRun
    endowment: Fraction
    steps: int
    stop: str
    close_calls: int


def add1_sweep(prof: Profile, budget: int, scale: int, key: Callable[[int], tuple],
               jump: bool = True, batch: int | None = None) -> SweepResult:
    """The add1 completion: run MES at B/n, then floor(B/n)+1, +2, ... (file units); keep the
    last outcome that costs at most B, stop at the first one that costs more, or once every
    project with a supporter is bought.

    With ``jump`` the sweep skips the endowments that :func:`jump_horizon` proves to give the
    same decisions as the last run (the result is the same as stepping by 1); where it cannot
    skip, it evaluates up to ``batch`` consecutive endowments together (:func:`mes_batch`).
    The kept outcome is always recomputed by :func:`mes_run` at its own endowment."""
    if batch is None:
        batch = _auto_batch(prof)
    n = prof.n_voters
    start = Fraction(budget, n)
    n_supported = sum(1 for j in range(prof.m) if prof.supporters[j] > 0)
    base = budget // (n * scale)  # floor(B/n) in file units
    if jump and prof.disjoint_supporters():
        return _disjoint_sweep(prof, budget, scale, key, start, base, n_supported)
    cur = mes_run(prof, start, key)
    full = True  # cur is a full single run (else only its purchases, from a batch)
    steps, close = 1, cur.close_calls

    n_zero = len(_static(prof).zero)

    def final(run: MesRun, is_full: bool, stop: str) -> SweepResult:
        nonlocal steps, close
        if not is_full:
            run = mes_run(prof, run.endowment, key)
            steps += 1
            close += run.close_calls
        return SweepResult(run, run.endowment, steps, stop, close)

    j = base  # every integer endowment <= j has been decided
    skip = 0  # back-off: after a bound that skipped nothing, try again only later
    misses = 0
    while True:
        nxt = j + 1
        attempt = jump and skip == 0 and len(cur.selected) < n_supported
        # (when everything is funded the step-by-step sweep stops at the very next step)
        if attempt:
            # a bound shorter than this reaches no integer beyond j + 1
            need = (j + 2) * scale - float(cur.endowment)
            h = jump_horizon(prof, cur, need)
            lim = float(cur.endowment) + h * (1.0 - 1e-6)
            if h > 0 and math.isfinite(lim):
                # every integer k with k * scale < lim makes the same decisions as cur
                nxt = max(j + 1, math.ceil(lim / scale))
            if nxt == j + 1:
                misses += 1
                skip = 4 ** min(misses, 10)
            else:
                misses = 0
        if jump and batch > 1 and nxt == j + 1 and len(cur.selected) < n_supported:
            # the next ``batch`` endowments one by one, evaluated together; the back-off
            # then counts batches
            if skip and not attempt:
                skip -= 1
            size = batch
            ends = [Fraction((j + 1 + i) * scale) for i in range(size)]
            outs = mes_batch(prof, ends, key, {size - 1})
            steps += size
            for i, (sel, cost, n_sel) in enumerate(outs):
                if cost > budget:
                    return final(cur, full, "cost_exceeds_budget")
                # (only the last run's purchases are needed, by jump_horizon; a run kept as the
                # outcome is recomputed by final)
                order = sel if sel is not None else []
                cur = MesRun(ends[i], order, cost, [RoundInfo(project=p, rho=math.nan) for p in order[n_zero:]])
                full = False
                j += 1
                if n_sel == n_supported:
                    return final(cur, full, "all_supported_projects_funded")
            continue
        if skip and not attempt:
            skip -= 1
        run = mes_run(prof, Fraction(nxt * scale), key)
        steps += 1
        close += run.close_calls
        if run.cost > budget:
            if nxt - 1 > j:  # the kept outcome is the one at nxt - 1, which equals cur's
                kept = mes_run(prof, Fraction((nxt - 1) * scale), key)
                steps += 1
                close += kept.close_calls
                # the same projects (the order may differ by swaps that jump_horizon allows)
                if set(kept.selected) != set(cur.selected):  # pragma: no cover - the bound was not safe
                    jump = False
                    continue
                cur, full = kept, True
            return final(cur, full, "cost_exceeds_budget")
        cur, full = run, True
        j = nxt
        if len(run.selected) == n_supported:
            return SweepResult(cur, cur.endowment, steps, "all_supported_projects_funded", close)


def _auto_batch(prof: Profile) -> int:
    """Batches pay off when a run is many cheap rounds (small groups of supporter types:
    Python's per-step overhead dominates); with large groups a round is array work either way
    and the 2-D gathers cost more than they save.  Measured on the Pabulib files: Toulouse
    (183 projects, ~70 types each) 2.8x faster, Czestochowa (93, ~100), Wieliczka (64, ~110)
    and Swiecie (22, ~110) about 2x; Warszawa (83, ~3000) and Amsterdam (85, ~1800) slower;
    with very few projects (Assen, 14) the jump bound skips most endowments anyway."""
    if prof.m < 20 or sum(len(s) for s in prof.sup) > 120 * prof.m:
        return 1
    return 64


def _disjoint_sweep(
    prof: Profile, budget: int, scale: int, key: Callable[[int], tuple], start: Fraction, base: int, n_supported: int
) -> SweepResult:
    """add1 when no voter supports two projects (choose-1): supporters of different projects
    never share money, so at endowment e exactly the projects with e * W_p >= c_p are bought
    (W_p = number of supporters).  The outcome only changes at the grid points
    ceil(c_p / (W_p * scale)); the sweep computes the cost at just those points, with the same
    stop rules as the step-by-step sweep, and runs MES once, at the endowment it keeps."""
    zero = sum(1 for j in range(prof.m) if prof.cost[j] == 0 and prof.supporters[j] > 0)
    need: dict[int, int] = {}
    for j in range(prof.m):
        if prof.cost[j] > 0 and prof.supporters[j] > 0:
            w = prof.supporters[j] * scale
            need[j] = max(base + 1, -(-prof.cost[j] // w))
    order = sorted(need, key=lambda j: need[j])
    points = sorted(set(need.values()) | {base + 1})
    cost, k, count = 0, 0, zero
    for g in points:
        while k < len(order) and need[order[k]] <= g:
            cost += prof.cost[order[k]]
            count += 1
            k += 1
        if cost > budget:
            # the step-by-step sweep keeps the (identical) outcome of grid point g - 1
            if g - 1 > base:
                kept = mes_run(prof, Fraction((g - 1) * scale), key)
                return SweepResult(kept, kept.endowment, 2, "cost_exceeds_budget", kept.close_calls)
            first = mes_run(prof, start, key)  # (the start endowment B/n is kept)
            return SweepResult(first, first.endowment, 1, "cost_exceeds_budget", first.close_calls)
        if count == n_supported:
            run = mes_run(prof, Fraction(g * scale), key)
            return SweepResult(run, run.endowment, 2, "all_supported_projects_funded", run.close_calls)
    raise AssertionError("unreachable: the last grid point funds every supported project")  # pragma: no cover


# ---------------------------------------------------------------- parametric jumps for add1
class _Incidence:
    """All (project, supporter type) pairs as flat arrays, for vectorised per-round checks."""

    def __init__(self, prof: Profile) -> None:
        cols = [j for j in range(prof.m) if prof.cost[j] > 0 and prof.supporters[j] > 0]
        self.cols = np.array(cols, dtype=np.int64)
        self.col_pos = {j: k for k, j in enumerate(cols)}
        lens = [len(prof.sup[j]) for j in cols]
        self.lens = np.array(lens, dtype=np.int64)
        # jump_horizon's layout for the purchase order it saw last
        self.last: tuple[tuple[int, ...], tuple[list[int], np.ndarray, np.ndarray, np.ndarray,
                                                np.ndarray, np.ndarray]] | None = None
        self.spans: list[np.ndarray] = []  # each project's positions in the flat arrays
        at = 0
        for n in lens:
            self.spans.append(np.arange(at, at + n))
            at += n
        self.starts = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64) if cols else np.zeros(0, np.int64)
        self.rows = np.concatenate([prof.sup[j] for j in cols]) if cols else np.zeros(0, np.int64)
        self.u = (
            np.concatenate([(prof.units[j] * prof.kfac[j]).astype(np.float64) for j in cols])
            if cols else np.zeros(0)
        )
        self.w = prof.weights[self.rows].astype(np.float64)
        self.cost = np.array([float(prof.cost[j]) for j in cols])


def _incidence(prof: Profile) -> _Incidence:
    inc = getattr(prof, "_incidence", None)
    if inc is None:
        inc = _Incidence(prof)
        prof._incidence = inc  # type: ignore[attr-defined]
    return inc


def jump_horizon(prof: Profile, run: MesRun, need: float = 0.0) -> float:
    """A lower bound h (minor units, >= 0) such that MES at every endowment in [e, e + h)
    buys the same projects as ``run`` at e, in the same order up to swaps of two
    neighbouring purchases that do not interact (see below), and ends in the same budgets.

    Fix the run's purchases and raise the endowment to e' = e + d.  By induction over the
    rounds every budget is nondecreasing in d and every price nonincreasing, so the voters who
    pay all they have can only become fewer.  While the "who pays all" split stays as it is at
    d = 0, budgets and prices are affine in d: a budget starts with slope 1; a price's slope is
    -sum_{pays all} w*slope(b) / sum_{pays a share} w*u (<= 0); a sharing voter's slope then
    grows by -slope(rho)*u, an exhausted voter's is 0.  Two bounds hold:

    * global, for every d >= 0: slopes beta that bound the budgets' slopes everywhere
      (-slope(rho) <= sum_{pays all at d = 0} w*beta / sum_{shares at d = 0} w*u, as fewer
      voters pay all and more share; every supporter's beta then grows by that times u).  In
      round r, a project q not bought yet stays strictly worse than the bought p while
      G_q = sum w*min(b, rho_p*u_q) < c_q; G_q grows at most by the slopes of the budgets
      below rho_p*u_q (the other terms cannot grow, rho_p does not rise);
    * on the first piece (while the split holds, one linear inequality per voter who pays
      all): G_q is concave in d (a sum of minima of affine functions), so it stays below its
      tangent at d = 0, whose slope also counts the falling price (negative terms).

    h is the larger of the two.  Projects left over must stay unaffordable (sum of their
    supporters' budgets < cost; linear with the same slopes).

    Swaps: the next purchase p' may overtake p (q = p' fails the test in round r) when the two
    commute: every voter with money who supports both can pay both shares,
    b > rho_p*u + rho_p'*u'.  Such a voter pays a share in both orders and a price depends only
    on the voters who pay all, so both orders give the same prices and the same budgets after
    the pair.  This holds for every d >= 0 once it holds at d = 0 (the left side only grows).
    A voter who supports both and is exhausted pays nothing in either order, but only on the
    first piece (beyond it the voter may have money again), so then the swap counts only for
    the first-piece bound.
    The other projects are checked against rho_p in round r, so they lose to the cheaper of the
    pair in either order, and in the other order p still beats them after p' (budgets only
    fell).  Swapped pairs do not overlap.

    Floats with margins: a relative 1e-9 near-tie or near-boundary gives h = 0 (the caller
    then steps by 1).  Returns 0 as soon as the bound falls below ``need``.
    """
    inc = _incidence(prof)
    if len(inc.cols) == 0:
        return math.inf
    st = _static(prof)
    e0 = float(run.endowment)
    nt = prof.n_distinct
    b = np.full(nt, e0)
    s = np.ones(nt)  # slopes on the first piece
    beta = np.ones(nt)  # slope bounds for every d >= 0
    # the incidence reordered: the run's purchases in order, then the projects left over, so
    # the projects not bought yet in round k are the suffix from position k + 1 (the checks
    # below only look at those; each project's supporters keep their order, so every sum is
    # the same as over the full incidence)
    key = tuple(r.project for r in run.rounds)
    last = inc.last  # (read once: another thread may replace it)
    if last is None or last[0] != key:  # (consecutive runs often buy in the same order)
        bought = set(key)
        order = [*key, *(j for j in inc.cols.tolist() if j not in bought)]
        pos_o = [inc.col_pos[j] for j in order]
        starts_o = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(inc.lens[pos_o], out=starts_o[1:])
        idx = np.concatenate([inc.spans[q] for q in pos_o])
        last = (key, (order, starts_o, inc.rows[idx], inc.u[idx], inc.w[idx], inc.cost[pos_o]))
        inc.last = last
    order, starts_o, rows_o, u_o, w_o, cost_o = last[1]

    def suffix(q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Incidence of the projects from position q of ``order`` on (rows, u, w, cost, seg)."""
        o = int(starts_o[q])
        return rows_o[o:], u_o[o:], w_o[o:], cost_o[q:], starts_o[q:-1] - o
    hg = math.inf  # global bound
    hp = math.inf  # first-piece bound
    rounds = run.rounds
    pending: tuple[float, float, np.ndarray, np.ndarray, np.ndarray, float, bool] | None = None
    paired = False  # this round is the second of a pair that may swap
    for k, r in enumerate(rounds):
        p = r.project
        sup = prof.sup[p]
        u = st.util[p]
        w = st.wsup[p]
        c = float(prof.cost[p])
        bs = b[sup]
        ss = s[sup]
        bet = beta[sup]
        rho = _solve_float(bs, u, w, c, st.wu[p], st.total_wu[p])
        t = rho * u
        gap = bs - t
        mg = 1e-9 * (bs + t + 1.0)
        rich = gap > mg
        poor = gap < -mg
        if not (rich | poor).all():
            hp = 0.0  # a voter on the edge: no first-piece bound
        rich_wu = float(st.wu[p][rich].sum())
        if rich_wu <= 0:
            return 0.0
        drho = -float((w * ss)[poor].sum()) / rich_wu
        kappa = float((w * bet)[~rich].sum()) / rich_wu
        # the first piece ends when a voter who pays all (and has money) can pay a share
        pm = poor & (bs > 0)
        if pm.any():
            sl = ss[pm] - drho * u[pm]
            pos = sl > 0
            if pos.any():
                hp = min(hp, float((-gap[pm][pos] / sl[pos]).min()))
        # the pending swap test of the previous round, now that this price is known
        paired = False
        if pending is not None:
            hq_g, hq_p, b_c, up_c, uq_c, rho_prev, piece_only = pending
            pending = None
            t2 = rho_prev * up_c + rho * uq_c
            if bool((b_c - t2 > 1e-9 * (b_c + t2 + 1.0)).all()):
                paired = True
                if piece_only:  # see below: the global bound keeps the strict test
                    hg = min(hg, hq_g)
            else:
                hg, hp = min(hg, hq_g), min(hp, hq_p)
        if max(hg, hp) <= need or max(hg, hp) <= 0:
            return 0.0
        nxt = rounds[k + 1].project if k + 1 < len(rounds) and not paired else None
        hq_g = hq_p = math.inf
        if k + 1 < len(order):  # every other project not bought yet stays strictly worse than p
            rows_q, u_q, w_q, cost_q, seg_q = suffix(k + 1)
            slack, Dg, Dp = _tangent(rows_q, u_q, w_q, cost_q, b, s, beta, rho, drho, seg_q)
            close = slack <= 1e-9 * cost_q
            # (a near-tie that cannot grow keeps its static tie-break)
            hgv = np.where(Dg > 0, np.where(close, 0.0, slack / np.where(Dg > 0, Dg, 1.0)), math.inf)
            hpv = np.where(Dp > 0, np.where(close, 0.0, slack / np.where(Dp > 0, Dp, 1.0)), math.inf)
            first = 0
            if nxt is not None:  # (the next purchase is the suffix's first project)
                hq_g, hq_p = float(hgv[0]), float(hpv[0])
                first = 1
            if len(hgv) > first:
                hg = min(hg, float(hgv[first:].min()))
                hp = min(hp, float(hpv[first:].min()))
        if max(hg, hp) <= need or max(hg, hp) <= 0:
            return 0.0
        if nxt is not None and (hq_g < hg or hq_p < hp):
            # may p' overtake p?  decided next round, once p' has its price
            _, ip, iq = np.intersect1d(sup, prof.sup[nxt], assume_unique=True, return_indices=True)
            # exhausted voters pay nothing in either order, but only on the first piece: beyond
            # it such a voter may have money again and pay all of it to whichever comes first
            keep = bs[ip] > 0
            piece_only = not bool(keep.all())
            ip, iq = ip[keep], iq[keep]
            pending = (hq_g, hq_p, bs[ip], u[ip], st.util[nxt][iq], rho, piece_only)
        # pay
        b[sup] = np.maximum(gap, 0.0)
        s[sup] = np.where(poor, 0.0, ss - drho * u)
        beta[sup] = bet + kappa * u
    # projects left over stay unaffordable
    if len(rounds) < len(order):
        rows_q, _, w_q, cost_q, seg_q = suffix(len(rounds))
        rows_b = w_q * b[rows_q]
        slack = cost_q - np.add.reduceat(rows_b, seg_q)
        close = slack <= 1e-9 * cost_q
        for slopes, which in ((beta, 0), (s, 1)):
            Ds = np.add.reduceat(w_q * slopes[rows_q], seg_q)
            m = Ds > 0
            hl = 0.0 if (m & close).any() else (float((slack[m] / Ds[m]).min()) if m.any() else math.inf)
            if which == 0:
                hg = min(hg, hl)
            else:
                hp = min(hp, hl)
    h = max(hg, hp)
    return h if h > need else 0.0


def _tangent(rows: np.ndarray, u: np.ndarray, w: np.ndarray, cost: np.ndarray, b: np.ndarray,
             s: np.ndarray, beta: np.ndarray, rho: float, drho: float,
             seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per project q: c_q - G_q at d = 0 (G_q = sum w*min(b, rho*u_q)), a bound on G_q's
    slope for all d >= 0 (budgets at or below rho*u_q count their slope, the others 0), and one
    for the first piece (the others count rho's slope, <= 0)."""
    bb = b[rows]
    t = rho * u
    vals = np.minimum(bb, t)
    low = bb <= t + 1e-9 * (bb + t + 1.0)  # (within a hair: the budget's slope, the larger)
    Dg = np.add.reduceat(np.where(low, w * beta[rows], 0.0), seg)
    Dp = np.add.reduceat(w * np.where(low, s[rows], drho * u), seg)
    G = np.add.reduceat(w * vals, seg)
    return cost - G, Dg, Dp
