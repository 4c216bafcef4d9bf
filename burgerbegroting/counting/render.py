"""Plain-text rendering of an outcome (English, for the command line)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .model import Election, Explanation, Number, Outcome


def money(election: Election, minor: Number | None) -> str:
    """An amount in minor units, shown in file units (exact values rounded to 2 decimals)."""
    if minor is None:
        return "-"
    value = Fraction(minor) / election.scale
    if value.denominator == 1:
        return f"{value.numerator:,}"
    places = max(2, election.decimals)
    q = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{q:,.{places}f}"


def _num(x: Number | None) -> str:
    if x is None:
        return "-"
    f = Fraction(x)
    return f"{f.numerator:,}" if f.denominator == 1 else f"{float(f):,.4f}"


def reason(e: Explanation, election: Election, outcome: Outcome) -> str:
    """One sentence explaining the decision about a project."""
    cost = money(election, e.cost)
    equal_shares = (outcome.rule.startswith("equal-shares") and e.rho is not None) or (
        outcome.rule.startswith("equal-shares") and e.kind in ("not_affordable", "no_supporters")
    )
    if e.kind == "selected" and e.rho is not None:
        if election.kind.value in ("approval", "choose-1"):
            share = f"each supporter paid {money(election, e.payment_per_voter)}"
        else:
            share = f"supporters paid {money(election, e.payment_per_voter)} per point"
        poor = f" ({e.paid_everything:,} paid all they had left)" if e.paid_everything else ""
        return (f"bought in step {e.step}: its {e.supporters:,} supporters paid the cost of {cost}; "
                f"{share}{poor}. Budget left: {money(election, e.budget_left)}.")
    if e.kind == "selected":
        return (f"selected as number {e.step} (rank {e.rank} with score {_num(e.score)}); "
                f"budget left: {money(election, e.budget_left)}.")
    if e.kind == "not_affordable":
        return (f"not bought: its {e.supporters:,} supporters had only "
                f"{money(election, e.supporters_money)} left, and it costs {cost}.")
    if e.kind == "no_supporters":
        return "not bought: nobody voted for it."
    if e.kind == "did_not_fit":
        return (f"did not fit: rank {e.rank} with score {_num(e.score)}, it costs {cost} but only "
                f"{money(election, e.budget_left)} was left.")
    if e.kind == "below_threshold":
        return f"below the threshold: score {_num(e.score)} is less than {_num(e.threshold)}."
    if e.kind == "stopped":
        return (f"not considered: rank {e.rank} with score {_num(e.score)}, but counting had "
                f"stopped at project {e.stopped_by}, which did not fit.")
    del equal_shares
    return e.kind  # pragma: no cover


def render_text(outcome: Outcome, election: Election) -> str:
    """A readable table: selected projects in order, then the others, each with its reason."""
    lines = [
        f"Rule: {outcome.rule} (version {outcome.rule_version})",
        (f"Budget: {money(election, outcome.budget)}   Spent: {money(election, outcome.total_cost)}   "
         f"Left: {money(election, outcome.budget - outcome.total_cost)}"),
    ]
    d = outcome.details
    if "endowment_per_voter" in d:
        lines.append(f"Money per voter: {_num(d['endowment_per_voter'])}")
    if "comparison_result" in d:
        lines.append(
            f"Comparison: {d['prefers_equal_shares']:,} voters prefer equal shares, "
            f"{d['prefers_greedy']:,} prefer greedy -> {d['comparison_result']} is used."
        )
    lines.append("")
    names = {p.id: p.name for p in election.projects}
    width = max([len(p.id) for p in election.projects] + [7])
    lines.append(f"{'project':<{width}}  {'status':<9} {'cost':>14}  reason")
    order = list(outcome.selected) + [p.id for p in election.projects if p.id not in set(outcome.selected)]
    for pid in order:
        e = outcome.explanations.get(pid)
        if e is None:
            continue
        status = "SELECTED" if e.kind == "selected" else "no"
        lines.append(f"{pid:<{width}}  {status:<9} {money(election, e.cost):>14}  {reason(e, election, outcome)}")
        if names.get(pid):
            lines.append(f"{'':<{width}}  {'':<9} {'':>14}  ({names[pid][:80]})")
    return "\n".join(lines) + "\n"


def render_explanation(outcome: Outcome, election: Election, project_id: str) -> str:
    """The story of one project."""
    e = outcome.explanations[project_id]
    p = election.project(project_id)
    title = f"Project {project_id}" + (f": {p.name}" if p.name else "")
    status = "SELECTED" if e.kind == "selected" else "NOT SELECTED"
    return f"{title}\nRule: {outcome.rule}\nCost: {money(election, p.cost)}\n{status}: {reason(e, election, outcome)}\n"
