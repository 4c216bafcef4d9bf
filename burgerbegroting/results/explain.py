"""Plain-language explanations of a count, rendered from the counter's structured
``Explanation`` (stored as JSON in ``TallyRun.outcome_json``). Money is in cents there; values
may be exact fractions written as "a/b" strings."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import ngettext

from burgerbegroting.core.formatting import euro as _euro

if TYPE_CHECKING:
    from burgerbegroting.results.models import TallyRun

# Babel's currency formatting is the slowest part of a big results page; amounts repeat.
euro = lru_cache(maxsize=16384)(_euro)


def cents(value: Any) -> int | None:
    """A stored amount (int, float or "a/b") as whole cents, rounded half up."""
    if value is None:
        return None
    f = Fraction(value) if not isinstance(value, float) else Fraction(str(value))
    return int((f * 2 + 1) // 2)


def number(value: Any) -> str:
    if value is None:
        return "-"
    f = Fraction(value) if not isinstance(value, float) else Fraction(str(value))
    if f.denominator == 1:
        return str(f.numerator)
    return f"{float(f):.2f}"


def explain(e: dict[str, Any], locale: str, ballot_type: str = "approval") -> str:
    """One sentence about one proposal."""
    def money(value: Any) -> str:
        amount = cents(value)
        return "-" if amount is None else euro(amount, locale)

    kind = e.get("kind")
    supporters = int(e.get("supporters") or 0)
    if kind == "selected" and e.get("rho") is not None:
        if ballot_type in ("approval", "knapsack"):
            text = ngettext("Chosen: its %(num)d supporter paid %(paid)s.",
                            "Chosen: its %(num)d supporters each paid %(paid)s.",
                            supporters, paid=money(e.get("payment_per_voter")))
        else:
            text = ngettext("Chosen: its %(num)d supporter paid %(paid)s per point.",
                            "Chosen: its %(num)d supporters paid %(paid)s per point.",
                            supporters, paid=money(e.get("payment_per_voter")))
        if e.get("paid_everything"):
            text += " " + ngettext("%(num)d of them paid all they had left.",
                                   "%(num)d of them paid all they had left.", int(e["paid_everything"]))
        return text + " " + _("Budget left after this: %(left)s.", left=money(e.get("budget_left")))
    if kind == "selected":
        return _("Chosen as number %(step)s (place %(rank)s with %(score)s votes). Budget left after this: "
                 "%(left)s.", step=e.get("step") or "-", rank=e.get("rank") or "-", score=number(e.get("score")),
                 left=money(e.get("budget_left")))
    if kind == "not_affordable":
        return ngettext("Not chosen: its %(num)d supporter had %(had)s left together; %(needed)s was needed.",
                        "Not chosen: its %(num)d supporters had %(had)s left together; %(needed)s was needed.",
                        supporters, had=money(e.get("supporters_money")), needed=money(e.get("cost")))
    if kind == "no_supporters":
        return _("Not chosen: nobody voted for it.")
    if kind == "did_not_fit":
        return _("Not chosen: place %(rank)s with %(score)s votes, but it costs %(cost)s and only %(left)s was "
                 "left.", rank=e.get("rank") or "-", score=number(e.get("score")), cost=money(e.get("cost")),
                 left=money(e.get("budget_left")))
    if kind == "below_threshold":
        return _("Not chosen: %(score)s votes is below the minimum of %(threshold)s.",
                 score=number(e.get("score")), threshold=number(e.get("threshold")))
    if kind == "stopped":
        return _("Not chosen: place %(rank)s, but counting stopped at a proposal that did not fit.",
                 rank=e.get("rank") or "-")
    return _("Not chosen.")


# Sentences per stored tally and locale. A tally never changes once stored, so the sentences
# cannot go stale; the key holds the input hash and rule version too, so a reused row id (SQLite
# reuses the highest id after a delete) never finds another tally's sentences.
_SENTENCES: dict[tuple[int, str, str, str, str, str], dict[str, str]] = {}
_SENTENCES_MAX = 2048


def explanations(run: TallyRun, locale: str, ballot_type: str) -> dict[str, str]:
    """Project id (text) -> the sentence for it, for every proposal in the tally."""
    key = (run.id, run.input_sha256, run.rule, run.rule_version, locale, ballot_type)
    found = _SENTENCES.get(key)
    if found is None:
        found = {pid: explain(e, locale, ballot_type) for pid, e in run.outcome["explanations"].items()}
        if len(_SENTENCES) >= _SENTENCES_MAX:
            _SENTENCES.clear()
        _SENTENCES[key] = found
    return found
