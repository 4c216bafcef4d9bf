"""burgerbegroting.counting - the ballot counter (pure Python + numpy).

Decides which proposals a district's budget pays for, and explains every decision.
It imports neither Flask nor SQLAlchemy.

Public API (stable names, used by the web app)::

    from burgerbegroting.counting import (
        Election, Project, Ballot, BallotKind,      # input model (money in integer minor units)
        Outcome, Explanation,                       # result model (Outcome.to_dict() is JSON-ready)
        RULES, count,                               # RULES["equal-shares-add1"].run(election)
        read_pb, write_pb, PabulibError,            # Pabulib .pb import / export
        render_text,                                # plain-text report for the CLI
    )

Rules (``RULES`` keys): ``greedy``, ``greedy-threshold``, ``greedy-no-skip``, ``equal-shares``,
``equal-shares-add1``, ``equal-shares-add1-comparison``.  ``count(election, "pabulib")`` applies
the rule named in a Pabulib file's META.  Each rule has ``name``, ``version`` and
``run(election, **options) -> Outcome``.  Greedy rules take ``tie_break`` = ``"cost"``
(default: equal score -> cheaper first, then project id), ``"file"`` (PROJECTS order, as Pabulib)
or ``"id"``; ``greedy-threshold`` takes ``threshold`` (default: the META threshold).
Equal shares breaks ties by lowest cost, then most supporters, then project id.
See docs/counting.md.
"""

from .model import Ballot, BallotKind, Election, Explanation, Outcome, Project
from .pabulib import PabulibError, read_pb, write_pb
from .render import render_explanation, render_text
from .rules import RULES, Rule, UnknownRuleError, count

__all__ = [
    "RULES",
    "Ballot",
    "BallotKind",
    "Election",
    "Explanation",
    "Outcome",
    "PabulibError",
    "Project",
    "Rule",
    "UnknownRuleError",
    "count",
    "read_pb",
    "render_explanation",
    "render_text",
    "write_pb",
]
