"""The rule registry: each rule is a class with ``name``, ``version`` and ``run``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

from .greedy import TIE_BREAKS, run_greedy
from .mes import MesRun, add1_sweep, exact_details, mes_run
from .model import Election, Explanation, Outcome
from .profile import Profile

__all__ = ["RULES", "Rule", "UnknownRuleError", "count", "pabulib_rule_name"]


class UnknownRuleError(ValueError):
    """The rule name is not in :data:`RULES` (or a file names a rule we do not know)."""


class Rule:
    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""

    def run(self, election: Election, **options: Any) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def _outcome(self, election: Election, selected: list[str], cost: int,
                 expl: dict[str, Explanation], **details: Any) -> Outcome:
        return Outcome(
            rule=self.name, rule_version=self.version, selected=selected, total_cost=cost,
            budget=election.budget, explanations=expl, details=details, decimals=election.decimals,
        )


def _check_options(options: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"unknown option(s) {', '.join(sorted(unknown))}")


def _tie_break(options: dict[str, Any]) -> str:
    tb = options.get("tie_break", "cost")
    if tb not in TIE_BREAKS:
        raise ValueError(f"unknown tie-break {tb!r}; expected one of {', '.join(TIE_BREAKS)}")
    return str(tb)


class Greedy(Rule):
    name = "greedy"
    description = "projects by score, high to low; skip a project that does not fit"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, {"tie_break"})
        tb = _tie_break(options)
        sel, cost, expl = run_greedy(election, Profile.of(election), tie_break=tb)
        return self._outcome(election, sel, cost, expl, tie_break=tb)


class GreedyThreshold(Rule):
    name = "greedy-threshold"
    description = "greedy, but only projects whose score reaches the threshold"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, {"tie_break", "threshold"})
        tb = _tie_break(options)
        thr = options.get("threshold")
        threshold = Fraction(str(thr)) if thr is not None else election.threshold
        if threshold is None:
            raise ValueError("greedy-threshold needs a threshold (option or META min_project_score_threshold)")
        sel, cost, expl = run_greedy(election, Profile.of(election), threshold=threshold, tie_break=tb)
        return self._outcome(election, sel, cost, expl, tie_break=tb, threshold=threshold)


class GreedyNoSkip(Rule):
    name = "greedy-no-skip"
    description = "greedy, but stop at the first project that does not fit"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, {"tie_break"})
        tb = _tie_break(options)
        sel, cost, expl = run_greedy(election, Profile.of(election), skip=False, tie_break=tb)
        return self._outcome(election, sel, cost, expl, tie_break=tb)


def mes_key(prof: Profile) -> Any:
    """Equal-shares tie-break: lowest cost, then most supporters, then project id (as text)."""
    return lambda j: (prof.cost[j], -prof.supporters[j], prof.ids[j])


def mes_explanations(election: Election, prof: Profile, run: MesRun) -> dict[str, Explanation]:
    ledger = exact_details(prof, run)
    expl: dict[str, Explanation] = {}
    step = 0
    n_zero = len(run.selected) - len(run.rounds)
    for j in run.selected[:n_zero]:
        step += 1
        expl[prof.ids[j]] = Explanation(
            project_id=prof.ids[j], kind="selected", cost=0, supporters=prof.supporters[j],
            score=prof.score[j], step=step, budget_left=election.budget, payment_per_voter=0, rho=0,
            paid_everything=0,
        )
    for r in run.rounds:
        step += 1
        j = r.project
        rho = r.rho_exact if r.rho_exact is not None else Fraction(r.rho)
        expl[prof.ids[j]] = Explanation(
            project_id=prof.ids[j], kind="selected", cost=prof.cost[j], supporters=prof.supporters[j],
            score=prof.score[j], step=step, budget_left=election.budget - r.spent_after,
            payment_per_voter=rho * prof.kfac[j], rho=rho, paid_everything=r.paid_everything,
        )
    left = [j for j in range(prof.m) if prof.ids[j] not in expl and prof.supporters[j] > 0]
    moneys = dict(zip(left, ledger.exact_sums(left), strict=True))
    for j in range(prof.m):
        pid = prof.ids[j]
        if pid in expl:
            continue
        if prof.supporters[j] == 0:
            expl[pid] = Explanation(project_id=pid, kind="no_supporters", cost=prof.cost[j], score=0,
                                    supporters_money=0, needed=prof.cost[j])
            continue
        money = moneys[j]
        expl[pid] = Explanation(
            project_id=pid, kind="not_affordable", cost=prof.cost[j], supporters=prof.supporters[j],
            score=prof.score[j], supporters_money=money, needed=prof.cost[j],
            budget_left=election.budget - run.cost,
        )
    return expl


class EqualShares(Rule):
    name = "equal-shares"
    description = "Method of Equal Shares with endowment budget/n, no completion"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, set())
        prof = Profile.of(election)
        if prof.n_voters == 0:
            return self._outcome(election, [], 0, {})
        run = mes_run(prof, Fraction(election.budget, prof.n_voters), mes_key(prof))
        expl = mes_explanations(election, prof, run)
        return self._outcome(
            election, [prof.ids[j] for j in run.selected], run.cost, expl,
            endowment_per_voter=election.to_units(run.endowment), close_calls=run.close_calls,
        )


class EqualSharesAdd1(Rule):
    name = "equal-shares-add1"
    description = "equal shares, endowment raised by 1 unit per voter while the outcome fits"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, set())
        prof = Profile.of(election)
        if prof.n_voters == 0:
            return self._outcome(election, [], 0, {})
        res = add1_sweep(prof, election.budget, election.scale, mes_key(prof))
        expl = mes_explanations(election, prof, res.run)
        return self._outcome(
            election, [prof.ids[j] for j in res.run.selected], res.run.cost, expl,
            endowment_per_voter=election.to_units(res.endowment),
            start_endowment_per_voter=election.to_units(Fraction(election.budget, prof.n_voters)),
            mes_runs=res.steps, stop_reason=res.stop, close_calls=res.close_calls,
        )


def compare_outcomes(election: Election, a: list[str], b: list[str]) -> tuple[int, int]:
    """Voters who prefer a (more of their supported projects in a) and who prefer b."""
    sa, sb = set(a), set(b)
    pa = pb = 0
    for ballot in election.ballots:
        pts = ballot.points or (1,) * len(ballot.projects)
        mine = {p for p, x in zip(ballot.projects, pts, strict=False) if x > 0}
        x, y = len(mine & sa), len(mine & sb)
        if x > y:
            pa += 1
        elif y > x:
            pb += 1
    return pa, pb


class EqualSharesAdd1Comparison(Rule):
    name = "equal-shares-add1-comparison"
    description = "equal-shares-add1, replaced by greedy only if strictly more voters prefer greedy"

    def run(self, election: Election, **options: Any) -> Outcome:
        _check_options(options, {"tie_break"})
        tb = _tie_break(options)
        mes = EqualSharesAdd1().run(election)
        g_sel, g_cost, g_expl = run_greedy(election, Profile.of(election), tie_break=tb)
        prefers_mes, prefers_greedy = compare_outcomes(election, mes.selected, g_sel)
        details = dict(mes.details, prefers_equal_shares=prefers_mes, prefers_greedy=prefers_greedy,
                       tie_break=tb)
        if prefers_greedy > prefers_mes:
            details["comparison_result"] = "greedy"
            return self._outcome(election, g_sel, g_cost, g_expl, **details)
        details["comparison_result"] = "equal-shares"
        return self._outcome(election, mes.selected, mes.total_cost, mes.explanations, **details)


RULES: dict[str, Rule] = {
    r.name: r
    for r in (Greedy(), GreedyThreshold(), GreedyNoSkip(), EqualShares(), EqualSharesAdd1(),
              EqualSharesAdd1Comparison())
}

_PABULIB_NAMES = {
    "greedy": "greedy",
    "greedy-threshold": "greedy-threshold",
    "greedy-no-skip": "greedy-no-skip",
    "equalshares": "equal-shares",
    "equalshares/add1": "equal-shares-add1",
    "equalshares/add1-comparison": "equal-shares-add1-comparison",
}


def pabulib_rule_name(election: Election) -> str:
    """Our rule name for the META ``rule`` of a Pabulib file (UnknownRuleError if none)."""
    meta_rule = (election.rule_in_file or "").strip()
    if meta_rule in _PABULIB_NAMES:
        return _PABULIB_NAMES[meta_rule]
    if meta_rule in RULES:
        return meta_rule
    raise UnknownRuleError(
        f"the file's META rule is {meta_rule!r}, which the counter does not know; "
        f"choose one with --rule ({', '.join(RULES)})"
    )


def count(election: Election, rule_name: str, **options: Any) -> Outcome:
    """Run a rule by name.  ``rule_name="pabulib"`` applies the rule named in the file's META
    (greedy ties in PROJECTS order, the META threshold), as the city did."""
    if rule_name == "pabulib":
        name = pabulib_rule_name(election)
        if name.startswith("greedy") or name.endswith("comparison"):
            options = {"tie_break": "file", **options}
        outcome = RULES[name].run(election, **options)
        outcome.details["from_file_rule"] = election.rule_in_file
        return outcome
    if rule_name not in RULES:
        raise UnknownRuleError(f"unknown rule {rule_name!r}; known rules: pabulib, {', '.join(RULES)}")
    return RULES[rule_name].run(election, **options)
