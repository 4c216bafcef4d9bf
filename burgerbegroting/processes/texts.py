"""Translated names for the round settings (ballot types, counting rules, who decides)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DECISIONS = {
    "vote": _l("Residents vote"),
    "panel": _l("A panel decides (initiatievenpotje)"),
}

BALLOT_TYPES = {
    "approval": _l("Approval: tick the plans you want"),
    "knapsack": _l("Budget: choose plans that fit within the budget"),
    "cumulative": _l("Points: divide points over plans"),
    "ranking": _l("Ranking: put plans in order of preference"),
}

COUNTING_RULES = {
    "greedy": _l("Most votes first (greedy)"),
    "greedy-threshold": _l("Most votes first, with a minimum number of votes"),
    "greedy-no-skip": _l("Most votes first, stop at the first plan that does not fit"),
    "equal-shares": _l("Method of Equal Shares"),
    "equal-shares-add1": _l("Method of Equal Shares, with the budget raised step by step"),
    "equal-shares-add1-comparison": _l("Method of Equal Shares, compared with most votes first"),
}

ELIGIBILITY = {
    "postcode": _l("Residents of the district (postcode, voting code by letter)"),
    "register": _l("People on an uploaded register (voting code by letter)"),
    "account": _l("Anyone with an account who declares they live in the district"),
}

LOCKED_FIELDS = {
    "decision": _l("Who decides"),
    "ballot_type": _l("Ballot type"),
    "counting_rule": _l("Counting rule"),
    "min_choices": _l("Minimum number of choices"),
    "max_choices": _l("Maximum number of choices"),
    "points_total": _l("Points per voter"),
    "districts": _l("Districts and budgets"),
}
