"""What a voter reads about a ballot problem (``types.Problem``), in their language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from burgerbegroting.ballots.types import Limits, Problem


def problem_message(problem: Problem, limits: Limits, chosen_cost_cents: int = 0, given_points: int = 0,
                    euro=str) -> str:  # type: ignore[no-untyped-def]
    if problem == Problem.UNKNOWN_OPTION:
        return _("Your ballot contains a plan that is not on the ballot of your district. Choose again from the "
                 "plans on this page.")
    if problem == Problem.NOT_A_NUMBER:
        return _("Enter a whole number, like 0, 1 or 2.")
    if problem == Problem.NEGATIVE:
        return _("Enter 0 or more points, not less than 0.")
    if problem == Problem.TOO_FEW:
        return ngettext("Choose at least %(num)d plan.", "Choose at least %(num)d plans.", limits.min_choices)
    if problem == Problem.TOO_MANY:
        if limits.max_choices is None:
            return _("You chose too many plans.")
        return ngettext("You may choose at most %(num)d plan. Remove a plan.",
                        "You may choose at most %(num)d plans. Remove a plan.", limits.max_choices)
    if problem == Problem.OVER_BUDGET:
        return _("The plans you chose cost %(chosen)s together. That is %(over)s more than the budget of "
                 "%(budget)s. Remove a plan.", chosen=euro(chosen_cost_cents),
                 over=euro(chosen_cost_cents - (limits.budget_cents or 0)), budget=euro(limits.budget_cents or 0))
    if problem == Problem.TOO_MANY_POINTS:
        return _("You gave %(given)d points, but you have %(total)d. Take some points away.",
                 given=given_points, total=limits.points_total or 0)
    if problem == Problem.DUPLICATE_RANK:
        return _("You gave this position to more than one plan. Give each position to one plan only.")
    if problem == Problem.RANK_OUT_OF_RANGE:
        return _("Choose a position from the list.")
    if problem == Problem.RANK_GAP:
        return _("Use the positions in order, 1, 2, 3 and so on, without skipping one.")
    return _("This ballot cannot be counted. Check your choices.")
